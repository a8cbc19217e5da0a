"""Training every (variant, target, seed) by the same loop and measuring every run the same way."""

from __future__ import annotations

import time

import numpy as np

from gan.divergence import TrainingDiverged
from gan.lab.comparison.course import Target, Variant
from gan.lab.comparison.rows import evaluation_stream, measure, row
from gan.lab.comparison.stacked import run_stacked, stackable
from gan.lab.pool import check_backend, run_chunks
from gan.measure import Unmeasured
from gan.train import train


# ---- running ----------------------------------------------------------------------------------
def run_comparison(variants, targets, seeds, workers=1, steps=None, stacked=True,
                   start_method="fork"):
    """One row per (variant, target, seed) the variant runs on, in that order.

    Each row: ``variant``, ``target``, ``seed``, ``success`` (the target's criterion, False if the
    run diverged), ``diverged``, ``seconds`` (training alone), ``stacked`` (trained in an
    ensemble, see `gan.lab.comparison.stacked`) and ``metrics`` (see `measure`). ``steps``, if
    given, replaces every target's step count (for quick runs). With ``stacked`` (the
    default) the plain game's seeds on a 1D target train as one `gan.lab.ensemble` run, bitwise the
    single runs; every other (variant, target) trains one run per seed. ``workers`` > 1 trains
    in that many processes of `gan.lab.pool`, the longest tasks first; the rows depend on
    neither. They start by ``start_method``: "fork" (the default) for the lessons, which call
    this from a script's top level (see `gan.lab.pool.run_chunks`).
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
    check_backend(workers, None, start_method)
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
    order = list(range(len(tasks)))
    if workers > 1:
        order.sort(key=lambda i: -tasks[i][0] * (len(seeds) if tasks[i][1] is run_stacked
                                                 else 1))
    done = run_chunks([tasks[i][1:] for i in order], _run_task, workers,
                      start_method=start_method)
    results = dict(zip(order, done))
    return [entry for i in range(len(tasks)) for entry in results[i]]


def _run_task(runner_and_task, report):
    runner, task = runner_and_task
    return runner(task)


def _one_row(task):
    return [run_one(task)]


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
