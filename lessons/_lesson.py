"""What every lesson script shares: its command-line flags, its output folder, its voice.

A lesson calls ``lesson = start(__file__, __doc__)`` first: that parses ``--fast``
(small sizes, used by the tests) and ``--show`` (open figure windows; otherwise figures
are only saved, with matplotlib's headless Agg backend), creates
``lessons/out/<lesson name>/`` and prints the lesson's opening text. A lesson with flags of
its own passes ``options=``, a function that adds them to the parser (e.g.
``gan.digits.add_data_argument`` for ``--data PATH``); their values are in ``lesson.options``,
and ``--help`` lists them with the common ones.

Lessons tell the truth (STYLE.md): a comparative word a lesson prints is chosen from that run's
numbers by `compare` or `check`, which also print one machine-readable ``[claim]`` line with
the numbers, the rule's settings and the word chosen. tests/test_lessons.py reads those lines
back and re-derives every word from the numbers with its own copy of the rule, so a sentence
whose word its numbers deny fails the suite.
"""

from __future__ import annotations

import argparse
import json
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib

OUT_ROOT = Path(__file__).resolve().parent / "out"


@dataclass
class Lesson:
    name: str
    fast: bool
    show: bool
    out: Path
    options: argparse.Namespace | None = None

    def save(self, figure, filename):
        """Save a figure under the lesson's folder, say where, and close it unless --show."""
        path = self.out / filename
        figure.savefig(path, dpi=110, bbox_inches="tight")
        print(f"  [figure] {path}")
        if not self.show:
            import matplotlib.pyplot as plt

            plt.close(figure)
        return path

    def pick(self, full, fast):
        """The full-run value, or the small one under --fast."""
        return fast if self.fast else full

    def finish(self):
        """Show the figures if asked."""
        if self.show:
            import matplotlib.pyplot as plt

            plt.show()


def start(file, doc, argv=None, options=None):
    """Parse the lesson's flags (the common ones, and those ``options(parser)`` adds), make its
    output folder, print its opening text."""
    name = Path(file).stem
    parser = argparse.ArgumentParser(
        prog=f"python lessons/{name}.py", description=(doc or "").strip().splitlines()[0]
    )
    parser.add_argument("--fast", action="store_true", help="small sizes, for the tests")
    parser.add_argument("--show", action="store_true", help="open the figures in windows")
    parser.add_argument(
        "--out", type=Path, default=OUT_ROOT / name,
        help="folder for the figures (default: %(default)s)"
    )
    if options is not None:
        options(parser)
    args = parser.parse_args(argv)
    if not args.show:
        matplotlib.use("Agg")
    args.out.mkdir(parents=True, exist_ok=True)
    print(textwrap.dedent(doc or "").strip())
    print()
    return Lesson(name=name, fast=args.fast, show=args.show, out=args.out, options=args)


def say(text):
    """Print a paragraph of explanation, dedented and wrapped."""
    print(textwrap.fill(textwrap.dedent(text).strip(), width=88))
    print()


def _record(kind, label, word, **numbers):
    numbers = {key: (float(value) if isinstance(value, (int, float)) or hasattr(value, "dtype")
                     else value) for key, value in numbers.items()}
    print("  [claim] " + json.dumps({"kind": kind, "label": label, "word": word, **numbers}))
    return word


def compare(label, a, b, words=("smaller than", "about the same as", "larger than"),
            tolerance=0.0):
    """The word for how ``a`` stands to ``b``: ``words[0]`` if a < b, ``words[2]`` if a > b, and
    ``words[1]`` when |a - b| <= tolerance * max(|a|, |b|) (a relative tolerance; 0 means only
    equal numbers are "about the same"). Prints the ``[claim]`` line and returns the word."""
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"compare({label!r}) needs finite numbers, got a={a!r}, b={b!r}")
    if abs(a - b) <= tolerance * max(abs(a), abs(b)):
        word = words[1]
    else:
        word = words[0] if a < b else words[2]
    return _record("compare", label, word, a=a, b=b, tolerance=tolerance, words=list(words))


OPERATORS = {"<": lambda v, t: v < t, "<=": lambda v, t: v <= t,
             ">": lambda v, t: v > t, ">=": lambda v, t: v >= t}


def check(label, value, op, limit, words):
    """``words[0]`` if ``value op limit`` holds (op one of <, <=, >, >=), else ``words[1]``.
    Prints the ``[claim]`` line and returns the word."""
    if op not in OPERATORS:
        raise ValueError(f"op must be one of {tuple(OPERATORS)}, got {op!r}")
    word = words[0] if OPERATORS[op](value, limit) else words[1]
    return _record("check", label, word, value=value, op=op, limit=limit, words=list(words))
