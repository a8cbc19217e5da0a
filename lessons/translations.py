"""The lessons' Chinese twins: find every text a lesson shows, keep its catalogue in step.

Each lesson's English text stands in the lesson itself; its Simplified Chinese twin lives in
``lessons/locale/zh/<lesson name>.po``, a gettext message catalogue (msgid the English, msgstr
the Chinese), read and written with Babel, the Python ecosystem's catalogue library.
``lessons/locale/zh/_lesson.po`` holds the texts every lesson shares (the default words of
`compare`, the figure fallback's note). A text a lesson shows is one of:

    the opening docstring                       (printed first; a notebook's first cell)
    a markdown cell, ``# %% [markdown]``        (a notebook's headings and notes)
    say("...", name=value)                      (a paragraph; fields filled in both languages)
    show("...", name=value)                     (a line printed as it is: a heading, a row)
    phrase("...", name=value)                   (a part of a sentence, for a field of say)
    _("...") and _fig("...")                    (other text; text on a figure; a variable
                                                 here holds a text marked with N_)
    compare(..., words=(...)), check(..., words=(...))   (the words a claim may print)
    N_("...")                                   (a text marked where it is written)

Every one must be a plain string in the source (an f-string cannot be looked up: name its
numbers as fields instead). Commands:

    python lessons/translations.py status            # missing, stale or mismatched twins
    python lessons/translations.py update [NN ...]   # add new texts, flag changed ones
    python lessons/translations.py fill NN --twins F # set twins from F's TWINS dict

``update`` merges the lesson's texts into its catalogue with Babel: a new text gets an empty
entry, a changed English text keeps its old translation flagged ``fuzzy`` (stale: to review),
and a text the lesson no longer shows is dropped. ``status`` (and the tests) accept a
catalogue only when every text has a translation that is not stale, no obsolete entry is
left, and each twin keeps its English's fields (``{C:.4f}``, so the same digits print) and
every number its English writes.
"""

from __future__ import annotations

import argparse
import ast
import re
import string
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

LESSONS_DIR = Path(__file__).resolve().parent
LOCALE_DIR = LESSONS_DIR / "locale"
SHARED = "_lesson"                    # the catalogue of the texts every lesson shares
TRANSLATED = ("say", "show", "phrase", "_", "_fig", "N_")
WORDS_POSITION = {"compare": 3, "check": 4}     # where `words` stands among the arguments
PASSED_ON = ("_", "_fig")             # may take a variable: its texts are marked with N_


@dataclass(frozen=True)
class Message:
    text: str        # the English, as written (dedented)
    kind: str        # opening, markdown, say, _, _fig, N_, words
    line: int        # where it is in the lesson (1-based)


def key(text):
    """The catalogue key of a text: its words, whitespace collapsed (as `_lesson.key`)."""
    return " ".join(text.split())


def lesson_scripts():
    """The numbered lessons, in order."""
    return sorted(LESSONS_DIR.glob("[0-9][0-9]_*.py"))


def script_for(name):
    """A lesson's script from its name, its number ("05") or the shared ``_lesson``."""
    if name == SHARED:
        return LESSONS_DIR / "_lesson.py"
    found = [path for path in lesson_scripts() if path.stem == name or path.stem[:2] == name]
    if len(found) != 1:
        raise SystemExit(f"no lesson {name!r}: give a number 01-{len(lesson_scripts()):02d}, "
                         f"a lesson's name, or {SHARED}")
    return found[0]


def messages(script):
    """Every text ``script`` shows a learner, in order of appearance, each once."""
    script = Path(script)
    source = script.read_text(encoding="utf-8")
    tree = ast.parse(source)
    found = []
    doc = ast.get_docstring(tree, clean=True)
    if script.stem != SHARED:                 # _lesson.py's own docstring is for developers
        if doc:
            found.append(Message(doc.strip(), "opening", 1))
        found += _markdown_cells(source)
    found += _calls(tree, script, machinery=script.stem == SHARED)
    seen, unique = set(), []
    for message in sorted(found, key=lambda m: m.line):
        if key(message.text) not in seen:
            seen.add(key(message.text))
            unique.append(message)
    return unique


def _markdown_cells(source):
    """The ``# %% [markdown]`` cells, their comment marks removed (as jupytext reads them)."""
    cells, lines = [], source.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("# %% [markdown]"):
            body = []
            for following in lines[number + 1:]:
                if not following.startswith("#") or following.startswith("# %%"):
                    break
                body.append(following[2:] if following.startswith("# ") else following[1:])
            text = "\n".join(body).strip()
            if text:
                cells.append(Message(text, "markdown", number + 2))
    return cells


def _calls(tree, script, machinery=False):
    """The texts of the calls that translate; in ``_lesson`` itself (the ``machinery``) only
    the literal ones (its `_` and `say` pass texts through)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        literal = node.args and isinstance(node.args[0], ast.Constant)
        if not literal and (machinery or name in PASSED_ON):
            continue                   # a text marked where it is written (N_), passed on here
        if name in TRANSLATED and node.args:
            found.append(Message(_literal(node.args[0], script, name), name, node.lineno))
        elif name in WORDS_POSITION:
            words = next((k.value for k in node.keywords if k.arg == "words"), None)
            if words is None and len(node.args) > WORDS_POSITION[name]:
                words = node.args[WORDS_POSITION[name]]
            if words is None:
                continue
            if not isinstance(words, (ast.Tuple, ast.List)):
                raise ValueError(f"{script.name}:{node.lineno}: {name}'s words must be written "
                                 "as a tuple of strings, so their translations can be found")
            found += [Message(_literal(word, script, name), "words", node.lineno)
                      for word in words.elts]
    return found


def _literal(node, script, name):
    """The text of a string literal (adjacent literals joined); an f-string is an error."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return textwrap_dedent(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_":
        return _literal(node.args[0], script, name)
    kind = "an f-string" if isinstance(node, ast.JoinedStr) else "not a plain string"
    raise ValueError(f"{script.name}:{node.lineno}: the text of {name}(...) is {kind}; a "
                     "translated text must be a plain string literal, its numbers named "
                     "fields: say(\"... {C:.4f} ...\", C=C)")


def textwrap_dedent(text):
    import textwrap

    return textwrap.dedent(text).strip()


# -- catalogues ---------------------------------------------------------------------------

LANGUAGE_NAMES = {"zh": "Simplified Chinese"}
# Fixed header fields, so that an update that changes no text writes the same bytes.
HEADER = dict(project="numpy-gan lessons", version="1", copyright_holder="the numpy-gan authors",
              msgid_bugs_address="the project's issue tracker",
              creation_date=__import__("datetime").datetime(2026, 12, 7),
              revision_date=__import__("datetime").datetime(2026, 12, 7),
              last_translator="the numpy-gan authors", language_team="numpy-gan")


def catalogue_path(name, lang="zh"):
    return LOCALE_DIR / lang / f"{name}.po"


def read(name, lang="zh"):
    """Lesson ``name``'s catalogue (a babel Catalog), or None if it has none."""
    from babel.messages.pofile import read_po

    path = catalogue_path(name, lang)
    if not path.is_file():
        return None
    with open(path, "rb") as file:
        return read_po(file, locale="zh_Hans_CN" if lang == "zh" else lang)


def load(name, lang="zh"):
    """The translations a lesson uses at run time: key(English) -> twin, from its catalogue and
    the shared one; a stale (fuzzy) or empty entry is left out, so its English shows."""
    table = {}
    for part in (SHARED, name):
        catalogue = read(part, lang)
        for entry in (catalogue or ()):
            if entry.id and entry.string and not entry.fuzzy and isinstance(entry.id, str):
                table[key(entry.id)] = entry.string
    return table


def update(name, lang="zh"):
    """Merge the lesson's texts into its catalogue (created if need be); returns the path."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    script = script_for(name)
    template = Catalog(locale=None, fuzzy=False, **HEADER)
    for message in messages(script):
        template.add(message.text, locations=[(f"lessons/{script.name}", message.line)],
                     auto_comments=[message.kind])
    catalogue = read(script.stem, lang)
    if catalogue is None:
        catalogue = Catalog(locale="zh_Hans_CN" if lang == "zh" else lang, fuzzy=False,
                            **HEADER)
    catalogue.header_comment = (f"# {LANGUAGE_NAMES[lang]} twins of the texts of "
                                f"lessons/{script.name}.\n# One source: the English stands in "
                                "the lesson; keep this file in step with\n# python "
                                f"lessons/translations.py update {script.stem}")
    # A text re-wrapped in the source keeps its translation: match on collapsed keys first.
    old = {key(entry.id): entry for entry in catalogue if entry.id}
    for message in template:
        if message.id and message.id not in catalogue and key(message.id) in old:
            previous = old[key(message.id)]
            catalogue.add(message.id, previous.string, flags=previous.flags)
            catalogue.delete(previous.id)
    catalogue.update(template, no_fuzzy_matching=False)
    path = catalogue_path(script.stem, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        write_po(file, catalogue, width=96, sort_output=False, include_previous=True,
                 omit_header=False, ignore_obsolete=True)
    return path


# -- checks ---------------------------------------------------------------------------------

# A number: not the tail of a name (x_1, p2) nor of another number; Chinese characters may
# touch it ("第07课").
NUMBER = re.compile(r"(?<![A-Za-z0-9_.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def fields(text):
    """The ``{...}`` groups of a text (format fields and math alike), as a multiset."""
    groups = Counter()
    try:
        for _, name, spec, conversion in string.Formatter().parse(text):
            if name is not None:
                groups[(name, spec, conversion)] += 1
    except ValueError:                   # not a format string (math such as E_{x}): compare
        groups = Counter(re.findall(r"\{[^{}]*\}", text))
    return groups


def numbers(text):
    """The numbers a text writes outside its fields, as a multiset."""
    outside = re.sub(r"\{[^{}]*\}", " ", text)
    return Counter(NUMBER.findall(outside))


def problems(name, lang="zh"):
    """What keeps lesson ``name``'s catalogue from matching its English: one line each (an
    entry judged as the command line's are, `gan.cli.catalogue.twin_problem`)."""
    from gan.cli.catalogue import twin_problem

    script = script_for(name)
    catalogue = read(script.stem, lang)
    if catalogue is None:
        return [f"{catalogue_path(script.stem, lang)} does not exist: run "
                f"python lessons/translations.py update {script.stem}"]
    entries = {key(entry.id): entry for entry in catalogue if entry.id}
    found = []
    for message in messages(script):
        entry = entries.pop(key(message.text), None)
        where = f"{script.name}:{message.line}"
        missing = twin_problem(entry)
        if missing:
            found.append(f"{where}: {missing} for {message.kind} text {message.text[:60]!r}")
        else:
            if fields(entry.string) != fields(message.text):
                found.append(f"{where}: fields differ from the English: "
                             f"{sorted(fields(message.text))} vs {sorted(fields(entry.string))}")
            missing = numbers(message.text) - numbers(entry.string)
            if missing:
                found.append(f"{where}: the twin lacks the English's numbers "
                             f"{sorted(missing.elements())} in {message.text[:60]!r}")
    found += [f"{catalogue_path(script.stem, lang).name}: obsolete entry {text[:60]!r}"
              for text in entries]
    found += [f"{catalogue_path(script.stem, lang).name}: obsolete entry {entry.id[:60]!r}"
              for entry in catalogue.obsolete.values()]
    return found


def fill(name, twins, lang="zh"):
    """Set the twins of lesson ``name``'s texts from ``twins`` (English -> translation; keys
    match as `key` does), clearing their stale flags; returns how many were set. An English
    text the catalogue does not hold is an error (update first)."""
    from babel.messages.pofile import write_po

    script = script_for(name)
    catalogue = read(script.stem, lang)
    if catalogue is None:
        raise SystemExit(f"{catalogue_path(script.stem, lang)} does not exist: update first")
    entries = {key(entry.id): entry for entry in catalogue if entry.id}
    unknown = [english[:60] for english in twins if key(english) not in entries]
    if unknown:
        raise SystemExit(f"{script.stem}: texts not in its catalogue: {unknown}")
    for english, twin in twins.items():
        entry = entries[key(english)]
        entry.string = twin.strip("\n").rstrip()        # a leading indent is the text's own
        entry.flags.discard("fuzzy")
        entry.previous_id = []
    with open(catalogue_path(script.stem, lang), "wb") as file:
        write_po(file, catalogue, width=96, sort_output=False, include_previous=True)
    return len(twins)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("status", "update", "fill"))
    parser.add_argument("--twins", type=Path, help="fill: a Python file defining TWINS = "
                        "{english: chinese}")
    parser.add_argument("lessons", nargs="*", help="numbers or names (default: all and "
                        f"{SHARED})")
    args = parser.parse_args(argv)
    names = args.lessons or [SHARED] + [path.stem for path in lesson_scripts()]
    bad = 0
    if args.command == "fill":
        if args.twins is None or len(args.lessons) != 1:
            parser.error("fill needs one lesson and --twins FILE")
        namespace = {}
        exec(compile(args.twins.read_text(encoding="utf-8"), str(args.twins), "exec"), namespace)
        print(f"{fill(args.lessons[0], namespace['TWINS'])} twins set")
    for name in names:
        if args.command == "update":
            print(update(name))
        found = problems(name)
        bad += bool(found)
        print(f"{script_for(name).stem}: " + ("complete" if not found else
                                              f"{len(found)} problem(s)"))
        for line in found:
            print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
