"""The course's student edition (gan.course.edition, ``python -m gan course student OUT``).

The full edition carries the solutions between comment markers and runs them unchanged; the
student edition replaces each marked block by ``raise NotImplementedError("<hint>")``. These
tests hold the markers to their form, build the student edition from a clean copy of the project
and check it from outside: it compiles, imports, contains no solution line, differs from the full
edition exactly in the marked functions, raises each hint where it should, and its lessons stop
at the first blank.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from gan.cli import main
from gan.course import edition
from gan.course.edition import MarkerError, find_blocks, is_instructor_file, student_source
from test_gan_course_exercises import EXERCISE_CALLS

ROOT = Path(__file__).resolve().parents[1]
# Built by concatenation, so that no line of this file is itself a marker.
HINT, BEGIN, END = "# " + "HINT:", "# " + "BEGIN SOLUTION", "# " + "END SOLUTION"

# The parts of the course a student writes: (file, function) -> how many blocks it holds.
LISTED_PARTS = {
    ("rng/lcg.py", "LCG.next"): 1,
    ("rng/normal.py", "box_muller"): 1,
    ("nn/layers.py", "Linear.backward"): 1,
    ("nn/activations.py", "ReLU.derivatives"): 1,
    ("nn/activations.py", "LeakyReLU.derivatives"): 1,
    ("nn/activations.py", "Tanh.derivatives"): 1,
    ("nn/activations.py", "Sigmoid.derivatives"): 1,
    ("nn/activations.py", "Softplus.derivatives"): 1,
    ("nn/network.py", "Sequential.backward"): 1,
    ("nn/losses.py", "bce_with_logits"): 1,
    ("nn/optim.py", "Adam.update"): 1,
    ("gan/objectives.py", "log_d"): 1,
    ("gan/objectives.py", "log_one_minus_d"): 1,
    ("gan/objectives.py", "discriminator_loss"): 1,
    ("gan/objectives.py", "generator_loss"): 2,
    ("gan/theory.py", "optimal_discriminator_logit.logit"): 1,
    ("gan/theory.py", "value.integrand"): 1,
    ("gan/theory.py", "c_of_g"): 1,
    ("gan/theory.py", "_jsd_integrand"): 1,
    ("gan/pushforward.py", "pushforward_density"): 1,
    ("gan/train.py", "iteration"): 1,
    ("gan/variants/wgan_gp.py", "gradient_penalty"): 1,
}

# One call per marked block, run in the student edition: (file, function, block index) -> code.
# Each reaches its block without passing through another blank.
SETUP = """
import numpy as np
import rng, nn, gan
import nn.activations, nn.losses, nn.optim
from nn.layers import Linear
from nn.network import Sequential
from gan import objectives, theory
from gan.distributions import Normal
from gan.pushforward import pushforward_density
from gan.train import iteration
from gan.variants.wgan_gp import gradient_penalty
x, l = np.linspace(-1.0, 1.0, 6).reshape(3, 2), np.zeros((4, 1))
p, q = Normal(0.0, 1.0), Normal(1.0, 1.0)
class Game:                      # k D updates and one G update, as numbers
    class config:
        k = 2
    def discriminator_update(self, step, rng):
        return 1.0, -1.0
    def generator_update(self, step, rng):
        return 2.0
def network():
    net = Sequential([Linear(2, 1, init="zeros")])
    net.forward(x)
    return net
"""
CALLS = {
    ("rng/lcg.py", "LCG.next", 0): "rng.LCG(5, 3, 16, 7).next()",
    ("rng/normal.py", "box_muller", 0): "rng.box_muller(np.array([0.5]), np.array([0.25]))",
    ("rng/generator.py", "Generator._uniform", 0): "rng.Generator(1)._uniform(12345)",
    ("nn/layers.py", "Linear.backward", 0):
        "layer = Linear(2, 1, init='zeros'); layer.forward(x); layer.backward(np.ones((3, 1)))",
    ("nn/activations.py", "ReLU.derivatives", 0): "nn.activations.ReLU().derivatives(x)",
    ("nn/activations.py", "LeakyReLU.derivatives", 0): "nn.activations.LeakyReLU().derivatives(x)",
    ("nn/activations.py", "Tanh.derivatives", 0): "nn.activations.Tanh().derivatives(x)",
    ("nn/activations.py", "Sigmoid.derivatives", 0): "nn.activations.Sigmoid().derivatives(x)",
    ("nn/activations.py", "Softplus.derivatives", 0): "nn.activations.Softplus().derivatives(x)",
    ("nn/network.py", "Sequential.backward", 0): "network().backward(np.ones((3, 1)))",
    ("nn/losses.py", "bce_with_logits", 0): "nn.losses.bce_with_logits(l, np.ones((4, 1)))",
    ("nn/optim.py", "Adam.update", 0): "nn.optim.Adam(network()).step()",
    ("gan/objectives.py", "log_d", 0): "objectives.log_d(l)",
    ("gan/objectives.py", "log_one_minus_d", 0): "objectives.log_one_minus_d(l)",
    ("gan/objectives.py", "discriminator_loss", 0): "objectives.discriminator_loss(l, l)",
    ("gan/objectives.py", "generator_loss", 0): "objectives.generator_loss(l, 'minimax')",
    ("gan/objectives.py", "generator_loss", 1): "objectives.generator_loss(l, 'non_saturating')",
    ("gan/theory.py", "optimal_discriminator_logit.logit", 0):
        "theory.optimal_discriminator_logit(p, q)(np.zeros(3))",
    ("gan/theory.py", "value.integrand", 0): "theory.value(lambda x: np.zeros(len(x)), p, q)",
    ("gan/theory.py", "c_of_g", 0): "theory.c_of_g(p, q)",
    ("gan/theory.py", "_jsd_integrand", 0): "theory.jsd(p, q)",
    ("gan/pushforward.py", "pushforward_density", 0):
        "pushforward_density(lambda z: 2 * z + 1, p, np.linspace(-3.0, 3.0, 7))",
    ("gan/train.py", "iteration", 0): "iteration(Game(), 0, None)",
    ("gan/variants/wgan_gp.py", "gradient_penalty", 0): "gradient_penalty(network(), x)",
}
CALLS.update(EXERCISE_CALLS)            # exercises/, in tests/test_gan_course_exercises.py


def string_lines(text):
    """The line numbers inside string literals (where a marker is text, not a marker)."""
    return {number for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            for number in range(node.lineno, node.end_lineno + 1)}


def marker_lines(text):
    """[(line number, line)] of the lines that are markers: outside strings, stripped text
    BEGIN, END or a HINT line."""
    inside_strings = string_lines(text)
    return [(number, line) for number, line in enumerate(text.splitlines(), start=1)
            if number not in inside_strings
            and (line.strip() in (BEGIN, END) or line.strip().startswith(HINT))]


def marked_files(root=ROOT):
    """{relative path: source} of the project's Python files that carry a marker comment."""
    files = {}
    for relative in edition.project_files(root):
        if relative.suffix == ".py":
            text = (root / relative).read_text(encoding="utf-8")
            if marker_lines(text):
                files[relative.as_posix()] = text
    return files


def scan_markers(text):
    """An independent reading of the rules, line by line: [(hint line, begin, end, indent)],
    asserting BEGIN before END at one indentation, a HINT line just before each BEGIN at that
    indentation, and no nesting."""
    blocks, open_at = [], None
    lines = text.splitlines()
    for number, line in marker_lines(text):
        stripped, indent = line.strip(), line[:len(line) - len(line.lstrip())]
        if stripped == BEGIN:
            assert open_at is None, f"line {number}: nested BEGIN"
            above = lines[number - 2]
            assert above.strip().startswith(HINT) and above.startswith(indent) \
                and not above[len(indent)].isspace(), f"line {number}: no HINT line above"
            assert above.strip()[len(HINT):].strip(), f"line {number - 1}: empty hint"
            open_at = (number, indent)
        elif stripped == END:
            assert open_at is not None, f"line {number}: END before BEGIN"
            assert indent == open_at[1], f"line {number}: END indented unlike its BEGIN"
            blocks.append((open_at[0] - 1, open_at[0], number, indent))
            open_at = None
        else:
            assert lines[number].strip() == BEGIN, f"line {number}: a HINT without BEGIN"
    assert open_at is None, f"line {open_at[0]}: BEGIN never closed"
    return blocks


def functions(tree):
    """{qualified name: FunctionDef} of every function and method in a module's AST."""
    found = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found[name] = child
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def innermost_function(tree, line):
    """The qualified name of the innermost function whose lines hold `line`."""
    holding = [(node.lineno, name) for name, node in functions(tree).items()
               if node.lineno <= line <= node.end_lineno]
    return max(holding)[1] if holding else None


def marked_parts(root=ROOT):
    """{(file, function, index of the block in that function): Block} over the project."""
    parts = {}
    for path, text in marked_files(root).items():
        tree = ast.parse(text)
        for block in find_blocks(text, path):
            function = innermost_function(tree, block.begin_line)
            index = sum(1 for key in parts if key[:2] == (path, function))
            parts[(path, function, index)] = block
    return parts


# ---------------------------------------------------------------- the markers in the full edition
def test_every_marker_pair_is_well_formed():
    files = marked_files()
    assert files, "no file carries a marker"
    for path, text in files.items():
        scanned = scan_markers(text)
        blocks = find_blocks(text, path)
        assert [(b.hint_line, b.begin_line, b.end_line, b.indent) for b in blocks] == scanned, path


def test_the_listed_parts_carry_markers():
    counted = {}
    for path, function, _ in marked_parts():
        counted[(path, function)] = counted.get((path, function), 0) + 1
    for part, count in LISTED_PARTS.items():
        assert counted.get(part) == count, f"{part} should hold {count} marked block(s)"
    for path, function in counted:
        assert function is not None, f"{path}: a block outside any function"


def test_every_marked_block_has_a_call_that_reaches_it():
    assert set(CALLS) == set(marked_parts())


@pytest.mark.parametrize("lines, problem", [
    (["def f():", "    " + BEGIN, "    return 1", "    " + END], "must follow"),
    (["def f():", "    " + HINT + " h", "    return 1"], "followed by BEGIN"),
    (["def f():", "    " + HINT + " h", "    " + BEGIN, "    return 1"], "never closed"),
    (["def f():", "    return 1", "    " + END], "without a BEGIN"),
    (["def f():", "    " + HINT + " h", "    " + BEGIN, "    x = 1", "  " + END, "    return x"],
     "indented"),
    (["def f():", "    " + HINT + " h", "    " + BEGIN, "    " + HINT + " i", "    " + BEGIN,
      "    return 1", "    " + END, "    " + END], "do not nest"),
    (["def f():", "    " + HINT + " h", "    " + BEGIN, "    # nothing", "    " + END], "no code"),
    (["def f():", "    " + HINT, "    " + BEGIN, "    return 1", "    " + END], "empty"),
])
def test_malformed_markers_are_refused(lines, problem):
    with pytest.raises(MarkerError, match=problem):
        find_blocks("\n".join(lines) + "\n", "example.py")


def test_a_block_inside_an_expression_is_refused():
    source = "\n".join(["def f(x):", "    return (", "        " + HINT + " h",
                        "        " + BEGIN, "        x + 1", "        " + END, "    )", ""])
    with pytest.raises(MarkerError, match="whole statements"):
        student_source(source, "example.py")


def test_markers_inside_strings_are_text():
    source = "\n".join(["TEXT = '''", BEGIN, END, "'''", ""])
    assert find_blocks(source) == [] and student_source(source) == source


def test_instructor_files_are_recognised():
    assert is_instructor_file("lessons/solutions/01_random_numbers.py")
    assert is_instructor_file("lessons/solutions/figures/plot.png")
    assert is_instructor_file("lessons/06_algorithm1_solutions.py")
    assert is_instructor_file("lessons/exercise_solutions.ipynb")
    assert not is_instructor_file("lessons/06_algorithm1.py")
    assert not is_instructor_file("solutions.md")
    assert not is_instructor_file("gan/solutions_table.py")


def test_project_files_leave_out_caches_and_outputs(tmp_path):
    for relative in ("gan/a.py", "gan/__pycache__/a.pyc", "lessons/out/x/f.png", "runs/r/m.json",
                     ".hypothesis/x", "lessons/b.py", "pkg.egg-info/PKG-INFO"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    assert edition.project_files(tmp_path) == [PurePosixPath("gan/a.py"),
                                               PurePosixPath("lessons/b.py")]


# ---------------------------------------------------------------- the student edition
@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A clean copy of the project (no .git, no caches), with two instructor files added."""
    root = tmp_path_factory.mktemp("full") / "numpy-gan"
    for relative in edition.project_files(ROOT):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, root / relative)
    (root / "lessons/solutions").mkdir(parents=True, exist_ok=True)   # the course has some
    (root / "lessons/solutions/01_random_numbers.py").write_text("ANSWER = 42\n")
    (root / "lessons/01_random_numbers_solutions.py").write_text("ANSWER = 43\n")
    return root


@pytest.fixture(scope="module")
def student(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("editions") / "student"
    assert main(["course", "student", str(out), "--source", str(source)]) == 0
    return out


def run_python(folder, *args, **kwargs):
    environment = dict(os.environ, PYTHONPATH=str(folder), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, *args], cwd=folder, env=environment,
                          capture_output=True, text=True, **kwargs)


def test_the_student_edition_holds_every_file_but_the_instructors(source, student):
    full = {path for path in edition.project_files(source)}
    copied = set(edition.project_files(student))
    assert copied == {path for path in full if not is_instructor_file(path)}
    assert PurePosixPath("lessons/solutions/01_random_numbers.py") not in copied
    assert PurePosixPath("lessons/01_random_numbers_solutions.py") not in copied
    assert not list(student.parent.glob(".student.staging-*"))


def test_the_student_edition_contains_no_solution_line(source, student):
    for path, text in marked_files(source).items():
        student_lines = [line.strip() for line in (student / path).read_text().splitlines()]
        blocks = find_blocks(text, path)
        inside = {number for block in blocks
                  for number in range(block.hint_line, block.end_line + 1)}
        outside = [line.strip() for number, line in enumerate(text.splitlines(), start=1)
                   if number not in inside]
        for block in blocks:
            for line in block.solution:
                code = line.strip()
                if code:   # a line also written outside the blocks may stay, as often as there
                    assert student_lines.count(code) == outside.count(code), (path, code)
        assert not any(line in (BEGIN, END) or line.startswith(HINT) for line in student_lines)


def test_the_student_edition_differs_exactly_in_the_marked_functions(source, student):
    parts = marked_parts(source)
    for path, text in marked_files(source).items():
        full_tree, student_tree = ast.parse(text), ast.parse((student / path).read_text())
        full_functions, student_functions = functions(full_tree), functions(student_tree)
        assert list(full_functions) == list(student_functions), path
        blocks = [block for key, block in parts.items() if key[0] == path]
        holding = {name for name, node in full_functions.items()
                   if any(node.lineno <= block.begin_line <= node.end_lineno for block in blocks)}
        differing = {name for name in full_functions
                     if ast.dump(full_functions[name]) != ast.dump(student_functions[name])}
        assert differing == holding, path
        for (file, name, _), block in parts.items():   # and each block became its hint
            if file == path:
                raises = [node for node in ast.walk(student_functions[name])
                          if isinstance(node, ast.Raise)]
                assert any(ast.unparse(node.exc) == f"NotImplementedError({block.hint!r})"
                           for node in raises), (path, name)
        for node in (*functions(full_tree).values(), *functions(student_tree).values()):
            node.body = [ast.Pass()]          # outside the functions, the two are one module
        assert ast.dump(full_tree) == ast.dump(student_tree), path


def test_the_student_edition_imports(student):
    result = run_python(student, "-c", "import rng, nn, gan; print(rng.__file__)")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve().is_relative_to(student.resolve())


def test_every_marked_part_raises_its_hint_in_the_student_edition(student):
    script = SETUP + "\nimport json\nanswers = {}\n"
    for index, (key, call) in enumerate(CALLS.items()):
        script += (f"try:\n    {call}\n    answers[{index}] = 'returned'\n"
                   f"except Exception as error:\n"
                   f"    answers[{index}] = type(error).__name__ + ': ' + str(error)\n")
    script += "print(json.dumps(answers))\n"
    result = run_python(student, "-c", script)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    parts = marked_parts()
    for index, key in enumerate(CALLS):
        assert answers[str(index)] == f"NotImplementedError: {parts[key].hint}", key


def test_the_full_edition_runs_the_same_calls(source):
    """The calls above reach real code in the full edition: none raises there."""
    script = SETUP + "".join(f"\n{call}" for call in CALLS.values()) + "\nprint('done')\n"
    result = run_python(source, "-c", script)
    assert result.returncode == 0 and "done" in result.stdout, result.stderr


def test_lesson_01_stops_at_the_lcg(student):
    """Lesson 01 runs by hand and with `LCG.raw` (the jump-ahead, not a blank), then reaches
    the textbook Generator, whose every uniform is one `LCG.next`: the first blank."""
    result = run_python(student, "lessons/01_random_numbers.py", "--fast", timeout=600)
    assert result.returncode != 0
    hint = marked_parts()[("rng/lcg.py", "LCG.next", 0)].hint
    assert result.stderr.strip().splitlines()[-1] == f"NotImplementedError: {hint}"
    assert "By hand with a = 5" in result.stdout          # the cells before it ran


def test_filling_in_a_blank_moves_the_lesson_to_the_next(source, student, tmp_path):
    """A student who has written the LCG and the uniform gets lesson 02 as far as Box-Muller."""
    copy = tmp_path / "student"
    shutil.copytree(student, copy)
    for path in ("rng/lcg.py", "rng/generator.py"):
        shutil.copy2(source / path, copy / path)
    result = run_python(copy, "lessons/02_uniform_to_normal.py", "--fast", timeout=600)
    assert result.returncode != 0
    hint = marked_parts()[("rng/normal.py", "box_muller", 0)].hint
    assert result.stderr.strip().splitlines()[-1] == f"NotImplementedError: {hint}"


# ---------------------------------------------------------------- the command
def test_the_command_refuses_an_out_that_is_not_empty(source, tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["course", "student", str(out), "--source", str(source)]) == 2
    assert "must be a new or empty folder" in capsys.readouterr().err
    assert [path.name for path in out.iterdir()] == ["notes.txt"]
    assert [path.name for path in tmp_path.iterdir()] == ["taken"]


def test_the_command_accepts_an_empty_out(source, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert main(["course", "student", str(out), "--source", str(source)]) == 0
    assert (out / "rng/lcg.py").is_file()


def test_the_command_refuses_an_out_inside_the_source(source, capsys):
    assert main(["course", "student", str(source / "student"), "--source", str(source)]) == 2
    assert "outside the source tree" in capsys.readouterr().err
    assert not (source / "student").exists()


def test_a_failed_build_leaves_nothing_behind(source, tmp_path, monkeypatch):
    def broken(text, path):
        raise MarkerError(f"{path}: broken on purpose")

    monkeypatch.setattr(edition, "student_source", broken)
    out = tmp_path / "student"
    with pytest.raises(MarkerError, match="on purpose"):
        edition.write_student_edition(source, out)
    assert list(tmp_path.iterdir()) == []
