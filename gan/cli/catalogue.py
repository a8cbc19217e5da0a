"""Keep the command line's Chinese catalogue in step with its English:
``python -m gan.cli.catalogue update`` adds new texts to gan/locale/zh/gan.po (a changed English
text keeps its old twin flagged fuzzy: stale; a removed one is dropped), and ``status`` lists
what is missing, stale or mismatched. The texts are those `gan.language` translates: every
help the built parser shows, argparse's user-facing messages, and the ``_``/``N_`` texts of
gan/cli (found by Babel's extractor).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from gan import language
from gan.cli import build_parser


GAN = Path(language.__file__).resolve().parent


def translated_modules():
    """The modules whose ``_``, ``N_`` and ``_t`` (figure_text) texts the catalogue holds."""
    return (sorted((GAN / "cli").glob("*.py")) + [GAN / "language.py"]
            + sorted((GAN / "plots").glob("*.py"))
            + [GAN / "digits" / name for name in ("grids.py", "data.py", "tables.py")])


def twin_problem(entry):
    """What is wrong with a catalogue entry as the twin of its English, before its content is
    compared: "no twin" (no entry), "stale twin (the English changed)" (fuzzy), "empty twin",
    or None."""
    if entry is None:
        return "no twin"
    if entry.fuzzy:
        return "stale twin (the English changed)"
    return None if entry.string else "empty twin"


def source_texts():
    """Every English text the catalogue must hold: the parser's, argparse's, and the ``_``,
    ``N_`` and figure (``_t``) texts of `translated_modules` (found by Babel's extractor)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    keywords = {**DEFAULT_KEYWORDS, "_t": None}
    texts = language.parser_texts(build_parser())
    texts += [text for text in language.ARGPARSE_MESSAGES if text not in texts]
    for path in translated_modules():
        for _line, message, _comments, _context in extract_from_file("python", path,
                                                                      keywords=keywords):
            if isinstance(message, str) and message not in texts:
                texts.append(message)
    return texts


def problems():
    """What keeps the catalogue from matching the English: one line each."""
    from babel.messages.pofile import read_po

    with open(language.CATALOGUE, "rb") as file:
        catalogue = read_po(file)
    entries = {entry.id: entry for entry in catalogue if entry.id}
    found = []
    for text in source_texts():
        entry = entries.pop(text, None)
        missing = twin_problem(entry)
        if missing:
            found.append(f"{missing} for {text[:70]!r}")
        elif _placeholders(entry.string) != _placeholders(text):
            found.append(f"placeholders differ for {text[:70]!r}: {_placeholders(text)} vs "
                         f"{_placeholders(entry.string)}")
    found += [f"obsolete entry {text[:70]!r}" for text in entries]
    found += [f"obsolete entry {entry.id[:70]!r}" for entry in catalogue.obsolete.values()]
    return found


def _placeholders(text):
    """The %-style and {}-style placeholders of a text, sorted."""
    return sorted(re.findall(r"%\([a-z_]+\)[rsd]|%[rsd]|\{[a-z_]*(?:![rs])?(?::[^{}]*)?\}",
                             text))


def update():
    """Merge the current English texts into the catalogue (Babel: new entries empty, changed
    ones fuzzy, removed ones obsolete)."""
    import datetime

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    header = dict(project="numpy-gan command line", version="1",
                  copyright_holder="the numpy-gan authors",
                  msgid_bugs_address="the project's issue tracker",
                  creation_date=datetime.datetime(2026, 12, 7),
                  revision_date=datetime.datetime(2026, 12, 7),
                  last_translator="the numpy-gan authors", language_team="numpy-gan")
    template = Catalog(locale=None, fuzzy=False, **header)
    for text in source_texts():
        template.add(text, flags=("python-format",) if "%" in text else ())
    if language.CATALOGUE.is_file():
        with open(language.CATALOGUE, "rb") as file:
            catalogue = read_po(file)
    else:
        catalogue = Catalog(locale="zh_Hans_CN", fuzzy=False, **header)
    catalogue.header_comment = ("# Simplified Chinese twins of the command line's texts "
                                "(python -m gan --lang zh).\n# Keep in step with: "
                                "python -m gan.cli.catalogue update")
    catalogue.update(template)
    language.CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
    with open(language.CATALOGUE, "wb") as file:
        write_po(file, catalogue, width=96, sort_output=False, include_previous=True,
                 ignore_obsolete=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("status", "update"))
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
        print(language.CATALOGUE)
    found = problems()
    print("complete" if not found else "\n".join(found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
