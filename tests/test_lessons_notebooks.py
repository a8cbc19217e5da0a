"""Every lesson converts to a notebook; a representative few also execute, in --fast, in a kernel.

`lessons/build_notebooks.py` turns each `# %%` script into an .ipynb with jupytext. Converting
all of them is cheap and checked for every lesson (the cells must keep the script's code, the
setup cell first). Executing a notebook starts a kernel and runs the lesson again, which the
suite's time budget allows for a few only: 02 (markdown cells, pure NumPy), 03 (the network by
hand on the textbook engine) and 09 (a training run of a variant, its figures and animation; 06,
the player's lesson, costs twice as much and runs as a script in tests/test_lessons.py). Each
must run without an error and print its exercises, as the script does (tests/test_lessons.py runs
every script).
"""

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


def test_every_lesson_converts_with_its_code_and_the_setup_cell_first(tmp_path):
    paths = build_notebooks.build(tmp_path)
    assert [p.stem for p in paths] == [s.stem for s in build_notebooks.lessons()]
    import nbformat

    for path, script in zip(paths, build_notebooks.lessons()):
        book = nbformat.read(path, as_version=4)
        assert "sys.argv" in book.cells[0].source
        code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
        assert "start(__file__, __doc__" in code, path.name
        assert all(not c.get("outputs") for c in book.cells if c.cell_type == "code")
        # every line of the script's code cells is somewhere in the notebook
        assert "lesson.finish()" in code, path.name
        assert any(c.cell_type == "markdown" for c in book.cells) or "# %% [markdown]" not in \
            script.read_text(), path.name


@pytest.mark.parametrize("name", EXECUTED)
def test_notebook_executes_in_fast_mode(name, tmp_path, monkeypatch):
    import nbformat

    (path,) = build_notebooks.build(tmp_path, only=[LESSONS_DIR / f"{name}.py"])
    monkeypatch.setenv("LESSON_ARGS", f"--fast --out {tmp_path / 'out'}")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(LESSONS_DIR.parent), os.environ.get("PYTHONPATH", "")]))
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(book, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    printed = "".join(output.get("text", "") for cell in book.cells
                      for output in cell.get("outputs", []))
    assert "Exercises" in printed
    assert any(p.suffix == ".png" for p in (tmp_path / "out").iterdir())
