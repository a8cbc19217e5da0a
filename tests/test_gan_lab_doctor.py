"""The doctor (gan.lab.doctor, python -m gan diagnose) names each failure on a real run made to
show it: D winning against the minimax loss, a collapsed bimodal run, an oscillating run, one
still improving, a converged one, a diverged one; it says "not enough evidence" on a 2-step run
and "not a train run folder" for other folders. The folders of a sweep and of a
digits run are read at the end: one real tiny sweep, and tables written by hand with numbers
chosen on either side of each criterion. Every run but one is a real training through
``python -m gan train --out``; the synthetic series are named as such. Sizes are small (a hidden
layer of 8 to 16 units, a few hundred steps) so that each run takes about a second, except the
converged one (the default networks, 1000 steps: ~3 s)."""

import json
import math
import zipfile

import numpy as np
import pytest

from gan.cli import main
from gan.config import GANConfig
from gan.distributions import Normal
from gan.lab import doctor
from gan.lab.doctor import diagnose, diagnose_result, periodic_peak, read_run
from gan.train import train

TINY = ["--no-progress", "--no-figures", "--g-hidden", "8", "--d-hidden", "16",
        "--batch-size", "64", "--snapshot-every", "20", "--grid-size", "101"]
CONSTANT = ["--lr-schedule", "constant", "--average-last", "0"]
RUNS = {
    # minimax loss, D 100 times faster than G and k = 5, target far from G's start: D wins
    "d_wins": TINY + CONSTANT + ["--g-loss", "minimax", "--lr-d", "1e-2", "--lr-g", "1e-4",
                                 "--k", "5", "--steps", "300", "--target", "normal:4,0.5"],
    # two far, narrow modes and a G of 4 hidden units: one mode is left empty
    "collapsed": CONSTANT + TINY + ["--g-hidden", "4", "--steps", "400",
                                    "--target", "normal:-4,0.3+normal:4,0.3"],
    # Adam at a constant 0.02 on N(0, 1): the losses swing with a period of ~60 steps
    "oscillating": TINY + CONSTANT + ["--optimizer", "adam", "--lr-g", "0.02", "--lr-d", "0.02",
                                      "--steps", "600", "--target", "normal:0,1"],
    # the default networks stopped after 300 steps at a constant rate: JSD still falling
    "improving": ["--no-progress", "--no-figures", "--snapshot-every", "20", "--grid-size", "201",
                  "--steps", "300"] + CONSTANT,
    # the defaults with half the steps: meets the README's criterion (JSD ~ 8e-4)
    "converged": ["--no-progress", "--no-figures", "--snapshot-every", "50", "--grid-size", "201",
                  "--steps", "1000"],
    # 2 steps of the minimax loss on two modes: G is still where it started, near one mode at
    # most, and D barely trained -- too early to call that collapse or a saturated D
    "two_steps": ["--no-progress", "--no-figures", "--steps", "2", "--g-loss", "minimax",
                  "--target", "normal:-4,0.3+normal:4,0.3"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """name -> folder of each run of RUNS, trained once for the module."""
    root = tmp_path_factory.mktemp("runs")
    folders = {}
    for name, flags in RUNS.items():
        folders[name] = root / name
        assert main(["train", *flags, "--out", str(folders[name])]) == 0
    return folders


def verdicts(folder):
    return [finding.name for finding in diagnose(*read_run(folder)).verdicts]


def finding(folder, name):
    return next(f for f in diagnose(*read_run(folder)).findings if f.name == name)


def test_d_winning_against_the_minimax_loss_is_named_vanishing_gradient(runs):
    assert verdicts(runs["d_wins"]) == ["vanishing_gradient"]
    numbers = finding(runs["d_wins"], "vanishing_gradient").numbers
    # the two readings agree: G's loss near log 1 = 0, and D ~ 0 where p_g puts its mass
    assert numbers["mean_g_loss_last"] > np.log(1 - doctor.SATURATED_D)
    assert numbers["mean_D_on_p_g_last_snapshot"] < doctor.SATURATED_D


def test_a_collapsed_bimodal_run_is_named_mode_collapse_with_the_empty_mode(runs):
    assert "mode_collapse" in verdicts(runs["collapsed"])
    numbers = finding(runs["collapsed"], "mode_collapse").numbers
    assert len(numbers["lost_modes"]) == 1
    kept = 1 - numbers["lost_modes"][0]
    assert numbers["mode_mass"][kept] > 0.9           # all of p_g on the other mode


def test_an_oscillating_run_is_named_with_its_period(runs):
    found = finding(runs["oscillating"], "oscillation")
    assert found.holds is True
    periods = [found.numbers["d_loss_period"], found.numbers["g_loss_period"]]
    assert any(period is not None and 2 <= period <= 300 // 4 for period in periods)


def test_a_run_stopped_while_improving_is_named_not_yet_converged(runs):
    assert "not_converged" in verdicts(runs["improving"])
    numbers = finding(runs["improving"], "not_converged").numbers
    assert numbers["fall_factor"] > doctor.IMPROVING_FACTOR
    assert numbers["jsd_last"] < numbers["jsd_first"]


def test_a_run_meeting_the_readmes_criterion_is_named_converged_and_nothing_else(runs):
    assert verdicts(runs["converged"]) == ["converged"]
    numbers = finding(runs["converged"], "converged").numbers
    assert numbers["jsd"] < 0.005 and abs(numbers["mean"] + 1) < 0.05


def test_the_failed_runs_are_not_named_converged(runs):
    for name in ("d_wins", "collapsed", "oscillating", "improving"):
        assert "converged" not in verdicts(runs[name]), name


def test_a_two_step_run_gets_no_verdict_but_not_enough_evidence(runs, capsys):
    diagnosis = diagnose(*read_run(runs["two_steps"]))
    assert diagnosis.verdicts == []
    assert main(["diagnose", str(runs["two_steps"])]) == 0
    assert "not enough evidence" in capsys.readouterr().out


def test_json_round_trips_the_findings(runs, capsys):
    for name in ("d_wins", "collapsed"):
        assert main(["diagnose", str(runs[name]), "--json"]) == 0
        printed = json.loads(capsys.readouterr().out)
        expected = diagnose(*read_run(runs[name])).to_dict()
        assert printed["verdicts"] == expected["verdicts"]
        assert printed["findings"] == json.loads(json.dumps(expected["findings"]))


def test_the_text_report_states_criterion_numbers_and_lesson(runs, capsys):
    assert main(["diagnose", str(runs["d_wins"])]) == 0
    out = capsys.readouterr().out
    assert "D wins and G's gradient vanishes" in out
    assert "criterion: minimax G loss" in out and "lesson 07" in out


def test_the_doctor_in_memory_agrees_with_the_doctor_on_the_folder(runs):
    # the "d_wins" run again, in memory: training is deterministic given the seed
    config = GANConfig(g_hidden=(8,), d_hidden=(16,), batch_size=64, snapshot_every=20,
                       grid_size=101, lr_schedule="constant", average_last=0.0,
                       g_loss="minimax", lr_d=1e-2, lr_g=1e-4, k=5, steps=300,
                       target=Normal(4.0, 0.5))
    result = train(config)
    assert diagnose_result(result).to_dict() == diagnose(*read_run(runs["d_wins"])).to_dict()


def test_the_training_summary_ends_with_the_verdicts(capsys):
    assert main(["train", *RUNS["d_wins"]]) == 0
    out = capsys.readouterr().out.rstrip().splitlines()
    assert any("verdict: D wins and G's gradient vanishes" in line for line in out[-2:])


def test_a_diverged_run_prints_the_step_the_cause_and_what_to_change(capsys):
    assert main(["train", "--no-progress", "--steps", "50", "--lr-g", "1e3", "--lr-d", "1e3"]) == 1
    err = capsys.readouterr().err
    verdict = next(line for line in err.splitlines() if "verdict: diverged" in line)
    assert "at step 2:" in verdict
    assert "Cause: the learning rates (adam, lr_g=1000, lr_d=1000) are too large" in verdict
    assert "To change: lower the learning rates" in verdict


def test_periodic_peak_finds_a_synthetic_period_and_not_white_noise():
    # synthetic series: a sine of period 40 in noise, and the noise alone (n = 2000, so the
    # white-noise bound 3/sqrt(n) is 0.067 and a peak of 0.3 is far beyond chance)
    rng = np.random.default_rng(0)
    t = np.arange(2000)
    noise = rng.normal(size=t.size)
    period, peak, bound = periodic_peak(np.sin(2 * np.pi * t / 40) * 2 + noise)
    assert period in (39, 40, 41) and peak > doctor.PEAK
    assert periodic_peak(noise)[0] is None
    assert periodic_peak(0.01 * t + noise)[0] is None   # a trend alone


def test_folders_of_no_run_or_with_wrong_files_are_refused_with_exit_code_2(tmp_path, capsys):
    assert main(["diagnose", str(tmp_path)]) == 2
    assert "not a train run folder: no run's files" in capsys.readouterr().err
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "sweep.csv").write_text("seed,k\n0,1\n")
    assert main(["diagnose", str(sweep)]) == 2
    assert "the header must be seed,k,lr" in capsys.readouterr().err
    digits = tmp_path / "digits"
    digits.mkdir()
    (digits / "config.json").write_text("{}")
    (digits / "metrics.json").write_text("{}")
    assert main(["diagnose", str(digits)]) == 2
    assert "not a digits run's folder" in capsys.readouterr().err


def test_a_history_claiming_more_than_its_file_holds_is_refused(runs, tmp_path, capsys):
    folder = tmp_path / "crafted"
    folder.mkdir()
    for name in ("config.json", "metrics.json"):
        (folder / name).write_bytes((runs["two_steps"] / name).read_bytes())
    # a stored .npy entry whose header claims 1e9 float64s in a few hundred bytes
    header = np.lib.format.header_data_from_array_1_0(np.zeros(3))
    header["shape"] = (10**9,)
    with zipfile.ZipFile(folder / "history.npz", "w") as archive:
        with archive.open("d_loss.npy", "w") as entry:
            np.lib.format.write_array_header_1_0(entry, header)
            entry.write(np.zeros(3).tobytes())
    assert main(["diagnose", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "not a train run folder" in err and "history.npz" in err


# --- sweep and digits folders --------------------------------------------------------------

SWEEP_HEADER = "seed,k,lr,g_loss,steps,jsd,mean,std,d_max_dev,diverged_at,success\n"


def write_sweep(folder, cells):
    """A sweep.csv by hand: cells maps (k, lr, g_loss) to a list of (success, diverged_at)."""
    folder.mkdir()
    lines = [SWEEP_HEADER]
    for (k, lr, g_loss), runs in cells.items():
        for seed, (success, diverged_at) in enumerate(runs):
            numbers = ",,,," if diverged_at else "0.001,-1.0,1.0,0.01,"
            lines.append(f"{seed},{k},{lr},{g_loss},100,{numbers}{diverged_at or ''},{success}\n")
    (folder / "sweep.csv").write_text("".join(lines))
    return folder


def sweep_json(folder, capsys):
    assert main(["diagnose", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "sweep"
    return {finding["name"]: finding for finding in report["findings"]}


def test_a_real_tiny_sweep_gets_clopper_pearson_intervals_and_too_few_seeds(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "--seeds", "2", "--k", "1", "--lr", "2e-3", "--g-loss",
                 "non_saturating", "--steps", "20", "--out", str(out), "--no-progress"]) == 0
    capsys.readouterr()
    findings = sweep_json(out, capsys)
    (cell,) = findings["cells_that_succeed"]["numbers"]["cells"]
    assert (cell["k"], cell["lr"], cell["g_loss"], cell["runs"]) == (1, 2e-3, "non_saturating", 2)
    # Clopper-Pearson in closed form at the ends: s = 0 gives [0, 1 - (alpha/2)^(1/n)],
    # s = n gives [(alpha/2)^(1/n), 1]; 20 steps do not converge
    assert cell["successes"] == 0 and cell["ci_low"] == 0
    assert cell["ci_high"] == pytest.approx(1 - 0.025 ** 0.5, rel=1e-9)
    assert findings["cells_that_succeed"]["holds"] is False
    assert findings["diverged_runs"]["holds"] is False
    assert findings["setting_matters"]["holds"] is None
    assert main(["diagnose", str(out)]) == 0
    text = capsys.readouterr().out
    assert "a sweep of 2 runs (2 seeds)" in text and "lesson 20" in text


def test_a_sweep_names_the_cells_that_succeed_the_divergences_and_a_setting_that_matters(
        tmp_path, capsys):
    good, bad = (1, 0.001, "non_saturating"), (2, 0.004, "minimax")
    folder = write_sweep(tmp_path / "s", {
        good: [(True, None)] * 9 + [(False, None)],
        bad: [(False, None)] * 7 + [(False, 37), (False, 37), (False, 120)]})
    findings = sweep_json(folder, capsys)
    cells = findings["cells_that_succeed"]
    assert cells["holds"] is True
    assert "1 of 2 settings succeed in most seeds: k = 1, lr = 0.001, non_saturating: 9/10" \
        in cells["evidence"]
    first = cells["numbers"]["cells"][0]
    assert first["ci_low"] > 0.5          # 9/10: [55.5%, 99.7%], the whole interval above 1/2
    assert first["ci_low"] == pytest.approx(0.5549839, abs=1e-6)
    diverged = findings["diverged_runs"]
    assert diverged["holds"] is True and diverged["numbers"]["diverged"] == 3
    assert diverged["numbers"]["where"] == [{"k": 2, "lr": 0.004, "g_loss": "minimax",
                                             "steps": [37, 37, 120]}]
    matters = findings["setting_matters"]
    assert matters["holds"] is True
    # Fisher's exact test on [[9, 1], [0, 10]]: with the margins fixed, X = successes of the
    # first row is hypergeometric, P(X = x) = C(10, x) C(10, 9 - x) / C(20, 9); the tables as
    # unlikely as the one seen are x = 9 and x = 0, each 10 / 167960: p = 20 / 167960
    assert matters["numbers"]["p_value"] == pytest.approx(20 / 167960, rel=1e-9)
    assert matters["numbers"]["p_value"] < matters["numbers"]["level"] == 0.05


def test_a_sweep_whose_numbers_cannot_tell_the_settings_apart_says_so(tmp_path, capsys):
    close = write_sweep(tmp_path / "close", {
        (1, 0.001, "minimax"): [(True, None)] * 5 + [(False, None)] * 5,
        (1, 0.002, "minimax"): [(True, None)] * 4 + [(False, None)] * 6})
    findings = sweep_json(close, capsys)
    assert findings["cells_that_succeed"]["holds"] is False     # 5/10 is not most seeds
    assert findings["diverged_runs"]["holds"] is False
    assert findings["setting_matters"]["holds"] is False
    assert "not evidence that they are equal" in findings["setting_matters"]["evidence"]
    few = write_sweep(tmp_path / "few", {(1, 0.001, "minimax"): [(True, None)] * 2,
                                         (1, 0.002, "minimax"): [(False, None)] * 2})
    matters = sweep_json(few, capsys)["setting_matters"]
    # all against none with 2 and 2 seeds: p = 2 / C(4, 2) = 1/3, never below 0.05
    assert matters["holds"] is None and "too few seeds to tell" in matters["evidence"]
    assert matters["numbers"]["smallest_possible_p"] == pytest.approx(1 / 3)


def test_a_sweep_table_larger_than_the_bound_is_refused_unread(tmp_path, capsys, monkeypatch):
    folder = write_sweep(tmp_path / "s", {(1, 0.001, "minimax"): [(True, None)] * 4})
    monkeypatch.setattr(doctor, "MAX_CSV_BYTES", 100)
    assert main(["diagnose", str(folder)]) == 2
    assert "refused unread" in capsys.readouterr().err
    monkeypatch.undo()
    text = (folder / "sweep.csv").read_text().replace("True", "maybe", 1)
    (folder / "sweep.csv").write_text(text)
    assert main(["diagnose", str(folder)]) == 2
    assert "line 2: success must be True or False" in capsys.readouterr().err


REAL_ROW = {"model": "real training digits", "frechet_distance": 10.0, "class_entropy": 3.32,
            "copied_share": 0.01, "grey_share": 0.05, "label_accuracy": 0.98,
            "per_class_accuracy": [0.98] * 10, "nearest_median_ratio": 1.0}
GOOD_ROW = {"model": "DCGAN", "frechet_distance": 15.0, "class_entropy": 3.30,
            "copied_share": 0.012, "grey_share": 0.10, "label_accuracy": None,
            "per_class_accuracy": None, "nearest_median_ratio": 1.02}


def digits_findings(tmp_path, capsys, model, samples=1000, name="digits"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model": "dcgan", "name": "DCGAN",
                                                    "steps": 1500, "samples": samples}))
    (folder / "metrics.json").write_text(json.dumps({"referee_accuracy": 0.98, "real": REAL_ROW,
                                                     "model": {**GOOD_ROW, **model}}))
    assert main(["diagnose", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "digits"
    return {finding["name"]: finding["holds"] for finding in report["findings"]}


def test_a_good_digits_run_is_close_to_the_floor_and_nothing_else(tmp_path, capsys):
    assert digits_findings(tmp_path, capsys, {}) == {
        "near_floor": True, "class_collapse": False, "copies": False, "blurry": False}


def test_each_digits_verdict_turns_on_its_stated_criterion(tmp_path, capsys):
    cases = [  # (changed scores, the finding, whether it holds): either side of each criterion
        ({"frechet_distance": 20.0}, "near_floor", True),             # 2 x the floor
        ({"frechet_distance": 20.1}, "near_floor", False),
        ({"class_entropy": math.log2(7.2)}, "class_collapse", False),  # 7.2 classes' worth
        ({"class_entropy": math.log2(6.8)}, "class_collapse", True),
        ({"per_class_accuracy": [0.9] * 10}, "class_collapse", False),  # every class drawn
        ({"per_class_accuracy": [0.9] * 9 + [0.0]}, "class_collapse", True),   # 9 never read as 9
        ({"copied_share": 0.015}, "copies", False),   # 15 of 1000 against 1%: p = 0.08
        ({"copied_share": 0.025}, "copies", True),    # 25 of 1000: p = 4e-5
        ({"grey_share": 0.149}, "blurry", False),     # below 3 x 5%
        ({"grey_share": 0.151}, "blurry", True),
    ]
    for number, (change, name, holds) in enumerate(cases):
        findings = digits_findings(tmp_path, capsys, change, name=f"run{number}")
        assert findings[name] is holds, (change, name)
    # binary real digits (no grey pixel): a few grey pixels are not yet blur
    REAL_ROW["grey_share"], saved = 0.0, REAL_ROW["grey_share"]
    try:
        assert not digits_findings(tmp_path, capsys, {"grey_share": 0.04},
                                   name="binary_a")["blurry"]
        assert digits_findings(tmp_path, capsys, {"grey_share": 0.06}, name="binary_b")["blurry"]
    finally:
        REAL_ROW["grey_share"] = saved
    cases = [
    ]
    for number, (change, name, holds) in enumerate(cases):
        findings = digits_findings(tmp_path, capsys, change, name=f"run{number}")
        assert findings[name] is holds, (change, name)


def test_the_copies_verdict_is_the_binomial_tail_against_the_real_share(tmp_path, capsys):
    from scipy.stats import binom

    # P(X >= 20 | n = 1000, p = 0.01) by the binomial's survival function: ~0.0034 < 0.01
    assert binom.sf(19, 1000, 0.01) < doctor.COPY_ALPHA < binom.sf(17, 1000, 0.01)
    assert digits_findings(tmp_path, capsys, {"copied_share": 0.020}, name="a")["copies"]
    assert not digits_findings(tmp_path, capsys, {"copied_share": 0.017}, name="b")["copies"]
    # without the number of samples the doctor does not guess
    assert digits_findings(tmp_path, capsys, {"copied_share": 0.5}, samples=None,
                           name="c")["copies"] is None


def test_a_digits_run_report_states_criteria_numbers_and_lessons(tmp_path, capsys):
    digits_findings(tmp_path, capsys, {"class_entropy": 1.0, "grey_share": 0.4})
    assert main(["diagnose", str(tmp_path / "digits")]) == 0
    text = capsys.readouterr().out
    assert "a digits run of DCGAN, 1500 steps, scored on 1000 samples" in text
    assert "verdict: collapsed onto few classes: H = 1 bits" in text
    assert "verdict: blurry: 40.0% of the pixels are grey against 5.0%" in text
    assert "not: copies training digits" in text
    assert "lessons 17 and 18" in text and "lesson 22" in text
