"""Every lesson runs in its --fast mode and writes the figures it promises.

A lesson promises its figures in a module-level tuple ``FIGURES`` of file names; the test
reads it from the source (without importing the lesson), runs the script as a learner
would, ``python lessons/NN_topic.py --fast``, and checks that each promised file exists
and is not empty. The timeout only guards against a hang; lesson run times are printed by
``benchmarks/time_lessons.py``, not asserted here.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("[0-9][0-9]_*.py"))


def promised_figures(path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "FIGURES" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    return None


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_fast_and_writes_its_figures(lesson, tmp_path):
    figures = promised_figures(lesson)
    assert figures, f"{lesson.name} must promise its figures in a FIGURES tuple"
    env = dict(os.environ, MPLBACKEND="Agg")
    completed = subprocess.run(
        [sys.executable, str(lesson), "--fast", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=lesson.parent.parent,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Exercise" in completed.stdout, f"{lesson.name} must end with exercises"
    for name in figures:
        path = tmp_path / name
        assert path.is_file() and path.stat().st_size > 0, f"{lesson.name} did not write {name}"
