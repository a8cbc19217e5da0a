"""The lessons' exercises as functions (exercises/lessonNN.py) and their autograder parts
(gan.course.parts_exercises, ``python -m gan check exercises``): the full edition passes every
exercise part; a bug planted in each (the student's function monkeypatched: a sign, a factor 2,
an off-by-one) is caught and named by the right property, with the numbers; a blank reports
"not implemented"; the parts are graded only when named; and the student edition blanks
exercises/ so that its exercise parts all say "not implemented" with their hints.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from exercises import lesson01, lesson02, lesson03, lesson04, lesson05, lesson07, lesson24, \
    lesson25
from gan.cli import main
from gan.course import edition, run_part, run_parts
from gan.course.parts import EXERCISE_PARTS, PARTS, select

ROOT = Path(__file__).resolve().parents[1]
MODULES = {"ex01": lesson01, "ex02": lesson02, "ex03": lesson03, "ex04": lesson04,
           "ex05": lesson05, "ex07": lesson07, "ex24": lesson24, "ex25": lesson25}

# One call per marked block of exercises/, for tests/test_gan_course_edition.py (which holds
# every marked block of the project to a call that reaches it); run in its SETUP's namespace.
EXERCISE_CALLS = {
    ("exercises/lesson01.py", "lcg_period", 0):
        "import exercises.lesson01 as e; e.lcg_period(5, 3, 16, 7)",
    ("exercises/lesson01.py", "line_normal", 0):
        "import exercises.lesson01 as e; e.line_normal(5, 16)",
    ("exercises/lesson02.py", "inverse_normal_transform", 0):
        "import exercises.lesson02 as e; e.inverse_normal_transform(np.array([0.5]), -1.0, 1.0)",
    ("exercises/lesson02.py", "polar_normals_per_uniform", 0):
        "import exercises.lesson02 as e; e.polar_normals_per_uniform(np.array([0.3]), "
        "np.array([0.6]))",
    ("exercises/lesson03.py", "sigmoid_network_gradients", 0):
        "import exercises.lesson03 as e; e.sigmoid_network_gradients(np.ones((2, 1)), "
        "np.zeros((2, 1)), np.ones((1, 3)), np.zeros(3), np.ones((3, 1)), np.zeros(1))",
    ("exercises/lesson04.py", "discriminator_loss_at_optimum", 0):
        "import exercises.lesson04 as e; e.discriminator_loss_at_optimum(p, p)",
    ("exercises/lesson04.py", "optimal_logit_quadratic", 0):
        "import exercises.lesson04 as e; e.optimal_logit_quadratic(-1.0, 1.0, 1.0, 1.0)",
    ("exercises/lesson05.py", "best_normal_fit", 0):
        "import exercises.lesson05 as e; e.best_normal_fit(q)",
    ("exercises/lesson05.py", "dC_dmu", 0):
        "import exercises.lesson05 as e; e.dC_dmu(p, 2.0, 1.0)",
    ("exercises/lesson07.py", "generator_loss_slopes", 0):
        "import exercises.lesson07 as e; e.generator_loss_slopes(np.array([0.5]))",
    ("exercises/lesson24.py", "extragradient_map", 0):
        "import exercises.lesson24 as e; e.extragradient_map(0.5)",
    ("exercises/lesson24.py", "extragradient_factor", 0):
        "import exercises.lesson24 as e; e.extragradient_factor(0.5)",
    ("exercises/lesson25.py", "hellinger_conjugate", 0):
        "import exercises.lesson25 as e; e.hellinger_conjugate(np.array([0.5]))",
    ("exercises/lesson25.py", "squared_hellinger_normals", 0):
        "import exercises.lesson25 as e; e.squared_hellinger_normals(-1.0, 0.0, 1.0)",
}


@pytest.fixture(scope="module")
def full_edition():
    return {result.name: result for result in run_parts(select(["exercises"]))}


def test_the_full_edition_passes_every_exercise_part(full_edition):
    assert list(full_edition) == list(EXERCISE_PARTS)
    failed = {name: result.report() for name, result in full_edition.items()
              if not result.passed}
    assert failed == {}
    assert all(result.score == result.max_score for result in full_edition.values())
    # each states at least two properties, so that a part is not all or nothing
    assert all(len(result.properties) >= 2 for result in full_edition.values())


def test_each_exercise_part_names_a_module_of_exercises():
    assert sorted(MODULES) == sorted(EXERCISE_PARTS)
    for name, module in MODULES.items():
        assert module.__name__ == f"exercises.lesson{name[2:]}"


# ---- which parts are graded -------------------------------------------------------------
def test_the_exercise_parts_are_graded_only_when_named():
    assert select() == list(PARTS.values())                # a plain check: the textbook code
    assert not set(PARTS) & set(EXERCISE_PARTS)
    assert select(["exercises"]) == list(EXERCISE_PARTS.values())
    assert [part.name for part in select(["ex24", "lcg", "ex07"])] == ["ex24", "lcg", "ex07"]
    assert [part.name for part in select(["ex07", "exercises"])][:2] == ["ex07", "ex01"]
    assert len(select(["ex07", "exercises"])) == len(EXERCISE_PARTS)     # no part twice
    with pytest.raises(ValueError, match=r"'exercises'.*got \['ex06'\]"):
        select(["ex06"])


def test_the_command_grades_named_exercise_parts(capsys):
    assert main(["check", "ex24", "ex07"]) == 0
    table = capsys.readouterr().out
    assert "ex24" in table and "ex07" in table and "lcg" not in table
    assert "2 of 2 parts pass" in table


# ---- planted bugs ------------------------------------------------------------------------
# The full edition's functions, held before any is monkeypatched (a bug built on one calls it).
lcg_period, polar_normals_per_uniform = lesson01.lcg_period, lesson02.polar_normals_per_uniform
optimal_logit_quadratic, dC_dmu = lesson04.optimal_logit_quadratic, lesson05.dC_dmu


def period_off_by_one(a, c, m, seed):
    return lcg_period(a, c, m, seed) + 1                     # counts the repeat too


def normals_per_pair(u1, u2):
    return 2 * polar_normals_per_uniform(u1, u2)             # per pair, not uniform


def gradients_with_tanh_slope(x, t, W1, b1, W2, b2):
    a = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))
    y = a @ W2 + b2
    grad_y = 2 * (y - t) / y.size
    grad_h = (grad_y @ W2.T) * (1 - a * a)                            # tanh's 1 - a^2
    return x.T @ grad_h, grad_h.sum(axis=0), a.T @ grad_y, grad_y.sum(axis=0)


def logit_with_A_reversed(mu_data, sigma_data, mu_g, sigma_g):
    A, B, C = optimal_logit_quadratic(mu_data, sigma_data, mu_g, sigma_g)
    return -A, B, C                                                   # 1/(2 s_d^2) - 1/(2 s_g^2)


def slope_reversed(p_data, mu, sigma):
    return -dC_dmu(p_data, mu, sigma)                        # the sign


def fit_by_moments(p_data):
    return p_data.mean, p_data.std                                    # KL's fit, not JSD's


def slopes_in_D(D):
    D = np.asarray(D, dtype=np.float64)
    return -1 / (1 - D), -1 / D                                       # d/dD, not d/dl


def factor_of_simultaneous_steps(h):
    return 1 + h**2                                                   # no look-ahead


def conjugate_with_plus(t):
    t = np.asarray(t, dtype=np.float64)
    return t / (1 + t)                                                # the sign in 1 - t


# (part, function, bug, a word of the failing property's name, the failure message)
PLANTED = [
    ("ex01", "lcg_period", period_off_by_one, "lcg_period(a, c, m, seed) equals",
     "lcg_period(5, 3, 16, seed=0) is 17, enumerating x_0 ... x_32 gives 16"),
    ("ex02", "polar_normals_per_uniform", normals_per_pair, "counts two normals per pair",
     "polar_normals_per_uniform differs from 2 x"),
    ("ex03", "sigmoid_network_gradients", gradients_with_tanh_slope,
     "through sigma' = sigma (1 - sigma)", "dL/dW1 differs from finite differences at W1["),
    ("ex04", "optimal_logit_quadratic", logit_with_A_reversed, "optimal_logit_quadratic",
     "A (x^2) for N(-1, 1^2) against N(1, 0.7^2) differs from the quadratic"),
    ("ex05", "dC_dmu", slope_reversed, "dC_dmu equals central differences",
     "dC/dmu differs from finite differences of C(G) (h = 0.001) at mu = -3"),
    ("ex07", "generator_loss_slopes", slopes_in_D, "the minimax slope dL/dl",
     "the minimax dL/dl differs from finite differences in the logit at D = "),
    ("ex24", "extragradient_factor", factor_of_simultaneous_steps, "extragradient_factor(h)",
     "|w'|^2 / |w|^2 differs from one extragradient step at h = "),
    ("ex25", "hellinger_conjugate", conjugate_with_plus, "hellinger_conjugate(t) = sup_u",
     "f*(t) differs from the numerical sup over u at t = "),
]


def test_every_exercise_part_has_a_planted_bug():
    assert sorted(part for part, *_ in PLANTED) == sorted(EXERCISE_PARTS)


@pytest.mark.parametrize("part, function, bug, property_name, message", PLANTED,
                         ids=[planted[0] for planted in PLANTED])
def test_a_planted_bug_is_caught_and_named(monkeypatch, part, function, bug, property_name,
                                           message):
    monkeypatch.setattr(MODULES[part], function, bug)
    result = run_part(EXERCISE_PARTS[part])
    assert not result.passed and result.status == "failed"
    assert 0 < result.score < result.max_score             # the other properties still hold
    failing = [prop for prop in result.properties if not prop.passed]
    assert any(property_name in prop.name and any(message in text for text in prop.messages)
               for prop in failing), result.report()


def test_a_fit_by_moments_misses_the_best_normal_of_a_lopsided_target(monkeypatch):
    """Matching mean and variance (KL's answer) is close to JSD's fit for the symmetric target,
    within the tolerance, but far from it for 0.3 N(-3, 0.5^2) + 0.7 N(2, 1)."""
    monkeypatch.setattr(lesson05, "best_normal_fit", fit_by_moments)
    result = run_part(EXERCISE_PARTS["ex05"])
    failed = [prop.name for prop in result.properties if not prop.passed]
    assert failed == [prop.name for prop in result.properties
                      if "best_normal_fit" in prop.name and "0.3 N(-3" in prop.name]
    assert "C(G) at best_normal_fit's (mu, sigma) = (0.5, " in result.summary()


def test_a_failure_names_the_point_and_both_numbers(monkeypatch):
    monkeypatch.setattr(lesson24, "extragradient_factor", factor_of_simultaneous_steps)
    summary = run_part(EXERCISE_PARTS["ex24"]).summary()
    # "|w'|^2 / |w|^2 differs from one extragradient step at h = <h>: <got> vs <step's>"
    h, values = summary.split(" at h = ")[1].split(": ")
    h = float(h)
    got, stepped = (float(value) for value in values.split(" vs "))
    assert got == pytest.approx(1 + h**2, rel=1e-5)                  # the planted bug's
    assert stepped == pytest.approx(1 - h**2 + h**4, rel=1e-5)       # extragradient's


# ---- blanks ------------------------------------------------------------------------------
def blank(*args, **kwargs):
    raise NotImplementedError("the student edition's blank")


@pytest.mark.parametrize("part", list(MODULES))
def test_an_exercise_left_blank_reports_not_implemented(monkeypatch, part):
    module = MODULES[part]
    for key in EXERCISE_CALLS:
        if key[0] == f"exercises/{module.__name__.split('.')[1]}.py":
            monkeypatch.setattr(module, key[1], blank)
    result = run_part(EXERCISE_PARTS[part])
    assert result.status == "not implemented" and result.score == 0, result.report()
    assert result.summary().startswith("not implemented (the student edition's blank)")


# ---- the student edition -----------------------------------------------------------------
@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """The student edition of the packages the autograder needs (rng, nn, gan, exercises)."""
    source = tmp_path_factory.mktemp("full") / "numpy-gan"
    for relative in edition.project_files(ROOT):
        if relative.parts[0] in ("rng", "nn", "gan", "exercises"):
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, source / relative)
    out = tmp_path_factory.mktemp("editions") / "student"
    written = edition.write_student_edition(source, out)
    return out, written


def test_the_student_edition_blanks_every_exercise(student):
    out, written = student
    counted = {}
    for path, function, _ in EXERCISE_CALLS:
        counted[path] = counted.get(path, 0) + 1
    assert {str(path): count for path, count in written.blanked.items()
            if path.parts[0] == "exercises"} == counted
    text = (out / "exercises/lesson05.py").read_text()
    assert "jsd_grid" not in text and "raise NotImplementedError(" in text


def test_the_student_editions_exercise_parts_say_not_implemented(student):
    out, _ = student
    environment = dict(os.environ, PYTHONPATH=str(out), MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-m", "gan", "check", "exercises"], cwd=out,
                          env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()
            if line.split() and line.split()[0] in EXERCISE_PARTS}
    assert list(rows) == list(EXERCISE_PARTS)
    for name, row in rows.items():
        assert row.split()[1] == "0" and "  not implemented (" in row, row
    # the hint of the first blank of lesson 05 is the one reported
    hint = edition.find_blocks((ROOT / "exercises/lesson05.py").read_text())[0].hint
    assert f"not implemented ({hint})" in rows["ex05"]
