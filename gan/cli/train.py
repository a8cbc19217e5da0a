"""``python -m gan train``: G and D trained by Algorithm 1 on a 1D target.

Every field of `GANConfig` has a flag (``--batch-size`` for ``batch_size``), whose help shows its
default; the flags are made from ``dataclasses.fields(GANConfig)``, so a new field gets one.
``--out DIR`` receives ``config.json``, ``metrics.json``, ``timings.json``, ``history.npz``,
``G.npz`` and ``D.npz`` (the trained players as `nn.checkpoint` files, which
``python -m gan sample DIR`` draws from), the figures and ``manifest.json`` (see
`gan.lab.run_folder`).

Building the parser loads `gan.config` and what it needs to check a config; training, the run
folder, the progress bar and the figures are loaded by `run`, when a run is asked for, so that
``--help`` stays light.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from gan.cli.arguments import (CHOICES, HELP, OVERWRITE_HELP, _tuple_of, add_update_arguments,
                               parse_distribution, update_rule, user_error)
from gan.config import PAPER, GANConfig, paper_values


def add_parser(commands, help):
    """The ``train`` subcommand, on the subparsers of ``python -m gan``: one flag per field of
    GANConfig, --paper (Algorithm 1 as the paper states it; explicit flags beside it win, in
    any order), the update rule (--update, --r1, --r2, --consensus), then --out, --overwrite,
    --no-progress, --no-figures, --format."""
    train = commands.add_parser(
        "train",
        help=help,
        description="Train G and D by Algorithm 1 on a 1D target (default N(-1, 1)).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    defaults = GANConfig()
    for f in dataclasses.fields(GANConfig):
        train.add_argument("--" + f.name.replace("_", "-"), action=_FieldFlag,
                           **_field_flag(f.name, getattr(defaults, f.name)))
    train.add_argument("--paper", action=_PaperFlag, nargs=0, default=False, help=PAPER_HELP)
    add_update_arguments(train)
    train.add_argument("--out", type=Path, default=None, help="folder for the run's files")
    train.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--no-figures", action="store_true", help="write no figures")
    # the choices are gan.plots.FIGURE_FORMATS, spelled out so that --help loads no matplotlib
    train.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                       help="file format of the figures (svg or pdf for slides: no date in "
                            "them, the same bytes from the same seed); the animation stays a "
                            "GIF and the player an HTML page")
    return train


PAPER_HELP = (
    "Algorithm 1 as Goodfellow et al. (2014) state it: " + ", ".join(
        f"{name}={value}" for name, value in PAPER.items()) + ". From the paper: SGD with "
    "momentum, k=1, the minimax G loss, no schedule, no averaging; not in the paper, chosen: "
    "m=100 and momentum 0.5 (the released code's MNIST values), lr 0.01 (a common SGD rate; "
    "the released 0.1 diverges here). Explicit flags override these, e.g. --paper --g-loss "
    "non_saturating, the switch the paper recommends")


class _FieldFlag(argparse.Action):
    """A GANConfig field's flag: store the value, note the field as given explicitly (so --paper
    leaves it alone, whichever comes first), and let --paper settle the fields it sets."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.given_fields = {*getattr(namespace, "given_fields", ()), self.dest}
        _settle_paper(parser, namespace)


class _PaperFlag(argparse.Action):
    """--paper: the fields of `gan.config.PAPER` that no flag gives explicitly."""

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.paper = True
        _settle_paper(parser, namespace)


def _settle_paper(parser, namespace):
    """Under --paper, every field PAPER names: its explicit value if given, else the paper's
    (`gan.config.paper_values`), else the flag's default (momentum beside a non-SGD optimizer).
    Recomputed after every flag, so the outcome does not depend on the flags' order."""
    if not getattr(namespace, "paper", False):
        return
    given = {name: getattr(namespace, name) for name in getattr(namespace, "given_fields", ())}
    values = paper_values(given)
    for name in PAPER:
        if name not in given:
            setattr(namespace, name, values.get(name, parser.get_default(name)))


def _field_flag(name, default):
    """add_argument's keywords for the GANConfig field `name`: its help, its default, and how its
    text becomes a value (a distribution, a tuple, a choice, or the default's type)."""
    kwargs = {"dest": name, "help": HELP[name], "default": default}
    if name == "target":
        kwargs.update(type=parse_distribution, metavar="SPEC")
    elif isinstance(default, tuple):
        kwargs.update(type=_tuple_of(float if name == "betas" else int), metavar="A,B")
    elif name in CHOICES:
        kwargs.update(choices=CHOICES[name])
    elif name.endswith("activation"):
        kwargs.update(type=str)
    else:
        kwargs.update(type=type(default))
    return kwargs


def run(args):
    """Check the config and --out, train, print the summary, write the run; the exit code."""
    # Loaded here, when a run is asked for, not when the parser is built (``--help``):
    from gan.divergence import TrainingDiverged
    from gan.lab.run_folder import RunFolder, interrupts_as_keyboard_interrupt
    from gan.train import train

    fields = {f.name: getattr(args, f.name) for f in dataclasses.fields(GANConfig)}
    try:
        config = GANConfig(**fields)
        rule = update_rule(args)
        if rule is not None:
            rule.check(config)
        folder = None if args.out is None else RunFolder(args.out, overwrite=args.overwrite)
    except (TypeError, ValueError) as error:
        return user_error(error)
    for note in [] if folder is None else folder.notes:
        print(f"note: {note}", file=sys.stderr)

    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=config.steps, unit="step", desc="training", leave=False)
    every = max(1, 50 // config.k)      # the bar moves at least every ~50 D updates

    def progress(step, losses):
        if bar is not None and (step % every == 0 or step == config.steps):
            bar.update(step - bar.n)
            bar.set_postfix(d_loss=f"{losses['d_loss']:.3f}", g_loss=f"{losses['g_loss']:.3f}")

    kept = "" if folder is None else f" Nothing was written to {args.out}."
    finished = False
    try:
        with interrupts_as_keyboard_interrupt():
            result = train(config, callback=progress, update=rule)
            if folder is not None:
                written = write_run(result, folder.staging, figures=not args.no_figures,
                                    update=rule, format=args.format)
        finished = True
    except TrainingDiverged as error:
        print(_divergence_verdict(error, config), file=sys.stderr)
        print(f"error: {error}{kept}", file=sys.stderr)     # the last line says what is wrong
        return 1
    except KeyboardInterrupt:
        print(f"error: interrupted.{kept}", file=sys.stderr)
        return 130
    except OSError as error:
        if folder is None:
            raise
        return user_error(folder.failure(error))
    finally:
        if bar is not None:
            bar.close()
        if folder is not None and not finished:
            folder.discard()
    print(summary(result))
    if folder is not None:
        try:
            folder.commit()
        except ValueError as error:
            return user_error(error)
        print(f"wrote {', '.join([*written, 'manifest.json'])} to {args.out}")
    return 0


def summary(result):
    """One screen: what was trained, how close p_g came to p_data, and the doctor's verdicts on
    the run (`gan.lab.doctor`, the same as ``python -m gan diagnose`` on its folder)."""
    from gan.lab.doctor import diagnose_result   # the lab is loaded when a run has ended
    c, m = result.config, result.metrics
    target = c.target
    lines = [
        f"GAN on p_data = {target!r}, p_z = {c.prior}^{c.noise_dim}, "
        f"G {[c.noise_dim, *c.g_hidden, target.dim]} {c.g_activation}, "
        f"D {[target.dim, *c.d_hidden, 1]} {c.d_activation}",
        f"  k = {c.k}, m = {c.batch_size}, {c.steps} steps, {c.optimizer} "
        f"lr_g = {c.lr_g:g}, lr_d = {c.lr_d:g} ({c.lr_schedule}), g_loss = {c.g_loss}, "
        f"seed = {c.seed}, {c.dtype}",
        *([target.note] if hasattr(target, "note") else []),   # a data file's KDE says so
        f"  trained in {m['seconds']:.2f} s",
        *(_plane_lines(m) if getattr(target, "dim", 1) == 2 else [
            f"  mean of G(z)        {m['mean']:+.4f}   (p_data: {_moment(target, 'mean')})",
            f"  std of G(z)         {m['std']:.4f}    (p_data: {_moment(target, 'std')})",
            f"  JSD(p_data || p_g)  {m['jsd']:.5f} nats (0 at the optimum, log 2 = 0.693 at most)",
            f"  max |D(x) - 1/2|    {m['d_max_dev']:.4f}   on p_data's central 95% (0 at the "
            f"optimum)"]),
        *diagnose_result(result).lines(),
    ]
    return "\n".join(lines)


def _plane_lines(m):
    """A 2D run's numbers (`gan.targets2d.Plane`): modes covered, the high-quality share and the
    binned JSD."""
    return [f"  modes covered       {m['modes_covered']} of {m['modes']}",
            f"  high-quality share  {m['high_quality']:.1%} of G's samples near a mode",
            f"  binned JSD          {m['jsd']:.5f} nats (biased upwards by the finite sample)"]


def _divergence_verdict(error, config):
    """The doctor's verdict on a run that raised TrainingDiverged: the step, the cause and what
    to change (`gan.lab.doctor.diverged`)."""
    from gan.lab.doctor import diverged      # the lab is loaded when a run has ended

    finding = diverged(error, config)
    return f"  verdict: diverged {finding.evidence}; see {finding.lesson}"


def _moment(target, name):
    value = getattr(target, name, None)
    return "n/a" if value is None else f"{float(value):+.4f}"


def write_run(result, out, figures=True, update=None, format="png"):
    """config.json (the config's fields, and under "update" the update rule when it is not
    Algorithm 1's), metrics.json (the same for the same seed, byte for byte), timings.json (the
    wall-clock seconds of training), history.npz, G.npz and D.npz (the trained players in the
    checkpoint format of `nn.checkpoint`: arrays and architecture, no pickle; G is the one the
    metrics measure, after averaging) and, unless figures=False, the figures of
    `gan.plots.write_run_figures` in ``format`` (png, svg or pdf). Every file is written into
    `out`, the run folder's staging folder, so the manifest lists it when the folder commits.
    Returns the names written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = result.config.to_dict()
    if update is not None:
        config["update"] = update.to_dict()
    metrics = {key: value for key, value in result.metrics.items() if key != "seconds"}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "timings.json").write_text(
        json.dumps({"seconds": result.metrics["seconds"]}, indent=2) + "\n")
    np.savez(out / "history.npz", **result.history.to_arrays())
    result.G.save(out / "G.npz")
    result.D.save(out / "D.npz")
    written = ["config.json", "metrics.json", "timings.json", "history.npz", "G.npz", "D.npz"]
    if figures:
        from gan import plots  # matplotlib is loaded only when figures are asked for

        written += plots.write_run_figures(result, out, format=format)
    return written
