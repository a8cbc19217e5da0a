"""Sweeps past one process: local worker processes and a Dask cluster (a LocalCluster on
127.0.0.1) give bitwise the rows of the one-process sweep, count every member-step once, and
run a lost worker's chunk again.

The outside truth is the one-process path (`sweep(..., workers=1)`, itself tested against
single `train` runs in test_gan_lab_sweep.py)."""

import functools
import multiprocessing
import os
import subprocess
import sys
import time

import pytest

from gan.cli import main
from gan.config import GANConfig
from gan.lab.sweep import plan_chunks, sweep, train_chunk, write_csv
from gan.lab.pool import _REPORT_EVERY, RETRIES, run_chunks

TINY = GANConfig(steps=5, g_hidden=(4,), d_hidden=(4,), batch_size=8, snapshot_every=0)
GRID = dict(seeds=[0, 1, 2], ks=[1], learning_rates=[1e-3, 4e-3], g_losses=["non_saturating"])


def dies_once(marker, configs, report):
    """train_chunk, except that the first call of all (marked by a file) ends its process
    abruptly, as a worker that is killed or runs out of memory, after its progress was sent
    (the chunk's steps are then reported twice, and must be counted once)."""
    if not os.path.exists(marker):
        with open(marker, "w") as file:
            file.write("lost")
        train_chunk(configs, report)
        time.sleep(_REPORT_EVERY + 0.05)
        report(0)                           # past the reporting interval: the steps are sent
        time.sleep(0.3)                     # and reach the queue before the process ends
        os._exit(1)
    return train_chunk(configs, report)


def raises(configs, report):
    raise ArithmeticError("this chunk always fails")


@pytest.fixture(scope="module")
def one_process_rows():
    return sweep(**GRID, base=TINY, max_members=2)


def test_plan_has_a_chunk_for_every_worker_and_keeps_the_row_order():
    one = plan_chunks(**GRID, base=TINY, max_members=64)
    four = plan_chunks(**GRID, base=TINY, max_members=64, workers=4)
    assert [len(chunk) for chunk in one] == [6]
    assert len(four) == 4 and all(chunk for chunk in four)
    assert [config for chunk in four for config in chunk] == one[0]


def test_command_line_workers_write_the_one_process_table(tmp_path, one_process_rows):
    out = tmp_path / "sweep"
    code = main(["sweep", "--seeds", "3", "--k", "1", "--lr", "1e-3,4e-3", "--g-loss",
                 "non_saturating", "--g-hidden", "4", "--d-hidden", "4", "--batch-size", "8",
                 "--steps", "5", "--workers", "2", "--no-progress", "--out", str(out)])
    assert code == 0
    write_csv(one_process_rows, tmp_path / "one.csv")        # repr of floats: exact round trip
    assert (out / "sweep.csv").read_text() == (tmp_path / "one.csv").read_text()


def test_a_lost_local_worker_s_chunk_is_run_again_and_counted_once(tmp_path, one_process_rows):
    chunks = plan_chunks(**GRID, base=TINY, max_members=2)
    done = []
    runner = functools.partial(dies_once, str(tmp_path / "lost"))
    results = run_chunks(chunks, runner, workers=2, progress=done.append)
    assert (tmp_path / "lost").exists()                         # a process did die
    assert [row for rows in results for row in rows] == one_process_rows
    assert sum(done) == 6 * TINY.steps


SCRIPT_WITHOUT_MAIN_GUARD = """
from gan.config import GANConfig
from gan.lab.sweep import sweep
print("script started")
rows = sweep(seeds=[0, 1, 2], ks=[1], learning_rates=[1e-3, 4e-3], g_losses=["non_saturating"],
             base=GANConfig(steps=5, g_hidden=(4,), d_hidden=(4,), batch_size=8,
                            snapshot_every=0),
             max_members=2, workers=2, start_method="fork")
print([row["jsd"] for row in rows])
"""


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_forked_workers_run_from_a_script_without_a_main_guard(tmp_path, one_process_rows):
    # A lesson's top level is the run itself: processes started afresh would import it again
    # (and start a sweep of their own); forked ones are copies and run only their chunk.
    script = tmp_path / "lesson_like.py"
    script.write_text(SCRIPT_WITHOUT_MAIN_GUARD)
    completed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines.count("script started") == 1
    assert lines[-1] == repr([row["jsd"] for row in one_process_rows])


def test_a_chunk_that_always_fails_raises_after_its_retries():
    chunks = plan_chunks(**GRID, base=TINY, max_members=3)
    with pytest.raises(ArithmeticError, match="always fails"):
        run_chunks(chunks, raises, workers=2)
    assert RETRIES >= 1


@pytest.mark.parametrize("arguments, message", [
    (dict(workers=0), "workers must be a positive integer"),
    (dict(workers=2, scheduler="tcp://127.0.0.1:1"), "workers must be 1 when a scheduler"),
    (dict(scheduler=8786), "scheduler must be an address"),
    (dict(start_method="thread"), "start_method must be one of"),
    (dict(workers=2, start_method="thread"), "start_method must be one of"),
])
def test_bad_backends_are_rejected_before_any_work(arguments, message):
    with pytest.raises((ValueError, TypeError), match=message):
        sweep(**GRID, base=TINY, **arguments)


def test_a_dask_cluster_gives_the_one_process_rows_and_reruns_a_lost_worker(tmp_path,
                                                                         one_process_rows):
    distributed = pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])   # workers need not import us
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        done = []
        rows = sweep(**GRID, base=TINY, max_members=2, scheduler=cluster.scheduler_address,
                     progress=done.append)
        assert rows == one_process_rows
        assert sum(done) == 6 * TINY.steps
        with distributed.Client(cluster.scheduler_address) as client:
            chunks = plan_chunks(**GRID, base=TINY, max_members=2)
            runner = functools.partial(dies_once, str(tmp_path / "lost"))
            results = run_chunks(chunks, runner, scheduler=client)
    assert (tmp_path / "lost").exists()
    assert [row for rows in results for row in rows] == one_process_rows


# ---- the one pool's other callers: the comparison and the digits ----------------------------
def counts_attempts(folder, chunk, report):
    """Chunk "fails" leaves a file per attempt in ``folder``, then raises: how often it was
    tried. Any other chunk is simply returned."""
    if chunk != "fails":
        return chunk
    attempt = len(os.listdir(folder))
    with open(os.path.join(folder, f"attempt{attempt}"), "w"):
        pass
    raise ArithmeticError("this chunk always fails")


def inherited_value(name, report):
    from gan.lab.pool import inherited

    return inherited(name)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_forked_workers_inherit_a_runner_and_chunks_that_cannot_be_pickled():
    # A lambda and a lock cannot be pickled: the workers can only have them through the fork.
    import pickle
    import threading

    lock = threading.Lock()
    chunks = [(index, lock) for index in range(5)]
    runner = lambda chunk, report: (chunk[0] ** 2, os.getpid())  # noqa: E731
    with pytest.raises((TypeError, pickle.PicklingError, AttributeError)):
        pickle.dumps((runner, chunks))
    results = run_chunks(chunks, runner, workers=2, start_method="fork")
    assert [square for square, _ in results] == [index ** 2 for index in range(5)]
    assert os.getpid() not in {pid for _, pid in results}             # all ran in workers


@pytest.mark.parametrize("start_method, attempts", [("forkserver", RETRIES + 1), ("fork", 1)])
def test_a_failing_chunk_is_retried_only_when_sent_afresh(tmp_path, start_method, attempts):
    # Sent afresh (pickled), every attempt starts from the chunk as given; a forked worker's
    # inherited chunk may be what the failed attempt left of it, so there the error is raised
    # at once.
    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start_method}")
    runner = functools.partial(counts_attempts, str(tmp_path))
    with pytest.raises(ArithmeticError, match="always fails"):
        run_chunks(["fails", "works"], runner, workers=2, start_method=start_method)
    assert len(os.listdir(tmp_path)) == attempts


@pytest.mark.parametrize("start_method", ["fork", "forkserver"])
def test_local_processes_read_the_values_they_were_started_with(start_method):
    from gan.lab.pool import local_processes

    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start_method}")
    values = {"images": list(range(10)), "label": "seven"}
    with local_processes(2, start_method, inherited=values) as pool:
        got = [pool.submit(inherited_value, name, None).result() for name in values]
    assert got == list(values.values())
