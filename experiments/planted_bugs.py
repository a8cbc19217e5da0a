"""What the autograder prints for a planted bug, one per part: python -m experiments.planted_bugs

The bugs are the ones the tests plant (the PLANTED lists of tests/test_gan_course_check.py and
tests/test_gan_course_exercises.py: a wrong modulus, a dropped bias correction, a sign, a sum
for a mean, D* inverted, ...). Each is put in place, its part is graded as `python -m gan
check` grades it, and the table shows the score and the first property that failed, as the
autograder words it. Run from the repository's root (the exercise parts import exercises/).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def planted_rows():
    """(part, bug's name, score, max score, the first failing property's message) per part."""
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]
    from gan.course.grading import run_part
    from gan.course.parts import EXERCISE_PARTS, PARTS

    check = importlib.import_module("test_gan_course_check")
    exercises = importlib.import_module("test_gan_course_exercises")
    cases = [(PARTS[part], owner, attribute, bug)
             for part, owner, attribute, bug, _message in check.PLANTED]
    cases += [(EXERCISE_PARTS[part], exercises.MODULES[part], function, bug)
              for part, function, bug, _name, _message in exercises.PLANTED]
    rows = []
    for part, owner, attribute, bug in cases:
        original = getattr(owner, attribute)
        setattr(owner, attribute, bug)
        try:
            result = run_part(part)
        finally:
            setattr(owner, attribute, original)
        first = next((text for prop in result.properties if not prop.passed
                      for text in prop.messages), "(every property held: the bug was missed)")
        rows.append((part.name, bug.__name__, result.score, result.max_score, first))
    return rows


def main():
    print("| part | planted bug | score | what the autograder printed first |")
    print("|---|---|---|---|")
    for name, bug, score, max_score, first in planted_rows():
        print(f"| {name} | {bug} | {score:g}/{max_score:g} | {first.replace('|', chr(92) + '|')} |")


if __name__ == "__main__":
    main()
