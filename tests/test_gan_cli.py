"""`python -m gan train`: every config field has a flag, a run writes its files, bad flags are
named."""

import dataclasses
import json

import pytest

from gan.cli import build_parser, main, parse_distribution
from gan.config import GANConfig
from gan.distributions import Mixture, Normal, Uniform


def test_every_config_field_has_a_flag_with_its_default_in_the_help():
    help_text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    for f in dataclasses.fields(GANConfig):
        assert "--" + f.name.replace("_", "-") in help_text
    assert "default: 2000" in help_text  # --steps shows its default


def test_a_run_writes_config_metrics_and_history(tmp_path, capsys):
    code = main(
        ["train", "--steps", "30", "--snapshot-every", "10", "--seed", "4", "--g-hidden", "8,8",
         "--d-hidden", "16", "--out", str(tmp_path), "--no-progress", "--no-figures"]
    )
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in ("mean", "std", "jsd", "d_max_dev", "seconds", "steps", "seed"):
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
