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

The folders of ``python -m gan sweep`` and ``python -m gan digits`` get their own checks
(`folder_kind` tells them apart): `read_sweep` and `diagnose_sweep` (success rates over seeds
with Clopper-Pearson intervals, divergences, Fisher's exact test between settings; lesson 20),
`read_digits` and `diagnose_digits` (the Frechet distance against the real floor, class
collapse, copies, blur; lessons 17, 18, 22). An unreadable folder raises `UnreadableFolder`
(`NotATrainRun` for a train run's).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.divergence import target_scale
from gan.lab.success import DefaultRun, JSDBelow, ModesCovered
from nn.files import ArchiveError, read_json, read_npz, read_text

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
    kind: str = "train"

    @property
    def verdicts(self):
        return [finding for finding in self.findings if finding.holds is True]

    @property
    def silent(self):
        return [finding for finding in self.findings if finding.holds is None]

    def to_dict(self):
        return {"kind": self.kind, "verdicts": [finding.name for finding in self.verdicts],
                "findings": [finding.to_dict() for finding in self.findings]}

    def lines(self):
        """The verdict lines: each holding finding with its evidence and lesson; else the
        reason the doctor stays silent."""
        out = []
        if self.kind != "train":       # a sweep or digits run: every check, held or not
            marks = {True: "verdict", False: "not", None: "cannot tell"}
            for finding in self.findings:
                out.append(f"  {marks[finding.holds]}: {TITLES[finding.name]}: "
                           f"{finding.evidence}")
                out.append(f"           criterion: {finding.criterion}; see {finding.lesson}")
            return out
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


# --- the folders of `python -m gan sweep` and `python -m gan digits` ----------------------------

MAX_CSV_BYTES = 16 * 2**20          # sweep.csv: ~100 bytes a run, so ~150,000 runs
CONFIDENCE = 0.95                   # Clopper-Pearson intervals of the success rates
ALPHA = 0.05                        # the Fisher test's level, before Bonferroni's correction
FLOOR_FACTOR = 2.0                  # "close to the floor": FD <= FLOOR_FACTOR x the real FD
EFFECTIVE_CLASSES = 7.0             # "collapsed": 2^H below this many equally frequent classes
COPY_ALPHA = 0.01                   # "copies": one-sided binomial test against the real share
GREY_FACTOR = 3.0                   # "blurry": grey share > GREY_FACTOR x the real digits'
GREY_MINIMUM = 0.05                 # ... and above this share (binary real digits have ~0)
SWEEP_LESSON = "lesson 20 (many GANs at once: success rates over seeds, Clopper-Pearson, Fisher)"
DIGITS_LESSONS = {
    "near_floor": "lesson 22 (the Frechet distance next to its real-versus-real floor)",
    "class_collapse": "lessons 17 and 18 (class entropy; a G collapsed to one or two shapes)",
    "copies": "lesson 22 (the nearest-neighbour copy check)",
    "blurry": "lesson 22 (the averaging decoder blurs, the adversary does not)",
}
TITLES.update({
    "cells_that_succeed": "settings that succeed in most seeds",
    "diverged_runs": "runs that diverged",
    "setting_matters": "success depends on the setting",
    "near_floor": "close to the real digits' floor",
    "class_collapse": "collapsed onto few classes",
    "copies": "copies training digits",
    "blurry": "blurry",
})
SWEEP_FIELDS = {"seed": int, "k": int, "lr": float, "g_loss": str, "steps": int}


class UnreadableFolder(ValueError):
    """A folder the doctor cannot read as the run it looks like: the message names the folder,
    what it is and what is missing."""


class NotATrainRun(UnreadableFolder):
    """A folder the doctor cannot read as a run of ``python -m gan train``."""


def folder_kind(folder):
    """"train", "sweep" or "digits": which command wrote the folder, told by its files
    (history.npz; sweep.csv; config.json and metrics.json without history.npz), or None."""
    names = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    if "history.npz" in names:
        return "train"
    if "sweep.csv" in names:
        return "sweep"
    if {"config.json", "metrics.json"} <= names:
        return "digits"
    return None


def read_sweep(folder):
    """The rows of sweep.csv in a folder of ``python -m gan sweep --out DIR`` (the columns of
    `gan.lab.sweep.COLUMNS`, typed as `gan.lab.sweep.sweep` made them); its size is checked
    against MAX_CSV_BYTES before it is read; `UnreadableFolder` naming the line otherwise."""
    from gan.lab.sweep import COLUMNS                # the sweep's modules, when one is read

    path = os.path.join(os.fspath(folder), "sweep.csv")
    if not os.path.isfile(path):
        raise UnreadableFolder(f"{folder}: no sweep.csv: not a sweep's folder")
    text = read_text(path, max_bytes=MAX_CSV_BYTES, error=UnreadableFolder,
                     what="a sweep's table (MAX_CSV_BYTES)")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise UnreadableFolder(f"{path}: the header must be {','.join(COLUMNS)}, got "
                               f"{','.join(reader.fieldnames or ())!r}")
    rows = []
    for line, raw in enumerate(reader, start=2):
        try:
            row = {name: kind(raw[name]) for name, kind in SWEEP_FIELDS.items()}
            row["diverged_at"] = int(raw["diverged_at"]) if raw["diverged_at"] else None
            if raw["success"] not in ("True", "False"):
                raise ValueError(f"success must be True or False, got {raw['success']!r}")
            row["success"] = raw["success"] == "True"
            row["jsd"] = float(raw["jsd"]) if raw["jsd"] else None
        except (TypeError, ValueError) as error:
            raise UnreadableFolder(f"{path}, line {line}: {error}") from None
        rows.append(row)
    if not rows:
        raise UnreadableFolder(f"{path}: no runs in the table")
    return rows


def success_cells(rows):
    """[(k, lr, g_loss, successes, runs, (low, high))] per setting, in the table's order:
    the share of seeds that succeeded and its CONFIDENCE Clopper-Pearson interval
    (scipy.stats.binomtest(...).proportion_ci(method="exact"): the p with P(X >= s | p) =
    alpha/2 and P(X <= s | p) = alpha/2 for X ~ Binomial(n, p))."""
    from scipy.stats import binomtest                # scipy, when a sweep is read

    counts = {}
    for row in rows:
        cell = counts.setdefault((row["k"], row["lr"], row["g_loss"]), [0, 0])
        cell[0] += row["success"]
        cell[1] += 1
    cells = []
    for (k, lr, g_loss), (successes, runs) in counts.items():
        interval = binomtest(successes, runs).proportion_ci(CONFIDENCE, method="exact")
        cells.append((k, lr, g_loss, successes, runs, (interval.low, interval.high)))
    return cells


def _cell_name(cell):
    k, lr, g_loss, successes, runs, (low, high) = cell
    return (f"k = {k}, lr = {lr:g}, {g_loss}: {successes}/{runs} "
            f"[{low:.0%}, {high:.0%}]")


def diagnose_sweep(rows):
    """The findings of a sweep's rows (`read_sweep`, or `gan.lab.sweep.sweep`'s own rows):

    cells_that_succeed   some (k, lr, g_loss) succeeds in more than half its seeds; each
                         cell's rate with its 95% Clopper-Pearson interval
    diverged_runs        some run diverged (diverged_at set): how many, in which cells, at
                         which steps
    setting_matters      Fisher's exact test on the 2 x 2 table (successes, failures) of the
                         best and the worst cell gives p < ALPHA / C(cells, 2) (Bonferroni:
                         the two were picked after looking); None when even all-against-none
                         could not reach that level ("too few seeds to tell")   lesson 20
    """
    from scipy.stats import fisher_exact

    rows = [{**row, "diverged_at": row["diverged_at"] if row["diverged_at"] not in ("", None)
             else None} for row in rows]
    cells = success_cells(rows)
    numbers = {"cells": [{"k": k, "lr": lr, "g_loss": g_loss, "successes": successes,
                          "runs": runs, "rate": successes / runs, "ci_low": low, "ci_high": high}
                         for k, lr, g_loss, successes, runs, (low, high) in cells]}
    most = [cell for cell in cells if 2 * cell[3] > cell[4]]
    sure = [cell for cell in most if cell[5][0] > 0.5]
    shown = "; ".join(_cell_name(cell) for cell in most) or "none"
    evidence = (f"{len(most)} of {len(cells)} settings succeed in most seeds: {shown}"
                + (f"; {len(sure)} of them with the whole 95% interval above 1/2" if most else
                   f"; every cell: {'; '.join(_cell_name(cell) for cell in cells)}"))
    findings = [Finding("cells_that_succeed", bool(most),
                        "a setting (k, lr, g_loss) succeeds (gan.lab.success.DefaultRun) in more "
                        "than half its seeds; rates with 95% Clopper-Pearson intervals",
                        numbers, evidence, SWEEP_LESSON)]
    broke = [row for row in rows if row["diverged_at"] is not None]
    where = {}
    for row in broke:
        where.setdefault((row["k"], row["lr"], row["g_loss"]), []).append(row["diverged_at"])
    findings.append(Finding(
        "diverged_runs", bool(broke), "some run's diverged_at is set (gan.divergence's bounds)",
        {"diverged": len(broke), "runs": len(rows),
         "where": [{"k": k, "lr": lr, "g_loss": g_loss, "steps": steps}
                   for (k, lr, g_loss), steps in where.items()]},
        f"{len(broke)} of {len(rows)} runs diverged"
        + ("".join(f"; k = {k}, lr = {lr:g}, {g_loss} at steps {steps}"
                   for (k, lr, g_loss), steps in where.items())
           + ": lower the learning rate there" if broke else ""),
        SWEEP_LESSON))
    findings.append(_setting_matters(cells, fisher_exact))
    return Diagnosis(tuple(findings), "sweep")


def _setting_matters(cells, fisher_exact):
    name = "setting_matters"
    pairs = max(len(cells) * (len(cells) - 1) // 2, 1)
    level = ALPHA / pairs
    criterion = (f"Fisher's exact test (two-sided) between the best and the worst setting: "
                 f"p < {ALPHA:g} / {pairs} pairs (Bonferroni) = {level:.3g}")
    if len(cells) < 2:
        return Finding(name, None, criterion, {"cells": len(cells)},
                       "one setting only: nothing to compare", SWEEP_LESSON)
    rate = [cell[3] / cell[4] for cell in cells]
    best, worst = cells[int(np.argmax(rate))], cells[int(np.argmin(rate))]
    table = [[best[3], best[4] - best[3]], [worst[3], worst[4] - worst[3]]]
    extreme = fisher_exact([[best[4], 0], [0, worst[4]]]).pvalue   # all against none
    p = fisher_exact(table).pvalue
    numbers = {"best": _cell_name(best), "worst": _cell_name(worst), "table": table,
               "p_value": float(p), "level": level, "smallest_possible_p": float(extreme)}
    if extreme >= level:
        return Finding(name, None, criterion, numbers,
                       f"too few seeds to tell: with {best[4]} and {worst[4]} seeds even all "
                       f"successes against none gives p = {extreme:.3g}, not below {level:.3g}",
                       SWEEP_LESSON)
    if p < level:
        evidence = (f"best {_cell_name(best)} against worst {_cell_name(worst)}: p = {p:.3g} "
                    f"< {level:.3g}: the setting changes how often training succeeds")
    else:
        evidence = (f"best {_cell_name(best)} against worst {_cell_name(worst)}: p = {p:.3g}, "
                    f"not below {level:.3g}: these seeds cannot tell the settings apart (which "
                    f"is not evidence that they are equal)")
    return Finding(name, bool(p < level), criterion, numbers, evidence, SWEEP_LESSON)


def read_digits(folder):
    """(config, metrics) of a folder of ``python -m gan digits --out DIR``, through
    `nn.files.read_json`; `UnreadableFolder` unless metrics.json holds the "model" and the
    "real" rows with the scores the verdicts need."""
    folder = os.fspath(folder)
    try:
        config = read_json(os.path.join(folder, "config.json"))
        metrics = read_json(os.path.join(folder, "metrics.json"))
    except ArchiveError as error:
        raise UnreadableFolder(f"{folder}: not a digits run's folder: {error}") from None
    if not isinstance(config, dict) or not isinstance(metrics, dict):
        raise UnreadableFolder(f"{folder}: config.json and metrics.json must hold JSON objects")
    needed = ("frechet_distance", "class_entropy", "copied_share", "grey_share")
    for row in ("model", "real"):
        scores = metrics.get(row)
        missing = needed if not isinstance(scores, dict) else [
            key for key in needed
            if not isinstance(scores.get(key), (int, float)) or isinstance(scores.get(key), bool)]
        if missing:
            raise UnreadableFolder(
                f"{folder}: not a digits run's folder: metrics.json's {row!r} row lacks the "
                f"numbers {list(missing)} (the folders of 'python -m gan digits --out DIR')")
    return config, metrics


def diagnose_digits(metrics, samples=None):
    """The findings of a digits run's metrics (the "model" row against the "real" floor row of
    `gan.digits.fidelity`), ``samples`` the n both were scored at (config.json's "samples"):

    near_floor       FD(model) <= FLOOR_FACTOR x FD(real training digits, same n)   lesson 22
    class_collapse   2^H < EFFECTIVE_CLASSES, with H the class entropy in bits (2^H is the
                     number of equally frequent classes with that entropy; 10 for the real
                     digits), or a conditional model's class c is never read as c  lessons 17, 18
    copies           the copied share exceeds the real digits' by a one-sided binomial test,
                     P(X >= copies | n, real share) < COPY_ALPHA                    lesson 22
    blurry           grey share > GREY_FACTOR x the real digits' and > GREY_MINIMUM  lesson 22
    """
    from scipy.stats import binomtest                # loaded when a digits run is read

    from gan.digits.fidelity import GREY_RANGE

    model, real = metrics["model"], metrics["real"]
    fd, floor = float(model["frechet_distance"]), float(real["frechet_distance"])
    findings = [Finding(
        "near_floor", bool(fd <= FLOOR_FACTOR * floor),
        f"Frechet distance <= {FLOOR_FACTOR:g} x the real training digits' at the same n",
        {"frechet_distance": fd, "floor": floor, "ratio": fd / floor if floor > 0 else None},
        f"FD = {fd:.4g} against the floor {floor:.4g} ({fd / floor:.3g} x)" if floor > 0
        else f"FD = {fd:.4g} against a floor of 0", DIGITS_LESSONS["near_floor"])]
    entropy, real_entropy = float(model["class_entropy"]), float(real["class_entropy"])
    per_class = model.get("per_class_accuracy")
    missing = ([c for c, a in enumerate(per_class) if a == 0]
               if isinstance(per_class, list) else [])
    effective = 2.0 ** entropy
    collapsed = effective < EFFECTIVE_CLASSES or bool(missing)
    findings.append(Finding(
        "class_collapse", collapsed,
        f"2^H < {EFFECTIVE_CLASSES:g} classes (H the class entropy in bits, log2 10 = "
        f"{math.log2(10):.2f} for ten equal classes), or a conditional class never read as "
        f"itself",
        {"class_entropy_bits": entropy, "effective_classes": effective,
         "real_class_entropy_bits": real_entropy, "classes_never_read": missing},
        f"H = {entropy:.3g} bits, as spread as {effective:.3g} equally frequent classes (the "
        f"real digits: {real_entropy:.3g} bits)"
        + (f"; classes {missing} are never read as themselves" if missing else "")
        + (": G draws few kinds of digit" if collapsed else ""), DIGITS_LESSONS["class_collapse"]))
    share, real_share = float(model["copied_share"]), float(real["copied_share"])
    numbers = {"copied_share": share, "real_copied_share": real_share, "samples": samples,
               "nearest_median_ratio": model.get("nearest_median_ratio")}
    if samples is None or not 0 < real_share < 1:
        findings.append(Finding("copies", None, "", numbers,
                                "the number of samples or the real share is unknown",
                                DIGITS_LESSONS["copies"]))
    else:
        copies = int(round(share * samples))
        p = binomtest(copies, samples, real_share, alternative="greater").pvalue
        numbers["p_value"] = float(p)
        findings.append(Finding(
            "copies", bool(p < COPY_ALPHA),
            f"the copied share is above the real held-out digits' by a one-sided binomial test "
            f"at {COPY_ALPHA:g}",
            numbers,
            f"{copies} of {samples} samples ({share:.1%}) are flagged as copies, against "
            f"{real_share:.1%} of real held-out digits (p = {p:.3g})", DIGITS_LESSONS["copies"]))
    grey, real_grey = float(model["grey_share"]), float(real["grey_share"])
    findings.append(Finding(
        "blurry", bool(grey > max(GREY_FACTOR * real_grey, GREY_MINIMUM)),
        f"grey share (pixels in {GREY_RANGE}) > {GREY_FACTOR:g} x the real digits' and > "
        f"{GREY_MINIMUM:g}",
        {"grey_share": grey, "real_grey_share": real_grey},
        f"{grey:.1%} of the pixels are grey against {real_grey:.1%} in real digits",
        DIGITS_LESSONS["blurry"]))
    return Diagnosis(tuple(findings), "digits")
