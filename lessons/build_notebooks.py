"""Build every lesson as a Jupyter notebook: python lessons/build_notebooks.py [--out DIR]

Each lesson is a `# %%` percent-format script; jupytext reads its cells (markdown cells from
`# %% [markdown]`) and writes `lessons/notebooks/NN_topic.ipynb` without outputs (the folder is
ignored by git: build it, then open a notebook in Jupyter, `jupyter lab lessons/notebooks`, or in
VS Code). A first cell, added here, does what running the script does for free: it puts lessons/
on sys.path (for `_lesson`), sets `__file__` and `__doc__` (a kernel has neither), and passes the
lesson's flags from the environment variable LESSON_ARGS (e.g. LESSON_ARGS="--fast" for small
sizes; unset: the default run).
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import jupytext
from nbformat.v4 import new_code_cell

LESSONS_DIR = Path(__file__).resolve().parent
SETUP = '''# Setup added by lessons/build_notebooks.py: what running the script provides for free.
import os
import sys

sys.path.insert(0, {lessons!r})
__file__ = {script!r}
__doc__ = {doc!r}
sys.argv = [__file__] + os.environ.get("LESSON_ARGS", "").split()'''


def lessons():
    """The numbered lesson scripts, in order."""
    return sorted(LESSONS_DIR.glob("[0-9][0-9]_*.py"))


def notebook(script):
    """The lesson as a notebook object, with the setup cell first."""
    script = Path(script).resolve()
    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")), clean=False)
    book = jupytext.read(script, fmt="py:percent")
    setup = SETUP.format(lessons=str(script.parent), script=str(script), doc=doc or "")
    book.cells.insert(0, new_code_cell(setup))
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    return book


def build(out=LESSONS_DIR / "notebooks", only=None):
    """Write one .ipynb per lesson (or per lesson in ``only``) under ``out``; returns the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for script in (lessons() if only is None else [Path(s) for s in only]):
        path = out / (script.stem + ".ipynb")
        jupytext.write(notebook(script), path, fmt="ipynb")
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=LESSONS_DIR / "notebooks")
    args = parser.parse_args()
    for path in build(args.out):
        print(path)


if __name__ == "__main__":
    main()
