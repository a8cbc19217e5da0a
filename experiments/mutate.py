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
killed / (mutants that are not equivalent); the survivors are listed with their line so each
can be judged: a survivor is a gap in the tests or an equivalent mutant (one that computes the
same answers).

    python -m experiments.mutate --sample 150 --seed 0            # a reproducible sample
    python -m experiments.mutate --modules gan/theory.py --list   # the mutants, not run
    python -m experiments.mutate --modules rng/lcg.py --workers 2
    python -m experiments.mutate --only gan/theory.py#17 rng/lcg.py#212   # single mutants

Each mutant has an id, ``path#N``: its place in the module's list of mutants (``--list``
prints them), stable while the module's source does not change. Mutants judged equivalent
(they compute the same answers, so no test can kill them) are listed in EQUIVALENT with the
reason; they are not run (``--run-equivalent`` runs them too), and the summary reports the
score over the non-equivalent ones: "killed X of Y non-equivalent".

Nothing here runs in the test suite: a full run takes from minutes (a sample) to hours.
"""

from __future__ import annotations

import argparse
import ast
import copy
import dataclasses
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
    "nn/optim.py": ["test_nn_textbook.py", "test_nn_textbook_mutants.py", "test_nn_optim.py",
                    "test_nn_parity.py"],
    "gan/objectives.py": ["test_gan_objectives.py", "test_gan_game_steps.py"],
    "gan/game.py": ["test_gan_game_steps.py", "test_gan_game_hooks.py", "test_gan_engine.py",
                    "test_gan_game_mutants.py"],
    "gan/theory.py": ["test_gan_theory.py", "test_gan_theory_mutants.py"],
    "gan/pushforward.py": ["test_gan_pushforward.py", "test_gan_theory_mutants.py"],
    "gan/train.py": ["test_gan_train.py", "test_gan_train_mutants.py"],
}

# Mutants that compute the same answers as the module, so no test can kill them: (path, line,
# column, replacement) as `Mutant.key` gives them (the column in UTF-8 bytes, from 0), and why.
# Judged by reading the code; a listed mutant that a test kills when run with
# --run-equivalent was misjudged (or the module changed under the list) and is reported.
EQUIVALENT = {
    ("rng/lcg.py", 24, 55, "(-2)"): "(-2)**64 = 2**64: an even power",
    ("rng/lcg.py", 30, 13, "(-2)"): "(-2)**64 = 2**64: an even power",
    ("rng/lcg.py", 81, 22, "(1)"):
        "m & (m - 1) is never 1 (m and m - 1 differ in bit 0), so every m takes "
        "np.remainder, which equals the mask for m a power of two: same numbers, slower",
    ("rng/lcg.py", 179, 59, "(2)"):
        "reshape(-2): numpy takes any negative size as the one unknown dimension, as -1",
    ("rng/lcg.py", 183, 60, "(0)"):
        "tables of 1 << bit_length(max j) >= max j entries instead of the smallest power of "
        "two >= max j: A_j, C_j do not depend on the table's size, only more are computed",
    ("rng/lcg.py", 290, 11, "(0)"):
        "m > 0 adds the leftover factor 1 to _prime_factors, whose only caller (full_period) "
        "tests (a - 1) % p == 0, always true for p = 1",
    ("gan/pushforward.py", 58, 82, "(-2)"):
        "n_z - n_z // -2 + 1 quantile points instead of n_z - n_z // 2 + 1: a finer z grid, "
        "the same p_g up to a smaller discretisation error (nothing promises the cell count)",
    ("gan/pushforward.py", 58, 82, "(3)"):
        "n_z - n_z // 3 + 1 quantile points instead of n_z - n_z // 2 + 1: a finer z grid, "
        "the same p_g up to a smaller discretisation error (nothing promises the cell count)",
    ("gan/theory.py", 62, 47, "(points <= high)"):
        "a break point at the upper limit itself: quad accepts it and integrates the same",
    ("gan/theory.py", 109, 12, "np.logaddexp(log_q, log_p)"): "logaddexp is symmetric",
    ("gan/theory.py", 134, 41, "(1.0)"):
        "where p > 0 fails, p = 0 (densities are >= 0), and 0 * 1.0 = 0 * 0.0",
    ("gan/theory.py", 180, 41, "np.logaddexp(output, 0.0)"): "logaddexp is symmetric",
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

    number: int = -1

    @property
    def id(self) -> str:
        """path#N: the mutant's place in mutants_of(path)."""
        return f"{self.path}#{self.number}"

    @property
    def key(self) -> tuple:
        """(path, line, column, replacement): what an EQUIVALENT entry names."""
        return (self.path, self.line, self.start[1], self.replacement)

    def describe(self) -> str:
        return (f"{self.id} {self.path}:{self.line}:{self.start[1]} [{self.kind}] "
                f"{self.original} -> {self.replacement}")


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
    return [dataclasses.replace(mutant, number=number)
            for number, mutant in enumerate(unique.values())]


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
    """The score per module, over the non-equivalent mutants, and the survivors. A listed
    equivalent mutant that was run (--run-equivalent) and survived counts as equivalent."""
    outcomes = {m: "equivalent" if o == "survived" and m.key in EQUIVALENT else o
                for m, o in outcomes.items()}
    print(f"\n{'module':22s} {'mutants':>7s} {'equiv.':>6s} {'killed':>7s} {'timed out':>9s} "
          f"{'survived':>8s} {'score':>6s}")
    totals = [0, 0, 0, 0, 0]
    for module in MODULE_TESTS:
        results = [o for m, o in outcomes.items() if m.path == module]
        if not results:
            continue
        row = [len(results), results.count("equivalent"), results.count("killed"),
               results.count("timed out"), results.count("survived")]
        totals = [t + r for t, r in zip(totals, row)]
        print(f"{module:22s} {row[0]:7d} {row[1]:6d} {row[2]:7d} {row[3]:9d} {row[4]:8d} "
              f"{_score(row)}")
    if totals[0]:
        print(f"{'all':22s} {totals[0]:7d} {totals[1]:6d} {totals[2]:7d} {totals[3]:9d} "
              f"{totals[4]:8d} {_score(totals)}")
        killed, relevant = totals[2] + totals[3], totals[0] - totals[1]
        print(f"\nkilled {killed} of {relevant} non-equivalent mutants "
              f"({_score(totals).strip()}; timed out counts as killed); "
              f"{totals[1]} equivalent (listed in EQUIVALENT)")
    misjudged = [m for m, o in outcomes.items() if m.key in EQUIVALENT and o != "equivalent"]
    if misjudged:
        print("\nlisted in EQUIVALENT but killed (misjudged, or the module changed):")
        for mutant in sorted(misjudged, key=lambda m: (m.path, m.start)):
            print("  " + mutant.describe())
    survivors = [m for m, o in outcomes.items() if o == "survived"]
    if survivors:
        print("\nsurvivors (a gap in the tests, or an equivalent mutant to list in EQUIVALENT):")
        for mutant in sorted(survivors, key=lambda m: (m.path, m.start)):
            print("  " + mutant.describe())


def _score(row):
    """(killed + timed out) / (mutants - equivalent), as a percentage."""
    relevant = row[0] - row[1]
    return f"{(row[2] + row[3]) / relevant:6.1%}" if relevant else "     -"


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
    parser.add_argument("--only", nargs="+", default=None, metavar="ID",
                        help="run only these mutants, by id path#N (as --list prints them)")
    parser.add_argument("--run-equivalent", action="store_true",
                        help="also run the mutants listed in EQUIVALENT (to check the list)")
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    arguments = parser.parse_args(argv)
    if arguments.sample is not None and arguments.sample < 1:
        parser.error(f"--sample must be a positive integer, got {arguments.sample}")
    if arguments.workers < 1:
        parser.error(f"--workers must be a positive integer, got {arguments.workers}")

    if arguments.only is not None:
        arguments.modules = list(dict.fromkeys(_module_of_id(parser, i) for i in arguments.only))
    mutants = [mutant for module in arguments.modules for mutant in mutants_of(module)]
    stale = sorted(set(key for key in EQUIVALENT if key[0] in arguments.modules)
                   - {mutant.key for mutant in mutants})
    if stale:
        print("EQUIVALENT entries that name no mutant (the module changed?):", stale)
    if arguments.only is not None:
        by_id = {mutant.id: mutant for mutant in mutants}
        unknown = [i for i in arguments.only if i not in by_id]
        if unknown:
            parser.error(f"--only got ids that name no mutant: {unknown} (see --list)")
        mutants = [by_id[i] for i in dict.fromkeys(arguments.only)]
    counts = {module: sum(m.path == module for m in mutants) for module in arguments.modules}
    print(f"{len(mutants)} mutants: " + ", ".join(f"{m} {n}" for m, n in counts.items()))
    if arguments.sample is not None and arguments.only is not None:
        parser.error("--sample and --only exclude each other")
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
    known = [] if arguments.run_equivalent else [m for m in mutants if m.key in EQUIVALENT]
    outcomes = run_mutants([m for m in mutants if m not in known], arguments.workers,
                           timeout_for) if len(known) < len(mutants) else {}
    outcomes.update({mutant: "equivalent" for mutant in known})
    report(outcomes)


def _module_of_id(parser, mutant_id):
    """The module of an id path#N, checked against MODULE_TESTS."""
    path, hash_sign, number = mutant_id.rpartition("#")
    if not hash_sign or path not in MODULE_TESTS or not number.isdigit():
        parser.error(f"--only takes ids path#N with path one of {list(MODULE_TESTS)}, "
                     f"got {mutant_id!r}")
    return path


if __name__ == "__main__":
    main()
