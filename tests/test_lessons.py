"""Every lesson runs in its --fast mode, writes the figures it promises, and prints no claim its
numbers deny.

A lesson promises its figures in a module-level tuple ``FIGURES`` of file names; the test
reads it from the source (without importing the lesson), runs the script as a learner
would, ``python lessons/NN_topic.py --fast``, and checks that each promised file exists
and is not empty. The timeout only guards against a hang; lesson run times are printed by
``python -m benchmarks.time_lessons``, not asserted here.

Lessons choose their comparative words with ``_lesson.compare`` and ``_lesson.check``, which
print a ``[claim]`` line holding the numbers, the rule's settings and the word. The same run's
output is read back here and every word is derived again from its numbers by this file's own
copy of the rules (`expected_word`), not by the lesson's code; the word must also appear in the
text the lesson printed around it. Lessons that make comparisons must print at least the
claims listed in `REQUIRED_CLAIMS`, so a sentence cannot escape the check by dropping its
record.
"""

import ast
import json
import math
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


# Lessons whose comparisons the issue-16 review found contradicted by their numbers: each must
# keep recording these claims (a prefix of the label is enough).
REQUIRED_CLAIMS = {
    "06_algorithm1": ("06 raw iteration", "06 D at step 0", "06 leftover"),
    "07_saturating_loss": ("07 final JSD",),
    "08_failure_modes": ("08 second-half distance", "08 second-half mean JSD", "08 one mode"),
    "09_instance_noise": ("09 first gradient",),
    "10_wgan": ("10 quantile formula", "10 estimate / K", "10 1D WGAN JSD"),
    "14_conditional_gan": ("14 marginal JSD", "14 every class mean"),
    "15_infogan": ("15 codes name all modes", "15 mean JSD"),
    "18_dcgan": ("18 late L_D", "18 Frechet, uniform 100 vs normal 64", "18 rarest class",
                 "18 walks' largest step share"),
    "19_variant_comparison": ("19 smallest attainable Fisher p",),
}


def expected_word(claim):
    """The word the claim's own numbers call for, by the rules stated in lessons/_lesson.py."""
    words = claim["words"]
    if claim["kind"] == "compare":
        a, b, tolerance = claim["a"], claim["b"], claim["tolerance"]
        if abs(a - b) <= tolerance * max(abs(a), abs(b)):
            return words[1]
        return words[0] if a < b else words[2]
    if claim["kind"] == "check":
        value, limit = claim["value"], claim["limit"]
        holds = {"<": value < limit, "<=": value <= limit, ">": value > limit,
                 ">=": value >= limit}[claim["op"]]
        return words[0] if holds else words[1]
    raise AssertionError(f"unknown claim kind {claim['kind']!r}")


def claim_problems(stdout):
    """Every [claim] whose word its numbers deny, or whose word the lesson never printed."""
    problems, claims = [], []
    prose = "\n".join(line for line in stdout.splitlines() if "[claim]" not in line)
    prose = " ".join(prose.split())                    # say() wraps lines; compare unwrapped
    for line in stdout.splitlines():
        if "[claim]" not in line:
            continue
        claim = json.loads(line.split("[claim]", 1)[1])
        claims.append(claim)
        numbers = [claim.get(key) for key in ("a", "b", "value", "limit")]
        if any(isinstance(x, float) and math.isnan(x) for x in numbers):
            problems.append(f"{claim['label']}: a NaN cannot support a claim")
            continue
        expected = expected_word(claim)
        if claim["word"] != expected:
            problems.append(f"{claim['label']}: printed {claim['word']!r}, its numbers say "
                            f"{expected!r} ({claim})")
        elif " ".join(claim["word"].split()) not in prose:
            problems.append(f"{claim['label']}: the word {claim['word']!r} is never printed")
    return problems, claims


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
    problems, claims = claim_problems(completed.stdout)
    assert not problems, f"{lesson.name}: " + "; ".join(problems)
    labels = [claim["label"] for claim in claims]
    missing = [prefix for prefix in REQUIRED_CLAIMS.get(lesson.stem, ())
               if not any(label.startswith(prefix) for label in labels)]
    assert not missing, f"{lesson.name} no longer records the claims {missing}"


def test_a_planted_contradiction_is_caught():
    """A claim line whose word its numbers deny, and one whose word the text never uses, are
    both reported; an honest one is not."""
    honest = ('  [claim] {"kind": "compare", "label": "x", "word": "larger than", "a": 2.0, '
              '"b": 1.0, "tolerance": 0.1, "words": ["smaller than", "as large as", '
              '"larger than"]}\nthe noise gradient is larger than the plain one\n')
    assert claim_problems(honest)[0] == []
    denied = honest.replace('"a": 2.0', '"a": 0.5')
    assert "its numbers say 'smaller than'" in claim_problems(denied)[0][0]
    unprinted = honest.replace("is larger than", "is bigger than")
    assert "never printed" in claim_problems(unprinted)[0][0]
