"""Build every lesson as a Jupyter notebook: python lessons/build_notebooks.py [--lang zh] [--out DIR]

Each lesson is a `# %%` percent-format script; jupytext reads its cells (markdown cells from
`# %% [markdown]`) and writes `lessons/notebooks/NN_topic.ipynb` without outputs (the folder is
ignored by git). The lesson's opening docstring becomes the first cell, in markdown, its first
line the title; the script prints it instead. A setup cell after it does what running the script
does for free: it puts lessons/ on sys.path (for `_lesson`), sets `__file__` and `__doc__` (a
kernel has neither), and passes the lesson's flags from the environment variable LESSON_ARGS
(e.g. LESSON_ARGS="--fast" for small sizes; unset: the default run). Run in a kernel, each
`lesson.save` shows its figure below the cell.

With ``--lang zh`` the notebooks are Chinese (``lessons/notebooks/zh/``): the opening and every
markdown cell are their twins from the lesson's catalogue (lessons/locale/zh/, see
lessons/translations.py) and the setup cell passes ``--lang zh``, so the printed text and the
figures are Chinese too. The code cells are the same in both. An English notebook prints
Chinese as well when the kernel's environment sets LESSON_LANG=zh (its markdown stays English).

To open them: VS Code needs nothing more (open an .ipynb, pick this environment's Python; the
kernel, ipykernel, is in requirements.txt). Jupyter Lab is one extra command,
`pip install jupyterlab`, then `jupyter lab lessons/notebooks`; requirements.txt leaves it out
because the tests execute notebooks without a front end (nbclient) and Jupyter Lab would add
some 40 packages to every CI install.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import jupytext
from nbformat.v4 import new_code_cell, new_markdown_cell

LESSONS_DIR = Path(__file__).resolve().parent
SETUP = '''# Setup added by lessons/build_notebooks.py: what running the script provides for free.
import os
import sys

sys.path.insert(0, {lessons!r})
__file__ = {script!r}
__doc__ = {doc!r}
sys.argv = [__file__] + os.environ.get("LESSON_ARGS", "").split(){lang}'''


def lessons():
    """The numbered lesson scripts, in order."""
    return sorted(LESSONS_DIR.glob("[0-9][0-9]_*.py"))


def opening_markdown(doc):
    """The lesson's docstring as markdown: its first line a level-1 heading (the title), the rest
    as written. Lines indented four spaces stay code blocks (the equations); elsewhere the
    characters markdown would read as syntax are escaped -- a `*` outside backticks (D*, f*), a
    line that would open a list, quote or heading ("1) and ...") -- so the text reads as it does
    in the script."""
    title, *rest = doc.strip().splitlines()
    lines = ["# " + _escape(title)]
    for line in rest:
        lines.append(line if line.startswith("    ") else _escape(line))
    return "\n".join(lines)


def _escape(line):
    parts = line.split("`")
    parts[::2] = [part.replace("*", r"\*") for part in parts[::2]]   # outside `code` spans
    line = "`".join(parts)
    return re.sub(r"^(\s*)(\d+)([.)])(\s)", r"\1\2\\\3\4",
                  re.sub(r"^(\s*)([#>+-])", r"\1\\\2", line))


def _drop_docstring(cell):
    """The first code cell's source without the module docstring jupytext leaves at its top."""
    body = ast.parse(cell.source).body
    if not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        return cell.source
    return "\n".join(cell.source.splitlines()[body[0].end_lineno:]).strip("\n")


def notebook(script, lang="en"):
    """The lesson as a notebook object: the opening docstring as a markdown cell, then the
    setup cell, then the script's cells; in ``lang``'s words (the markdown cells translated,
    the setup passing ``--lang``)."""
    script = Path(script).resolve()
    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")), clean=True)
    book = jupytext.read(script, fmt="py:percent")
    twin = _translator(script, lang)
    for cell in book.cells:
        if cell.cell_type == "markdown":
            cell.source = twin(cell.source)
    first = next(i for i, cell in enumerate(book.cells) if cell.cell_type == "code")
    book.cells[first].source = _drop_docstring(book.cells[first])
    if not book.cells[first].source:
        del book.cells[first]
    setup = SETUP.format(lessons=str(script.parent), script=str(script), doc=doc or "",
                         lang="" if lang == "en" else f' + ["--lang", "{lang}"]')
    opening = twin(doc.strip()) if doc else script.stem
    book.cells[0:0] = [new_markdown_cell(opening_markdown(opening)), new_code_cell(setup)]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    return book


def _translator(script, lang):
    """text -> its twin in ``lang`` from the lesson's catalogue (English: itself). A text with
    no twin is an error here, not an English cell in a Chinese notebook."""
    if lang == "en":
        return lambda text: text
    from translations import key, load

    table = load(script.stem, lang)

    def twin(text):
        found = table.get(key(text))
        if found is None:
            raise SystemExit(f"{script.name}: no {lang} twin for {text[:60]!r}: run python "
                             f"lessons/translations.py status {script.stem[:2]}")
        return found

    return twin


def build(out=None, only=None, lang="en"):
    """Write one .ipynb per lesson (or per lesson in ``only``) under ``out`` (default
    lessons/notebooks/, lessons/notebooks/zh/ for Chinese); returns the paths."""
    out = Path(out) if out is not None else (
        LESSONS_DIR / "notebooks" if lang == "en" else LESSONS_DIR / "notebooks" / lang)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for script in (lessons() if only is None else [Path(s) for s in only]):
        path = out / (script.stem + ".ipynb")
        jupytext.write(notebook(script, lang), path, fmt="ipynb")
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="folder (default: lessons/notebooks, lessons/notebooks/zh for zh)")
    parser.add_argument("--lang", choices=("en", "zh"), default="en",
                        help="the notebooks' language (default: en)")
    args = parser.parse_args()
    paths = build(args.out, lang=args.lang)
    for path in paths:
        print(path)
    folder = paths[0].parent if paths else args.out
    print(f"Open them in VS Code, or: pip install jupyterlab; jupyter lab {folder}")


if __name__ == "__main__":
    main()
