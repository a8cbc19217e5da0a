"""The instructor's worked solutions (lessons/solutions/) against the code, and the lessons'
exercises and figure formats.

A solution states its numbers under the code that computes them: a fenced ``python`` block
followed directly by a fenced ``text`` block is that code and its output. Each such pair is run
here (from the repository's root, in a fresh interpreter) and its output compared with the text,
so a solution cannot drift from the code it describes. A block whose first line is ``# slow``
(training that takes more than about five seconds: the suite's five minutes are shared by
some 2500 tests) runs only when the environment sets SLOW_SOLUTIONS=1. The other
checks: every lesson ends with
its exercises printed in full (not a pointer to markdown a script user never sees), every
solution file belongs to a lesson, the student edition leaves the solutions out, and a lesson's
figures come out as parsable SVG under ``--format svg``.
"""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
SOLUTIONS = LESSONS / "solutions"
LESSON_FILES = sorted(LESSONS.glob("[0-9][0-9]_*.py"))

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def fenced_blocks(text):
    """The fenced blocks of a markdown text, in order: (language, body)."""
    return [(match.group(1), match.group(2)) for match in FENCE.finditer(text)]


def checked_pairs(text):
    """The (code, expected output) pairs: a python block followed directly by a text block."""
    blocks = fenced_blocks(text)
    return [(code, expected) for (language, code), (next_language, expected)
            in zip(blocks, blocks[1:]) if language == "python" and next_language == "text"]


def run_python(code, cwd):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


SOLUTION_FILES = sorted(SOLUTIONS.glob("*.md"))
PAIRS = [pytest.param(code, expected, id=f"{path.stem}-{i}")
         for path in SOLUTION_FILES
         for i, (code, expected) in enumerate(checked_pairs(path.read_text(encoding="utf-8")))]


@pytest.mark.parametrize("code, expected", PAIRS)
def test_a_solutions_code_prints_the_numbers_it_states(code, expected, tmp_path):
    if code.startswith("# slow") and os.environ.get("SLOW_SOLUTIONS") != "1":
        pytest.skip("a slow solution block: set SLOW_SOLUTIONS=1 to run it")
    assert run_python(code, tmp_path).strip() == expected.strip()


def test_the_pairs_are_found_and_a_changed_number_is_caught(tmp_path):
    """The harness itself: a python block and the text below it form a pair, and output that
    differs from the text fails the comparison."""
    text = "a\n```python\nprint(2 + 2)\n```\n\n```text\n4\n```\n```python\nx = 1\n```\n"
    assert checked_pairs(text) == [("print(2 + 2)\n", "4\n")]
    assert run_python("print(2 + 2)", tmp_path).strip() != "5"


def test_every_solution_file_is_named_after_a_lesson_and_answers_each_exercise():
    lessons = {path.stem: path for path in LESSON_FILES}
    assert SOLUTION_FILES, "lessons/solutions/ holds no solutions"
    for path in SOLUTION_FILES:
        assert path.stem in lessons, f"{path.name} names no lesson in lessons/"
        text = path.read_text(encoding="utf-8")
        count = len(exercises_printed(lessons[path.stem]))
        for number in range(1, count + 1):
            assert re.search(rf"^## Exercise {number}\b", text, re.MULTILINE), (
                f"{path.name} has no '## Exercise {number}' section")


def test_every_lesson_has_its_worked_solutions():
    solved = {path.stem for path in SOLUTION_FILES}
    unsolved = [lesson.name for lesson in LESSON_FILES if lesson.stem not in solved]
    assert not unsolved, f"lessons without lessons/solutions/<name>.md: {unsolved}"


def exercises_tail(lesson):
    """The lesson's source from the line of its last "Exercises" heading on."""
    source = lesson.read_text(encoding="utf-8")
    return source[source.rfind("\n", 0, source.rindex("Exercises")) + 1:]


def exercises_printed(lesson):
    """The numbered exercises a lesson prints at its end (after its "Exercises" heading)."""
    tail = exercises_tail(lesson)
    return re.findall(r'^(?:say\(f?"""|)(\d)\. ', tail, re.MULTILINE)


@pytest.mark.parametrize("lesson", LESSON_FILES, ids=lambda path: path.stem)
def test_every_lesson_ends_by_printing_its_exercises_in_full(lesson):
    tail = exercises_tail(lesson)
    assert "see above" not in tail and "Exercise 1:" not in tail
    assert exercises_printed(lesson)[:1] == ["1"], f"{lesson.name} prints no exercise 1"
    assert re.search(r"^say\(", tail, re.MULTILINE), f"{lesson.name}: exercises not printed by say"


def test_the_student_edition_leaves_the_solutions_out(tmp_path):
    from gan.course import edition

    names = [path.relative_to(ROOT).as_posix() for path in SOLUTION_FILES]
    assert names and all(edition.is_instructor_file(name) for name in names)


def run_lesson_01(out, *flags):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(LESSONS / "01_random_numbers.py"), "--fast",
                           *flags, "--out", str(out)], env=environment,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_lesson_under_format_svg_writes_the_same_parsable_svg_every_run(tmp_path):
    printed = run_lesson_01(tmp_path / "a", "--format", "svg")
    run_lesson_01(tmp_path / "b", "--format", "svg")
    svgs = sorted((tmp_path / "a").glob("*.svg"))
    assert [path.name for path in svgs] == ["randu_planes.svg"]
    assert f"[figure] {svgs[0]}" in printed
    assert not list((tmp_path / "a").glob("*.png"))
    for path in svgs:
        assert "<svg" in path.read_text(encoding="utf-8")
        assert ElementTree.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_a_lesson_saves_png_unless_asked(tmp_path):
    run_lesson_01(tmp_path)
    assert [path.name for path in tmp_path.glob("*.png")] == ["randu_planes.png"]
    assert (tmp_path / "randu_planes.png").read_bytes().startswith(b"\x89PNG")
