"""Sweeps: every combination once, each row the single run of its settings, success by the
stated criteria, rates as fractions of seeds, the CSV, the heat map and the command line."""

import csv
import math
import socket

import numpy as np
import pytest

from gan.cli import main
from gan.config import GANConfig
from gan.lab.success import DefaultRun, succeeded
from gan.lab.sweep import COLUMNS, heatmap, success_rates, sweep, write_csv
from gan.train import train

TINY = GANConfig(engine="fast",
                 steps=4, g_hidden=(4,), d_hidden=(4,), batch_size=8, snapshot_every=0)


def test_rows_cover_every_combination_once_and_match_single_runs():
    rows = sweep(seeds=[0, 3], ks=[1, 2], learning_rates=[1e-3, 5e-3],
                 g_losses=["minimax", "non_saturating"], base=TINY, max_members=3)
    keys = [(row["seed"], row["k"], row["lr"], row["g_loss"]) for row in rows]
    assert sorted(keys) == sorted((s, k, lr, loss) for s in (0, 3) for k in (1, 2)
                                  for lr in (1e-3, 5e-3) for loss in ("minimax", "non_saturating"))
    # Groups of 4 runs split into ensembles of 3 and 1: any row equals the single run.
    for row in (rows[0], rows[3], rows[-1]):
        config = TINY.replace(seed=row["seed"], k=row["k"], lr_g=row["lr"], lr_d=row["lr"],
                              g_loss=row["g_loss"])
        metrics = train(config).metrics
        assert [row[name] for name in ("jsd", "mean", "std", "d_max_dev")] == [
            metrics[name] for name in ("jsd", "mean", "std", "d_max_dev")]
        assert row["success"] == succeeded(metrics, DefaultRun.of(config.target))


def test_progress_counts_every_member_step():
    done = []
    sweep(seeds=[0, 1], ks=[1], learning_rates=[1e-3], g_losses=["minimax"], base=TINY,
          progress=done.append)
    assert sum(done) == 2 * TINY.steps


def test_success_rates_are_the_fraction_of_seeds_that_succeed():
    rows = [{"seed": s, "k": k, "lr": lr, "g_loss": "minimax", "success": success}
            for (s, k, lr, success) in [
                (0, 1, 1e-3, True), (1, 1, 1e-3, False), (2, 1, 1e-3, True),
                (0, 2, 1e-3, False), (1, 2, 1e-3, False), (2, 2, 1e-3, False),
                (0, 1, 2e-3, True), (1, 1, 2e-3, True), (2, 1, 2e-3, True),
                (0, 2, 2e-3, True), (1, 2, 2e-3, False), (2, 2, 2e-3, False)]]
    ks, learning_rates, rates = success_rates(rows)["minimax"]
    assert ks == [1, 2] and learning_rates == [1e-3, 2e-3]
    np.testing.assert_allclose(rates, [[2 / 3, 1.0], [0.0, 1 / 3]])


def test_csv_holds_one_line_per_run_with_the_documented_columns(tmp_path):
    rows = sweep(seeds=[0, 1], ks=[1], learning_rates=[2e-3], g_losses=["non_saturating"],
                 base=TINY)
    path = write_csv(rows, tmp_path / "sweep.csv")
    with path.open() as file:
        read = list(csv.DictReader(file))
    assert list(read[0]) == list(COLUMNS) and len(read) == 2
    for line, row in zip(read, rows):
        assert int(line["seed"]) == row["seed"] and float(line["jsd"]) == row["jsd"]
        assert line["success"] == str(row["success"])


def test_heatmap_has_one_panel_per_loss(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    rows = [{"seed": 0, "k": 1, "lr": 1e-3, "g_loss": loss, "success": True}
            for loss in ("minimax", "non_saturating")]
    figure = heatmap(rows)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert titles == ["minimax loss", "non_saturating loss"]
    heatmap(rows, tmp_path / "success.png")
    assert (tmp_path / "success.png").stat().st_size > 0


@pytest.mark.parametrize("arguments, message", [
    (dict(seeds=[]), "seeds must be a non-empty list"),
    (dict(seeds=[-1]), r"seeds holds invalid values \[-1\]"),
    (dict(ks=[0]), r"ks holds invalid values \[0\]"),
    (dict(learning_rates=[math.inf]), r"learning_rates holds invalid values \[inf\]"),
    (dict(g_losses=["wasserstein"]), "g_losses holds invalid values"),
    (dict(seeds=[1, 1]), "seeds must not repeat values"),
    (dict(max_members=0), "max_members must be a positive integer, got 0"),
])
def test_bad_arguments_are_rejected_before_any_training(arguments, message):
    grid = dict(seeds=[0], ks=[1], learning_rates=[1e-3], g_losses=["minimax"], base=TINY)
    with pytest.raises(ValueError, match=message):
        sweep(**{**grid, **arguments})


def test_command_line_writes_the_table_and_the_heat_map(tmp_path, capsys):
    code = main(["sweep", "--seeds", "2", "--k", "1", "--lr", "1e-3,2e-3", "--g-loss", "minimax",
                 "--steps", "3", "--g-hidden", "4", "--d-hidden", "4", "--batch-size", "8",
                 "--out", str(tmp_path), "--no-progress"])
    assert code == 0
    with (tmp_path / "sweep.csv").open() as file:
        assert len(list(csv.DictReader(file))) == 4
    assert (tmp_path / "success.png").exists()
    assert "success rate over 2 seeds, minimax loss" in capsys.readouterr().out


def test_command_line_reports_a_bad_setting_without_training(tmp_path, capsys):
    assert main(["sweep", "--seeds", "2", "--lr", "-1", "--out", str(tmp_path)]) == 2
    assert "learning_rates holds invalid values [-1.0]" in capsys.readouterr().err
    assert not (tmp_path / "sweep.csv").exists()


def test_a_sweep_too_large_for_memory_at_once_runs_in_smaller_chunks(monkeypatch):
    import gan.lab.sweep as sweep_module
    from gan.limits import ensemble_memory_estimate

    grid = dict(seeds=[0, 1, 2], ks=[1], learning_rates=[1e-3, 2e-3], g_losses=["minimax"])
    limit = ensemble_memory_estimate(TINY, 2) + 1           # room for two members, not three
    monkeypatch.setattr(sweep_module, "memory_limit", lambda: limit)
    assert sweep_module.members_per_chunk(TINY, 64) == 2
    chunks = []
    monkeypatch.setattr(sweep_module, "run_chunks",
                        lambda chunks_given, *rest: chunks.extend(chunks_given) or [])
    sweep(**grid, base=TINY)
    assert [len(chunk) for chunk in chunks] == [2, 2, 2]


class Started(Exception):
    """Raised in place of training: the command got past every check."""


@pytest.mark.parametrize("backend", [["--workers", "2"], ["--scheduler", "tcp://HOST:8786"]])
def test_the_documented_sweeps_pass_their_checks_and_start(backend, tmp_path, monkeypatch):
    # README and docs/cluster.md: 1250 seeds x 4 learning rates, on two workers or a cluster.
    import gan.lab.sweep as sweep_module

    def start(*arguments, **settings):
        raise Started

    monkeypatch.setattr(sweep_module, "sweep", start)
    listening = socket.create_server(("127.0.0.1", 0))    # a scheduler must answer: loopback
    port = listening.getsockname()[1]
    backend = [arg.replace("HOST:8786", f"127.0.0.1:{port}") for arg in backend]
    with listening, pytest.raises(Started):
        main(["sweep", *backend, "--seeds", "1250", "--k", "1,2", "--lr", "5e-4,1e-3,2e-3,4e-3",
              "--g-loss", "non_saturating", "--out", str(tmp_path / "sweep"), "--no-progress"])


def test_command_line_refuses_only_a_run_too_large_alone(tmp_path, capsys):
    assert main(["sweep", "--seeds", "2", "--g-hidden", "4000,4000", "--out",
                 str(tmp_path / "sweep"), "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "GiB limit: reduce g_hidden/d_hidden" in error, error
    assert not (tmp_path / "sweep").exists()
