"""What counts as success (gan.lab.success): each rule strict where the text says "<", the default
run's rule the one the README states, and the sweep, the comparison and the convergence table
judging by these rules and no copy of them."""

import importlib
import re
from pathlib import Path

import pytest

from gan.config import GANConfig
from gan.distributions import Normal
from gan.lab.success import DefaultRun, EveryModeHolds, JSDBelow, ModesCovered, succeeded

ROOT = Path(__file__).resolve().parents[1]
GOOD = {"jsd": 0.001, "mean": -1.0, "std": 1.0, "d_max_dev": 0.01}


def test_the_default_run_rule_has_the_numbers_the_readme_states():
    # The outside truth is the design notes' sentence in "Why the defaults converge".
    text = " ".join((ROOT / "docs" / "design.md").read_text(encoding="utf-8").split())
    found = re.search(r"JSD\(p_data ‖ p_g\) < ([\d.]+) nats, the mean and the standard deviation "
                      r"of G\(z\) within ([\d.]+) of the target's, and \|D\(x\) − ½\| < ([\d.]+)",
                      text)
    assert found, "docs/design.md no longer states the default run's criterion in these words"
    jsd, moment, d_max_dev = (float(number) for number in found.groups())
    rule = DefaultRun.of(GANConfig().target)
    assert (rule.jsd, rule.moment, rule.d_max_dev) == (jsd, moment, d_max_dev)
    assert (rule.mean, rule.std) == (-1.0, 1.0)


@pytest.mark.parametrize("name, value, expected", [
    ("jsd", 0.005 * 0.99, True), ("jsd", 0.005, False),
    ("mean", -1.0 + 0.05 * 0.99, True), ("mean", -1.0 - 0.05 * 1.01, False),
    ("std", 1.0 - 0.05 * 0.99, True), ("std", 1.0 + 0.05 * 1.01, False),
    ("d_max_dev", 0.05 * 0.99, True), ("d_max_dev", 0.05 * 1.01, False),
])
def test_the_default_run_needs_every_criterion_against_its_targets_moments(name, value,
                                                                           expected):
    assert succeeded({**GOOD, name: value}, DefaultRun.of(Normal(-1.0, 1.0))) is expected


def test_the_default_run_is_judged_against_its_own_target():
    shifted = {**GOOD, "mean": 2.0, "std": 0.5}
    assert DefaultRun.of(Normal(2.0, 0.5))(shifted)
    assert not DefaultRun.of(Normal(-1.0, 1.0))(shifted)


def test_a_diverged_run_never_succeeds_whatever_the_rule():
    always = JSDBelow(1e9)
    assert succeeded({"jsd": 0.0}, always)
    assert succeeded(None, always) is False
    assert succeeded({"diverged_at": 7, "jsd": 0.0}, always) is False
    assert succeeded({"diverged_at": 7}, DefaultRun(-1.0, 1.0)) is False


def test_jsd_rule_succeeds_strictly_below_its_threshold():
    rule = JSDBelow(0.01)
    assert rule({"jsd": 0.0099}) and not rule({"jsd": 0.01}) and not rule({"jsd": 0.3})


def test_mode_rule_needs_every_mode_to_hold_its_share():
    rule = EveryModeHolds(0.25)
    assert rule({"mode_mass": [0.25, 0.75]}) and rule({"mode_mass": [0.4, 0.3]})
    assert not rule({"mode_mass": [0.24, 0.76]}) and not rule({"mode_mass": [0.0, 1.0]})


def test_coverage_rule_needs_both_enough_modes_and_enough_quality():
    rule = ModesCovered(7, 0.5)
    assert rule({"modes_covered": 7, "high_quality": 0.5})
    assert not rule({"modes_covered": 6, "high_quality": 0.99})     # a mode lost
    assert not rule({"modes_covered": 8, "high_quality": 0.49})     # blurred over the ring


@pytest.mark.parametrize("make, message", [
    (lambda: JSDBelow(0.0), "threshold"), (lambda: EveryModeHolds(1.5), "share"),
    (lambda: ModesCovered(0, 0.5), "modes"), (lambda: ModesCovered(7, 2.0), "quality"),
    (lambda: DefaultRun(float("nan"), 1.0), "mean"), (lambda: DefaultRun(0.0, 0.0), "std"),
    (lambda: DefaultRun(0.0, 1.0, jsd=-1.0), "jsd")])
def test_rules_reject_values_outside_their_range(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_every_rule_says_what_it_asks():
    assert DefaultRun(-1.0, 1.0).describe() == ("JSD < 0.005, |mean+1| < 0.05, |std-1| < 0.05, "
                                               "max|D-1/2| < 0.05")
    assert JSDBelow(0.01).describe() == "JSD < 0.01 nats"


def test_the_convergence_table_judges_by_the_default_run_rule():
    table = importlib.import_module("experiments.convergence_table")
    assert table.criterion({}) == DefaultRun.of(GANConfig().target)
    assert table.criterion({"target": Normal(2.0, 0.5)}) == DefaultRun(2.0, 0.5)
