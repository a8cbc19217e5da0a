"""The doctor: what went wrong in a run, named from the run itself.

Each check is a stated criterion on what a run recorded (`gan.train.History`, the final metrics,
the config) and gives a `Finding`: whether it holds (True, False, or None when the evidence is
too short to say), the numbers it was decided on, the evidence in words and the lesson that
explains it.

    converged             1D normal target: `gan.lab.success.DefaultRun` (the README's criterion);
                          another 1D target: JSD(p_data || p_g) < 0.01 nats; a 2D mixture: every
                          mode covered and a high-quality share >= 0.5 (`ModesCovered`)
    still improving       not converged, and log JSD over the last half of the snapshots (at least
                          4) falls, by a least-squares line, by more than IMPROVING_FACTOR = 2
                          across them                                              lesson 06
    D wins (vanishing)    minimax G loss and, over the last tenth of the steps, mean L_G =
                          mean log(1 - D(G(z))) > log(1 - 0.05): by Jensen (log(1 - D) is concave)
                          the mean of D(G(z)) on those minibatches is then below 0.05, and so is
                          G's gradient dL_G/dl = -D(G(z)) / m                       lesson 07
    oscillation           the autocorrelation r of d_loss or g_loss (last half of the steps, at
                          least 100, a straight line removed) falls below -3/sqrt(n) and then
                          rises to a local peak r(P) >= 0.3 and >= 3/sqrt(n) at a lag P >= 2
                          (3/sqrt(n): three standard errors of r for white noise)  lessons 08, 24
    mode collapse         1D mixture: some component k holds, in p_g's last snapshot on the grid
                          within mu_k +- 4 sigma_k, less than COLLAPSE_SHARE = 1/5 of its weight
                          w_k; 2D mixture: some modes covered but not all       lessons 08, 12

A run shorter than MIN_STEPS = 100 steps gives no verdict on its dynamics (only on its end
point), and each check needs its own evidence (snapshots, steps). `diagnose` takes a run in
memory (History or its arrays, config, metrics), `read_run` a run folder of ``python -m gan
train --out DIR`` through the project's bounded readers (`nn.files`), `diverged` a
`TrainingDiverged`.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.divergence import target_scale
from gan.lab.success import DefaultRun, JSDBelow, ModesCovered
from nn.files import ArchiveError, read_json, read_npz

MIN_STEPS = 100
MIN_SNAPSHOTS = 4
JSD_CONVERGED = 0.01
IMPROVING_FACTOR = 2.0
SATURATED_D = 0.05
LAST_SHARE = 0.1
MIN_OSCILLATION_STEPS = 100
PEAK = 0.3
SIGNIFICANCE = 3.0
COLLAPSE_SHARE = 0.2
WINDOW_SIGMAS = 4.0

LESSONS = {
    "converged": "lesson 06 (Algorithm 1 and the defaults that make it land)",
    "not_converged": "lesson 06 (how long Algorithm 1 needs, and the schedule's role)",
    "vanishing_gradient": "lesson 07 (the saturating loss: switch to --g-loss non_saturating)",
    "oscillation": "lessons 08 and 24 (oscillation; the game's dynamics circle the equilibrium)",
    "mode_collapse": "lessons 08 and 12 (mode collapse; minibatch discrimination)",
    "diverged": "docs/design.md, 'When a run blows up'",
}
HISTORY_FIELDS = ("d_loss", "g_loss", "value", "grid", "snapshot_steps", "D_grid", "p_g_grid",
                  "mean", "std", "jsd")


class NotATrainRun(ValueError):
    """A folder the doctor cannot read as a run of ``python -m gan train``: the message says
    what the folder is and what is missing."""


@dataclass(frozen=True)
class Finding:
    """One check: ``holds`` True/False, or None for not enough evidence."""

    name: str
    holds: object
    criterion: str
    numbers: dict = field(default_factory=dict)
    evidence: str = ""
    lesson: str = ""

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Diagnosis:
    """Every check's finding; ``verdicts`` those that hold."""

    findings: tuple

    @property
    def verdicts(self):
        return [finding for finding in self.findings if finding.holds is True]

    @property
    def silent(self):
        return [finding for finding in self.findings if finding.holds is None]

    def to_dict(self):
        return {"verdicts": [finding.name for finding in self.verdicts],
                "findings": [finding.to_dict() for finding in self.findings]}

    def lines(self):
        """The verdict lines: each holding finding with its evidence and lesson; else the
        reason the doctor stays silent."""
        out = []
        for finding in self.verdicts:
            out.append(f"  verdict: {TITLES[finding.name]}: {finding.evidence}")
            out.append(f"           criterion: {finding.criterion}; see {finding.lesson}")
        if not out:
            reasons = {}
            for finding in self.silent:
                reasons.setdefault(finding.evidence, []).append(finding.name)
            if reasons:
                shown = "; ".join(f"{evidence} (for {', '.join(names)})"
                                  for evidence, names in reasons.items())
                out.append(f"  verdict: not enough evidence: {shown}")
            else:
                out.append("  verdict: not converged, and none of the failures the doctor "
                           "knows shows (see the findings with --json)")
        return out


TITLES = {
    "converged": "converged",
    "not_converged": "not yet converged, still improving at the end",
    "vanishing_gradient": "D wins and G's gradient vanishes",
    "oscillation": "oscillation",
    "mode_collapse": "mode collapse",
    "diverged": "diverged",
}


def diagnose(history, config, metrics):
    """The findings of a run: ``history`` a `gan.train.History` or its ``to_arrays()`` dict (as
    read from history.npz), ``config`` a `GANConfig`, ``metrics`` the final metrics dict."""
    arrays = history.to_arrays() if hasattr(history, "to_arrays") else history
    arrays = {name: np.asarray(value) for name, value in arrays.items()}
    steps = len(arrays["d_loss"])
    converged = _converged(config, metrics)
    findings = [converged]
    if steps < MIN_STEPS:
        short = f"{steps} steps, fewer than the {MIN_STEPS} a verdict on the dynamics needs"
        for name in ("not_converged", "vanishing_gradient", "oscillation", "mode_collapse"):
            findings.append(Finding(name, None, "", {"steps": steps}, short, LESSONS[name]))
        return Diagnosis(tuple(findings))
    findings += [_improving(arrays, converged), _vanishing(arrays, config),
                 _oscillation(arrays), _collapse(arrays, config, metrics)]
    return Diagnosis(tuple(findings))


def diagnose_result(result):
    """`diagnose` of a `gan.train.TrainResult` in memory."""
    return diagnose(result.history, result.config, result.metrics)


def _converged(config, metrics):
    target = config.target
    if getattr(target, "dim", 1) == 2:
        if "modes" not in metrics:
            return Finding("converged", None, "", {}, "no mode coverage in the metrics",
                           LESSONS["converged"])
        criterion = ModesCovered(int(metrics["modes"]), 0.5)
        keys = ("modes_covered", "modes", "high_quality", "jsd")
    elif isinstance(target, Normal):
        criterion = DefaultRun.of(target)
        keys = ("jsd", "mean", "std", "d_max_dev")
    else:
        criterion = JSDBelow(JSD_CONVERGED)
        keys = ("jsd",)
    numbers = {key: metrics[key] for key in keys if key in metrics}
    if len(numbers) < len(keys):
        return Finding("converged", None, criterion.describe(), numbers,
                       "the final metrics are missing", LESSONS["converged"])
    holds = bool(criterion(metrics))
    shown = ", ".join(f"{key} = {_show(value)}" for key, value in numbers.items())
    return Finding("converged", holds, criterion.describe(), numbers,
                   f"the final G has {shown}", LESSONS["converged"])


def _improving(arrays, converged):
    name, jsd, steps = "not_converged", arrays["jsd"].astype(float), arrays["snapshot_steps"]
    criterion = (f"not converged, and log JSD over the last half of the snapshots (>= "
                 f"{MIN_SNAPSHOTS}) falls by more than a factor {IMPROVING_FACTOR:g} along a "
                 f"least-squares line")
    half = len(jsd) // 2
    tail, at = jsd[half:], steps[half:].astype(float)
    if len(tail) < MIN_SNAPSHOTS or np.any(~(tail > 0)):
        return Finding(name, None, criterion, {"snapshots": len(jsd)},
                       f"{len(jsd)} snapshots, too few to see a trend", LESSONS[name])
    slope = np.polyfit(at, np.log(tail), 1)[0]
    factor = float(np.exp(-slope * (at[-1] - at[0])))
    numbers = {"jsd_first": float(tail[0]), "jsd_last": float(tail[-1]),
               "fall_factor": factor, "from_step": int(at[0]), "to_step": int(at[-1])}
    holds = converged.holds is False and factor > IMPROVING_FACTOR
    return Finding(name, holds, criterion, numbers,
                   f"JSD went from {tail[0]:.4g} (step {int(at[0])}) to {tail[-1]:.4g} (step "
                   f"{int(at[-1])}), the fitted fall a factor {factor:.3g}: more steps (--steps) "
                   f"would likely help", LESSONS[name])


def _vanishing(arrays, config):
    name = "vanishing_gradient"
    bound = math.log1p(-SATURATED_D)
    criterion = (f"minimax G loss and mean log(1 - D(G(z))) over the last {LAST_SHARE:.0%} of the "
                 f"steps > log(1 - {SATURATED_D:g}) = {bound:.4f}, so mean D(G(z)) < "
                 f"{SATURATED_D:g} (Jensen)")
    g_loss = arrays["g_loss"]
    last = g_loss[-max(1, int(round(LAST_SHARE * len(g_loss)))):]
    numbers = {"g_loss": config.g_loss, "mean_g_loss_last": float(last.mean())}
    d_on_p_g = _d_on_p_g(arrays)
    if d_on_p_g is not None:
        numbers["mean_D_on_p_g_last_snapshot"] = d_on_p_g
    if config.g_loss != "minimax":
        return Finding(name, False, criterion, numbers,
                       "the non-saturating loss keeps G's gradient when D wins", LESSONS[name])
    holds = bool(numbers["mean_g_loss_last"] > bound)
    shown = "" if d_on_p_g is None else (f"; on the last snapshot D averages {d_on_p_g:.3g} "
                                         f"over p_g's mass on the grid")
    return Finding(name, holds, criterion, numbers,
                   f"mean L_G = {last.mean():.4g} over the last {len(last)} steps{shown}: D "
                   f"rejects G's samples and dL_G/dl = -D(G(z))/m is near 0; use --g-loss "
                   f"non_saturating, or a smaller lr_d / k", LESSONS[name])


def _d_on_p_g(arrays):
    """Mean of D over p_g's mass on the grid at the last snapshot (None without one)."""
    if len(arrays["snapshot_steps"]) == 0:
        return None
    D, p_g = np.asarray(arrays["D_grid"][-1], float), np.asarray(arrays["p_g_grid"][-1], float)
    if D.shape != p_g.shape or not p_g.sum() > 0:
        return None
    return float((D * p_g).sum() / p_g.sum())        # a regular grid: the spacing cancels


def autocorrelation(x):
    """r(lag) = sum_t x_t x_{t+lag} / sum_t x_t^2 of the centred series x, for lag = 0..n-1
    (by FFT, zero-padded so that the sums do not wrap around)."""
    x = np.asarray(x, float) - np.mean(x)
    spectrum = np.fft.rfft(x, 2 * len(x))
    r = np.fft.irfft(spectrum * np.conj(spectrum))[:len(x)]
    return r / r[0] if r[0] > 0 else np.zeros(len(x))


def periodic_peak(x):
    """(P, r(P), bound) of the oscillation test of the module notes on the series x (a line
    removed), or (None, best r, bound) when it fails."""
    n = len(x)
    t = np.arange(n, dtype=float)
    x = np.asarray(x, float)
    x = x - np.polyval(np.polyfit(t, x, 1), t)
    r = autocorrelation(x)[: n // 4 + 1]
    bound = SIGNIFICANCE / math.sqrt(n)
    below = np.flatnonzero(r < -bound)
    if len(below) == 0:
        return None, 0.0, bound
    lags = np.arange(below[0] + 1, len(r) - 1)
    peaks = lags[(r[lags] >= r[lags - 1]) & (r[lags] >= r[lags + 1])]
    if len(peaks) == 0:
        return None, 0.0, bound
    best = peaks[np.argmax(r[peaks])]
    if best >= 2 and r[best] >= max(PEAK, bound):
        return int(best), float(r[best]), bound
    return None, float(r[best]), bound


def _oscillation(arrays):
    name = "oscillation"
    criterion = (f"autocorrelation of d_loss or g_loss (last half of the steps, a line removed) "
                 f"below -{SIGNIFICANCE:g}/sqrt(n), then a peak r(P) >= {PEAK:g} and >= "
                 f"{SIGNIFICANCE:g}/sqrt(n) at a lag P >= 2")
    n = len(arrays["d_loss"]) // 2
    if n < MIN_OSCILLATION_STEPS:
        return Finding(name, None, criterion, {"steps": n},
                       f"{n} steps in the last half, fewer than {MIN_OSCILLATION_STEPS}",
                       LESSONS[name])
    numbers, found = {"window_steps": n}, []
    for loss in ("d_loss", "g_loss"):
        period, peak, bound = periodic_peak(arrays[loss][-n:])
        numbers[f"{loss}_period"], numbers[f"{loss}_peak"] = period, peak
        numbers["bound"] = bound
        if period is not None:
            found.append(f"{loss} repeats every {period} steps (r = {peak:.2f})")
    evidence = ("; ".join(found) + ": the players circle the equilibrium instead of reaching it; "
                "lower or decay the learning rates, or average G" if found
                else "no periodic peak in either loss")
    return Finding(name, bool(found), criterion, numbers, evidence, LESSONS[name])


def _collapse(arrays, config, metrics):
    name, target = "mode_collapse", config.target
    if not isinstance(target, Mixture):
        return Finding(name, False, "a mixture target", {}, "the target has one mode",
                       LESSONS[name])
    if target.dim == 2:
        criterion = "some modes covered but not all (gan.targets2d.mode_coverage)"
        if "modes" not in metrics:
            return Finding(name, None, criterion, {}, "no mode coverage in the metrics",
                           LESSONS[name])
        covered, modes = int(metrics["modes_covered"]), int(metrics["modes"])
        return Finding(name, 0 < covered < modes, criterion,
                       {"modes_covered": covered, "modes": modes},
                       f"G covers {covered} of {modes} modes", LESSONS[name])
    criterion = (f"a component k holds less than {COLLAPSE_SHARE:g} x its weight w_k of p_g's "
                 f"mass within mu_k +- {WINDOW_SIGMAS:g} sigma_k (last snapshot, on the grid)")
    if len(arrays["snapshot_steps"]) == 0:
        return Finding(name, None, criterion, {}, "no snapshot of p_g", LESSONS[name])
    grid, p_g = arrays["grid"].astype(float), np.asarray(arrays["p_g_grid"][-1], float)
    masses = []
    for component in target.components:
        mu, sigma = float(component.mean), float(component.std)
        inside = np.abs(grid - mu) <= WINDOW_SIGMAS * sigma
        masses.append(float(np.trapezoid(np.where(inside, p_g, 0.0), grid)))
    weights = [float(w) for w in target.weights]
    lost = [k for k, (mass, w) in enumerate(zip(masses, weights)) if mass < COLLAPSE_SHARE * w]
    shown = ", ".join(f"mode {k} (mu = {float(c.mean):g}): {mass:.3f} of weight {w:.3f}"
                      for k, (c, mass, w) in enumerate(zip(target.components, masses, weights)))
    advice = (": G puts its mass on fewer modes than p_data has; give G more capacity or try "
              "minibatch discrimination") if lost else ""
    return Finding(name, bool(lost), criterion,
                   {"mode_mass": masses, "weights": weights, "lost_modes": lost},
                   f"p_g's mass per mode: {shown}{advice}", LESSONS[name])


_STEP = re.compile(r"diverged at step (\d+): (.*?)(?:; the last sane|\. Likely cause|$)", re.S)


def diverged(error, config):
    """The finding of a run that raised `gan.divergence.TrainingDiverged`: the step and what blew
    up (read from the error's message), the likely cause and what to change."""
    message = str(error)
    match = _STEP.search(message)
    step = getattr(error, "step", None)
    if step is None and match:
        step = int(match.group(1))
    what = match.group(2).strip() if match else message
    _, _, cause = message.partition("Likely cause: ")
    defaults = GANConfig()
    advice = []
    if "penalty weight" in cause:
        advice.append("lower the penalty weight the cause names (to 10 or less)")
    if "learning rates" in cause:
        lr_g, lr_d = (min(lr / 10, default) for lr, default in
                      ((config.lr_g, defaults.lr_g), (config.lr_d, defaults.lr_d)))
        advice.append(f"lower the learning rates (e.g. --lr-g {lr_g:g} --lr-d {lr_d:g})")
        if config.optimizer == "sgd":
            advice.append("use --optimizer adam (its steps do not grow with the gradient)")
    if "scale" in cause or target_scale(config.target) > 10:
        advice.append(f"rescale the target (its scale is {target_scale(config.target):.3g}) "
                      f"to a few units around 0")
    if config.dtype == "float32":
        advice.append("use --dtype float64")
    cause = cause.rstrip(".").split(": ")[0] or "not stated"   # without the advice it adds
    return Finding("diverged", True, "the bounds of gan.divergence (losses, weights, G's samples)",
                   {"step": step, "what": what, "lr_g": config.lr_g, "lr_d": config.lr_d,
                    "optimizer": config.optimizer, "target_scale": target_scale(config.target)},
                   f"at step {step}: {what}. Cause: {cause}. To change: {'; '.join(advice)}",
                   LESSONS["diverged"])


def read_run(folder):
    """(history arrays, config, metrics) of a run folder of ``python -m gan train``, read
    through `nn.files` (sizes checked before reading); `NotATrainRun` saying what the folder
    is otherwise."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise NotATrainRun(f"{folder}: not a folder")
    names = set(os.listdir(folder))
    if "history.npz" not in names or "config.json" not in names or "metrics.json" not in names:
        kind = ("a sweep's folder (sweep.csv)" if "sweep.csv" in names
                else "a run without history.npz (a digits run?)" if "config.json" in names
                else "no run's files")
        raise NotATrainRun(f"{folder}: not a train run folder: {kind}; the doctor reads the "
                           f"folders of 'python -m gan train --out DIR' (config.json, "
                           f"metrics.json, history.npz)")
    try:
        settings = read_json(os.path.join(folder, "config.json"))
        metrics = read_json(os.path.join(folder, "metrics.json"))
        if not isinstance(settings, dict) or not isinstance(metrics, dict):
            raise NotATrainRun(f"{folder}: config.json and metrics.json must hold JSON objects")
        settings = {key: value for key, value in settings.items() if key != "update"}
        config = GANConfig.from_dict(settings)
        arrays = read_npz(os.path.join(folder, "history.npz"))
    except NotATrainRun:
        raise
    except (ArchiveError, TypeError, ValueError) as error:
        raise NotATrainRun(f"{folder}: not a train run folder: {error}") from None
    _check_history(folder, arrays, metrics)
    return arrays, config, metrics


def _check_history(folder, arrays, metrics):
    missing = [name for name in HISTORY_FIELDS if name not in arrays]
    if missing:
        raise NotATrainRun(f"{folder}: history.npz lacks {missing}: not a train run's history")
    steps, snapshots = len(arrays["d_loss"]), len(arrays["snapshot_steps"])
    if arrays["d_loss"].ndim != 1 or len(arrays["g_loss"]) != steps:
        raise NotATrainRun(f"{folder}: history.npz holds d_loss and g_loss of different shapes")
    for name in ("jsd", "D_grid", "p_g_grid", "mean", "std"):
        if len(arrays[name]) != snapshots:
            raise NotATrainRun(f"{folder}: history.npz has {snapshots} snapshot steps but "
                               f"{len(arrays[name])} entries of {name}")
    if "jsd" in metrics and not isinstance(metrics["jsd"], (int, float)):
        raise NotATrainRun(f"{folder}: metrics.json's jsd is not a number")


def _show(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)
