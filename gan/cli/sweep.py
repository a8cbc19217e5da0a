"""``python -m gan sweep``: trainings over seeds x k x learning rates x generator losses, run as
stacked ensembles (`gan.lab.sweep`) on this process, on local worker processes (``--workers``) or on
a Dask cluster (``--scheduler``); ``--out DIR`` receives ``sweep.csv`` (one row per run) and
``success.png`` (the success rate over k x learning rate, one panel per loss)."""

from __future__ import annotations

import argparse
import math
import socket
import sys
from pathlib import Path

from gan.cli.arguments import (HELP, OVERWRITE_HELP, _tuple_of, add_update_arguments,
                               parse_distribution, update_rule, user_error)
from gan.config import DTYPES, GENERATOR_LOSSES, GANConfig
from gan.engine import ENGINES, require_fast
from gan.lab.run_folder import RunFolder, interrupts_as_keyboard_interrupt


SWEEP_DEFAULTS = dict(g_hidden=(16, 16), d_hidden=(32, 32), batch_size=64, steps=1000)


def add_parser(commands, help):
    """The ``sweep`` subcommand, on the subparsers of ``python -m gan``."""
    sweep = commands.add_parser(
        "sweep",
        help=help,
        description="Train every combination of seeds, k, learning rates (G and D alike) and "
        "generator losses on a 1D target, the runs of one k and loss as one stacked ensemble; "
        "write sweep.csv and success.png (success rates) to --out.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    sweep.add_argument("--seeds", type=int, default=8, help="number of seeds, 0 .. N-1")
    sweep.add_argument("--k", type=_tuple_of(int), default=(1, 2), metavar="A,B",
                       help="values of k, comma-separated")
    sweep.add_argument("--lr", type=_tuple_of(float), default=(5e-4, 1e-3, 2e-3, 4e-3),
                       metavar="A,B", help="learning rates (both players), comma-separated")
    sweep.add_argument("--g-loss", type=lambda text: tuple(text.split(",")),
                       default=GENERATOR_LOSSES, metavar="A,B",
                       help=f"generator losses, comma-separated, from {GENERATOR_LOSSES}")
    sweep.add_argument("--target", type=parse_distribution, default=GANConfig().target,
                       metavar="SPEC", help=HELP["target"])
    for name in ("g_hidden", "d_hidden"):
        sweep.add_argument("--" + name.replace("_", "-"), type=_tuple_of(int),
                           default=SWEEP_DEFAULTS[name], metavar="A,B", help=HELP[name])
    for name in ("batch_size", "steps"):
        sweep.add_argument("--" + name.replace("_", "-"), type=int, default=SWEEP_DEFAULTS[name],
                           help=HELP[name])
    sweep.add_argument("--dtype", choices=DTYPES, default="float64", help=HELP["dtype"])
    sweep.add_argument("--engine", choices=ENGINES, default="fast",
                       help="nn engine: a sweep trains stacked ensembles, which only fast has")
    add_update_arguments(sweep)
    sweep.add_argument("--out", type=Path, required=True,
                       help="folder for sweep.csv and success.png")
    sweep.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    sweep.add_argument("--workers", type=int, default=1,
                       help="local processes that train the ensembles (chunks) side by side")
    sweep.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask distributed scheduler (e.g. tcp://10.0.0.5:8786) whose "
                       "workers train the chunks (pip install .[cluster])")


MAX_SEEDS = 10**5
SCHEDULER_TIMEOUT = 3.0    # seconds a scheduler has to accept a connection before any training


def check_scheduler_answers(address, timeout=SCHEDULER_TIMEOUT):
    """ValueError unless the scheduler's address has the form of `gan.lab.pool.scheduler_endpoint`
    and something there accepts a TCP connection within ``timeout`` seconds: checked before any
    training, which would otherwise run first and end in the client's OSError half a minute on."""
    from gan.lab.pool import scheduler_endpoint

    host, port = scheduler_endpoint(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as error:
        reason = (f"no answer within {timeout:g} s" if isinstance(error, TimeoutError)
                  else error.strerror or str(error))
        raise ValueError(f"--scheduler: nothing answers at {address!r} ({reason}); start the "
                         f"scheduler there ('dask scheduler') or give the address it prints, "
                         f"e.g. tcp://10.0.0.5:8786") from None


def run(args):
    """Check every flag, run the sweep, write sweep.csv and success.png, print the success
    rates; the exit code."""
    # The sweep's machinery is loaded when a sweep is asked for, not for --help:
    from gan.lab import sweep
    from gan.limits import MAX_UPDATES

    try:
        _check_sweep_values(args)
        base = GANConfig(target=args.target, g_hidden=args.g_hidden, d_hidden=args.d_hidden,
                         batch_size=args.batch_size, steps=args.steps, dtype=args.dtype,
                         snapshot_every=0, k=max(args.k), engine=args.engine)
        require_fast(args.engine, "python -m gan sweep (it trains stacked ensembles)")
        rule = update_rule(args)
        for k in args.k if rule is not None else ():   # k = 1 unless the rule is alternating
            rule.check(base.replace(k=k))
        grid = dict(seeds=list(range(args.seeds)), ks=list(args.k), learning_rates=list(args.lr),
                    g_losses=list(args.g_loss))
        backend = dict(workers=args.workers, scheduler=args.scheduler)
        # every argument checked first, memory too: the chunks are cut to what fits at once
        # (`sweep.members_per_chunk`); only a run that cannot fit on its own is refused
        sweep.check_arguments(**grid, base=base, **backend)
        if args.scheduler is not None:
            check_scheduler_answers(args.scheduler)
        runs = args.seeds * len(args.k) * len(args.lr) * len(args.g_loss)
        updates = args.seeds * len(args.lr) * len(args.g_loss) * sum(args.k) * args.steps
        if updates > MAX_UPDATES:
            raise ValueError(f"the sweep would make {updates:.3g} discriminator updates (seeds x "
                             f"lr x g_loss x sum of k x steps), more than {MAX_UPDATES:.0e}")
        folder = RunFolder(args.out, overwrite=args.overwrite)
    except (TypeError, ValueError) as error:
        return user_error(error)
    for note in folder.notes:
        print(f"note: {note}", file=sys.stderr)
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=runs * args.steps, unit="step", unit_scale=True,
                   desc=f"{runs} runs", leave=False)
    finished = False
    try:
        with interrupts_as_keyboard_interrupt():
            rows = sweep.sweep(**grid, base=base, progress=None if bar is None else bar.update,
                               update=rule, **backend)
            sweep.write_csv(rows, folder.staging / "sweep.csv")
            sweep.heatmap(rows, folder.staging / "success.png")
        finished = True
    except KeyboardInterrupt:
        print(f"error: interrupted. Nothing was written to {args.out}.", file=sys.stderr)
        return 130
    except OSError as error:
        return user_error(folder.failure(error))
    finally:
        if bar is not None:
            bar.close()
        if not finished:
            folder.discard()
    try:
        folder.commit()
    except ValueError as error:
        return user_error(error)
    for g_loss, (ks, learning_rates, rates) in sweep.success_rates(rows).items():
        print(f"success rate over {args.seeds} seeds, {g_loss} loss (rows k, columns lr)")
        print("  k \\ lr " + "".join(f"{lr:>9g}" for lr in learning_rates))
        for k, line in zip(ks, rates):
            print(f"  {k:>7} " + "".join(f"{rate:>9.0%}" for rate in line))
    diverged = sum(1 for row in rows if row["diverged_at"] != "")
    if diverged:
        print(f"{diverged} of {runs} runs diverged (their diverged_at is in sweep.csv)")
    print(f"wrote sweep.csv, success.png, manifest.json to {args.out}")
    return 0


def _check_sweep_values(args):
    """The sweep's own flags, each with its range (the shared ones are GANConfig's)."""
    if isinstance(args.seeds, bool) or not 1 <= args.seeds <= MAX_SEEDS:
        raise ValueError(f"seeds must be a number of seeds in [1, {MAX_SEEDS}], got {args.seeds}")
    lists = {("k", "ks"): (args.k, "positive integers", lambda k: 1 <= k <= 10**9),
             ("lr", "learning_rates"): (args.lr, "positive finite numbers",
                                        lambda lr: math.isfinite(lr) and lr > 0),
             ("g-loss", "g_losses"): (args.g_loss, f"names from {GENERATOR_LOSSES}",
                                      lambda loss: loss in GENERATOR_LOSSES)}
    for (flag, name), (values, allowed, valid) in lists.items():
        bad = [value for value in values if not valid(value)]
        if not values or bad or len(set(values)) != len(values):
            problem = (f"holds invalid values {bad}" if bad else "repeats values" if values
                       else "is empty")
            raise ValueError(f"--{flag}: {name} {problem} (given {','.join(map(str, values))!r}); "
                             f"allowed: distinct {allowed}, comma-separated")
