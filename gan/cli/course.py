"""``python -m gan course student OUT``: write the student edition of the course to OUT.

The student edition (`gan.course.edition`) is a copy of the project in which each part of the
textbook code marked ``# BEGIN SOLUTION`` / ``# END SOLUTION`` is replaced by
``raise NotImplementedError("<its hint>")``, and the instructor's solution files are left out.
Registered in `gan.cli` by `add_parser`; `run` returns 0, or 2 with one line when OUT cannot
receive it.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]     # the folder holding rng/, nn/, gan/


def add_parser(commands, help):
    """The ``course`` subcommand, on the subparsers of ``python -m gan``."""
    course = commands.add_parser(
        "course", help=help,
        description="Editions of the course for an instructor to hand out.")
    editions = course.add_subparsers(dest="edition", required=True)
    student = editions.add_parser(
        "student", help="write the student edition: the marked solutions replaced by hints",
        description="Copy the project to OUT with each marked solution replaced by "
        "raise NotImplementedError(\"<hint>\") and the instructor's solution files left out.")
    student.add_argument("out", type=Path, metavar="OUT",
                         help="a new or empty folder, outside the project")
    student.add_argument("--source", type=Path, default=PROJECT_ROOT,
                         help="the project to copy (default: this checkout, %(default)s)")
    return course


def run(args):
    """Write the edition; the exit code (2, one line, for an OUT or source that will not do)."""
    from gan.course.edition import write_student_edition   # MarkerError is a ValueError

    if not (args.source / "gan").is_dir():
        print(f"error: --source must be the folder holding the gan package, got {args.source}",
              file=sys.stderr)
        return 2
    try:
        edition = write_student_edition(args.source, args.out)
    except (ValueError, OSError) as error:
        kind = "" if isinstance(error, ValueError) else "cannot write: "
        print(f"error: {kind}{error}", file=sys.stderr)
        return 2
    blanks = sum(edition.blanked.values())
    print(f"wrote the student edition to {edition.out}: {edition.files} files, {blanks} "
          f"solutions replaced by hints in {len(edition.blanked)} files, "
          f"{len(edition.left_out)} instructor files left out")
    return 0
