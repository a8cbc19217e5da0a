"""gan in English or Simplified Chinese: the command line (``python -m gan --lang zh train
--help``) and the text the library draws on its figures.

The language is ``--lang en|zh`` wherever it stands on the command line, else the locale: the
first of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set (gettext's order); one that starts
with ``zh`` asks for Chinese. English is the source and the default.

The Chinese twins are in ``gan/locale/zh/gan.po``, a gettext catalogue (msgid the English,
msgstr the Chinese), read with Babel only when Chinese is asked for. It holds three kinds of
text:

- every help and description the parser shows (`parser_texts` walks the built parser, so a new
  flag's help is found without a list to keep);
- argparse's own words that a user meets (`ARGPARSE_MESSAGES`: "usage: ", "invalid choice: ..."):
  argparse looks each up through the name ``_`` it imported from gettext, so `install` points
  that name at the catalogue, the hook gettext offers a program;
- the text gan draws on figures (gan/plots, the digit grids), through `figure_text`: Chinese
  when the figures may be (a Chinese font is installed, `install(lang, figures=True)`), else
  English, never boxes for missing glyphs; the lessons in Chinese and ``python -m gan --lang zh
  train`` draw them so;
- the errors of `gan.cli.arguments` that a mistyped flag meets (their templates, `_`), and
  the shapes of the library's own errors that a command line meets most, GANConfig's range
  checks ("k must be a positive integer, got 0 (allowed: 1 to 1e9)"), which `translate_error`
  reads apart and puts together again in the catalogue's words (the library speaks English).

Keeping the catalogue in step is `gan.cli.catalogue`'s job (``python -m gan.cli.catalogue
update|status``); the tests hold it complete.
"""

from __future__ import annotations

import argparse
import gettext
import io
import os
import re
from pathlib import Path

LANGUAGES = ("en", "zh")
CATALOGUE = Path(__file__).resolve().parent / "locale" / "zh" / "gan.po"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

# argparse's messages a user of ``python -m gan`` can meet (the others are errors in a
# program's own parser, for its author), as argparse writes them (Python 3.11).
ARGPARSE_MESSAGES = (
    "usage: ", "positional arguments", "options", "show this help message and exit",
    "argument %(argument_name)s: %(message)s", "%(prog)s: error: %(message)s\n",
    "unrecognized arguments: %s", "the following arguments are required: %s",
    "one of the arguments %s is required", "not allowed with argument %s",
    "ignored explicit argument %r", "expected one argument", "expected at most one argument",
    "expected at least one argument",
    "ambiguous option: %(option)s could match %(matches)s",
    "invalid %(type)s value: %(value)r", "invalid choice: %(value)r (choose from %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)",
    "can't open '%(filename)s': %(error)s",
)

_active = gettext.NullTranslations()          # English: every text is itself
_figures = {"chinese": False}                 # whether figure text follows the language
# Fonts with the Chinese glyphs, in the order tried; Debian's fonts-wqy-microhei (.ci/run
# installs it) gives the first.
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC")


def _(text):
    """``text`` in the command line's language (itself in English)."""
    return _active.gettext(text)


def N_(text):
    """Mark ``text`` for the catalogue where it is written; `_` translates it where it is used."""
    return text


# The shapes of GANConfig's errors (gan/config.py: _integer, _real, _choice), and the words
# that fill their "must be ..." part.
ERROR_SHAPES = (
    (re.compile(r"^(?P<name>[a-z_0-9]+) must be (?P<kind>an? (?:[a-z-]+ )?integer(?: >= -?\d+)?)"
                r"(?P<note> \(.*\))?, got (?P<value>.+) \(allowed: (?P<low>\S+) to "
                r"(?P<high>.+)\)$"),
     N_("{name} must be {kind}{note}, got {value} (allowed: {low} to {high})")),
    (re.compile(r"^(?P<name>[a-z_0-9]+) must be (?P<kind>.+?), got (?P<value>.+)$"),
     N_("{name} must be {kind}, got {value}")),
)
ERROR_KINDS = (N_("a positive integer"), N_("a non-negative integer"),
               N_("a positive finite number"), N_("a number in [0, 1)"), N_("in [0, 1)"),
               N_("two numbers in [0, 1)"))
ERROR_NOTES = (N_("(0 = no snapshots)"),)
KIND_SHAPES = ((re.compile(r"^an integer >= (?P<low>-?\d+)$"), N_("an integer >= {low}")),
               (re.compile(r"^one of (?P<choices>\(.*\))$"), N_("one of {choices}")))


def translate_error(message):
    """``message`` in the active language when it has one of the library's shapes (whose
    parts are all known), else unchanged: a message is never lost to its translation."""
    message = str(message)
    if type(_active) is gettext.NullTranslations:
        return message
    try:
        return _translate_shape(message)
    except (KeyError, IndexError, ValueError):
        return message


def _translate_shape(message):
    for shape, template in ERROR_SHAPES:
        match = shape.match(message)
        if match is None:
            continue
        parts = match.groupdict(default="")
        note = parts.get("note", "").strip()
        if note in ERROR_NOTES:
            parts["note"] = _(note)                  # its twin brings its own spacing
        kind = parts["kind"]
        if kind in ERROR_KINDS:
            parts["kind"] = _(kind)
        else:
            found = [(pattern.match(kind), words) for pattern, words in KIND_SHAPES]
            found = [(m, words) for m, words in found if m is not None]
            if not found:
                return message
            parts["kind"] = _(found[0][1]).format(**found[0][0].groupdict())
        return _(template).format(**parts)
    return message


def requested(argv, environ=None):
    """(language, argv without its ``--lang``): ``--lang X`` or ``--lang=X`` anywhere in argv,
    else the locale's. An unknown language is an error naming the value and the choices."""
    environ = os.environ if environ is None else environ
    rest, lang = [], None
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--lang" and index + 1 < len(argv):
            lang, index = argv[index + 1], index + 2
            continue
        if arg.startswith("--lang="):
            lang, index = arg.split("=", 1)[1], index + 1
            continue
        rest.append(arg)
        index += 1
    if lang is None:
        locale = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
        lang = "zh" if locale.lower().startswith("zh") else "en"
    if lang not in LANGUAGES:
        raise ValueError(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang, rest


def translations(lang):
    """The gettext translations of ``lang``: the catalogue's, stale (fuzzy) twins left out."""
    if lang == "en":
        return gettext.NullTranslations()
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:
        raise ValueError("--lang zh needs Babel to read its catalogue: pip install babel "
                         "(or pip install .[zh])") from None

    with open(CATALOGUE, "rb") as file:
        catalogue = read_po(file)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def install(lang, figures=False):
    """Speak ``lang`` from here on: this module's `_`, argparse's own messages and, when
    ``figures`` (a Chinese font is in use), the text gan draws on figures."""
    global _active
    _active = translations(lang)
    argparse._ = _active.gettext
    argparse.ngettext = _active.ngettext
    _figures["chinese"] = bool(figures) and lang != "en"


def figure_text(text):
    """Text gan draws on a figure: in the active language when figures follow it, else
    English."""
    return _(text) if _figures["chinese"] else text


def chinese_font():
    """The name of the first installed font of CJK_FONTS, or None. Matplotlib caches its list
    of fonts; one installed after that cache was made is found by its file and added."""
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    if not installed.intersection(CJK_FONTS):
        for path in font_manager.findSystemFonts():
            if re.search(r"wqy|cjk|sourcehan|notosanssc|simhei|yahei|msyh|pingfang|heiti",
                         Path(path).name.lower()):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue                       # a font file matplotlib cannot read
        installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def use_chinese_font(font):
    """Draw figure text in ``font``, its digits and Latin letters included, with DejaVu Sans
    (matplotlib's own) behind it for any glyph it lacks. Text with $math$ in it is laid out by
    mathtext, which takes its plain words from the first font alone, hence ``font`` first; the
    math itself stays in mathtext's DejaVu fonts."""
    import matplotlib

    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = [font, "DejaVu Sans"] + [
        name for name in matplotlib.rcParams["font.sans-serif"]
        if name not in ("DejaVu Sans", font)]


def chinese_figures():
    """Set matplotlib up for Chinese figure text if a Chinese font is installed; True if so."""
    font = chinese_font()
    if font is not None:
        use_chinese_font(font)
    return font is not None


def all_actions(parser):
    """Every action of ``parser`` and of its subparsers, depth first."""
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from all_actions(sub)


def parser_texts(parser):
    """Every help and description ``parser`` and its subparsers show, in order, each once."""
    texts = []

    def add(text):
        if text and text is not argparse.SUPPRESS and text not in texts:
            texts.append(text)

    add(parser.description)
    for action in all_actions(parser):
        add(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                add(choice.help)
            for sub in action.choices.values():
                add(sub.description)
    return texts


def translate_parser(parser):
    """Put the active language's twin in place of each help and description of ``parser``."""
    if type(_active) is gettext.NullTranslations:         # English: nothing to put in place
        return parser
    parser.description = _(parser.description) if parser.description else parser.description
    for action in all_actions(parser):
        if action.help and action.help is not argparse.SUPPRESS:
            action.help = _(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = _(choice.help) if choice.help else choice.help
            for sub in action.choices.values():
                sub.description = _(sub.description) if sub.description else sub.description
    return parser
