"""The command line: ``python -m gan train | sweep | digits | play [flags]``.

train: every field of `GANConfig` has a flag (``--batch-size`` for ``batch_size``), whose help
shows its default. ``--out DIR`` receives ``config.json``, ``metrics.json``, ``history.npz``
and the figures.

sweep: trainings over seeds x k x learning rates x generator losses, run as ensembles
(`gan.sweep`); ``--out DIR`` receives ``sweep.csv`` (one row per run) and ``success.png``
(the success rate over k x learning rate, one panel per loss).

digits: a digits model (MLP GAN, cGAN, DCGAN, AE, VAE) on real MNIST (`gan.digits.command`).
play: the live playground on 127.0.0.1 (`gan.play.command`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

import numpy as np

from gan.engine import ENGINES, require_fast
from gan.config import (DTYPES, GENERATOR_LOSSES, LR_SCHEDULES, OPTIMIZERS, PRIORS, UPDATES,
                        GANConfig)
from gan.cli_arguments import _tuple_of, attach_dashed_values, parse_distribution
from gan.datasets.idx import DataFileError
from gan.run_folder import RunFolder

HELP = {
    "target": "p_data: 'normal:MU,SIGMA', 'uniform:LOW,HIGH', or a mixture "
    "'W1*normal:MU,SIGMA+W2*normal:MU,SIGMA' (weights optional, equal if omitted)",
    "prior": "p_z, the noise prior: N(0, I) or U(-1, 1)^noise_dim",
    "noise_dim": "dimension of the noise z",
    "g_hidden": "widths of G's hidden layers, comma-separated",
    "d_hidden": "widths of D's hidden layers, comma-separated",
    "g_activation": "G's hidden activation (smooth softplus: a smooth p_g; see the README)",
    "d_activation": "D's hidden activation",
    "k": "discriminator steps per generator step (Algorithm 1's k)",
    "batch_size": "minibatch size m (m real and m fake samples per D step, m noise per G step)",
    "steps": "training iterations (generator steps)",
    "optimizer": "optimiser of both players",
    "lr_g": "generator's base learning rate",
    "lr_d": "discriminator's base learning rate",
    "betas": "Adam's (beta1,beta2), comma-separated",
    "lr_schedule": "learning-rate schedule: constant, or decayed to 0 linearly or by a half cosine",
    "decay_start": "fraction of the steps after which the learning rate starts to decay",
    "average_last": "fraction of the last steps over which G's weights are averaged (0 = off)",
    "g_loss": "generator loss: the paper's minimax log(1 - D(G(z))) or non-saturating -log D(G(z))",
    "seed": "seed of every random draw (same seed, bitwise same run)",
    "dtype": "floating-point type of networks and data",
    "snapshot_every": "record D(x), p_g and JSD every this many steps (0 = none)",
    "grid_size": "points of the x grid on which D(x) and p_g are recorded",
    "engine": "nn engine of the players: fast (nn.fast) or reference (nn, the textbook engine)",
    "update": "update rule: alternating (Algorithm 1), or both players from one point "
    "(simultaneous, extragradient, optimistic, consensus; k = 1)",
    "r1": "R1 penalty weight gamma on real samples (Mescheder et al. 2018; 0 = off)",
    "r2": "R2 penalty weight gamma on generated samples (0 = off)",
    "consensus": "consensus weight gamma of --update consensus (Mescheder et al. 2017; > 0 "
    "exactly with that rule)",
}


CHOICES = {
    "prior": PRIORS,
    "optimizer": OPTIMIZERS,
    "lr_schedule": LR_SCHEDULES,
    "g_loss": GENERATOR_LOSSES,
    "dtype": DTYPES,
    "engine": ENGINES,
    "update": UPDATES,
}


def _show(value):
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m gan",
        description="Generative adversarial nets in plain NumPy (Goodfellow et al. 2014).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser(
        "train",
        help="train G and D by Algorithm 1 on a 1D target",
        description="Train G and D by Algorithm 1 on a 1D target (default N(-1, 1)).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    defaults = GANConfig()
    for f in dataclasses.fields(GANConfig):
        default = getattr(defaults, f.name)
        kwargs = {"dest": f.name, "help": HELP[f.name], "default": default}
        if f.name == "target":
            kwargs.update(type=parse_distribution, default=default, metavar="SPEC")
        elif isinstance(default, tuple):
            kind = float if f.name == "betas" else int
            kwargs.update(type=_tuple_of(kind), metavar="A,B")
        elif f.name in CHOICES:
            kwargs.update(choices=CHOICES[f.name])
        elif f.name.endswith("activation"):
            kwargs.update(type=str)
        else:
            kwargs.update(type=type(default))
        train.add_argument("--" + f.name.replace("_", "-"), **kwargs)
    train.add_argument("--out", type=Path, default=None, help="folder for the run's files")
    train.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--no-figures", action="store_true", help="write no figures")
    _add_sweep_parser(commands)
    from gan.digits.command import add_digits_parser
    from gan.play import command as play_command

    add_digits_parser(commands)
    play_command.add_parser(commands)
    return parser


OVERWRITE_HELP = ("replace an earlier run in --out (its files are removed); without it a folder "
                  "holding a run is refused")
SWEEP_DEFAULTS = dict(g_hidden=(16, 16), d_hidden=(32, 32), batch_size=64, steps=1000)


def _add_sweep_parser(commands):
    sweep = commands.add_parser(
        "sweep",
        help="train many GANs over seeds x k x learning rates x losses, as ensembles",
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
    sweep.add_argument("--update", choices=UPDATES, default="alternating", help=HELP["update"])
    for name in ("r1", "r2", "consensus"):
        sweep.add_argument("--" + name, type=float, default=0.0, help=HELP[name])
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


def run_sweep(args):
    from gan import sweep
    from gan.limits import MAX_UPDATES, memory_estimate, memory_limit

    try:
        _check_sweep_values(args)
        base = GANConfig(target=args.target, g_hidden=args.g_hidden, d_hidden=args.d_hidden,
                         batch_size=args.batch_size, steps=args.steps, dtype=args.dtype,
                         snapshot_every=0, k=max(args.k), engine=args.engine,
                         update=args.update, r1=args.r1, r2=args.r2,
                         consensus=args.consensus)
        require_fast(args.engine, "python -m gan sweep (it trains stacked ensembles)")
        for k in args.k:                             # k with --update (k = 1 unless alternating)
            base.replace(k=k)
        grid = dict(seeds=list(range(args.seeds)), ks=list(args.k), learning_rates=list(args.lr),
                    g_losses=list(args.g_loss))
        backend = dict(workers=args.workers, scheduler=args.scheduler)
        sweep.check_arguments(**grid, base=base, **backend)   # every argument checked first
        runs = args.seeds * len(args.k) * len(args.lr) * len(args.g_loss)
        updates = args.seeds * len(args.lr) * len(args.g_loss) * sum(args.k) * args.steps
        if updates > MAX_UPDATES:
            raise ValueError(f"the sweep would make {updates:.3g} discriminator updates (seeds x "
                             f"lr x g_loss x sum of k x steps), more than {MAX_UPDATES:.0e}")
        members = min(args.seeds * len(args.lr), sweep.MAX_MEMBERS)
        needed = members * memory_estimate(base)
        if needed > memory_limit():
            raise ValueError(f"the sweep would need ~{needed / 2**30:.3g} GiB of memory for "
                             f"{members} runs at once, more than the "
                             f"{memory_limit() / 2**30:.3g} GiB limit")
        folder = RunFolder(args.out, overwrite=args.overwrite)
    except (TypeError, ValueError) as error:
        return _user_error(error)
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=runs * args.steps, unit="step", unit_scale=True,
                   desc=f"{runs} runs", leave=False)
    try:
        rows = sweep.sweep(**grid, base=base, progress=None if bar is None else bar.update,
                           **backend)
        sweep.write_csv(rows, folder.staging / "sweep.csv")
        sweep.heatmap(rows, folder.staging / "success.png")
    except BaseException:
        folder.discard()
        raise
    finally:
        if bar is not None:
            bar.close()
    folder.commit()
    for g_loss, (ks, learning_rates, rates) in sweep.success_rates(rows).items():
        print(f"success rate over {args.seeds} seeds, {g_loss} loss (rows k, columns lr)")
        print("  k \\ lr " + "".join(f"{lr:>9g}" for lr in learning_rates))
        for k, line in zip(ks, rates):
            print(f"  {k:>7} " + "".join(f"{rate:>9.0%}" for rate in line))
    diverged = sum(1 for row in rows if row["diverged_at"] != "")
    if diverged:
        print(f"{diverged} of {runs} runs diverged (their diverged_at is in sweep.csv)")
    print(f"wrote sweep.csv, success.png to {args.out}")
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


def run_train(args):
    fields = {f.name: getattr(args, f.name) for f in dataclasses.fields(GANConfig)}
    try:
        config = GANConfig(**fields)
        folder = None if args.out is None else RunFolder(args.out, overwrite=args.overwrite)
    except (TypeError, ValueError) as error:
        return _user_error(error)

    from gan.divergence import TrainingDiverged
    from gan.train import train

    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=config.steps, unit="step", desc="training", leave=False)
    every = max(1, 50 // config.k)      # the bar moves at least every ~50 D updates

    def progress(step, losses):
        if bar is not None and (step % every == 0 or step == config.steps):
            bar.update(step - bar.n)
            bar.set_postfix(d_loss=f"{losses['d_loss']:.3f}", g_loss=f"{losses['g_loss']:.3f}")

    try:
        result = train(config, callback=progress)
        if folder is not None:
            written = write_run(result, folder.staging, figures=not args.no_figures)
    except TrainingDiverged as error:
        if folder is not None:
            folder.discard()
        kept = "" if folder is None else f" Nothing was written to {args.out}."
        print(f"error: {error}{kept}", file=sys.stderr)
        return 1
    except BaseException:
        if folder is not None:
            folder.discard()
        raise
    finally:
        if bar is not None:
            bar.close()
    print(summary(result))
    if folder is not None:
        folder.commit()
        print(f"wrote {', '.join(written)} to {args.out}")
    return 0


def _user_error(error):
    """A user error (the arguments or the files they name): its message, exit code 2."""
    print(f"error: {error}", file=sys.stderr)
    return 2


def summary(result):
    """One screen: what was trained and how close p_g came to p_data."""
    c, m = result.config, result.metrics
    target = c.target
    lines = [
        f"GAN on p_data = {target!r}, p_z = {c.prior}^{c.noise_dim}, "
        f"G {[c.noise_dim, *c.g_hidden, 1]} {c.g_activation}, "
        f"D {[1, *c.d_hidden, 1]} {c.d_activation}",
        f"  k = {c.k}, m = {c.batch_size}, {c.steps} steps, {c.optimizer} "
        f"lr_g = {c.lr_g:g}, lr_d = {c.lr_d:g} ({c.lr_schedule}), g_loss = {c.g_loss}, "
        f"seed = {c.seed}, {c.dtype}",
        f"  trained in {m['seconds']:.2f} s",
        f"  mean of G(z)        {m['mean']:+.4f}   (p_data: {_moment(target, 'mean')})",
        f"  std of G(z)         {m['std']:.4f}    (p_data: {_moment(target, 'std')})",
        f"  JSD(p_data || p_g)  {m['jsd']:.5f} nats (0 at the optimum, log 2 = 0.693 at most)",
        f"  max |D(x) - 1/2|    {m['d_max_dev']:.4f}   on p_data's central 95% (0 at the optimum)",
    ]
    return "\n".join(lines)


def _moment(target, name):
    value = getattr(target, name, None)
    return "n/a" if value is None else f"{float(value):+.4f}"


def write_run(result, out, figures=True):
    """config.json, metrics.json, history.npz and, unless figures=False, the figures of
    `gan.plots.write_run_figures`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(result.config.to_dict(), indent=2) + "\n")
    (out / "metrics.json").write_text(json.dumps(result.metrics, indent=2) + "\n")
    np.savez(out / "history.npz", **result.history.to_arrays())
    written = ["config.json", "metrics.json", "history.npz"]
    if figures:
        from gan import plots  # matplotlib is loaded only when figures are asked for

        written += plots.write_run_figures(result, out)
    return written


def main(argv=None):
    """Run a command; returns the exit code: 0 done, 1 training diverged, 2 a user error (bad
    arguments, or files they name), reported in one line without a traceback."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else [str(arg) for arg in argv]
    try:
        args = parser.parse_args(attach_dashed_values(parser, argv))
    except SystemExit as exit_:          # argparse has printed the usage and the error
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        if args.command == "train":
            return run_train(args)
        if args.command == "sweep":
            return run_sweep(args)
        if args.command == "digits":
            from gan.digits.command import run_digits

            return run_digits(args)
        if args.command == "play":
            from gan.play import command as play_command

            return play_command.run(args)
    except DataFileError as error:       # a file named by the arguments is not what it claims
        return _user_error(error)
    return 2  # pragma: no cover - argparse rejects unknown commands
