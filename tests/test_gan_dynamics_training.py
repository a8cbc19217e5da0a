"""The update rules passed to training (gan.dynamics.training, --update, --r1, --r2)."""

import numpy as np
import pytest

import rng as project_rng
from gan.cli import build_parser
from gan.config import GANConfig
from gan.dynamics import training
from gan.dynamics.training import UpdateRule
from gan.game import GAN
from gan.train import iteration, train

SMALL = dict(g_hidden=(8,), d_hidden=(16,), batch_size=64, steps=30, snapshot_every=0)


def test_alternating_rule_without_penalties_is_algorithm_1_bitwise():
    # the rule's own alternating branch, with r1 = r2 = 0, reproduces gan.train.iteration
    config = GANConfig(**SMALL)
    rule = UpdateRule("alternating")
    games, streams = [], []
    for _ in range(2):
        stream = project_rng.Generator(0)
        games.append(GAN(config, stream))
        streams.append(stream)
    for step in range(1, 6):
        expected = iteration(games[0], step, streams[0])
        got = rule(games[1], step, streams[1])
        assert expected[0] == got[0] and expected[2] == got[2]
    np.testing.assert_array_equal(games[0].G.flat_params, games[1].G.flat_params)
    np.testing.assert_array_equal(games[0].D.flat_params, games[1].D.flat_params)


@pytest.mark.parametrize("settings", [dict(name="extragradient"), dict(r1=1.0)])
def test_rule_converges_on_the_default_target(settings):
    # the course's criterion and budget for N(-1, 1) (gan.lab.comparison.course: JSD < 0.01 nats at
    # 800 steps of m = 64, cheaper than the CLI default's 2000 steps of m = 256, which
    # `python -m gan train --update extragradient` / `--r1 1` met: JSD 0.00003 / 0.0048); seed 0
    # met it for both (experiments/compare_updates.py: 10 of 10 seeds each, JSD 0.004 / 0.007)
    result = train(GANConfig(snapshot_every=0, steps=800, batch_size=64),
                   update=UpdateRule(**settings))
    assert result.metrics["jsd"] < 0.01


@pytest.mark.parametrize("update", ["simultaneous", "extragradient", "optimistic"])
def test_each_rule_is_reproducible_and_differs_from_algorithm_1(update):
    first = train(GANConfig(**SMALL), update=UpdateRule(update))
    second = train(GANConfig(**SMALL), update=UpdateRule(update))
    default = train(GANConfig(**SMALL))
    np.testing.assert_array_equal(first.G.flat_params, second.G.flat_params)
    assert not np.array_equal(first.G.flat_params, default.G.flat_params)


def test_extragradient_restores_the_optimisers_between_look_ahead_and_step():
    game = GAN(GANConfig(**SMALL), project_rng.Generator(0))
    UpdateRule("extragradient")(game, 1, project_rng.Generator(1))
    assert game.opt_d.t == 1 and game.opt_g.t == 1      # one real step each, not two


def test_settings_are_validated_with_their_names():
    with pytest.raises(ValueError, match="update"):
        UpdateRule("adam")
    with pytest.raises(ValueError, match="r1"):
        UpdateRule(r1=-1.0)
    with pytest.raises(ValueError, match="k must be 1"):
        train(GANConfig(k=2, **{**SMALL, "steps": 1}), update=UpdateRule("simultaneous"))
    UpdateRule("alternating", r1=1.0).check(GANConfig(k=2))   # R1 with Algorithm 1's k is fine


def test_algorithm_1_leaves_the_config_and_its_iteration_has_no_rule():
    # Algorithm 1's config knows nothing of the rules, and gan.train.iteration runs whatever
    # the game's two updates do: k D updates, then one G update, counted here
    assert not {"update", "r1", "r2", "consensus"} & set(GANConfig().to_dict())
    calls = []

    class Counting:
        config = GANConfig(k=3)

        def discriminator_update(self, step, rng):
            calls.append("D")
            return 1.0, -1.0

        def generator_update(self, step, rng):
            calls.append("G")
            return 2.0

    assert iteration(Counting(), 1, None) == (1.0, -1.0, 2.0)
    assert calls == ["D", "D", "D", "G"]


def test_command_line_flags():
    args = build_parser().parse_args(["train", "--update", "extragradient", "--r1", "1",
                                      "--r2", "0.5"])
    assert (args.update, args.r1, args.r2) == ("extragradient", 1.0, 0.5)
    rule = UpdateRule("optimistic", r2=0.5)
    assert UpdateRule.from_dict(rule.to_dict()) == rule


def test_a_run_with_a_rule_records_it_in_config_json(tmp_path):
    import json

    from gan.cli import main

    assert main(["train", "--steps", "3", "--g-hidden", "4", "--d-hidden", "4", "--update",
                 "simultaneous", "--out", str(tmp_path / "run"), "--no-progress",
                 "--no-figures"]) == 0
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config.pop("update") == UpdateRule("simultaneous").to_dict()
    assert GANConfig.from_dict(config).steps == 3


def test_sweep_takes_the_rule_and_rejects_k_above_one_before_any_work(tmp_path, capsys):
    from gan.cli import main

    assert main(["sweep", "--seeds", "1", "--lr", "2e-3", "--update", "simultaneous",
                 "--steps", "5", "--out", str(tmp_path), "--no-progress"]) == 2
    assert "k must be 1" in capsys.readouterr().err
    assert main(["sweep", "--seeds", "1", "--k", "1", "--lr", "2e-3", "--g-loss",
                 "non_saturating", "--update", "extragradient", "--r1", "1", "--steps", "5",
                 "--out", str(tmp_path), "--no-progress"]) == 0
    assert (tmp_path / "sweep.csv").is_file()


@pytest.mark.parametrize("update, r1", [("simultaneous", 0.0), ("extragradient", 0.0),
                                        ("optimistic", 0.0), ("alternating", 1.0)])
def test_every_rule_runs_on_both_engines_and_they_agree(update, r1):
    # The rules write parameters and gradients through gan.engine's helpers, so they run on the
    # textbook engine too (whose flat_params / flat_grads are read-only copies); the engines
    # then agree as Algorithm 1 does in tests/test_gan_engine.py (sums in another order: 1e-9).
    from gan.config import GANConfig
    from gan.train import train

    results = [train(GANConfig(steps=5, snapshot_every=0, engine=engine),
                     update=UpdateRule(update, r1=r1)) for engine in ("fast", "textbook")]
    fast, reference = (np.concatenate([p.ravel() for p in r.G.parameters()]) for r in results)
    np.testing.assert_allclose(reference, fast, rtol=1e-9, atol=1e-12)
