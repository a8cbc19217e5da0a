"""The command line: ``python -m gan train [flags]`` and ``python -m gan sweep [flags]``.

train: every field of `GANConfig` has a flag (``--batch-size`` for ``batch_size``), whose help
shows its default. ``--out DIR`` receives ``config.json``, ``metrics.json``, ``history.npz``
and the figures.

sweep: trainings over seeds x k x learning rates x generator losses, run as ensembles
(`gan.sweep`); ``--out DIR`` receives ``sweep.csv`` (one row per run) and ``success.png``
(the success rate over k x learning rate, one panel per loss).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from gan.config import (DTYPES, GENERATOR_LOSSES, LR_SCHEDULES, OPTIMIZERS, PRIORS, UPDATES,
                        GANConfig)
from gan.distributions import Mixture, Normal, Uniform

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
    "update": "update rule: alternating (Algorithm 1), or both players from one point "
    "(simultaneous, extragradient, optimistic; k = 1)",
    "r1": "R1 penalty weight gamma on real samples (Mescheder et al. 2018; 0 = off)",
    "r2": "R2 penalty weight gamma on generated samples (0 = off)",
}


def parse_distribution(spec):
    """'normal:-1,1', 'uniform:0,2' or '0.3*normal:-2,0.5+0.7*normal:2,0.5' -> a distribution."""
    parts = spec.split("+")
    if len(parts) > 1:
        weights, components = [], []
        for part in parts:
            weight, _, body = part.rpartition("*")
            weights.append(float(weight) if weight else 1.0)
            components.append(parse_distribution(body))
        total = sum(weights)
        return Mixture(components, [w / total for w in weights])
    name, _, args = spec.partition(":")
    try:
        numbers = [float(a) for a in args.split(",")]
    except ValueError:
        numbers = []
    makers = {"normal": Normal, "uniform": Uniform}
    if name not in makers or len(numbers) != 2:
        raise argparse.ArgumentTypeError(
            f"target must look like 'normal:MU,SIGMA', 'uniform:LOW,HIGH' or a '+'-joined "
            f"mixture of them, got {spec!r}"
        )
    return makers[name](*numbers)


def _tuple_of(kind):
    def parse(text):
        try:
            return tuple(kind(t) for t in text.split(",") if t.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}")

    return parse


CHOICES = {
    "prior": PRIORS,
    "optimizer": OPTIMIZERS,
    "lr_schedule": LR_SCHEDULES,
    "g_loss": GENERATOR_LOSSES,
    "dtype": DTYPES,
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
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--no-figures", action="store_true", help="write no figures")
    _add_sweep_parser(commands)
    return parser


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
    sweep.add_argument("--update", choices=UPDATES, default="alternating", help=HELP["update"])
    for name in ("r1", "r2"):
        sweep.add_argument("--" + name, type=float, default=0.0, help=HELP[name])
    sweep.add_argument("--out", type=Path, required=True,
                       help="folder for sweep.csv and success.png")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_sweep(args):
    from gan import sweep

    try:
        if args.seeds < 1:
            raise ValueError(f"seeds must be a positive integer, got {args.seeds}")
        base = GANConfig(target=args.target, g_hidden=args.g_hidden, d_hidden=args.d_hidden,
                         batch_size=args.batch_size, steps=args.steps, dtype=args.dtype,
                         snapshot_every=0, update=args.update, r1=args.r1, r2=args.r2)
        grid = dict(seeds=list(range(args.seeds)), ks=list(args.k), learning_rates=list(args.lr),
                    g_losses=list(args.g_loss))
        sweep.check_arguments(**grid, base=base)     # every argument checked before any work
        for k in args.k:                             # k with --update (k = 1 unless alternating)
            base.replace(k=k)
    except (TypeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    runs = args.seeds * len(args.k) * len(args.lr) * len(args.g_loss)
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=runs * args.steps, unit="step", unit_scale=True,
                   desc=f"{runs} runs", leave=False)
    try:
        rows = sweep.sweep(**grid, base=base, progress=None if bar is None else bar.update)
    finally:
        if bar is not None:
            bar.close()
    args.out.mkdir(parents=True, exist_ok=True)
    sweep.write_csv(rows, args.out / "sweep.csv")
    sweep.heatmap(rows, args.out / "success.png")
    for g_loss, (ks, learning_rates, rates) in sweep.success_rates(rows).items():
        print(f"success rate over {args.seeds} seeds, {g_loss} loss (rows k, columns lr)")
        print("  k \\ lr " + "".join(f"{lr:>9g}" for lr in learning_rates))
        for k, line in zip(ks, rates):
            print(f"  {k:>7} " + "".join(f"{rate:>9.0%}" for rate in line))
    print(f"wrote sweep.csv, success.png to {args.out}")
    return 0


def run_train(args):
    fields = {f.name: getattr(args, f.name) for f in dataclasses.fields(GANConfig)}
    try:
        config = GANConfig(**fields)
    except (TypeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    from gan.train import TrainingDiverged, train

    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=config.steps, unit="step", desc="training", leave=False)

    def progress(step, losses):
        if bar is not None and (step % 50 == 0 or step == config.steps):
            bar.update(step - bar.n)
            bar.set_postfix(d_loss=f"{losses['d_loss']:.3f}", g_loss=f"{losses['g_loss']:.3f}")

    try:
        result = train(config, callback=progress)
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    print(summary(result))
    if args.out is not None:
        written = write_run(result, args.out, figures=not args.no_figures)
        print(f"wrote {', '.join(written)} to {args.out}")
    return 0


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
    args = build_parser().parse_args(argv)
    if args.command == "train":
        return run_train(args)
    if args.command == "sweep":
        return run_sweep(args)
    return 2  # pragma: no cover - argparse rejects unknown commands
