"""The command line: ``python -m gan COMMAND [flags]``, one subcommand per job.

- train   G and D by Algorithm 1 on a 1D target, one flag per GANConfig field (`gan.cli.train`);
- sweep   trainings over seeds x k x learning rates x generator losses, as stacked ensembles
          (`gan.cli.sweep`, `gan.lab.sweep`);
- digits  a digits model (MLP GAN, cGAN, DCGAN, AE, VAE) trained and scored (`gan.cli.digits`);
- play    the live playground on 127.0.0.1 (`gan.cli.play`);
- check   the autograder: the textbook code graded part by part against the theory
          (`gan.cli.check`, `gan.course`);
- course  the student edition: a copy with each marked solution replaced by its hint
          (`gan.cli.course`, `gan.course.edition`);
- diagnose  what happened in a run's folder (train, sweep or digits), named from its own numbers
          (`gan.cli.diagnose`,
          `gan.lab.doctor`);
- sample  N samples from the trained G of a run folder, bitwise the same for the same seed
          (`gan.cli.sample`).

Each subcommand is a module with ``add_parser(commands, help)`` and ``run(args)``. The top-level
parser knows every subcommand's name and one-line help (`COMMANDS`) but imports and builds only
the parser of the one that is called, so ``python -m gan --help`` loads no model code and
``python -m gan train --help`` loads the config and its checks, not the images or the lab.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from gan import language
from gan.language import LANGUAGES

# name -> (module, one-line help shown by ``python -m gan --help``)
COMMANDS = {
    "train": ("gan.cli.train", "train G and D by Algorithm 1 on a 1D target"),
    "sweep": ("gan.cli.sweep",
              "train many GANs over seeds x k x learning rates x losses, as ensembles"),
    "digits": ("gan.cli.digits",
               "train a digit generator (mlp, cgan, dcgan, ae, vae) and score it"),
    "play": ("gan.cli.play", "train a GAN live in the browser, step by step (a local GAN Lab)"),
    "check": ("gan.cli.check", "grade the textbook code part by part against the theory"),
    "course": ("gan.cli.course", "write the student edition: solutions replaced by hints"),
    "diagnose": ("gan.cli.diagnose", "name what went wrong in a run folder, from the run itself"),
    "sample": ("gan.cli.sample", "draw N samples from the trained G of a run folder"),
}


def build_parser(full=tuple(COMMANDS)):
    """The parser of ``python -m gan``: the subcommands named in `full` built in full (their
    modules imported), the others by their name and help alone. The default builds every one
    (the whole command line at once, as the tests read it); `main` builds only the one called."""
    full = (full,) if isinstance(full, str) else tuple(full)
    unknown = [name for name in full if name not in COMMANDS]
    if unknown:
        raise ValueError(f"full must name subcommands from {tuple(COMMANDS)}, got {unknown}")
    parser = argparse.ArgumentParser(
        prog="python -m gan",
        description="Generative adversarial nets in plain NumPy (Goodfellow et al. 2014).",
    )
    parser.add_argument("--lang", choices=LANGUAGES,
                        help="the language of help and messages: en or zh (default: the "
                             "locale's, from LANGUAGE, LC_ALL, LC_MESSAGES or LANG)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, help) in COMMANDS.items():
        if name in full:
            _command(name).add_parser(commands, help)
        else:
            commands.add_parser(name, help=help)     # name and help only: not the one called
    return parser


def _command(name):
    """The module of subcommand `name`. Imported here, when that subcommand is called, and not at
    the top of this file: loading a subcommand lazily is the point of this dispatcher (no import
    circle hides behind it: the subcommands import `gan.cli.arguments`, never `gan.cli`)."""
    return importlib.import_module(COMMANDS[name][0])


def called_command(argv):
    """The subcommand argparse will run for `argv`, or None: the first argument that is not an
    option (the top-level parser has no option that takes a value), if it names a subcommand.
    With None (``--help``, no argument, a misspelt name) argparse answers from the names alone."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def attach_dashed_values(parser, argv):
    """['--target', '-1*normal:0,1+...'] -> ['--target=-1*normal:0,1+...']: argparse takes a
    value that starts with '-' for an option (unless it looks like a plain negative number),
    so a mixture with a negative weight or '--lr -1e-3' would say only "expected one argument"
    instead of reaching the check that says what is wrong with it."""
    takes_value, options = set(), set()
    for action in language.all_actions(parser):
        options.update(action.option_strings)
        if action.option_strings and action.nargs is None:
            takes_value.update(action.option_strings)
    joined, index = [], 0
    while index < len(argv):
        arg = argv[index]
        if (arg in takes_value and index + 1 < len(argv) and argv[index + 1].startswith("-")
                and argv[index + 1].split("=")[0] not in options):
            joined.append(f"{arg}={argv[index + 1]}")
            index += 2
        else:
            joined.append(arg)
            index += 1
    return joined


def main(argv=None):
    """Run a command; returns the exit code: 0 done, 1 training diverged, 2 a user error (bad
    arguments, or files they name), reported in one line without a traceback."""
    argv = sys.argv[1:] if argv is None else [str(arg) for arg in argv]
    try:
        lang, argv = language.requested(argv)
        language.install(lang)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if lang != "en" and called_command(argv) is not None and "--help" not in argv:
        figures = language.chinese_figures()          # figures in Chinese need a Chinese font
        language.install(lang, figures=figures)
        if not figures:
            print("（未找到中文字体：图中文字保持英文。No Chinese font found: the figures keep "
                  "their English text; on Debian: apt install fonts-wqy-microhei）",
                  file=sys.stderr)
    called = called_command(argv)
    parser = language.translate_parser(build_parser(full=() if called is None else (called,)))
    try:
        args = parser.parse_args(attach_dashed_values(parser, argv))
    except SystemExit as exit_:          # argparse has printed the usage and the error
        return exit_.code if isinstance(exit_.code, int) else 2
    return _command(args.command).run(args)
