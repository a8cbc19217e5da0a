"""Training every (variant, target, seed) by the same loop and measuring every run the same way."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import rng as project_rng
from gan.lab.comparison.course import Target, Variant
from gan.lab.comparison.stacked import run_stacked, stackable
from gan.distributions import Mixture
from gan.measure import generator_density, jsd_with_outside_mass
from gan.targets2d import EVALUATION_SAMPLES, mode_centres, mode_coverage
from gan.measure import Unmeasured
from gan.divergence import TrainingDiverged
from gan.train import train
from gan.variants import ConditionalGAN, InfoGAN
from gan.variants.conditional import Conditioned


ROW_FIELDS = ("variant", "target", "seed", "success", "diverged", "seconds", "stacked",
              "metrics")


# ---- running ----------------------------------------------------------------------------------
def run_comparison(variants, targets, seeds, workers=1, steps=None, stacked=True):
    """One row per (variant, target, seed) the variant runs on, in that order.

    Each row: ``variant``, ``target``, ``seed``, ``success`` (the target's criterion, False if the
    run diverged), ``diverged``, ``seconds`` (training alone), ``stacked`` (trained in an
    ensemble, see `gan.lab.comparison.stacked`) and ``metrics`` (see `measure`). ``steps``, if
    given, replaces every target's step count (for quick runs). With ``stacked`` (the
    default) the plain game's seeds on a 1D target train as one `gan.lab.ensemble` run, bitwise the
    single runs; every other (variant, target) trains one run per seed. ``workers`` > 1 trains
    in that many processes, the longest tasks first; the rows depend on neither.
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
    tasks = []                       # (cost, runner, task), in the order of the rows
    for target in targets:
        for variant in (v for v in variants if v.runs_on(target)):
            config = target.config.replace(**variant.changes_on(target))
            cost = (steps or config.steps) * config.k * (3 if variant.game.__name__ == "WGANGP"
                                                         else 1)
            if stacked and stackable(variant, target):
                tasks.append((cost, run_stacked, (variant, target, seeds, steps)))
            else:
                tasks += [(cost, _one_row, (variant, target, int(seed), steps))
                          for seed in seeds]
    if workers == 1:
        results = [runner(task) for _, runner, task in tasks]
    else:
        order = sorted(range(len(tasks)), key=lambda i: -tasks[i][0] * (
            len(seeds) if tasks[i][1] is run_stacked else 1))
        with ProcessPoolExecutor(workers) as pool:
            done = dict(zip(order, pool.map(_run_task, [tasks[i][1:] for i in order])))
        results = [done[i] for i in range(len(tasks))]
    return [row for rows in results for row in rows]


def _run_task(runner_and_task):
    runner, task = runner_and_task
    return runner(task)


def _one_row(task):
    return [run_one(task)]


def row(variant, target, seed, metrics, seconds, stacked=False):
    """One row of the table; ``metrics`` None for a run that diverged."""
    diverged = metrics is None
    return {"variant": variant.name, "target": target.name, "seed": seed,
            "success": not diverged and bool(target.criterion(metrics)), "diverged": diverged,
            "seconds": seconds, "stacked": stacked, "metrics": {} if diverged else metrics}


def run_one(task):
    """Train one (variant, target, seed[, steps]) as a single run and measure it: one row."""
    variant, target, seed, steps = task
    changes = dict(variant.changes_on(target), seed=seed, snapshot_every=0)
    if steps is not None:
        changes["steps"] = steps
    config = target.config.replace(**changes)
    game_class = variant.game
    games = []

    def make(config, rng):
        games.append(game_class(config, rng, **variant.settings))
        return games[-1]

    started = time.perf_counter()
    try:
        train(config, game=make, measurer=Unmeasured())     # measured below, all alike
    except TrainingDiverged:
        return row(variant, target, seed, None, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    return row(variant, target, seed, measure(games[0], evaluation_stream(seed)), seconds)


def evaluation_stream(seed):
    """The evaluation stream `gan.train.train` gives the run with ``seed`` (its second child),
    fresh: 2D noise drawn first from it is the noise `gan.targets2d.Plane` evaluates on."""
    return project_rng.fast.Generator(seed).spawn(2)[1]   # the fast stream: bitwise, for speed


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
