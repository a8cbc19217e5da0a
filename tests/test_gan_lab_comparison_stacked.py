"""The comparison through the ensembles (gan.lab.comparison.stacked), matched controls, what
Fisher's test can detect in both directions, and compare_variants' name lists.

Runs are tiny (20 steps, m = 32): they check that a stacked row is the single run's row, not GANs.
"""


import numpy as np
import pytest
from experiment_scripts import load_experiment

from gan.lab.comparison import (COURSE_CONTROLS, Target, course_targets, course_variants,
                                run_comparison, stackable)
from gan.lab.comparison.effects import against_baseline, detectable_rate, detection_note

TINY = dict(steps=20, batch_size=32)
VARIANTS = {v.name: v for v in course_variants()}


def tiny(target):
    return Target(target.name, target.config.replace(**TINY), target.criterion, target.score)


def test_a_stacked_row_is_the_single_runs_row():
    targets = [tiny(course_targets()[1])]          # the two modes: lesson 12's G runs there
    variants = [VARIANTS["plain GAN"], VARIANTS["plain, lesson 12's G"], VARIANTS["WGAN"]]
    stacked = run_comparison(variants, targets, seeds=(0, 3), steps=20)
    single = run_comparison(variants, targets, seeds=(0, 3), steps=20, stacked=False)
    assert [(r["variant"], r["target"], r["seed"]) for r in stacked] == [
        (r["variant"], r["target"], r["seed"]) for r in single]
    for a, b in zip(stacked, single):
        assert a["stacked"] == (a["variant"] != "WGAN") and not b["stacked"]
        assert (a["metrics"], a["success"], a["diverged"]) == (
            b["metrics"], b["success"], b["diverged"])          # bitwise: == on floats


def test_only_the_plain_game_on_a_1d_target_is_stacked():
    normal, two_modes, ring = course_targets()
    assert stackable(VARIANTS["plain GAN"], normal) and stackable(VARIANTS["plain GAN"], two_modes)
    assert not stackable(VARIANTS["plain GAN"], ring)                  # 2D: single runs
    assert stackable(VARIANTS["plain, lesson 12's G"], two_modes)
    for name in ("instance noise", "WGAN", "feature matching", "minibatch discr.", "WGAN-GP",
                 "conditional GAN", "InfoGAN"):
        assert not stackable(VARIANTS[name], two_modes), name
    with pytest.raises(TypeError, match="variant and target"):
        stackable("plain GAN", normal)


def test_a_matched_control_replaces_the_plain_baseline():
    target = course_targets()[1]
    rows = [{"target": target.name, "variant": name, "seed": seed, "success": ok,
             "diverged": False, "metrics": {"jsd": 0.1}}
            for name, oks in (("plain GAN", [0, 0, 0]), ("plain, lesson 12's G", [1, 1, 0]),
                              ("minibatch discr.", [1, 1, 1])) for seed, ok in enumerate(oks)]
    effects = {e["variant"]: e for e in against_baseline(rows, [target],
                                                         controls=COURSE_CONTROLS)}
    assert effects["minibatch discr."]["baseline"] == "plain, lesson 12's G"
    assert effects["minibatch discr."]["baseline_successes"] == 2
    assert effects["plain, lesson 12's G"]["baseline"] == "plain GAN"
    assert effects["plain, lesson 12's G"]["baseline_successes"] == 0


@pytest.mark.parametrize("base", [0.0, 0.2, 0.7, 1.0])
def test_detecting_worse_is_detecting_better_with_success_and_failure_swapped(base):
    # Fisher's test on (successes, failures) is the test on (failures, successes): the rate a
    # variant must fall to below `base` is 1 - the rate it must rise to above 1 - base.
    up = detectable_rate(10, round(1 - base, 2))
    down = detectable_rate(10, base, direction="down")
    assert (down is None) == (up is None)
    if up is not None:
        assert down == pytest.approx(1 - up)


def test_the_detection_note_names_both_directions_and_the_floor():
    assert "worse only if <= 41%" in detection_note(10, 1.0)      # see the symmetry above
    assert "no rate up to 100% is detected as better" in detection_note(10, 1.0)
    assert "no difference in success rate can reach p < 0.05" in detection_note(3, 0.5)
    with pytest.raises(ValueError, match="direction"):
        detectable_rate(10, 0.5, direction="sideways")


def _compare_variants():
    return load_experiment("compare_variants")


def test_target_names_with_commas_inside_parentheses_are_one_name():
    module = _compare_variants()
    assert module.split_names("N(-1, 1),ring of 8") == ["N(-1, 1)", "ring of 8"]
    assert module.split_names(" two modes , N(-1, 1) ") == ["two modes", "N(-1, 1)"]
    chosen = module.chosen(course_targets(), "N(-1, 1)", "targets")
    assert [t.name for t in chosen] == ["N(-1, 1)"]
    with pytest.raises(SystemExit, match="unknown"):
        module.chosen(course_targets(), "N(-2, 1)", "targets")
    assert np.all([t.dim == 1 for t in module.chosen(course_targets(), "N(-1, 1),two modes",
                                                     "targets")])
