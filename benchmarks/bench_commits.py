"""The standard step of two versions of this project, timed against each other in one run.

    python -m benchmarks.bench_commits                  # the commit before the engine split vs now
    python -m benchmarks.bench_commits OLD [--new REV]  # any two commits (NEW: the working tree)

Why: a ratio to PyTorch moves with the machine (the same code gave 0.32x on one machine and 0.35x
on another), so "no speed lost" is a claim about two versions of our own code, and only a
comparison in one process, alternating, settles it. Each version is extracted with `git archive`
into a temporary folder and its `make_our_step` imported from it with that tree's `nn`, `gan` and
`rng` behind it (the modules of one are removed from sys.modules before the other is imported;
each step keeps the objects it was built from). A tree where benchmarks/ is a package gives
`benchmarks.bench_step`; an older one, whose benchmark scripts imported each other as top-level
modules, gives benchmarks/bench_step.py as the module `bench_step`. This script's own
`time_alternating` then takes turns between the two versions' steps and PyTorch eager, if
importable (this script's `benchmarks.torch_step`), one BLAS thread each. Before timing, both
versions train 30 steps from seed 0 and the losses they return are compared: "same numbers: yes"
means the two versions compute bitwise the same training.

The default OLD is 662ddb3^, the last commit before the fast engine moved to nn/fast and the
textbook engine took nn/; a clone without that history needs OLD given.
"""

import argparse
import importlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from threadpoolctl import threadpool_limits

from benchmarks.bench_step import standard_config, time_alternating
from benchmarks.torch_step import TorchGAN

ROOT = Path(__file__).resolve().parent.parent
# What a tree's step is imported with: the project's packages and, in older trees, the benchmark
# scripts that bench_step imported as top-level modules.
PROJECT_MODULES = ("nn", "gan", "rng", "benchmarks", "experiments",
                   "bench_step", "bench_rng", "convergence_table")
DTYPES = ("float64", "float32")


def extract(revision, folder):
    """`git archive revision` unpacked into folder (a ValueError naming the revision if git
    does not know it)."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision],
                                 check=True, capture_output=True).stdout
    except subprocess.CalledProcessError as error:
        raise ValueError(f"git does not know the revision {revision!r}: "
                         f"{error.stderr.decode().strip()}") from None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return Path(folder)


def import_version(tree):
    """That tree's bench_step module, with the tree's nn, gan and rng behind it: the tree's root
    goes first on the import path while it is imported (and its benchmarks/ folder too, for a tree
    whose benchmark scripts import each other as top-level modules); the path is restored after."""
    for name in list(sys.modules):
        if name.split(".")[0] in PROJECT_MODULES:
            del sys.modules[name]
    is_package = (tree / "benchmarks" / "__init__.py").exists()
    saved = list(sys.path)
    sys.path[:0] = [str(tree)] if is_package else [str(tree), str(tree / "benchmarks")]
    try:
        return importlib.import_module("benchmarks.bench_step" if is_package else "bench_step")
    finally:
        sys.path[:] = saved


def losses(step, steps=30):
    return [step() for _ in range(steps)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", nargs="?", default="662ddb3^",
                        help="git revision (default 662ddb3^)")
    parser.add_argument("--new", default=None, help="git revision (default: the working tree)")
    parser.add_argument("--rounds", type=int, default=150)
    arguments = parser.parse_args()
    if arguments.rounds < 1:
        parser.error(f"--rounds must be a positive integer, got {arguments.rounds}")
    with tempfile.TemporaryDirectory() as scratch:
        try:
            trees = {"old": extract(arguments.old, os.path.join(scratch, "old")),
                     "new": (ROOT if arguments.new is None
                             else extract(arguments.new, os.path.join(scratch, "new")))}
        except ValueError as error:
            parser.error(str(error))
        names = {"old": arguments.old, "new": arguments.new or "working tree"}
        steps, same, torch_steps = {}, {}, {}
        with threadpool_limits(1, "blas"):
            for label, tree in trees.items():
                bench_step = import_version(tree)
                for dtype in DTYPES:
                    steps[f"{label} {dtype}"] = bench_step.make_our_step(dtype)
            for dtype in DTYPES:
                same[dtype] = (losses(steps[f"old {dtype}"]) == losses(steps[f"new {dtype}"]))
            try:
                import torch
            except ImportError:
                torch = None
            else:
                torch.set_num_threads(1)
                for dtype in DTYPES:
                    torch_steps[f"torch {dtype}"] = TorchGAN(torch, standard_config(dtype)).step
            medians = time_alternating({**steps, **torch_steps}, arguments.rounds)
    print(f"Standard step, one thread, {arguments.rounds} alternating rounds; "
          f"old = {names['old']}, new = {names['new']}; load average "
          f"{' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(f"{'':<10}{'old us':>10}{'new us':>10}{'new/old':>10}"
          f"{'torch us':>10}{'old/torch':>11}{'new/torch':>11}  same numbers")
    for dtype in DTYPES:
        old, new = medians[f"old {dtype}"][0], medians[f"new {dtype}"][0]
        line = f"{dtype:<10}{old * 1e6:>10.1f}{new * 1e6:>10.1f}{new / old:>10.3f}"
        if torch_steps:
            torch_time = medians[f"torch {dtype}"][0]
            line += f"{torch_time * 1e6:>10.1f}{old / torch_time:>11.3f}{new / torch_time:>11.3f}"
        else:
            line += f"{'-':>10}{'-':>11}{'-':>11}"
        print(line + f"  {'yes' if same[dtype] else 'no'}")
    if not torch_steps:
        print("torch: not importable, its columns left out")


if __name__ == "__main__":
    main()
