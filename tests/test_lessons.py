"""Every lesson runs in its --fast mode, writes the figures it promises, and makes no claim its
numbers deny.

A lesson promises its figures in a module-level tuple ``FIGURES`` of file names; the test
reads it from the source (without importing the lesson), runs the script as a learner
would, ``python lessons/NN_topic.py --fast``, and checks that each promised file exists
and is not empty. The timeout only guards against a hang; lesson run times are printed by
``python -m benchmarks.time_lessons``, not asserted here.

Lessons choose their comparative words with ``_lesson.compare`` and ``_lesson.check``, which
record each claim -- the numbers, the rule's settings and the word -- as a JSON line in
``claims.jsonl`` beside the figures, not in the printed text. The same run's file is read back
here and every word is derived again from its numbers by this file's own copy of the rules
(`expected_word`), not by the lesson's code; the word must also appear in the text the lesson
printed, and no machine line may. Lessons that make comparisons must record at least the claims
listed in `REQUIRED_CLAIMS`, so a sentence cannot escape the check by dropping its record. A
lesson run twice with the same seeds writes the same claims, byte for byte.

The same run holds the lesson's Chinese to its English: with LESSON_TEXTS=1 the lesson writes
every text it shows in both languages, filled from the same values, to ``texts.jsonl``; each
text's two languages must print the same numbers, each English text must be what the run
printed, and each claim's word must appear in Chinese too (`twin_problems`). One run checks
both languages; tests/test_lessons_zh.py runs a few lessons with ``--lang zh`` to show that a
Chinese run prints exactly those Chinese texts and writes the same claims.
"""

import ast
import json
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("[0-9][0-9]_*.py"))
sys.path.insert(0, str(LESSONS[0].parent))          # translations (lessons/ is not a package)


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


def read_claims(path):
    """The claims a lesson recorded, one JSON object per line of its claims.jsonl."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def claim_problems(claims, stdout):
    """Every claim whose word its numbers deny, or whose word the lesson never printed, and any
    machine line (a ``[claim]``) left in the printed text."""
    problems = [f"a machine line in the text: {line.strip()[:120]}"
                for line in stdout.splitlines() if "[claim]" in line]
    prose = " ".join(stdout.split())                   # say() wraps lines; compare unwrapped
    for claim in claims:
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
    return problems


def run_lesson(lesson, out):
    """``python lessons/NN_topic.py --fast --out OUT``, as a learner runs it, in English, with
    every text also written in both languages to OUT/texts.jsonl (LESSON_TEXTS=1)."""
    env = dict(os.environ, MPLBACKEND="Agg", LESSON_TEXTS="1")
    env.pop("LESSON_LANG", None)
    return subprocess.run(
        [sys.executable, str(lesson), "--fast", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=lesson.parent.parent,
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_fast_and_writes_its_figures(lesson, tmp_path):
    figures = promised_figures(lesson)
    assert figures, f"{lesson.name} must promise its figures in a FIGURES tuple"
    completed = run_lesson(lesson, tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Exercise" in completed.stdout, f"{lesson.name} must end with exercises"
    for name in figures:
        path = tmp_path / name
        assert path.is_file() and path.stat().st_size > 0, f"{lesson.name} did not write {name}"
    claims_file = tmp_path / "claims.jsonl"
    assert claims_file.is_file(), f"{lesson.name} did not write claims.jsonl"
    claims = read_claims(claims_file)
    problems = claim_problems(claims, completed.stdout)
    assert not problems, f"{lesson.name}: " + "; ".join(problems)
    labels = [claim["label"] for claim in claims]
    missing = [prefix for prefix in REQUIRED_CLAIMS.get(lesson.stem, ())
               if not any(label.startswith(prefix) for label in labels)]
    assert not missing, f"{lesson.name} no longer records the claims {missing}"
    problems = twin_problems(read_claims(tmp_path / "texts.jsonl"), claims, completed.stdout,
                             lesson.stem)
    assert not problems, f"{lesson.name}: " + "; ".join(problems[:10])


def twin_problems(texts, claims, stdout, name):
    """What keeps the run's Chinese texts from saying what its English says: a text whose two
    languages print different numbers, an English text the run did not print, a claim's word
    whose Chinese twin no Chinese text uses."""
    from translations import NUMBER, key, load

    problems = [] if texts else ["no text was written to texts.jsonl"]
    printed = "".join(stdout.split())
    for text in texts:
        english, chinese = Counter(NUMBER.findall(text["en"])), Counter(NUMBER.findall(text["zh"]))
        if english != chinese:
            problems.append(f"numbers differ: en {sorted((english - chinese).elements())}, zh "
                            f"{sorted((chinese - english).elements())} in {text['en'][:60]!r}")
        if "".join(text["en"].split()) not in printed:
            problems.append(f"a text the run did not print: {text['en'][:60]!r}")
    twins = load(name, "zh")
    chinese = "".join("".join(text["zh"].split()) for text in texts)
    for claim in claims:
        word = twins.get(key(claim["word"]), claim["word"])
        if "".join(word.split()) not in chinese:
            problems.append(f"{claim['label']}: the Chinese word {word!r} is never written")
    return problems


# Two lessons whose claims rest on seeded trainings (not on timings, as lesson 23's do): run
# twice, each must write the same, non-empty claims file, byte for byte.
REPEATED = ("06_algorithm1", "09_instance_noise")


@pytest.mark.parametrize("name", REPEATED)
def test_the_same_run_writes_the_same_claims(name, tmp_path):
    lesson = next(path for path in LESSONS if path.stem == name)
    files = []
    for run in ("first", "second"):
        completed = run_lesson(lesson, tmp_path / run)
        assert completed.returncode == 0, completed.stderr[-3000:]
        files.append((tmp_path / run / "claims.jsonl").read_bytes())
    assert files[0] == files[1]
    assert files[0].endswith(b"\n") and read_claims(tmp_path / "first" / "claims.jsonl")


def test_a_planted_contradiction_is_caught():
    """A claim whose word its numbers deny, one whose word the text never uses, and a machine
    line left in the text are all reported; an honest claim is not."""
    honest = {"kind": "compare", "label": "x", "word": "larger than", "a": 2.0, "b": 1.0,
              "tolerance": 0.1, "words": ["smaller than", "as large as", "larger than"]}
    text = "the noise gradient is larger than\nthe plain one\n"
    assert claim_problems([honest], text) == []
    denied = dict(honest, a=0.5)
    assert "its numbers say 'smaller than'" in claim_problems([denied], text)[0]
    unprinted = text.replace("is larger than", "is bigger than")
    assert "never printed" in claim_problems([honest], unprinted)[0]
    leaked = text + '  [claim] {"kind": "compare"}\n'
    assert "machine line" in claim_problems([honest], leaked)[0]


def test_a_chinese_text_with_other_numbers_or_without_the_claims_word_is_caught():
    claim = {"label": "05 x", "word": "higher"}
    honest = [{"kind": "say", "en": "V = -16.36: higher", "zh": "V = -16.36：更高"}]
    stdout = "V = -16.36:\nhigher\n"
    assert twin_problems(honest, [claim], stdout, "05_value_function") == []
    other_number = [dict(honest[0], zh="V = -16.4：更高")]
    assert "numbers differ: en ['-16.36'], zh ['-16.4']" in twin_problems(
        other_number, [claim], stdout, "05_value_function")[0]
    english_word = [dict(honest[0], zh="V = -16.36：higher")]
    assert "the Chinese word '更高' is never written" in twin_problems(
        english_word, [claim], stdout, "05_value_function")[0]
    unprinted = twin_problems(honest, [claim], "V = -16.36: lower\n", "05_value_function")
    assert "a text the run did not print" in unprinted[0]
