"""Every lesson converts to a notebook that opens with its docstring as markdown; a representative
few also execute, in --fast, in a kernel, and show their figures below the cells.

`lessons/build_notebooks.py` turns each `# %%` script into an .ipynb with jupytext. Converting
all of them is cheap and checked for every lesson: the first cell is markdown whose heading is
the lesson's title (the docstring's first line), not a code cell holding the docstring as a
string; the setup cell comes next, and the cells keep the script's code. Executing a notebook
starts a kernel and runs the lesson again, which the suite's time budget allows for a few only:
02 (markdown cells, pure NumPy, three figures), 03 (the network by hand on the textbook engine,
two figures) and 09 (a training run of a variant and its figure; 06, the player's lesson, costs
twice as much and runs as a script in tests/test_lessons.py). Each must run without an error,
print its exercises, show every PNG it saved as an image/png output with the same bytes as the
file, and leave no path and no machine line in its printed text (the claims go to
claims.jsonl; tests/test_lessons.py checks them for every script).
"""

import ast
import base64
import os
import sys
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("jupytext")

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"
sys.path.insert(0, str(LESSONS_DIR))
import build_notebooks  # noqa: E402

EXECUTED = ("02_uniform_to_normal", "03_neural_network_by_hand", "09_instance_noise")


def title(script):
    """The lesson's title: the first line of its module docstring."""
    return ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))).splitlines()[0]


def test_every_lesson_converts_with_its_title_first_then_the_setup_cell(tmp_path):
    paths = build_notebooks.build(tmp_path)
    assert [p.stem for p in paths] == [s.stem for s in build_notebooks.lessons()]
    import nbformat

    for path, script in zip(paths, build_notebooks.lessons()):
        book = nbformat.read(path, as_version=4)
        first = book.cells[0]
        assert first.cell_type == "markdown", path.name
        # the heading is the title as written, but for markdown's escapes (a \* for a star)
        heading = first.source.splitlines()[0].replace("\\", "")
        assert heading == "# " + title(script), path.name
        assert book.cells[1].cell_type == "code" and "sys.argv" in book.cells[1].source
        code = [c.source for c in book.cells if c.cell_type == "code"]
        assert not any(source.lstrip().startswith('"""') for source in code), \
            f"{path.name}: the docstring is still a code cell"
        assert "start(__file__, __doc__" in "\n".join(code), path.name
        assert all(not c.get("outputs") for c in book.cells if c.cell_type == "code")
        # every line of the script's code cells is somewhere in the notebook
        assert "lesson.finish()" in "\n".join(code), path.name
        assert sum(c.cell_type == "markdown" for c in book.cells) > 1 or "# %% [markdown]" \
            not in script.read_text(), path.name


def test_the_opening_keeps_equations_as_code_and_escapes_what_markdown_would_read():
    text = build_notebooks.opening_markdown(
        "Lesson 99 -- D* and `f*`.\n\nIt follows (Algorithm\n1) here:\n\n    C(G) = V(D*, G)\n")
    assert text.splitlines() == ["# Lesson 99 -- D\\* and `f*`.", "", "It follows (Algorithm",
                                 "1\\) here:", "", "    C(G) = V(D*, G)"]


def execute(script, tmp_path, monkeypatch, lang="en"):
    """Build the lesson's notebook in ``lang`` and run it in a kernel with --fast, its figures
    going to tmp_path/out; returns the executed notebook and that folder."""
    import nbformat

    (path,) = build_notebooks.build(tmp_path, only=[script], lang=lang)
    out = tmp_path / "out"
    monkeypatch.setenv("LESSON_ARGS", f"--fast --out {out}")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(LESSONS_DIR.parent), os.environ.get("PYTHONPATH", "")]))
    book = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(book, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    return book, out


@pytest.mark.parametrize("name", EXECUTED)
def test_notebook_executes_in_fast_mode_and_shows_its_figures(name, tmp_path, monkeypatch):
    script = LESSONS_DIR / f"{name}.py"
    book, out = execute(script, tmp_path, monkeypatch)
    outputs = [output for cell in book.cells for output in cell.get("outputs", [])]
    printed = "".join(output.get("text", "") for output in outputs)
    assert "Exercises" in printed
    assert "[claim]" not in printed and (out / "claims.jsonl").is_file()
    assert title(script) not in printed, "the opening is the markdown cell, not printed again"
    results = [output["data"].get("text/plain", "") for output in outputs
               if output["output_type"] == "execute_result"]
    assert not any("Path(" in result for result in results), results
    shown = sorted(base64.b64decode(output["data"]["image/png"]) for output in outputs
                   if "image/png" in output.get("data", {}))
    saved = sorted(p.read_bytes() for p in out.glob("*.png"))
    assert saved and shown == saved


def test_every_lesson_converts_to_a_chinese_notebook_whose_markdown_is_all_chinese(tmp_path):
    """``build_notebooks.py --lang zh``: the opening and every markdown cell are the lesson's
    Chinese twins (a missing twin stops the build), and the setup cell asks for --lang zh."""
    import re

    import nbformat

    paths = build_notebooks.build(tmp_path, lang="zh")
    assert len(paths) == len(build_notebooks.lessons())
    for path in paths:
        book = nbformat.read(path, as_version=4)
        markdown = [cell.source for cell in book.cells if cell.cell_type == "markdown"]
        english = [text for text in markdown if not re.search(r"[\u4e00-\u9fff]", text)
                   and re.search(r"[A-Za-z]{3,}", text)]       # words, not only "## D -> 1/2"
        assert markdown and not english, f"{path.name}: markdown cells in English: {english}"
        assert '["--lang", "zh"]' in book.cells[1].source


def test_a_chinese_notebook_executes_and_prints_chinese(tmp_path, monkeypatch):
    import re

    book, out = execute(LESSONS_DIR / "05_value_function.py", tmp_path, monkeypatch, lang="zh")
    printed = "".join(output.get("text", "") for cell in book.cells
                      for output in cell.get("outputs", []))
    assert "练习" in printed and "Exercises" not in printed
    assert re.search(r"C\(G\) = V\(D\*, G\) = -0\.5590", printed)
    assert sorted(out.glob("*.png")), "the Chinese notebook saved no figure"
