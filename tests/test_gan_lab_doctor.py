"""The doctor (gan.lab.doctor, python -m gan diagnose) names each failure on a real run made to
show it: D winning against the minimax loss, a collapsed bimodal run, an oscillating run, one
still improving, a converged one, a diverged one; it says "not enough evidence" on a 2-step run
and "not a train run folder" for other folders. Every run but one is a real training through
``python -m gan train --out``; the synthetic series are named as such. Sizes are small (a hidden
layer of 8 to 16 units, a few hundred steps) so that each run takes about a second, except the
converged one (the default networks, 1000 steps: ~3 s)."""

import json
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


def test_folders_other_than_a_train_run_are_refused_with_exit_code_2(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "sweep.csv").write_text("seed,k\n0,1\n")
    assert main(["diagnose", str(sweep)]) == 2
    assert "not a train run folder: a sweep's folder" in capsys.readouterr().err
    digits = tmp_path / "digits"
    digits.mkdir()
    (digits / "config.json").write_text("{}")
    (digits / "metrics.json").write_text("{}")
    assert main(["diagnose", str(digits)]) == 2
    assert "not a train run folder" in capsys.readouterr().err


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
