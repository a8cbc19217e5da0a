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

Lessons speak English or Chinese from one source (``--lang zh``, or LESSON_LANG=zh for a
notebook). The English text stands in the lesson; its Chinese twin is in the lesson's message
catalogue, ``lessons/locale/zh/<lesson name>.po`` (gettext's format, read with Babel; kept up
to date by ``python lessons/translations.py update``). Every text a learner reads goes through
one of a few doors: `say` (a paragraph; its numbers are named fields, ``{C:.4f}``, filled from
keyword arguments in either language), `show` (a line printed as it is), `phrase` (a part of a
sentence for a field), ``_`` (any other text) and ``_fig`` (text on a figure: English when no
Chinese font is installed). The numbers are computed once and put in the same fields of both
texts; the claims file records the English words, so it is the same file, byte for byte, in
both languages. With LESSON_TEXTS=1 every text is also written in both languages, from the same
values, to ``texts.jsonl``, which the tests hold to the same numbers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import matplotlib

OUT_ROOT = Path(__file__).resolve().parent / "out"
CLAIMS_FILE = "claims.jsonl"
FIGURE_FORMATS = ("png", "svg", "pdf")      # gan.plots.FIGURE_FORMATS, without loading gan.plots
LANGUAGES = ("en", "zh")                    # English (the source) and Simplified Chinese
LANGUAGE_VARIABLE = "LESSON_LANG"           # the language when no --lang is given (notebooks)
TEXTS_VARIABLE = "LESSON_TEXTS"             # set to 1: write every text in both languages
TEXTS_FILE = "texts.jsonl"                  # ... here, beside the claims (the tests read it)


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
    lang: str = "en"

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
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=default_language(),
        help=f"the language of the text: en (English) or zh (Simplified Chinese); default: "
             f"${LANGUAGE_VARIABLE} if set, else en"
    )
    if options is not None:
        options(parser)
    args = parser.parse_args(argv)
    if not args.show:
        matplotlib.use("Agg")
    args.out.mkdir(parents=True, exist_ok=True)
    lesson = Lesson(name=name, fast=args.fast, show=args.show, out=args.out, options=args,
                    format=args.format, lang=args.lang)
    lesson.claims.write_text("", encoding="utf-8")
    _running = lesson
    use_language(args.lang, name)
    opening = textwrap.dedent(doc or "").strip()
    if not in_notebook():
        print(_(opening))
        print()
    _write_texts("opening", opening, None)
    return lesson


def default_language():
    """The language LESSON_LANG names, else English; an unknown name is an error, not English."""
    value = os.environ.get(LANGUAGE_VARIABLE, "").strip() or "en"
    if value not in LANGUAGES:
        raise SystemExit(f"{LANGUAGE_VARIABLE}={value!r} is not a lesson language: use one of "
                         f"{', '.join(LANGUAGES)}")
    return value


# The running lesson's language: its catalogue (English text, whitespace collapsed -> its
# twin), whether figure text follows it (a Chinese figure needs a Chinese font), and, when
# LESSON_TEXTS=1, the Chinese catalogue and the file that every text goes to in both languages.
_language = {"lang": "en", "catalogue": {}, "figures": "en", "twins": None, "texts": None}


def use_language(lang, name):
    """Load lesson ``name``'s catalogue for ``lang`` (nothing for English) and, for Chinese, put
    a Chinese font behind matplotlib's own; with none installed, say once that figures keep
    their English text."""
    from translations import load

    catalogue = {}
    figures = lang
    twins = texts = None
    if os.environ.get(TEXTS_VARIABLE) == "1" and _running is not None:
        twins = load(name, "zh")
        texts = _running.out / TEXTS_FILE
        texts.write_text("", encoding="utf-8")
    if lang != "en":
        catalogue = load(name, lang)
        font = chinese_font()
        if font is None:
            figures = "en"
            print("（未找到中文字体：图中文字保持英文。No Chinese font found, so the figures "
                  "keep their English text; on Debian: apt install fonts-wqy-microhei）\n")
        else:
            use_chinese_font(font)
    _language.update(lang=lang, catalogue=catalogue, figures=figures, twins=twins, texts=texts)
    from gan import language                  # the text gan's own plots draw, in the same words

    language.install(lang, figures=figures != "en")


def chinese_font():
    """The first installed Chinese font, or None (`gan.language.chinese_font`)."""
    from gan.language import chinese_font as find

    return find()


def use_chinese_font(font):
    """Chinese figure text in ``font`` (`gan.language.use_chinese_font`)."""
    from gan.language import use_chinese_font as use

    use(font)


def key(text):
    """A message's catalogue key: its words, whitespace collapsed (re-wrapping a paragraph in
    the source keeps its translation)."""
    return " ".join(text.split())


def N_(text):
    """Mark ``text`` for translation where it is written; `_` translates it where it is used."""
    return text


def _(text):
    """``text`` in the lesson's language: itself in English, its twin from the lesson's
    catalogue in Chinese (English where the catalogue lacks it; the tests keep it complete)."""
    return _language["catalogue"].get(key(text), text)


def _fig(text):
    """Text on a figure: as `_`, but English when no Chinese font is installed (a figure never
    shows boxes for missing glyphs); a `Word` a claim chose gives its English then too."""
    if isinstance(text, Word):
        return str(text) if _language["figures"] != "en" else text.english
    return _(text) if _language["figures"] != "en" else text


def say(text, **numbers):
    """Print a paragraph of explanation in the lesson's language, wrapped: ``text`` is the
    English, its ``{name:spec}`` fields filled from ``numbers`` (the same fields, so the same
    digits, in the Chinese twin); literal braces are doubled, ``{{`` and ``}}``."""
    print(wrap(_(text).format(**numbers)))
    print()
    _write_texts("say", text, numbers)


def show(text, **numbers):
    """Print a line (a heading, a table's row) in the lesson's language as it is, not wrapped;
    fields as in `say`."""
    print(_(text).format(**numbers))
    _write_texts("show", text, numbers)


class Word(str):
    """A word `compare` or `check` chose, in the lesson's language, carrying its English and
    its Chinese so that a text written in both languages (LESSON_TEXTS=1) puts each language's
    word in its place."""

    def __new__(cls, shown, english, chinese):
        word = super().__new__(cls, shown)
        word.english, word.chinese = english, chinese
        return word


def phrase(text, **numbers):
    """A part of a sentence for a field of `say` or `show`: ``text`` in the lesson's language,
    filled from ``numbers`` like say's, and a `Word` that knows its English and Chinese (so a
    claim's word inside it is written in each language's place in texts.jsonl)."""
    twins = _language["twins"] or {}
    english = text.format(**{name: getattr(value, "english", value)
                             for name, value in numbers.items()})
    chinese = twins.get(key(text), text).format(**{name: getattr(value, "chinese", value)
                                                   for name, value in numbers.items()})
    return Word(_(text).format(**numbers), english, chinese)


def _write_texts(kind, text, numbers):
    """With LESSON_TEXTS=1, append ``text`` filled from ``numbers`` in English and in Chinese
    (each `Word` in its language) to the lesson's texts.jsonl: one JSON line per text, so the
    tests can hold each Chinese text to the same numbers as its English, from one run."""
    path = _language["texts"]
    if path is None:
        return
    twins = _language["twins"]
    english, chinese = text, twins.get(key(text), text)
    if numbers is not None:                       # None: a text printed as it is (the opening)
        english = english.format(**{name: getattr(value, "english", value)
                                    for name, value in numbers.items()})
        chinese = chinese.format(**{name: getattr(value, "chinese", value)
                                    for name, value in numbers.items()})
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps({"kind": kind, "en": english, "zh": chinese},
                              ensure_ascii=False) + "\n")


WIDTH = 88
_NO_LINE_START = set("，。、；：！？）」』》〉”’.,;:!?)")
_NO_LINE_END = set("（「『《〈“‘")
_FULL_WIDTH_PUNCTUATION = set("，。、；：！？）」』》〉（「『《〈")


def _line_join(text, match):
    """What a line break of the source becomes: nothing between two Chinese characters or
    beside Chinese (full-width) punctuation, a space elsewhere."""
    before = text[match.start() - 1]
    after = text[match.end()] if match.end() < len(text) else ""
    full_width = _FULL_WIDTH_PUNCTUATION
    if before in full_width or after in full_width:
        return ""
    return "" if after and _columns(before) == 2 and _columns(after) == 2 else " "


def wrap(text, width=WIDTH):
    """``text`` as lines of at most ``width`` columns; a Chinese character takes two columns
    and a line may break between any two of them (no spaces there), never inside a Latin word
    or a number, and never before closing punctuation. A line break of the source between two
    Chinese characters is no space (Chinese puts none between words)."""
    text = re.sub(r"[ \t]*\n\s*", lambda m: _line_join(text, m), text.strip())
    text = key(text)
    if not any(_columns(ch) == 2 for ch in text):
        return textwrap.fill(text, width=width)
    lines, line = [], ""
    for token in re.findall(r" +|[!-~]+|.", text):
        wide = sum(_columns(ch) for ch in line + token)
        if line and wide > width and not token.isspace() and token[0] not in _NO_LINE_START:
            carried = ""
            while line and line[-1] in _NO_LINE_END:       # an opening bracket starts a line
                carried, line = line[-1] + carried, line[:-1]
            lines.append(line.rstrip())
            line = carried
        if line or not token.isspace():
            line += token
    return "\n".join(lines + [line.rstrip()])


def _columns(ch):
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


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


def compare(label, a, b, words=(N_("smaller than"), N_("about the same as"),
                                 N_("larger than")), tolerance=0.0):
    """The word for how ``a`` stands to ``b``: ``words[0]`` if a < b, ``words[2]`` if a > b, and
    ``words[1]`` when |a - b| <= tolerance * max(|a|, |b|) (a relative tolerance; 0 means only
    equal numbers are "about the same"). Records the claim (with the English word) and returns
    the word in the lesson's language."""
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"compare({label!r}) needs finite numbers, got a={a!r}, b={b!r}")
    if abs(a - b) <= tolerance * max(abs(a), abs(b)):
        word = words[1]
    else:
        word = words[0] if a < b else words[2]
    return _word(_record("compare", label, word, a=a, b=b, tolerance=tolerance,
                         words=list(words)))


OPERATORS = {"<": lambda v, t: v < t, "<=": lambda v, t: v <= t,
             ">": lambda v, t: v > t, ">=": lambda v, t: v >= t}


def check(label, value, op, limit, words):
    """``words[0]`` if ``value op limit`` holds (op one of <, <=, >, >=), else ``words[1]``.
    Records the claim (with the English word) and returns the word in the lesson's language."""
    if op not in OPERATORS:
        raise ValueError(f"op must be one of {tuple(OPERATORS)}, got {op!r}")
    word = words[0] if OPERATORS[op](value, limit) else words[1]
    return _word(_record("check", label, word, value=value, op=op, limit=limit,
                         words=list(words)))


def _word(english):
    """The chosen word in the lesson's language, as a `Word` that knows both languages."""
    twins = _language["twins"] or {}
    return Word(_(english), english, twins.get(key(english), english))
