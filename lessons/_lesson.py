"""What every lesson script shares: its command-line flags, its output folder, its voice.

A lesson calls ``lesson = start(__file__, __doc__)`` first: that parses ``--fast``
(small sizes, used by the tests) and ``--show`` (open figure windows; otherwise figures
are only saved, with matplotlib's headless Agg backend), creates
``lessons/out/<lesson name>/`` and prints the lesson's opening text. A lesson with flags of
its own passes ``options=``, a function that adds them to the parser (e.g.
``gan.digits.add_data_argument`` for ``--data PATH``); their values are in ``lesson.options``,
and ``--help`` lists them with the common ones.
"""

from __future__ import annotations

import argparse
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
