"""Run folders, tried as a fuzzer would: a folder is an earlier run only if its manifest says so,
only the files a manifest lists are ever replaced, every bad --out of train, sweep and digits is
refused before any work in one line, an OS error while writing is one line, two runs racing for
one --out are decided at once, and the same seed gives the same bytes (timings.json aside)."""

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from gan.cli import main

ROOT = Path(os.environ.get("GAN_ROOT", Path(__file__).resolve().parents[1]))   # code under test
TRAIN = ["train", "--steps", "20", "--snapshot-every", "10", "--g-hidden", "4", "--d-hidden",
         "4", "--batch-size", "16", "--grid-size", "32", "--no-progress", "--no-figures"]
SWEEP = ["sweep", "--seeds", "1", "--k", "1", "--lr", "1e-3", "--g-loss", "minimax", "--steps",
         "10", "--g-hidden", "4", "--d-hidden", "4", "--batch-size", "16", "--no-progress"]
DIGITS = ["digits", "--fast", "--steps", "5", "--model", "mlp", "--no-progress"]
COMMANDS = {"train": TRAIN, "sweep": SWEEP, "digits": DIGITS}


def complete_run(folder):
    """Assert `folder` is a whole run: its manifest lists every file it holds, each with its
    size and SHA-256 (recomputed here with hashlib)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    held = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == held - {"manifest.json"}
    for name, entry in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert len(data) == entry["bytes"], name
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name


def tree(root):
    """{relative path: bytes or None for a folder} of everything under root, hidden included."""
    return {p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes())
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def no_work(monkeypatch):
    """Training, sweeping and loading digits raise: a refusal must come before any of them."""
    import gan.cli.digits
    import gan.lab.sweep
    import gan.train

    def work(*args, **kwargs):
        raise AssertionError("work started before --out was checked")

    monkeypatch.setattr(gan.train, "train", work)
    monkeypatch.setattr(gan.lab.sweep, "sweep", work)
    monkeypatch.setattr(gan.cli.digits, "lesson_digits", work)


# ---- decoys: folders that merely look like runs -------------------------------------------------
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_overwrite_never_deletes_a_folder_whose_entries_are_only_named_like_a_run(
        command, tmp_path, capsys, no_work):
    decoy = tmp_path / "decoy"
    (decoy / "config.json").mkdir(parents=True)
    (decoy / "config.json" / "precious.txt").write_text("x\n")
    (decoy / "metrics.json").write_text("my own notes\n")
    (decoy / "sweep.csv").write_text("a,b\n")
    before = tree(tmp_path)
    assert main([*COMMANDS[command], "--overwrite", "--out", str(decoy)]) == 2
    err = capsys.readouterr().err
    assert "error: " in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert tree(tmp_path) == before


def test_a_forged_or_stale_manifest_protects_what_it_does_not_list(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    (out / "notes.txt").write_text("mine\n")                     # added by the user
    before = tree(tmp_path)
    assert main([*TRAIN, "--overwrite", "--out", str(out)]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert tree(tmp_path) == before
    (out / "notes.txt").unlink()
    (out / "config.json").write_text("edited by hand\n")          # a listed file changed
    before = tree(tmp_path)
    assert main([*TRAIN, "--overwrite", "--out", str(out)]) == 2
    assert "changed" in capsys.readouterr().err
    assert tree(tmp_path) == before


def test_overwrite_replaces_exactly_the_listed_files(tmp_path):
    out = tmp_path / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    complete_run(out)
    old = json.loads((out / "manifest.json").read_text())["files"]
    assert main([*TRAIN, "--seed", "5", "--overwrite", "--out", str(out)]) == 0
    complete_run(out)
    assert json.loads((out / "config.json").read_text())["seed"] == 5
    assert set(json.loads((out / "manifest.json").read_text())["files"]) == set(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]   # no lock, no staging


# ---- bad --out values, refused before any work -------------------------------------------------
def bad_outs(tmp_path):
    (tmp_path / "a_file").write_text("not a folder\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine\n")
    run = tmp_path / "earlier"
    run.mkdir()
    (run / "config.json").write_text("{}\n")
    data = (run / "config.json").read_bytes()
    (run / "manifest.json").write_text(json.dumps({"format": "numpy-gan run 1", "files": {
        "config.json": {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}}}))
    return {
        "empty": ("", "give a folder by its name"),
        "dot": (".", "give a folder by its name"),
        "file": (str(tmp_path / "a_file"), "exists and is not a folder"),
        "dev-null": ("/dev/null", "exists and is not a folder"),
        "under-a-file": ("/dev/null/run", "/dev/null is not a folder"),
        "proc": ("/proc/numpy-gan-run", "cannot write beside it"),
        "proc-deep": ("/proc/self/numpy-gan-run", "cannot"),
        "other-files": (str(tmp_path / "other"), "holds files that are not a run's"),
        "earlier-run": (str(run), "holds an earlier run"),
        "inside-a-run": (str(run / "sub"), "is inside the earlier run"),
        "deep-inside-a-run": (str(run / "a" / "b"), "is inside the earlier run"),
        "name-too-long": (str(tmp_path / ("n" * 256)), "more than the 255"),
    }


BAD = ["empty", "dot", "file", "dev-null", "under-a-file", "proc", "proc-deep", "other-files",
       "earlier-run", "inside-a-run", "deep-inside-a-run", "name-too-long"]


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_out_is_refused_before_any_work_in_one_line(command, case, tmp_path, capsys,
                                                          no_work, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, fragment = bad_outs(tmp_path)[case]
    before = tree(tmp_path)
    assert main([*COMMANDS[command], "--out", out]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert tree(tmp_path) == before                      # nothing made, nothing left


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_legal_name_of_250_characters_is_written(command, tmp_path):
    out = tmp_path / ("r" * 250)
    assert main([*COMMANDS[command], "--out", str(out)]) == 0
    complete_run(out)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_an_earlier_run_stays_replaceable_after_a_run_into_it_was_refused(tmp_path):
    out = tmp_path / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    assert main([*TRAIN, "--out", str(out / "inner")]) == 2
    assert main([*TRAIN, "--overwrite", "--out", str(out)]) == 0
    complete_run(out)


def test_digits_into_an_earlier_train_run_mixes_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    before = tree(tmp_path)
    assert main([*DIGITS, "--out", str(out)]) == 2
    assert "holds an earlier run" in capsys.readouterr().err
    assert tree(tmp_path) == before
    assert main([*DIGITS, "--overwrite", "--out", str(out)]) == 0
    complete_run(out)
    assert not (out / "history.npz").exists()                # the train run's files are gone
    assert json.loads((out / "config.json").read_text())["model"] == "mlp"


# ---- OS errors while writing ------------------------------------------------------------------
@pytest.mark.parametrize("cause", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_os_error_while_writing_is_one_line_naming_the_path_and_the_cause(
        command, cause, tmp_path, capsys, monkeypatch):
    import gan.cli.digits
    import gan.lab.sweep

    def fail(path, *args, **kwargs):
        raise OSError(cause, os.strerror(cause), str(path))

    monkeypatch.setattr(np, "savez", fail)                           # train: history.npz
    monkeypatch.setattr(gan.lab.sweep, "write_csv", lambda rows, path: fail(path))
    monkeypatch.setattr(gan.cli.digits, "save_grid_png", lambda grid, path, *a, **k: fail(path))
    out = tmp_path / "deep" / "run"
    assert main([*COMMANDS[command], "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert os.strerror(cause) in err and str(out) in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []                            # nothing kept


# ---- two runs racing for one --out ------------------------------------------------------------
def python_m_gan(*argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-m", "gan", *argv], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_of_two_runs_racing_for_one_new_out_the_second_is_told_at_once(tmp_path):
    out = tmp_path / "race"
    long_run = ("train", "--steps", "100000", "--no-progress", "--no-figures", "--out", str(out))
    first = python_m_gan(*long_run, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not [p for p in tmp_path.iterdir() if p.name.startswith(".")]:   # lock taken
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        second = python_m_gan(*long_run, cwd=tmp_path)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2 and first.poll() is None     # told while the first trains
        assert "another run" in err and len(err.strip().splitlines()) == 1
    finally:
        first.terminate()                           # SIGTERM: it cleans up and says so
    _, err = first.communicate(timeout=60)
    assert first.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []           # no lock, no staging, no --out


# ---- the same seed, the same bytes --------------------------------------------------------------
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_same_seed_gives_byte_identical_files_but_timings(command, tmp_path):
    argv = {"train": [*TRAIN[:-1], "--snapshot-every", "20"],        # with figures
            "sweep": SWEEP, "digits": DIGITS}[command]
    assert main([*argv, "--out", str(tmp_path / "first")]) == 0
    time.sleep(2.1)                                  # zip archives date their entries in 2 s
    assert main([*argv, "--out", str(tmp_path / "second")]) == 0
    first, second = tree(tmp_path / "first"), tree(tmp_path / "second")
    assert first.keys() == second.keys()
    differ = sorted(name for name in first if first[name] != second[name])
    assert set(differ) <= {"manifest.json", "timings.json"}   # the manifest hashes timings
    if command != "sweep":
        assert "seconds" in json.loads(first["timings.json"])


# ---- what a killed run leaves beside --out --------------------------------------------------------
def beside(out, kind):
    """The documented name of a staging (new), set-aside (old) or lock file beside `out`."""
    return out.parent / f".gan-{hashlib.sha256(out.name.encode()).hexdigest()[:12]}.{kind}"


def test_the_next_run_restores_an_earlier_run_a_kill_left_set_aside(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    before = tree(out)
    out.rename(beside(out, "old"))                   # killed between the renames of a commit
    beside(out, "new").mkdir()
    (beside(out, "new") / "config.json").write_text("half\n")
    beside(out, "lock").write_text("12345\n")        # a lock whose holder is gone
    assert main([*TRAIN, "--out", str(out)]) == 2    # no --overwrite: refused, but cleaned up
    err = capsys.readouterr().err
    assert "restored the earlier run" in err and "holds an earlier run" in err
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_the_next_run_finishes_deleting_a_replaced_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    shutil.copytree(out, beside(out, "old"))         # killed before the old run was deleted
    (beside(out, "old") / "config.json").unlink()    # ... halfway through deleting it
    assert main([*TRAIN, "--overwrite", "--out", str(out)]) == 0
    assert "removed" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    complete_run(out)
