"""Runs killed at random moments (seeded): `python -m gan train` and `sweep` in a subprocess,
SIGKILL after a random delay. Afterwards --out is absent, the earlier run or a complete new run
(its manifest lists every file it holds, sizes and SHA-256 right), the next run into it cleans up
what the killed one left beside it, and a killed sweep leaves no process behind (workers, fork
server, resource tracker)."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_gan_lab_run_folder import complete_run

ROOT = Path(os.environ.get("GAN_ROOT", Path(__file__).resolve().parents[1]))   # code under test
TRAIN = ["train", "--steps", "400", "--snapshot-every", "40", "--g-hidden", "8", "--d-hidden",
         "8", "--batch-size", "32", "--grid-size", "64", "--no-progress"]
SWEEP = ["sweep", "--seeds", "4", "--k", "1,2", "--lr", "1e-3,2e-3", "--g-loss",
         "non_saturating", "--steps", "1500", "--g-hidden", "8", "--d-hidden", "8",
         "--batch-size", "32", "--no-progress", "--workers", "2"]
pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX process groups")


def start(argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-m", "gan", *argv], cwd=cwd, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def alive_in_session(session):
    """PIDs of the session's processes that are not zombies (ps -s SID)."""
    listing = subprocess.run(["ps", "-s", str(session), "-o", "pid=,stat="],
                             capture_output=True, text=True).stdout.split("\n")
    return [line.split()[0] for line in listing if line.strip() and "Z" not in line.split()[1]]


def no_process_left(session, within=10.0):
    deadline = time.monotonic() + within
    while alive_in_session(session):
        if time.monotonic() > deadline:
            left = alive_in_session(session)
            for pid in left:                        # ours: do not leave them to other tests
                os.kill(int(pid), signal.SIGKILL)
            return left
        time.sleep(0.1)
    return []


def check_after_kill(tmp_path, out, earlier, main_file="config.json"):
    """--out is absent (killed before its commit, or between the renames of one, which the
    next run undoes), the earlier run unchanged, or a complete run (holding ``main_file``: a
    train run's config.json, a sweep's sweep.csv)."""
    if not out.exists():
        return
    complete_run(out)
    if earlier is not None and (out / "manifest.json").read_bytes() == earlier:
        return                                      # the earlier run, whole
    assert (out / main_file).exists()


@pytest.mark.parametrize("trial", range(4))
def test_train_killed_at_a_random_moment_leaves_a_whole_run_or_none(trial, tmp_path):
    rng = random.Random(1000 + trial)
    out = tmp_path / "run"
    earlier = None
    if trial % 2:                                   # half the trials replace an earlier run
        assert subprocess.run([sys.executable, "-m", "gan", *TRAIN, "--no-figures", "--steps",
                               "20", "--out", str(out)], cwd=tmp_path, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}).returncode == 0
        earlier = (out / "manifest.json").read_bytes()
    run = start([*TRAIN, "--seed", str(trial), "--overwrite", "--out", str(out)], tmp_path)
    time.sleep(rng.uniform(0.5, 5.0))
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    check_after_kill(tmp_path, out, earlier)
    again = subprocess.run([sys.executable, "-m", "gan", *TRAIN, "--no-figures", "--steps", "20",
                            "--overwrite", "--out", str(out)], cwd=tmp_path, timeout=120,
                           capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert again.returncode == 0, again.stderr
    complete_run(out)
    assert [p.name for p in tmp_path.iterdir()] == ["run"]    # the leftovers cleaned


@pytest.mark.parametrize("trial", range(2))
def test_sweep_killed_at_a_random_moment_leaves_no_process_and_a_whole_run_or_none(
        trial, tmp_path):
    rng = random.Random(2000 + trial)
    out = tmp_path / "sweep"
    run = start([*SWEEP, "--out", str(out)], tmp_path)
    time.sleep(rng.uniform(2.0, 6.0))
    run.send_signal(signal.SIGKILL)                 # the sweep's process alone, not its group
    run.wait(timeout=30)
    assert no_process_left(run.pid) == []
    check_after_kill(tmp_path, out, None, main_file="sweep.csv")
    again = subprocess.run([sys.executable, "-m", "gan", *SWEEP[:-2], "--steps", "10",
                            "--overwrite", "--out", str(out)], cwd=tmp_path, timeout=120,
                           capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert again.returncode == 0, again.stderr
    complete_run(out)
    assert [p.name for p in tmp_path.iterdir()] == ["sweep"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_sweep_asked_to_stop_ends_its_workers_and_keeps_nothing(signum, tmp_path):
    out = tmp_path / "sweep"
    run = start([*SWEEP, "--out", str(out)], tmp_path)
    deadline = time.monotonic() + 60
    while len(alive_in_session(run.pid)) < 4:      # the sweep, tracker, fork server, workers
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    run.send_signal(signum)
    try:
        _, err = run.communicate(timeout=30)
    finally:
        left = no_process_left(run.pid)             # and ended here if any were
    assert run.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert left == []
    assert list(tmp_path.iterdir()) == []
