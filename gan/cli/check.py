"""``python -m gan check [PART ...] [--json FILE]``: the course's autograder (`gan.course`).

Grades the rng, nn and gan importable from the working directory (the student's copy, run from
its root) part by part against the theory, prints the score table and, with --json, writes
Gradescope's results.json. Without a PART it grades the textbook code's parts; the lessons'
exercises (exercises/lessonNN.py) are graded when named, ``ex05``, or all as ``exercises``.
Exit code 0 when every part graded passes, 1 otherwise, 2 for a user error (an unknown part, a
results file that cannot be written).
"""

from __future__ import annotations

import sys

from gan.course.parts import EXERCISE_PARTS, PARTS, select


def add_parser(commands, help):
    """The ``check`` subcommand, on the subparsers of ``python -m gan``."""
    check = commands.add_parser(
        "check",
        help=help,
        description="Grade the textbook code part by part against the theory (finite "
        "differences, closed forms, the papers' equations, scipy, statistical tests) and print "
        "a score table. Parts: " + ", ".join(PARTS) + ". The lessons' exercises "
        "(exercises/lessonNN.py), graded only when named: " + ", ".join(EXERCISE_PARTS) + ".",
    )
    check.add_argument("parts", nargs="*", metavar="PART",
                       help="parts to grade, in any order, or 'exercises' for every exercise "
                       "part (default: the textbook code's parts, in the course's order)")
    check.add_argument("--json", metavar="FILE", default=None,
                       help="also write Gradescope's results.json to FILE")
    check.add_argument("--verbose", action="store_true",
                       help="print every property of every part, not only the table")
    return check


def run(args):
    """Grade, print the table, write --json; 0 if every part passes, 1 if not, 2 on misuse."""
    from gan.course import gradescope
    from gan.course.grading import run_parts, score_table

    try:
        parts = select(args.parts)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    results = run_parts(parts)
    if args.verbose:
        for result in results:
            print(result.report())
        print()
    print(score_table(results))
    if args.json is not None:
        try:
            gradescope.write(results, args.json)
        except OSError as error:
            print(f"error: cannot write --json {args.json}: {error}", file=sys.stderr)
            return 2
    return 0 if all(result.passed for result in results) else 1
