"""The command line: ``python -m gan train | sweep | digits | play [flags]``.

train: every field of `GANConfig` has a flag (``--batch-size`` for ``batch_size``), whose help
shows its default. ``--out DIR`` receives ``config.json``, ``metrics.json``, ``history.npz``
and the figures.

sweep: trainings over seeds x k x learning rates x generator losses, run as ensembles
(`gan.cli.sweep`, `gan.lab.sweep`); ``--out DIR`` receives ``sweep.csv`` (one row per run) and ``success.png``
(the success rate over k x learning rate, one panel per loss).

digits: a digits model (MLP GAN, cGAN, DCGAN, AE, VAE) on real MNIST (`gan.cli.digits`).
play: the live playground on 127.0.0.1 (`gan.cli.play`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from gan.cli.arguments import (CHOICES, HELP, OVERWRITE_HELP, _tuple_of, attach_dashed_values,
                               parse_distribution, user_error)
from gan.cli.sweep import add_sweep_parser, run_sweep
from gan.config import GANConfig
from gan.digits.datasets.idx import DataFileError
from gan.lab.run_folder import RunFolder


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
    add_sweep_parser(commands)
    from gan.cli.digits import add_digits_parser
    from gan.cli import play as play_command

    add_digits_parser(commands)
    play_command.add_parser(commands)
    return parser


def run_train(args):
    fields = {f.name: getattr(args, f.name) for f in dataclasses.fields(GANConfig)}
    try:
        config = GANConfig(**fields)
        folder = None if args.out is None else RunFolder(args.out, overwrite=args.overwrite)
    except (TypeError, ValueError) as error:
        return user_error(error)

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
            from gan.cli.digits import run_digits

            return run_digits(args)
        if args.command == "play":
            from gan.cli import play as play_command

            return play_command.run(args)
    except DataFileError as error:       # a file named by the arguments is not what it claims
        return user_error(error)
    return 2  # pragma: no cover - argparse rejects unknown commands
