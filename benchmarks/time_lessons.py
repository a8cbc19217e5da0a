"""Print how long each lesson takes, in its default and its --fast mode.

    python -m benchmarks.time_lessons            # both modes
    python -m benchmarks.time_lessons --fast     # only --fast (what the tests run)

A timing that prints a table, so it lives with the benchmarks: lessons/README.md's run-time
column is one run of it.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("[0-9][0-9]_*.py"))


def seconds(lesson, *flags):
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(lesson), *flags, "--out", out], capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
    return elapsed if done.returncode == 0 else float("nan")


def main():
    fast_only = "--fast" in sys.argv[1:]
    print(f"{'lesson':32s} {'--fast (s)':>11s} {'default (s)':>12s}")
    for lesson in LESSONS:
        fast = seconds(lesson, "--fast")
        full = float("nan") if fast_only else seconds(lesson)
        print(f"{lesson.stem:32s} {fast:11.1f} {full:12.1f}")


if __name__ == "__main__":
    main()
