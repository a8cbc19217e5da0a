"""Mutation testing of the textbook code and the theory: do the tests catch a wrong answer?

A mutant is the project with one small change to the mathematics of one module, made on its
syntax tree (Python's ast module):

    + <-> -,  * <-> /  (also in +=, -=, *=, /=)     a sign or an operation swapped
    -x -> x                                          a minus sign dropped
    <  <-> <=,  >  <-> >=,  == <-> !=               a comparison swapped
    c  -> c + 1, 0, -c   (numeric constants)         a constant changed
    a + b -> a  or  b,   a - b -> a                  a term of a sum dropped
    f(x, y) -> f(y, x)                               two neighbouring arguments swapped
                                                     (not a string, not in getattr & co.)

Strings, docstrings and the messages of `raise` statements are left alone. Each mutant is
written into a copy of the project in a temporary folder (the checkout is never edited), the
module's own test files run there with ``pytest -x -q`` under a timeout, and the mutant is
"killed" (a test failed), "survived" (every test passed) or "timed out" (counted as killed:
the change made the tests hang, which a user would notice too). The score per module is
killed / (mutants run); the survivors are listed with their line so each can be judged: a
survivor is a gap in the tests or an equivalent mutant (one that computes the same answers).

    python -m experiments.mutate --sample 150 --seed 0            # a reproducible sample
    python -m experiments.mutate --modules gan/theory.py --list   # the mutants, not run
    python -m experiments.mutate --modules rng/lcg.py --workers 2

Nothing here runs in the test suite: a full run takes from minutes (a sample) to hours.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import Queue

ROOT = Path(__file__).resolve().parent.parent

# The textbook code and the theory, each with the test files that are its own.
MODULE_TESTS = {
    "rng/lcg.py": ["test_rng_lcg.py"],
    "rng/normal.py": ["test_rng_normal.py"],
    "nn/layers.py": ["test_nn_textbook.py", "test_nn_layers.py"],
    "nn/activations.py": ["test_nn_textbook.py", "test_nn_textbook_mutants.py",
                          "test_nn_layers.py"],
    "nn/network.py": ["test_nn_textbook.py", "test_nn_textbook_mutants.py",
                      "test_nn_network.py"],
    "nn/losses.py": ["test_nn_textbook.py", "test_nn_losses.py", "test_nn_parity.py"],
    "nn/optim.py": ["test_nn_textbook.py", "test_nn_optim.py", "test_nn_parity.py"],
    "gan/objectives.py": ["test_gan_objectives.py", "test_gan_game_steps.py"],
    "gan/game.py": ["test_gan_game_steps.py", "test_gan_game_hooks.py", "test_gan_engine.py"],
    "gan/theory.py": ["test_gan_theory.py", "test_gan_theory_mutants.py"],
    "gan/pushforward.py": ["test_gan_pushforward.py", "test_gan_theory_mutants.py"],
    "gan/train.py": ["test_gan_train.py"],
}

SWAPPED_OPERATORS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
SWAPPED_COMPARISONS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                       ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
# Calls whose swapped arguments fail at once whatever the tests (a name and an object).
NOT_MATHEMATICS = {"getattr", "setattr", "hasattr", "isinstance", "issubclass"}
IGNORED_FOLDERS = (".git", "__pycache__", ".hypothesis", ".pytest_cache", "runs", "output",
                   "outputs", "figures", "node_modules")


@dataclass(frozen=True)
class Mutant:
    """One change: in `path`, the source between two (line, column) positions (columns in
    UTF-8 bytes, as ast gives them) becomes `replacement`."""

    path: str
    kind: str
    line: int
    start: tuple
    end: tuple
    original: str
    replacement: str

    def apply(self, source: str) -> str:
        lines = source.encode().splitlines(keepends=True)
        offsets = [0]
        for text in lines:
            offsets.append(offsets[-1] + len(text))
        data = source.encode()
        begin = offsets[self.start[0] - 1] + self.start[1]
        finish = offsets[self.end[0] - 1] + self.end[1]
        return (data[:begin] + self.replacement.encode() + data[finish:]).decode()

    def describe(self) -> str:
        return f"{self.path}:{self.line} [{self.kind}] {self.original} -> {self.replacement}"


# ---------------------------------------------------------------- finding the mutants
def _is_number(node):
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


def _skipped_nodes(tree):
    """Nodes whose insides are not mathematics: docstrings, f-strings, raise statements."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Raise, ast.JoinedStr)):
            skipped.update(id(inner) for inner in ast.walk(node))
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skipped.update(id(inner) for inner in ast.walk(body[0]))
    return skipped


def _with(node, **changes):
    twin = copy.deepcopy(node)
    for name, value in changes.items():
        setattr(twin, name, value)
    return twin


def _expression(node):
    """An expression's text, parenthesised so that it binds as one unit where it lands."""
    return f"({ast.unparse(node)})"


def _changes(node):
    """(kind, replacement text) of every mutant of one node."""
    if isinstance(node, ast.BinOp):
        if type(node.op) in SWAPPED_OPERATORS:
            yield "operator", _expression(_with(node, op=SWAPPED_OPERATORS[type(node.op)]()))
        if isinstance(node.op, ast.Add):
            yield "drop term", _expression(node.left)
            yield "drop term", _expression(node.right)
        if isinstance(node.op, ast.Sub):
            yield "drop term", _expression(node.left)
    elif isinstance(node, ast.AugAssign) and type(node.op) in SWAPPED_OPERATORS:
        yield "operator", ast.unparse(_with(node, op=SWAPPED_OPERATORS[type(node.op)]()))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "sign", _expression(node.operand)
    elif isinstance(node, ast.Compare):
        for index, operator in enumerate(node.ops):
            if type(operator) in SWAPPED_COMPARISONS:
                ops = list(node.ops)
                ops[index] = SWAPPED_COMPARISONS[type(operator)]()
                yield "comparison", _expression(_with(node, ops=ops))
    elif _is_number(node):
        value, seen = node.value, {node.value}
        for new in (value + 1, 0, -value):
            new = type(value)(new)
            if new not in seen:
                seen.add(new)
                yield "constant", f"({new!r})"
    elif isinstance(node, ast.Call) and ast.unparse(node.func) not in NOT_MATHEMATICS:
        positional = node.args
        for index in range(len(positional) - 1):
            first, second = positional[index], positional[index + 1]
            if (any(isinstance(a, ast.Starred) or isinstance(a, ast.Constant)
                    and isinstance(a.value, str) for a in (first, second))
                    or ast.unparse(first) == ast.unparse(second)):
                continue
            args = list(positional)
            args[index], args[index + 1] = second, first
            yield "swap arguments", ast.unparse(_with(node, args=args))


def mutants_of(path):
    """Every mutant of the module at `path` (relative to the project's root), in source order."""
    source = (ROOT / path).read_text()
    tree = ast.parse(source)
    skipped = _skipped_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped or not hasattr(node, "lineno"):
            continue
        # a negative literal -c is one constant, not a sign on c: leave its Constant to USub
        original = ast.get_source_segment(source, node)
        if original is None:
            continue
        for kind, replacement in _changes(node):
            found.append(Mutant(path, kind, node.lineno, (node.lineno, node.col_offset),
                                (node.end_lineno, node.end_col_offset),
                                " ".join(original.split()), replacement))
    unique = {}
    for mutant in sorted(found, key=lambda m: (m.start, m.end, m.kind, m.replacement)):
        text = mutant.apply(source)
        if text != source and text not in unique:
            try:
                ast.parse(text)
            except SyntaxError:
                continue
            unique[text] = mutant
    return list(unique.values())


# ---------------------------------------------------------------- running them
def copy_project(destination):
    shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(*IGNORED_FOLDERS))


def run_tests(folder, test_files, timeout):
    """'passed', 'failed' or 'timed out': pytest -x -q on the test files inside `folder`."""
    environment = dict(os.environ, PYTHONPATH=str(folder), MPLBACKEND="Agg",
                       PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1",
                       OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "-p", "no:randomly", *(f"tests/{name}" for name in test_files)]
    try:
        finished = subprocess.run(command, cwd=folder, env=environment, timeout=timeout,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "timed out"
    return "passed" if finished.returncode == 0 else "failed"


def baseline_times(folders, modules):
    """Each module's tests on the unmutated copy: they must pass; their time sets the timeout."""
    times = {}
    for module in modules:
        started = time.perf_counter()
        outcome = run_tests(folders[0], MODULE_TESTS[module], timeout=1800)
        if outcome != "passed":
            raise SystemExit(f"the tests of {module} do not pass on the unmutated project "
                             f"({outcome}); fix them before mutating")
        times[module] = time.perf_counter() - started
    return times


def run_mutants(mutants, workers, timeout_for):
    """Each mutant in one of `workers` project copies; returns {mutant: outcome}."""
    outcomes = {}
    with tempfile.TemporaryDirectory(prefix="mutate-") as scratch:
        folders = []
        for index in range(workers):
            folder = Path(scratch) / f"copy{index}"
            copy_project(folder)
            folders.append(folder)
        modules = sorted({mutant.path for mutant in mutants})
        times = baseline_times(folders, modules)
        print("baseline:", ", ".join(f"{m} {times[m]:.1f}s" for m in modules), flush=True)
        free = Queue()
        for folder in folders:
            free.put(folder)

        def one(mutant):
            folder = free.get()
            target = folder / mutant.path
            original = target.read_text()
            try:
                target.write_text(mutant.apply(original))
                outcome = run_tests(folder, MODULE_TESTS[mutant.path],
                                    timeout_for(times[mutant.path]))
            finally:
                target.write_text(original)
                free.put(folder)
            outcome = {"passed": "survived", "failed": "killed"}.get(outcome, outcome)
            print(f"  {outcome:9s} {mutant.describe()}", flush=True)
            return mutant, outcome

        with ThreadPoolExecutor(workers) as pool:
            for mutant, outcome in pool.map(one, mutants):
                outcomes[mutant] = outcome
    return outcomes


def report(outcomes):
    """The score per module and the survivors."""
    print(f"\n{'module':22s} {'mutants':>7s} {'killed':>7s} {'timed out':>9s} "
          f"{'survived':>8s} {'score':>6s}")
    totals = [0, 0, 0, 0]
    for module in MODULE_TESTS:
        results = [o for m, o in outcomes.items() if m.path == module]
        if not results:
            continue
        row = [len(results), results.count("killed"), results.count("timed out"),
               results.count("survived")]
        totals = [t + r for t, r in zip(totals, row)]
        print(f"{module:22s} {row[0]:7d} {row[1]:7d} {row[2]:9d} {row[3]:8d} "
              f"{(row[1] + row[2]) / row[0]:6.1%}")
    if totals[0]:
        print(f"{'all':22s} {totals[0]:7d} {totals[1]:7d} {totals[2]:9d} {totals[3]:8d} "
              f"{(totals[1] + totals[2]) / totals[0]:6.1%}")
    survivors = [m for m, o in outcomes.items() if o == "survived"]
    if survivors:
        print("\nsurvivors (a gap in the tests, or an equivalent mutant):")
        for mutant in sorted(survivors, key=lambda m: (m.path, m.line)):
            print("  " + mutant.describe())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", nargs="+", default=list(MODULE_TESTS),
                        choices=list(MODULE_TESTS), metavar="PATH",
                        help="modules to mutate (default: all of " + ", ".join(MODULE_TESTS) + ")")
    parser.add_argument("--sample", type=int, default=None,
                        help="run N mutants drawn at random (default: every mutant)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--workers", type=int, default=1,
                        help="project copies run in parallel (default 1)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per mutant (default: 3 x the module's baseline + 10)")
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    arguments = parser.parse_args(argv)
    if arguments.sample is not None and arguments.sample < 1:
        parser.error(f"--sample must be a positive integer, got {arguments.sample}")
    if arguments.workers < 1:
        parser.error(f"--workers must be a positive integer, got {arguments.workers}")

    mutants = [mutant for module in arguments.modules for mutant in mutants_of(module)]
    counts = {module: sum(m.path == module for m in mutants) for module in arguments.modules}
    print(f"{len(mutants)} mutants: " + ", ".join(f"{m} {n}" for m, n in counts.items()))
    if arguments.sample is not None and arguments.sample < len(mutants):
        mutants = random.Random(arguments.seed).sample(mutants, arguments.sample)
        mutants.sort(key=lambda m: (list(MODULE_TESTS).index(m.path), m.start, m.replacement))
        print(f"sample of {len(mutants)} (seed {arguments.seed})")
    if arguments.list:
        for mutant in mutants:
            print("  " + mutant.describe())
        return
    timeout_for = ((lambda baseline: arguments.timeout) if arguments.timeout is not None
                   else (lambda baseline: 3 * baseline + 10))
    report(run_mutants(mutants, arguments.workers, timeout_for))


if __name__ == "__main__":
    main()
