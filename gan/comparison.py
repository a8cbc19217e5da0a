"""Every game on the same targets and seeds: a success rate per variant, by criteria stated first.

The course warns that many GAN variants do not beat a well-tuned GAN. This module makes that a
table: each `Variant` (a game class, its own settings, and the config changes its lesson used) is
trained on each `Target` it supports, once per seed, by the same loop (`gan.train.train`), and
every run is measured the same way by the harness -- not by the game's own ``final_metrics``, so
that a conditional G, an InfoGAN G and a plain G are judged on the same p_g:

    p_g(x) = sum_c w_c p_g(x | c)      (one part with w = 1 for an unconditional G; the label
                                        weights w_c of the target for a conditional G; 1/K for
                                        InfoGAN's uniform code)

1D targets: p_g is the exact pushforward of the 1D noise through each part (`gan.pushforward`),
JSD(p_data || p_g) in nats on a fine grid, and the mass p_g puts near each mixture component.
2D targets: the mode coverage of VEEGAN / PacGAN for 2500 samples of G (`gan.targets2d`).

A run succeeds when the target's `criterion` says so; a run that diverges fails.
"""

from __future__ import annotations

import functools
import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

import rng as project_rng
from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.evaluate import generator_density, jsd_with_outside_mass
from gan.game import GAN
from gan.targets2d import EVALUATION_SAMPLES, mode_centres, mode_coverage, plane_config, ring
from gan.train import TrainingDiverged, train
from gan.variants import (ConditionalGAN, FeatureMatchingGAN, InfoGAN, InstanceNoiseGAN,
                          MinibatchDiscriminationGAN, WGAN, WGANGP)
from gan.variants.conditional import Conditioned
from gan.variants.wgan import PAPER_SETTINGS
from gan.variants.wgan_gp import PAPER_SETTINGS as GP_PAPER_SETTINGS

ROW_FIELDS = ("variant", "target", "seed", "success", "diverged", "seconds", "metrics")


# ---- success criteria: each a predicate on a run's metric dict --------------------------------
@dataclass(frozen=True)
class JSDBelow:
    """Success: JSD(p_data || p_g) < ``threshold`` nats."""

    threshold: float

    def __post_init__(self):
        _positive_number("threshold", self.threshold)

    def __call__(self, metrics):
        return metrics["jsd"] < self.threshold

    def describe(self):
        return f"JSD < {self.threshold:g} nats"


@dataclass(frozen=True)
class EveryModeHolds:
    """Success: every mixture component k holds at least ``share`` of p_g's mass within 4 sigma_k
    of its mean mu_k (``metrics["mode_mass"]``, one entry per component)."""

    share: float

    def __post_init__(self):
        if not (isinstance(self.share, (int, float)) and 0 < self.share <= 1):
            raise ValueError(f"share must be a number in (0, 1], got {self.share!r}")

    def __call__(self, metrics):
        return min(metrics["mode_mass"]) >= self.share

    def describe(self):
        return f"every mode holds >= {self.share:.0%} of p_g's mass (within 4 sigma)"


@dataclass(frozen=True)
class ModesCovered:
    """Success: at least ``modes`` modes covered and a high-quality share of at least ``quality``
    (the VEEGAN / PacGAN metrics of `gan.targets2d.mode_coverage`)."""

    modes: int
    quality: float

    def __post_init__(self):
        if isinstance(self.modes, bool) or not isinstance(self.modes, int) or self.modes < 1:
            raise ValueError(f"modes must be a positive integer, got {self.modes!r}")
        if not (isinstance(self.quality, (int, float)) and 0 <= self.quality <= 1):
            raise ValueError(f"quality must be a number in [0, 1], got {self.quality!r}")

    def __call__(self, metrics):
        return metrics["modes_covered"] >= self.modes and metrics["high_quality"] >= self.quality

    def describe(self):
        return f">= {self.modes} modes covered and high-quality share >= {self.quality:g}"


# ---- what is compared -------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """p_data with the base config every game starts from, the success rule, and the number the
    table reports (``score``: "jsd", lower is better, or "modes_covered", higher is better)."""

    name: str
    config: GANConfig
    criterion: object
    score: str = "jsd"

    @property
    def dim(self):
        return self.config.target.dim


@dataclass(frozen=True)
class Variant:
    """A game: its class, the keyword settings of its constructor, the config changes its lesson
    used, and the names of the targets it is run on (None: every target)."""

    name: str
    game: type
    settings: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    targets: tuple | None = None

    def runs_on(self, target):
        return self.targets is None or target.name in self.targets


def course_targets(steps=800, steps_2d=5000, batch_size=64):
    """The comparison's three targets, with the settings of the lessons that ran them.

    1D (lessons 11 and 12): m = 64, ``steps`` steps, the library's other defaults.
      N(-1, 1): JSD < 0.01 nats (a mean off by 0.28 sigma, or a std off by ~20%, costs about
      that much: JSD ~ chi^2 / 8 for nearby distributions).
      Two modes N(-3, 0.25^2) + N(3, 0.25^2): each mode holds >= 25% of p_g's mass, half its
      share (lesson 12's rule); a collapsed G holds ~0 on one mode.
    2D (lesson 13): the ring of 8 Gaussians with `gan.targets2d.plane_config` (2D noise, 64-64
      LeakyReLU players, m = 256, Adam lr 2e-3 with cosine decay, no weight averaging) for
      ``steps_2d`` steps: >= 7 of 8 modes covered and >= 50% high-quality samples (p_data
      itself scores 8 and 98.9%; a G that only blurs the ring scores 8 and little quality, a
      collapsed one high quality and few modes: both numbers are needed). The plain GAN meets
      it in 8 of seeds 0-9 at 5000 steps, 2 of 0-4 at 3000 and none of 0-1 at 1500 (lr 1e-3:
      1 of 3 at 5000). Its high-quality share stays near 60%: a continuous G of 2D noise cannot
      tear the plane, so some mass lies between the modes (lesson 13).
    """
    normal = GANConfig(target=Normal(-1.0, 1.0), steps=steps, batch_size=batch_size,
                       snapshot_every=0)
    two_modes = normal.replace(target=Mixture([Normal(-3.0, 0.25), Normal(3.0, 0.25)]))
    plane = plane_config(ring(), steps=steps_2d, snapshot_every=0)
    return (Target("N(-1, 1)", normal, JSDBelow(0.01)),
            Target("two modes", two_modes, EveryModeHolds(0.25)),
            Target("ring of 8", plane, ModesCovered(7, 0.5), score="modes_covered"))


def course_variants():
    """The plain GAN and the seven variants with the settings of lessons 09-15 and 21.

    Instance noise: sigma 1 annealed to 0 over the first half (lesson 09; the G loss is the
    base config's non-saturating one, not lesson 09's minimax). WGAN: RMSProp, lr 1e-3, c 0.01,
    n_critic = k = 5 (lesson 10's 1D settings). Feature matching on D's last hidden layer
    (lesson 11). Minibatch discrimination with the layer's defaults (5 kernels of dimension 1 on
    D's input) and m = 64 (lesson 12; on the ring too, where the others use m = 256). WGAN-GP:
    Adam betas (0, 0.9), n_critic = k = 5, lambda = 10 (Gulrajani et al. 2017, Algorithm 1) with
    lr 1e-3 and the one-sided penalty (lesson 21: the two-sided one traps a 1D critic with the
    wrong slope). Conditional GAN without weight averaging (lesson 14), InfoGAN with K = 2
    codes, lr 3e-3 and no averaging (lesson 15): these two need classes or codes, so they run on
    the mixture only.
    """
    one_dimensional_mixture = ("two modes",)
    return (
        Variant("plain GAN", GAN),
        Variant("instance noise", InstanceNoiseGAN, {"sigma": 1.0, "anneal_fraction": 0.5}),
        Variant("WGAN", WGAN, {"c": 0.01}, {**PAPER_SETTINGS, "lr_d": 1e-3, "lr_g": 1e-3}),
        Variant("feature matching", FeatureMatchingGAN),
        Variant("minibatch discr.", MinibatchDiscriminationGAN, {}, {"batch_size": 64}),
        Variant("WGAN-GP", WGANGP, {"one_sided": True},
                {**GP_PAPER_SETTINGS, "lr_d": 1e-3, "lr_g": 1e-3}),
        Variant("conditional GAN", ConditionalGAN, {}, {"average_last": 0.0},
                one_dimensional_mixture),
        Variant("InfoGAN", InfoGAN, {"categories": 2}, {"lr_d": 3e-3, "lr_g": 3e-3,
                                                        "average_last": 0.0},
                one_dimensional_mixture),
    )


# ---- running ----------------------------------------------------------------------------------
def run_comparison(variants, targets, seeds, workers=1, steps=None):
    """One row per (variant, target, seed) the variant runs on, in that order.

    Each row: ``variant``, ``target``, ``seed``, ``success`` (the target's criterion, False if the
    run diverged), ``diverged``, ``seconds`` (training alone) and ``metrics`` (see
    `measure`). ``steps``, if given, replaces every target's step count (for quick runs).
    ``workers`` > 1 trains in that many processes; the rows do not depend on it.
    """
    variants, targets, seeds = tuple(variants), tuple(targets), tuple(seeds)
    if not variants or not all(isinstance(v, Variant) for v in variants):
        raise TypeError(f"variants must be a non-empty sequence of Variant, got {variants!r}")
    if not targets or not all(isinstance(t, Target) for t in targets):
        raise TypeError(f"targets must be a non-empty sequence of Target, got {targets!r}")
    if not seeds or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                            and s >= 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty sequence of non-negative integers, "
                         f"got {seeds!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ValueError(f"steps must be a positive integer or None, got {steps!r}")
    tasks = [(variant, target, int(seed), steps) for target in targets for variant in variants
             if variant.runs_on(target) for seed in seeds]
    if workers == 1:
        return [run_one(task) for task in tasks]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(run_one, tasks))


def run_one(task):
    """Train one (variant, target, seed[, steps]) and measure it: one row of the table."""
    variant, target, seed, steps = task
    changes = dict(variant.changes, seed=seed, snapshot_every=0)
    if steps is not None:
        changes["steps"] = steps
    config = target.config.replace(**changes)
    game_class = measured_by_the_harness(variant.game)
    games = []

    def make(config, rng):
        games.append(game_class(config, rng, **variant.settings))
        return games[-1]

    started = time.perf_counter()
    try:
        train(config, game=make)
    except TrainingDiverged:
        return {"variant": variant.name, "target": target.name, "seed": seed, "success": False,
                "diverged": True, "seconds": time.perf_counter() - started, "metrics": {}}
    seconds = time.perf_counter() - started
    metrics = measure(games[0], evaluation_stream(seed))
    return {"variant": variant.name, "target": target.name, "seed": seed,
            "success": bool(target.criterion(metrics)), "diverged": False, "seconds": seconds,
            "metrics": metrics}


def evaluation_stream(seed):
    """The evaluation stream `gan.train.train` gives the run with ``seed`` (its second child),
    fresh: 2D noise drawn first from it is the noise `gan.targets2d.GAN2D` evaluates on."""
    return project_rng.Generator(seed).spawn(2)[1]


class _MeasuredByTheHarness:
    """Turns off a game's own measurements (train still calls them): the harness measures every
    game the same way afterwards, and a plain GAN may then train on a 2D target."""

    def evaluation_setup(self, rng):
        empty = np.empty(0)
        return {"grid": empty, "p_data_grid": empty, "z_line": empty}

    def snapshot(self, setup):
        raise ValueError("the comparison takes no snapshots; use snapshot_every=0")

    def final_metrics(self, setup):
        return {}


@functools.cache
def measured_by_the_harness(game):
    """The game class with its own measurements turned off (its updates unchanged)."""
    return type(f"Measured{game.__name__}", (_MeasuredByTheHarness, game), {})


# ---- measuring --------------------------------------------------------------------------------
def generator_parts(game):
    """p_g as a mixture: pairs (w_c, G(., c)) with sum_c w_c p_g(x | c) = p_g(x)."""
    if isinstance(game, ConditionalGAN):
        return [(w, Conditioned(game.G, c, game.classes))
                for c, w in enumerate(game.config.target.weights)]
    if isinstance(game, InfoGAN):
        K = game.categories
        return [(1.0 / K, Conditioned(game.G, c, K)) for c in range(K)]
    return [(1.0, game.G)]


def measure(game, rng):
    """What the criteria read, the same for every game.

    1D: ``jsd`` = JSD(p_data || p_g) in nats (p_g exact, on 1601 points over p_data's bulk
    widened by half its width, mass beyond counted exactly), ``mean`` and ``std`` of p_g, and for
    a mixture ``mode_mass``: int_{|x - mu_k| <= 4 sigma_k} p_g(x) dx per component k.
    2D: `gan.targets2d.mode_coverage` of 2500 samples (noise from ``rng``): ``modes_covered``,
    ``modes``, ``high_quality``.
    """
    config = game.config
    p_data, parts = config.target, generator_parts(game)
    if p_data.dim == 2:
        z = config.p_z.sample(EVALUATION_SAMPLES, rng).astype(game.dtype)
        weights = np.array([w for w, _ in parts])
        counts = np.round(weights * EVALUATION_SAMPLES).astype(int)   # samples per part
        x = np.concatenate([G_c.forward(z[:n]) for (_, G_c), n in zip(parts, counts)])
        coverage = mode_coverage(x, *mode_centres(p_data))
        return {key: coverage[key] for key in ("modes_covered", "modes", "high_quality")}
    low, high = p_data.interval(1 - 1e-6)
    pad = 0.5 * (high - low)
    grid = np.linspace(low - pad, high + pad, 1601)
    p_g, outside = np.zeros_like(grid), 0.0
    for w, G_c in parts:
        density, mass_outside = generator_density(G_c, config.p_z, grid, None)
        p_g += w * density
        outside += w * mass_outside
    mean = np.trapezoid(grid * p_g, grid) / np.trapezoid(p_g, grid)
    metrics = {
        "jsd": jsd_with_outside_mass(grid, p_data.pdf(grid), p_g, outside),
        "mean": float(mean),
        "std": float(np.sqrt(np.trapezoid((grid - mean) ** 2 * p_g, grid)
                             / np.trapezoid(p_g, grid))),
    }
    if isinstance(p_data, Mixture):
        metrics["mode_mass"] = [
            float(np.trapezoid(np.where(np.abs(grid - c.mu) <= 4 * c.sigma, p_g, 0.0), grid))
            for c in p_data.components]
    return metrics


# ---- the table --------------------------------------------------------------------------------
def summarise(rows, targets):
    """Per (target, variant), in the order first met: runs, successes, success rate, median and
    worst score (worst = largest JSD or fewest modes; diverged runs count as worst: JSD log 2,
    0 modes), median high-quality share for 2D, and the total training seconds."""
    by_name = {t.name: t for t in targets}
    groups = {}
    for row in rows:
        groups.setdefault((row["target"], row["variant"]), []).append(row)
    summary = []
    for (target_name, variant_name), group in groups.items():
        target = by_name[target_name]
        scores = np.array([_score(row, target) for row in group], dtype=float)
        worst = scores.max() if target.score == "jsd" else scores.min()
        entry = {"target": target_name, "variant": variant_name, "runs": len(group),
                 "successes": sum(row["success"] for row in group),
                 "diverged": sum(row["diverged"] for row in group),
                 "median": float(np.median(scores)), "worst": float(worst),
                 "seconds": float(sum(row["seconds"] for row in group))}
        entry["success_rate"] = entry["successes"] / entry["runs"]
        if target.dim == 2:
            entry["median_quality"] = float(np.median(
                [row["metrics"].get("high_quality", 0.0) for row in group]))
        summary.append(entry)
    return summary


def _score(row, target):
    if row["diverged"]:
        return math.log(2) if target.score == "jsd" else 0
    return row["metrics"][target.score]


def format_table(summary, targets):
    """The summary as printable text, one block per target with its criterion."""
    lines = []
    for target in targets:
        entries = [e for e in summary if e["target"] == target.name]
        if not entries:
            continue
        lines.append(f"{target.name}: success = {target.criterion.describe()}")
        if target.score == "jsd":
            lines.append(f"  {'variant':<18} {'success':>8} {'median JSD':>11} {'worst JSD':>10}"
                         f" {'diverged':>8} {'seconds':>8}")
            for e in entries:
                lines.append(f"  {e['variant']:<18} {e['successes']:>3}/{e['runs']:<4} "
                             f"{e['median']:>11.2e} {e['worst']:>10.2e} {e['diverged']:>8}"
                             f" {e['seconds']:>8.1f}")
        else:
            lines.append(f"  {'variant':<18} {'success':>8} {'median modes':>12} "
                         f"{'fewest':>6} {'median HQ':>9} {'diverged':>8} {'seconds':>8}")
            for e in entries:
                lines.append(f"  {e['variant']:<18} {e['successes']:>3}/{e['runs']:<4} "
                             f"{e['median']:>12.1f} {e['worst']:>6.0f} "
                             f"{e['median_quality']:>9.2f} {e['diverged']:>8}"
                             f" {e['seconds']:>8.1f}")
        lines.append("")
    return "\n".join(lines)


def plot_comparison(rows, targets):
    """Top: each seed's score per variant (JSD on a log axis, modes covered), successes filled,
    failures hollow, the threshold dotted. Bottom: success rate per variant. One column per target.
    """
    import matplotlib.pyplot as plt

    targets = [t for t in targets if any(row["target"] == t.name for row in rows)]
    fig, axes = plt.subplots(2, len(targets), figsize=(4.6 * len(targets), 7), squeeze=False,
                             layout="constrained")
    for column, target in enumerate(targets):
        mine = [row for row in rows if row["target"] == target.name]
        names = list(dict.fromkeys(row["variant"] for row in mine))
        top, bottom = axes[0][column], axes[1][column]
        for position, name in enumerate(names):
            group = [row for row in mine if row["variant"] == name]
            scores = np.array([_score(row, target) for row in group], dtype=float)
            success = np.array([row["success"] for row in group])
            jitter = np.linspace(-0.2, 0.2, len(group)) if len(group) > 1 else np.zeros(1)
            x = position + jitter
            top.scatter(x[success], scores[success], color="tab:green", s=18, zorder=3,
                        label="success" if position == 0 else None)
            top.scatter(x[~success], scores[~success], facecolors="none",
                        edgecolors="tab:red", s=18, zorder=3,
                        label="failure" if position == 0 else None)
            bottom.bar(position, success.mean(), color="tab:green")
            bottom.text(position, success.mean() + 0.02, f"{success.sum()}/{len(group)}",
                        ha="center", fontsize=8)
        criterion = target.criterion
        if target.score == "jsd":
            top.set_yscale("log")
            top.set_ylabel("final JSD (nats, log scale)")
            if isinstance(criterion, JSDBelow):
                top.axhline(criterion.threshold, color="gray", ls=":", label="threshold")
        else:
            top.set_ylabel("modes covered")
            top.axhline(criterion.modes, color="gray", ls=":", label="threshold")
        top.set_title(f"{target.name}: {criterion.describe()}", fontsize=9)
        top.legend(fontsize=7)
        for ax in (top, bottom):
            ax.set_xticks(range(len(names)))
            ax.set_xticklabels(names, rotation=35, ha="right", fontsize=8)
        bottom.set(ylim=(0, 1.12), ylabel="success rate")
    fig.suptitle("Every game on the same targets and seeds: per-seed result (top), "
                 "success rate (bottom)")
    return fig


def _positive_number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
