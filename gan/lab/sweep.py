"""Sweeps: many trainings over seeds x k x learning rates x generator losses, run as ensembles.

GAN training is a gamble, so a setting is judged by how often it succeeds over seeds, not by one
run. `sweep` trains every combination; the runs that can share one stacked computation (the
same k and loss; seeds and learning rates vary inside) go together through
`gan.lab.ensemble.train_ensemble`, so each run is bitwise the single `train` run of its settings.
One learning rate `lr` is used for both players (lr_g = lr_d = lr).

A run succeeds as the default run does (`gan.lab.success.DefaultRun` of its target, as
experiments/convergence_table.py judges it): JSD(p_data || p_g) < 0.005 nats, |mean of G(z) - mean
of p_data| < 0.05, |std of G(z) - std of p_data| < 0.05 and max |D(x) - 1/2| < 0.05 on p_data's
central 95%. A run that diverged fails.
"""

from __future__ import annotations

import csv
import functools
import itertools
from pathlib import Path

import numpy as np

from gan.config import GENERATOR_LOSSES, GANConfig
from gan.lab.ensemble import train_ensemble
from gan.train import update_for
from gan.lab.pool import check_backend, run_chunks
from gan.lab.success import DefaultRun, succeeded
from gan.limits import ensemble_memory_estimate, largest_term, members_that_fit, memory_limit

COLUMNS = ("seed", "k", "lr", "g_loss", "steps", "jsd", "mean", "std", "d_max_dev",
           "diverged_at", "success")
MAX_MEMBERS = 64   # members per stacked computation: beyond this memory grows, speed does not


def sweep(seeds, ks, learning_rates, g_losses, base=None, progress=None, max_members=MAX_MEMBERS,
          workers=1, scheduler=None, start_method="forkserver", update=None):
    """Train every (seed, k, lr, g_loss) with the other settings of `base`; one row per run.

    Rows are dicts with the keys of COLUMNS, in the order seed, lr (fastest) within k, g_loss.
    ``progress(steps_done)``, if given, is called as training advances, with the number of
    member-steps just completed (a run of s steps contributes s in total).

    The runs go in chunks of at most ``max_members`` (`plan_chunks`), each one ensemble, fewer
    when that many would not fit in memory beside the other workers' (`members_per_chunk`); the
    chunks run here (``workers=1``), in ``workers`` local processes, or on the Dask cluster of
    ``scheduler`` (an address or a `distributed.Client`), see `gan.lab.pool`; local
    processes start by ``start_method`` ("fork" from a script without a main guard, such as a
    lesson; see `run_chunks`). The rows are bitwise the same wherever they ran: each is the
    single run of its settings. ``update`` plays each iteration, as in `gan.train.train`:
    Algorithm 1 by default, or a `gan.dynamics.training.UpdateRule`.
    """
    seeds, ks, learning_rates, g_losses, base = check_arguments(
        seeds, ks, learning_rates, g_losses, base, max_members, workers, scheduler, start_method)
    for k in ks if update is not None else ():
        update_for(base.replace(k=k), update)     # the rule's own conditions, for every k
    max_members = members_per_chunk(base, max_members, workers)
    chunks = plan_chunks(seeds, ks, learning_rates, g_losses, base, max_members, workers)
    runner = train_chunk if update is None else functools.partial(train_chunk, update=update)
    results = run_chunks(chunks, runner, workers, scheduler, progress, start_method)
    return [row for rows in results for row in rows]


def plan_chunks(seeds, ks, learning_rates, g_losses, base, max_members=MAX_MEMBERS, workers=1):
    """The sweep's configs as a list of ensembles: one group per (g_loss, k), seed then lr
    within it, cut into chunks of at most ``max_members``; the largest chunks are halved until
    there are at least ``workers`` of them (so every process has work). The order of the
    configs over all chunks is the order of the rows."""
    chunks = []
    for g_loss, k in itertools.product(g_losses, ks):
        group = [base.replace(seed=seed, k=k, lr_g=lr, lr_d=lr, g_loss=g_loss, snapshot_every=0,
                              engine="fast")   # stacked ensembles: the fast engine (nn.fast)
                 for lr in learning_rates for seed in seeds]
        chunks += [group[start:start + max_members]
                   for start in range(0, len(group), max_members)]
    while len(chunks) < workers and max(len(chunk) for chunk in chunks) > 1:
        index = max(range(len(chunks)), key=lambda i: len(chunks[i]))
        chunk, half = chunks[index], (len(chunks[index]) + 1) // 2
        chunks[index:index + 1] = [chunk[:half], chunk[half:]]
    return chunks


def members_per_chunk(base, max_members=MAX_MEMBERS, workers=1, limit=None):
    """The most members one chunk may stack: ``max_members``, lowered to what fits when
    ``workers`` chunks are trained side by side on this machine within ``limit`` bytes
    (`gan.limits.memory_limit` by default; each chunk estimated by
    `gan.limits.ensemble_memory_estimate` on the fast engine). ValueError, naming the numbers and
    what to reduce, when not even one run fits."""
    limit = memory_limit() if limit is None else limit
    member = base.replace(snapshot_every=0, engine="fast")     # as plan_chunks makes them
    fit = members_that_fit(member, limit, workers)
    if fit >= 1:
        return min(max_members, fit)
    one = ensemble_memory_estimate(member, 1)
    if one > limit or workers == 1:
        raise ValueError(f"one run of the sweep would need ~{one / 2**30:.3g} GiB of memory, "
                         f"more than the {limit / 2**30:.3g} GiB limit: reduce "
                         f"{largest_term(member, 1)}")
    most = max(fewer for fewer in range(1, workers) if members_that_fit(member, limit, fewer))
    raise ValueError(f"one run of the sweep would need ~{one / 2**30:.3g} GiB of memory, "
                     f"{workers} workers side by side ~{workers * one / 2**30:.3g} GiB, more than "
                     f"the {limit / 2**30:.3g} GiB limit: reduce workers (at most {most} fit) or "
                     f"{largest_term(member, 1)}")


def train_chunk(configs, report=None, update=None):
    """The rows of one chunk: its configs trained as one ensemble (`train_ensemble`) under
    ``update``; ``report(len(configs))`` after every step."""
    callback = None if report is None else _progress_callback(report, len(configs))
    return [_row(result) for result in train_ensemble(configs, callback=callback, update=update)]


def check_arguments(seeds, ks, learning_rates, g_losses, base=None, max_members=MAX_MEMBERS,
                    workers=1, scheduler=None, start_method="forkserver"):
    """`sweep`'s arguments checked (ValueError/TypeError naming the bad one), as lists and a
    config."""
    base = base if base is not None else GANConfig(snapshot_every=0, engine="fast")
    if not isinstance(base, GANConfig):
        raise TypeError(f"base must be a GANConfig, got {type(base).__name__}")
    seeds = _values("seeds", seeds, _is_seed)
    ks = _values("ks", ks, lambda k: isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                 and k >= 1)
    learning_rates = _values("learning_rates", learning_rates,
                             lambda lr: isinstance(lr, (int, float)) and not isinstance(lr, bool)
                             and np.isfinite(lr) and lr > 0)
    g_losses = _values("g_losses", g_losses, lambda loss: loss in GENERATOR_LOSSES)
    if isinstance(max_members, bool) or not isinstance(max_members, int) or max_members < 1:
        raise ValueError(f"max_members must be a positive integer, got {max_members!r}")
    check_backend(workers, scheduler, start_method)
    if base.target.dim != 1:
        raise ValueError(f"base.target must be one-dimensional, got dim {base.target.dim}")
    for name in ("mean", "std"):
        if not np.isfinite(float(getattr(base.target, name, np.nan))):
            raise ValueError(f"base.target must have a finite {name} to judge success, "
                             f"got {base.target!r}")
    members_per_chunk(base, max_members, workers if scheduler is None else 1)
    return seeds, ks, learning_rates, g_losses, base


def _progress_callback(progress, members):
    if progress is None:
        return None

    def callback(step, losses):
        progress(members)

    return callback


def _row(result):
    c, m = result.config, result.metrics
    diverged = "diverged_at" in m
    row = {"seed": c.seed, "k": c.k, "lr": c.lr_d, "g_loss": c.g_loss, "steps": c.steps,
           "diverged_at": m.get("diverged_at", ""),
           "success": succeeded(m, DefaultRun.of(c.target))}
    for name in ("jsd", "mean", "std", "d_max_dev"):
        row[name] = "" if diverged else m[name]
    return row


def write_csv(rows, path):
    """The table: one line per run, the columns of COLUMNS."""
    path = Path(path)
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def success_rates(rows):
    """{g_loss: (ks, learning rates, rates)} with rates[i, j] the fraction of seeds that
    succeeded at ks[i], learning_rates[j]: the estimate of P(success | k, lr, loss)."""
    table = {}
    for g_loss in dict.fromkeys(row["g_loss"] for row in rows):
        chosen = [row for row in rows if row["g_loss"] == g_loss]
        ks = sorted({row["k"] for row in chosen})
        learning_rates = sorted({row["lr"] for row in chosen})
        successes, counts = (np.zeros((len(ks), len(learning_rates))),
                             np.zeros((len(ks), len(learning_rates))))
        for row in chosen:
            i, j = ks.index(row["k"]), learning_rates.index(row["lr"])
            successes[i, j] += row["success"]
            counts[i, j] += 1
        table[g_loss] = (ks, learning_rates, successes / counts)
    return table


def heatmap(rows, path=None):
    """Success rate over k (rows) x learning rate (columns), one panel per generator loss."""
    import matplotlib.pyplot as plt

    table = success_rates(rows)
    figure, axes = plt.subplots(1, len(table), figsize=(4.2 * len(table) + 1, 3.6), squeeze=False)
    seeds = len({row["seed"] for row in rows})
    for ax, (g_loss, (ks, learning_rates, rates)) in zip(axes[0], table.items()):
        image = ax.imshow(rates, vmin=0, vmax=1, cmap="viridis", origin="lower", aspect="auto")
        ax.set_xticks(range(len(learning_rates)), [f"{lr:g}" for lr in learning_rates])
        ax.set_yticks(range(len(ks)), [str(k) for k in ks])
        ax.set_xlabel("learning rate (G and D)")
        ax.set_ylabel("k (D steps per G step)")
        ax.set_title(f"{g_loss} loss")
        for (i, j), rate in np.ndenumerate(rates):
            ax.text(j, i, f"{rate:.0%}", ha="center", va="center",
                    color="black" if rate > 0.6 else "white")
    figure.colorbar(image, ax=axes[0].tolist(), label="success rate")
    figure.suptitle(f"Which settings converge? Share of {seeds} seeds that succeed", y=1.04)
    if path is not None:
        figure.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(figure)
    return figure


def _is_seed(seed):
    return isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0


def _values(name, given, valid):
    values = list(given) if isinstance(given, (list, tuple, range)) else None
    if not values:
        raise ValueError(f"{name} must be a non-empty list, got {given!r}")
    bad = [value for value in values if not valid(value)]
    if bad:
        raise ValueError(f"{name} holds invalid values {bad!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat values, got {values!r}")
    return values
