"""`python -m gan train`: every config field has a flag, a run writes its files, bad flags are
named."""

import dataclasses
import json

import pytest

from gan.cli import build_parser, main
from gan.cli.arguments import parse_distribution
from gan.config import GANConfig
from gan.distributions import Mixture, Normal, Uniform


def test_every_config_field_has_a_flag_with_its_default_in_the_help():
    help_text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    for f in dataclasses.fields(GANConfig):
        assert "--" + f.name.replace("_", "-") in help_text
    assert "default: 2000" in help_text  # --steps shows its default


def test_the_engine_flag_says_what_each_engine_is(capsys):
    assert main(["train", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())        # argparse wraps the lines
    assert ("textbook: nn and rng.Generator, the code the reading path shows; fast: nn.fast and "
            "rng.fast, its optimised subclasses (default: textbook)") in help_text


def test_a_run_writes_config_metrics_and_history(tmp_path, capsys):
    code = main(
        ["train", "--steps", "30", "--snapshot-every", "10", "--seed", "4", "--g-hidden", "8,8",
         "--d-hidden", "16", "--out", str(tmp_path), "--no-progress", "--no-figures"]
    )
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in ("mean", "std", "jsd", "d_max_dev", "steps", "seed"):    # seconds: timings.json
        assert key in metrics
    assert metrics["steps"] == 30 and metrics["seed"] == 4
    config = GANConfig.from_dict(json.loads((tmp_path / "config.json").read_text()))
    assert config.g_hidden == (8, 8) and config.d_hidden == (16,) and config.seed == 4
    assert (tmp_path / "history.npz").stat().st_size > 0
    assert "JSD(p_data || p_g)" in capsys.readouterr().out


def test_a_bad_value_is_reported_with_the_parameter_name(capsys):
    assert main(["train", "--k", "0", "--no-progress"]) == 2
    assert "k must be a positive integer, got 0" in capsys.readouterr().err


def test_divergence_exits_with_a_message(capsys):
    code = main(["train", "--steps", "20", "--optimizer", "sgd", "--lr-g", "1e8", "--lr-d", "1e8",
                 "--snapshot-every", "0", "--no-progress"])
    assert code == 1
    assert "training diverged at step" in capsys.readouterr().err


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("normal:-1,1", Normal(-1.0, 1.0)),
        ("uniform:0,2", Uniform(0.0, 2.0)),
        ("normal:-2,0.5+normal:2,0.5", Mixture([Normal(-2.0, 0.5), Normal(2.0, 0.5)], [0.5, 0.5])),
        ("1*normal:-2,0.5+3*normal:2,0.5",
         Mixture([Normal(-2.0, 0.5), Normal(2.0, 0.5)], [0.25, 0.75])),
    ],
)
def test_target_specs_parse_to_distributions(spec, expected):
    assert parse_distribution(spec) == expected


def test_a_malformed_target_is_rejected():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--target", "gauss:0,1"])


# ---- bad invocations, output folders, divergence --------------------------------------------
from bad_invocations import BAD_INVOCATIONS, fill, make_paths  # noqa: E402


@pytest.mark.parametrize("argv, message", BAD_INVOCATIONS,
                         ids=[" ".join(argv)[:60] or "(none)" for argv, _ in BAD_INVOCATIONS])
def test_a_bad_invocation_exits_2_with_one_clear_line_and_writes_nothing(
        argv, message, tmp_path, capsys):
    paths = make_paths(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(fill(argv, paths)) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before     # nothing made, nothing left


SMALL = ["--steps", "20", "--snapshot-every", "10", "--g-hidden", "4", "--d-hidden", "4",
         "--batch-size", "16", "--grid-size", "32", "--no-progress"]


def test_a_rerun_into_an_earlier_run_is_refused_and_overwrite_replaces_every_old_file(
        tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *SMALL, "--out", str(out)]) == 0          # with figures
    assert (out / "figure1.png").exists()
    first = (out / "config.json").read_text()
    assert main(["train", *SMALL, "--seed", "1", "--no-figures", "--out", str(out)]) == 2
    assert "holds an earlier run" in capsys.readouterr().err
    assert (out / "config.json").read_text() == first                # untouched
    assert main(["train", *SMALL, "--seed", "1", "--no-figures", "--overwrite",
                 "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["D.npz", "G.npz", "config.json", "history.npz",
                                                     "manifest.json", "metrics.json",
                                                     "timings.json"]  # no figures
    assert json.loads((out / "config.json").read_text())["seed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]     # no staging folder left


def test_a_run_that_crashes_while_writing_leaves_the_earlier_run_whole(
        tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    assert main(["train", *SMALL, "--no-figures", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from gan import plots

    def crash(result, folder, format="png"):
        (folder / "losses.png").write_bytes(b"half a figure")
        raise RuntimeError("figure crashed")

    monkeypatch.setattr(plots, "write_run_figures", crash)
    with pytest.raises(RuntimeError, match="figure crashed"):
        main(["train", *SMALL, "--seed", "2", "--overwrite", "--out", str(out)])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_new_out_folder_and_its_parents_are_created_only_when_the_run_completes(tmp_path):
    out = tmp_path / "a" / "b" / "run"
    code = main(["train", *SMALL, "--optimizer", "adam", "--lr-g", "1e6", "--lr-d", "1e6",
                 "--out", str(out)])
    assert code == 1
    assert list(tmp_path.iterdir()) == []                            # nothing, not even a/b
    assert main(["train", *SMALL, "--no-figures", "--out", str(out)]) == 0
    assert (out / "metrics.json").exists()


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("lr", ["1e3", "1e9"])
def test_divergence_is_caught_for_every_optimiser_and_dtype_and_writes_nothing(
        optimizer, dtype, lr, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", *SMALL, "--optimizer", optimizer, "--dtype", dtype, "--lr-g", lr,
                 "--lr-d", lr, "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert "training diverged at step" in err and "Likely cause: the learning rates" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_sweep_records_diverged_at_for_runs_that_blow_up_with_finite_numbers(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "--seeds", "2", "--k", "1", "--lr", "1e-3,1e3", "--g-loss",
                 "non_saturating", "--steps", "20", "--g-hidden", "4", "--d-hidden", "4",
                 "--batch-size", "16", "--no-progress", "--out", str(out)]) == 0
    rows = (out / "sweep.csv").read_text().splitlines()
    header = rows[0].split(",")
    diverged = [row.split(",")[header.index("diverged_at")] for row in rows[1:]]
    lrs = [float(row.split(",")[header.index("lr")]) for row in rows[1:]]
    assert [d != "" for d in diverged] == [lr > 1 for lr in lrs]
    assert "2 of 4 runs diverged" in capsys.readouterr().out


@pytest.mark.parametrize("argv, code", [
    (["train", "--k", "0"], 2),
    (["train", "--target", "0*normal:0,1+0*normal:1,1"], 2),
    (["train", "--steps", "5", "--lr-g", "1e9", "--lr-d", "1e9", "--snapshot-every", "0",
      "--no-progress"], 1),
])
def test_python_m_gan_exits_with_the_code_and_no_traceback(argv, code):
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-m", "gan", *argv], capture_output=True, text=True,
                          timeout=120, cwd=root, env={**os.environ, "PYTHONPATH": root})
    assert done.returncode == code
    assert "Traceback" not in done.stderr
    assert "error: " in done.stderr.strip().splitlines()[-1]     # one line says what is wrong


# ---------------------------------------------------------------- sweep --scheduler, before work
class _SweepStarted(Exception):
    """Raised in place of the sweep: the command got past every check."""


@pytest.fixture
def no_sweep(monkeypatch):
    """Any training replaced by raising _SweepStarted."""
    import gan.lab.sweep as sweep_module

    def start(*arguments, **settings):
        raise _SweepStarted

    monkeypatch.setattr(sweep_module, "sweep", start)


def _sweep_on(scheduler, folder):
    return main(["sweep", "--scheduler", scheduler, "--seeds", "1", "--steps", "10",
                 "--out", str(folder), "--no-progress"])


@pytest.mark.parametrize("address", ["X", "tcp://host", "host:0", "host:65536", "http://h:80",
                                     "tcp://:8786", "h:8786/path", ""])
def test_a_scheduler_address_of_the_wrong_form_is_refused_before_work(address, tmp_path,
                                                                        capsys, no_sweep):
    assert _sweep_on(address, tmp_path / "sweep") == 2
    error = capsys.readouterr().err
    assert f"scheduler must be an address with a host and a port, got {address!r}" in error
    assert "allowed: tcp://HOST:PORT or HOST:PORT" in error and len(error.splitlines()) == 1
    assert not (tmp_path / "sweep").exists()


def test_a_scheduler_that_does_not_answer_is_refused_before_work(tmp_path, capsys, no_sweep):
    import socket
    import time

    with socket.create_server(("127.0.0.1", 0)) as closed:   # a loopback port nobody listens on
        port = closed.getsockname()[1]
    started = time.monotonic()
    assert _sweep_on(f"tcp://127.0.0.1:{port}", tmp_path / "sweep") == 2
    assert time.monotonic() - started < 10
    error = capsys.readouterr().err
    assert f"--scheduler: nothing answers at 'tcp://127.0.0.1:{port}' (Connection refused)" in error
    assert len(error.splitlines()) == 1 and not (tmp_path / "sweep").exists()


@pytest.mark.parametrize("form", ["tcp://127.0.0.1:{port}", "127.0.0.1:{port}",
                                  "localhost:{port}"])
def test_a_scheduler_that_answers_passes_the_check(form, tmp_path, no_sweep):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as listening:
        with pytest.raises(_SweepStarted):
            _sweep_on(form.format(port=listening.getsockname()[1]), tmp_path / "sweep")


def test_a_scheduler_silent_past_the_timeout_is_named_with_the_timeout(monkeypatch):
    import socket

    from gan.cli import sweep as sweep_command

    def hangs(address, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", hangs)
    with pytest.raises(ValueError, match=r"nothing answers at 'h:1' \(no answer within 0.5 s\)"):
        sweep_command.check_scheduler_answers("h:1", timeout=0.5)


@pytest.mark.parametrize("flags, cause", [
    (["--r1", "1e308"], "Likely cause: the update rule's penalty weight r1=1e+308 is far above"),
    (["--target", "normal:0,1e140"], "Likely cause: the target's scale 4.89e+140 is far above"),
    (["--lr-g", "1e3", "--lr-d", "1e3"], "Likely cause: the learning rates (adam, lr_g=1000"),
])
def test_a_blow_up_names_the_cause_the_evidence_shows(flags, cause, tmp_path, capsys):
    # Not a bad invocation (training starts, exit 1): the run blows up at once and says why.
    assert main(["train", *SMALL, "--no-figures", *flags, "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert cause in err and "Traceback" not in err
    if "--lr-g" not in flags:
        assert "learning rates (adam" not in err.split("Likely cause:")[1]
