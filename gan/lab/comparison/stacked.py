"""The comparison's runs of the plain game through `gan.lab.ensemble`: all seeds as one stacked run.

`gan.lab.ensemble.train_ensemble` stacks the players of Goodfellow et al.'s game (`gan.game.GAN`)
over members that differ only in their seed (and learning rates), and each member is bitwise the
single run `gan.train.train` would make. So a (variant, target) whose game is the plain `GAN`
with no settings of its own, on a 1D target, trains all its seeds as one ensemble and gives the
rows the single runs would give -- the harness measures each member exactly as it measures a
single run (`measure` on the member's G, noise from `evaluation_stream(seed)`, both in
`gan.lab.comparison.rows`).

What stays single runs: every variant with a game of its own (instance noise, WGAN, feature
matching, minibatch discrimination, WGAN-GP, the conditional GAN, InfoGAN: the ensemble stacks
only the plain game's two updates), and every 2D target (the ensemble measures its members
with the plain game's 1D measurements).

A stacked row's ``seconds`` is the ensemble's training time divided by its members: the shared
computation, split evenly.
"""

from __future__ import annotations

from gan.game import GAN
from gan.lab.comparison.course import Target, Variant
from gan.lab.comparison.rows import evaluation_stream, measure, row
from gan.lab.ensemble import train_ensemble


def stackable(variant, target):
    """Whether ``variant`` on ``target`` can train its seeds as one `gan.lab.ensemble` run: the
    plain game with no settings of its own, on a 1D target, on the fast engine."""
    if not isinstance(variant, Variant) or not isinstance(target, Target):
        raise TypeError(f"variant and target must be a Variant and a Target, got "
                        f"{type(variant).__name__} and {type(target).__name__}")
    config = target.config.replace(**variant.changes_on(target))
    return (variant.game is GAN and not variant.settings and config.target.dim == 1
            and config.engine == "fast")


def member_configs(variant, target, seeds, steps=None):
    """The single-run config of each seed, as `gan.lab.comparison.harness.run_one` builds it."""
    changes = dict(variant.changes_on(target), snapshot_every=0)
    if steps is not None:
        changes["steps"] = steps
    config = target.config.replace(**changes)
    return [config.replace(seed=int(seed)) for seed in seeds]


def run_stacked(task):
    """Train one (variant, target, seeds[, steps]) as an ensemble and measure every member: the
    rows `run_one` gives for each seed, with ``stacked`` True."""
    variant, target, seeds, steps = task
    configs = member_configs(variant, target, seeds, steps)
    results = train_ensemble(configs)
    rows = []
    for config, result in zip(configs, results):
        seconds = result.metrics["seconds"] / len(configs)
        if "diverged_at" in result.metrics:
            rows.append(row(variant, target, config.seed, None, seconds, stacked=True))
            continue
        game = GAN.from_players(config, result.G, result.D, None, None)
        metrics = measure(game, evaluation_stream(config.seed))
        rows.append(row(variant, target, config.seed, metrics, seconds, stacked=True))
    return rows
