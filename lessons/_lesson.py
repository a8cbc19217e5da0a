"""What every lesson script shares: its command-line flags, its output folder, its voice.

A lesson calls ``lesson = start(__file__, __doc__)`` first: that parses ``--fast``
(small sizes, used by the tests) and ``--show`` (open figure windows; otherwise figures
are only saved, with matplotlib's headless Agg backend) and ``--format png|svg|pdf`` (the figures'
file format, png unless asked; svg and pdf for slides, the same bytes from the same run), creates
``lessons/out/<lesson name>/`` and prints the lesson's opening text. In a notebook (a Jupyter
kernel, as lessons/build_notebooks.py builds them) the opening text is the first, markdown cell
instead, and `Lesson.save` shows each figure below its cell as well as saving it. A lesson with flags of
its own passes ``options=``, a function that adds them to the parser (e.g.
``gan.digits.add_data_argument`` for ``--data PATH``); their values are in ``lesson.options``,
and ``--help`` lists them with the common ones.

Lessons tell the truth (STYLE.md): a comparative word a lesson prints is chosen from that run's
numbers by `compare` or `check`, which also record the claim -- the numbers, the rule's settings
and the word chosen -- as one JSON line in ``claims.jsonl`` beside the figures (``<out>/``),
never in the text a learner reads. Each line is written whole and flushed as the lesson runs,
and the same run (same flags, same seeds) writes the same file. tests/test_lessons.py reads the
file back and re-derives every word from the numbers with its own copy of the rule, so a
sentence whose word its numbers deny fails the suite.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib

OUT_ROOT = Path(__file__).resolve().parent / "out"
CLAIMS_FILE = "claims.jsonl"
FIGURE_FORMATS = ("png", "svg", "pdf")      # gan.plots.FIGURE_FORMATS, without loading gan.plots


def in_notebook():
    """True inside a Jupyter kernel (a notebook, or VS Code's), False in a script or a terminal.
    A kernel has imported IPython already; a script does not pay for importing it here."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and getattr(ipython.get_ipython(), "kernel", None) is not None


@dataclass
class Lesson:
    name: str
    fast: bool
    show: bool
    out: Path
    options: argparse.Namespace | None = None
    format: str = "png"

    @property
    def claims(self):
        """The file `compare` and `check` append this run's claims to: ``<out>/claims.jsonl``."""
        return self.out / CLAIMS_FILE

    def save(self, figure, filename):
        """Save a figure under the lesson's folder in the --format chosen (``filename``'s suffix
        becomes the format's: ``evolution.png`` is written as ``evolution.svg`` under --format
        svg) and say where; in a notebook, also show it below the cell. Closed afterwards unless
        --show keeps it for `finish`'s windows. Returns nothing, so a cell ending in
        ``lesson.save(...)`` shows the picture, not a path."""
        from gan.plots import save_figure

        path = (self.out / filename).with_suffix("." + self.format)
        save_figure(figure, path, self.format)
        print(f"  [figure] {path}")
        if in_notebook():
            _display_png(figure, path)
        if not self.show or in_notebook():
            import matplotlib.pyplot as plt

            plt.close(figure)

    def pick(self, full, fast):
        """The full-run value, or the small one under --fast."""
        return fast if self.fast else full

    def finish(self):
        """Show the figures if asked."""
        if self.show:
            import matplotlib.pyplot as plt

            plt.show()


def _display_png(figure, path):
    """Show the saved picture in the notebook (the file itself when it is a PNG)."""
    import io

    from IPython.display import Image, display

    if path.suffix.lower() == ".png":
        data = path.read_bytes()
    else:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        data = buffer.getvalue()
    display(Image(data=data, format="png"))


_running = None          # the Lesson whose claims `compare` and `check` record: start() sets it


def start(file, doc, argv=None, options=None):
    """Parse the lesson's flags (the common ones, and those ``options(parser)`` adds), make its
    output folder with an empty claims file, print its opening text (not in a notebook, whose
    first cell shows it)."""
    global _running
    name = Path(file).stem
    parser = argparse.ArgumentParser(
        prog=f"python lessons/{name}.py", description=(doc or "").strip().splitlines()[0]
    )
    parser.add_argument("--fast", action="store_true", help="small sizes, for the tests")
    parser.add_argument("--show", action="store_true", help="open the figures in windows")
    parser.add_argument(
        "--format", choices=FIGURE_FORMATS, default="png",
        help="file format of the figures (svg or pdf for slides; default: %(default)s)"
    )
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
    lesson = Lesson(name=name, fast=args.fast, show=args.show, out=args.out, options=args,
                    format=args.format)
    lesson.claims.write_text("", encoding="utf-8")
    _running = lesson
    if not in_notebook():
        print(textwrap.dedent(doc or "").strip())
        print()
    return lesson


def say(text):
    """Print a paragraph of explanation, dedented and wrapped."""
    print(textwrap.fill(textwrap.dedent(text).strip(), width=88))
    print()


def _record(kind, label, word, **numbers):
    """Append the claim to the running lesson's claims file as one whole JSON line, flushed."""
    if _running is None:
        raise RuntimeError(f"claim {label!r} has no lesson to record it in: call "
                           "start(__file__, __doc__) before compare or check")
    numbers = {key: (float(value) if isinstance(value, (int, float)) or hasattr(value, "dtype")
                     else value) for key, value in numbers.items()}
    line = json.dumps({"kind": kind, "label": label, "word": word, **numbers})
    with open(_running.claims, "a", encoding="utf-8") as claims:
        claims.write(line + "\n")
    return word


def compare(label, a, b, words=("smaller than", "about the same as", "larger than"),
            tolerance=0.0):
    """The word for how ``a`` stands to ``b``: ``words[0]`` if a < b, ``words[2]`` if a > b, and
    ``words[1]`` when |a - b| <= tolerance * max(|a|, |b|) (a relative tolerance; 0 means only
    equal numbers are "about the same"). Records the claim and returns the word."""
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
    Records the claim and returns the word."""
    if op not in OPERATORS:
        raise ValueError(f"op must be one of {tuple(OPERATORS)}, got {op!r}")
    word = words[0] if OPERATORS[op](value, limit) else words[1]
    return _record("check", label, word, value=value, op=op, limit=limit, words=list(words))
