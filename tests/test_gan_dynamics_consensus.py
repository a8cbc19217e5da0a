"""Consensus optimisation for networks (gan.dynamics.consensus) and as a training setting."""


import numpy as np
import pytest
from experiment_scripts import load_experiment

from gan.config import GANConfig
from gan.distributions import Normal
from gan.dynamics.consensus import consensus_gradients
from gan.dynamics.training import UpdateRule
from gan.dynamics.field import jacobian
from gan.dynamics.networks import NetworkGame
from gan.dynamics.quadrature import quantile_nodes
from gan.lab.ensemble import train_ensemble
from gan.train import train
from nn.fast import MLP


def small_game(g_loss):
    rng = np.random.default_rng(3)
    G = MLP([1, 4, 1], "softplus", rng=rng)
    D = MLP([1, 6, 1], "tanh", rng=rng)
    return NetworkGame(G, D, quantile_nodes(Normal(-1, 1), 48), quantile_nodes(Normal(0, 1), 48),
                       g_loss)


@pytest.mark.parametrize("g_loss", ["minimax", "non_saturating"])
def test_consensus_gradient_is_J_transpose_v_of_the_central_difference_jacobian(g_loss):
    # grad 1/2 ||v||^2 = J^T v (outside truth: J column by column from gan.dynamics.field, v
    # from NetworkGame); the consensus module never forms J. Both are central differences of
    # the same gradients with errors ~1e-9, so 1e-6 of the largest entry is far above their
    # noise and far below any structural error (J v instead of J^T v differs at ~10%).
    game = small_game(g_loss)
    w, v = game.w, game.field(game.w)
    expected = jacobian(game.field, w).T @ v
    *_, grad_theta, grad_psi = consensus_gradients(game.G, game.D, game.x_real, game.z, game.z,
                                                   g_loss)
    got = np.concatenate([grad_theta, grad_psi])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6 * np.abs(expected).max())
    np.testing.assert_array_equal(game.w, w)                     # the players are restored


def test_consensus_is_validated_with_its_name():
    with pytest.raises(ValueError, match="consensus"):
        UpdateRule("consensus")                                   # needs a weight > 0
    with pytest.raises(ValueError, match="consensus"):
        UpdateRule(consensus=1.0)                                 # a weight without the rule
    with pytest.raises(ValueError, match="consensus"):
        UpdateRule("consensus", consensus=-1.0)


def test_consensus_runs_on_both_engines_and_in_an_ensemble_bitwise():
    config = GANConfig(engine="fast", g_hidden=(8,), d_hidden=(16,), batch_size=32, steps=4,
                       snapshot_every=0)
    rule = UpdateRule("consensus", consensus=1.0)
    fast, reference = (train(config.replace(engine=engine), update=rule)
                       for engine in ("fast", "textbook"))
    flat = [np.concatenate([p.ravel() for p in r.G.parameters()]) for r in (fast, reference)]
    np.testing.assert_allclose(flat[1], flat[0], rtol=1e-9, atol=1e-12)
    assert not np.array_equal(fast.G.flat_params,
                              train(config, update=UpdateRule("simultaneous")).G.flat_params)
    members = train_ensemble([config.replace(seed=seed) for seed in (0, 1)], update=rule)
    np.testing.assert_array_equal(members[0].G.flat_params, fast.G.flat_params)
    np.testing.assert_array_equal(members[1].D.flat_params,
                                  train(config.replace(seed=1), update=rule).D.flat_params)


def _compare_updates():
    return load_experiment("compare_updates")


def test_the_experiments_settings_become_config_changes_of_their_own_types():
    module = _compare_updates()
    changes = module.parse_settings(["consensus=0.01", "optimizer=rmsprop", "steps=400"])
    assert changes == {"consensus": 0.01, "optimizer": "rmsprop", "steps": 400}
    assert isinstance(changes["steps"], int)
    rule, others = module.rule_and_changes("consensus", changes)
    config = GANConfig(**others)                          # GANConfig takes them as they are
    assert (rule.consensus, config.optimizer, config.steps) == (0.01, "rmsprop", 400)
    for bad in (["gamma=10"], ["consensus"], ["consensus="]):
        with pytest.raises(ValueError, match="--set"):
            module.parse_settings(bad)
