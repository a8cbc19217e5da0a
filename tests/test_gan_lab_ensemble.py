"""Ensembles: member e of a stacked computation is, bitwise, the single run it stands for.

The outside truth throughout is the unstacked code path: `gan.train.train`, an unstacked MLP,
an optimiser with a number as its learning rate, a `rng.Generator` drawn from on its own.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rng as project_rng
from gan.config import GANConfig
from gan.distributions import Mixture, Normal, Uniform
from gan.lab.ensemble import EnsembleGAN, MemberStreams, check_members, train_ensemble
from gan.game import build_players
from gan.train import train
from nn.fast import MLP
from nn.fast.optim import (SGD, Adam, MemberwiseAdam, MemberwiseRMSProp, MemberwiseSGD,
                           RMSProp)

seeds = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_each_member_equals_the_single_run_with_its_seed_and_learning_rates(dtype):
    # Three members differing in seed and in both learning rates, k = 2 and the minimax loss so
    # that the D loop and the other generator loss are exercised; a short run with averaging.
    base = GANConfig(engine="fast",
                     steps=40, k=2, g_loss="minimax", g_hidden=(8, 8), d_hidden=(16, 16),
                     batch_size=32, average_last=0.25, snapshot_every=0, dtype=dtype)
    configs = [base.replace(seed=0, lr_d=2e-3, lr_g=1e-3), base.replace(seed=11, lr_d=5e-4),
               base.replace(seed=7, lr_g=4e-3)]
    members = train_ensemble(configs)
    for config, member in zip(configs, members):
        single = train(config)
        assert member.config == config
        np.testing.assert_array_equal(member.G.flat_params, single.G.flat_params)
        np.testing.assert_array_equal(member.D.flat_params, single.D.flat_params)
        for name in ("d_loss", "g_loss", "value", "grid", "p_data_grid", "z_line"):
            np.testing.assert_array_equal(getattr(member.history, name),
                                          getattr(single.history, name))
        assert {k: v for k, v in member.metrics.items() if k != "seconds"} == {
            k: v for k, v in single.metrics.items() if k != "seconds"}


def test_ensemble_of_one_equals_the_single_run():
    config = GANConfig(engine="fast",
                       steps=15, g_hidden=(4,), d_hidden=(8,), batch_size=16, snapshot_every=0,
                       seed=3)
    (member,) = train_ensemble([config])
    np.testing.assert_array_equal(member.G.flat_params, train(config).G.flat_params)


@settings(max_examples=20)
@given(seed=seeds, members=st.integers(1, 4), batch=st.integers(1, 9),
       sizes=st.sampled_from([[1, 5, 1], [1, 4, 3, 1], [2, 3, 2], [3, 1]]),
       activation=st.sampled_from(["leaky_relu", "softplus", "tanh", "relu"]),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_stacked_mlp_computes_what_each_member_computes_bitwise(seed, members, batch, sizes,
                                                                activation, dtype):
    rng = np.random.default_rng(seed)
    singles = [MLP(sizes, activation, rng=rng, dtype=dtype) for _ in range(members)]
    for single in singles:   # nonzero biases, so dL/db is not trivially zero-centred
        single.flat_params[...] += rng.normal(scale=0.1, size=single.flat_params.size)
    stacked = MLP.stacked(singles)
    x = rng.normal(size=(members, batch, sizes[0])).astype(dtype)
    grad_y = rng.normal(size=(members, batch, sizes[-1])).astype(dtype)
    y, grad_x = stacked.forward(x), stacked.backward(grad_y)
    for e, single in enumerate(singles):
        np.testing.assert_array_equal(y[e], single.forward(x[e]))
        np.testing.assert_array_equal(grad_x[e], single.backward(grad_y[e]))
        for stacked_gradient, gradient in zip(stacked.gradients(), single.gradients()):
            np.testing.assert_array_equal(stacked_gradient[e], gradient)
        np.testing.assert_array_equal(stacked.member(e).flat_params, single.flat_params)


@settings(max_examples=15)
@given(seed=seeds, steps=st.integers(1, 4),
       make=st.sampled_from([  # (the plain optimiser, its memberwise twin), with settings
           lambda n, lr, C=(Adam, MemberwiseAdam): C[isinstance(lr, np.ndarray)](
               n, lr, betas=(0.5, 0.999)),
           lambda n, lr, C=(SGD, MemberwiseSGD): C[isinstance(lr, np.ndarray)](
               n, lr, momentum=0.9, nesterov=True),
           lambda n, lr, C=(SGD, MemberwiseSGD): C[isinstance(lr, np.ndarray)](n, lr),
           lambda n, lr, C=(RMSProp, MemberwiseRMSProp): C[isinstance(lr, np.ndarray)](n, lr)]),
       dtype=st.sampled_from([np.float64, np.float32]),
       rates=st.sampled_from([[1e-3, 3.7e-2, 0.0], [2.3e-3] * 3]))   # one rate for all: a shortcut
def test_per_member_learning_rates_update_each_member_as_its_own_optimiser(seed, steps, make,
                                                                          dtype, rates):
    rng = np.random.default_rng(seed)
    singles = [MLP([1, 4, 1], rng=rng, dtype=dtype) for _ in rates]
    stacked = MLP.stacked(singles)
    single_optimisers = [make(single, rate) for single, rate in zip(singles, rates)]
    stacked_optimiser = make(stacked, np.array(rates))
    for _ in range(steps):
        for e, (single, optimiser) in enumerate(zip(singles, single_optimisers)):
            single.flat_grads[...] = rng.normal(size=single.flat_grads.size)
            for stacked_gradient, gradient in zip(stacked.gradients(), single.gradients()):
                stacked_gradient[e] = gradient
            optimiser.step()
        stacked_optimiser.step()
    for e, single in enumerate(singles):
        np.testing.assert_array_equal(stacked.member(e).flat_params, single.flat_params)


@pytest.mark.parametrize("distribution", [Normal(-1.0, 1.0), Normal(0.0, 1.0, dim=2),
                                          Normal(2.0, 0.5, dim=3), Uniform(0.0, 2.0),
                                          Mixture([Normal(-2, 0.5), Normal(2, 0.5)], [0.3, 0.7])])
@pytest.mark.parametrize("n", [1, 7, 64])
def test_member_streams_draw_what_each_generator_draws_alone(distribution, n):
    seeds_ = [0, 5, 2**40 + 3]
    together = MemberStreams([project_rng.Generator(seed) for seed in seeds_])
    alone = [project_rng.Generator(seed) for seed in seeds_]
    for _ in range(3):   # three calls: the streams must also advance as they would alone
        rows = together.sample(distribution, n)
        for row, generator in zip(rows, alone):
            np.testing.assert_array_equal(row, distribution.sample(n, generator))
    together.synchronise()
    for generator, reference in zip(together.generators, alone):
        assert generator.lcg.state == reference.lcg.state


def test_member_streams_fall_back_to_one_draw_per_member_for_numpy_generators():
    together = MemberStreams([np.random.default_rng(1), np.random.default_rng(2)])
    rows = together.sample(Normal(0.0, 1.0), 5)
    assert not together.vectorised
    np.testing.assert_array_equal(rows[1], Normal(0.0, 1.0).sample(5, np.random.default_rng(2)))


def test_members_may_differ_only_in_seed_and_learning_rates():
    base = GANConfig(engine="fast", steps=5)
    assert len(check_members([base, base.replace(seed=1, lr_g=1e-4, snapshot_every=0)])) == 2
    with pytest.raises(ValueError, match=r"configs\[1\]\.k is 2 but configs\[0\]\.k is 1"):
        check_members([base, base.replace(k=2)])
    with pytest.raises(TypeError, match="configs must be a non-empty list"):
        train_ensemble([])
    with pytest.raises(TypeError, match="configs must be a non-empty list"):
        train_ensemble(base)
    with pytest.raises(TypeError, match=r"configs\[1\] must be a GANConfig"):
        train_ensemble([base, {"seed": 1}])


def test_learning_rate_arrays_are_checked_against_the_members():
    stacked = MLP([1, 2, 1], stack=3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="one number >= 0 per member"):
        MemberwiseAdam(stacked, lr=np.array([1e-3, 1e-3]))
    with pytest.raises(ValueError, match="one number >= 0 per member"):
        MemberwiseAdam(stacked, lr=np.array([1e-3, -1.0, 1e-3]))
    with pytest.raises(ValueError, match="stack=None"):
        MemberwiseAdam(MLP([1, 2, 1], rng=np.random.default_rng(0)), lr=[1e-3])
    # the plain optimisers take one number, and say where per-member rates are
    with pytest.raises(ValueError, match="lr must be a number >= 0.*MemberwiseAdam"):
        Adam(stacked, lr=np.array([1e-3, 2e-3, 1e-3]))


def test_a_member_that_diverges_is_marked_and_the_others_finish():
    # lr_d = 1e30 with plain SGD drives member 1's weights to inf within a few steps; member 0
    # (ordinary settings) must still equal its single run.
    base = GANConfig(engine="fast",
                     steps=20, optimizer="sgd", g_hidden=(4,), d_hidden=(8,), batch_size=16,
                     snapshot_every=0, lr_d=1e-2, lr_g=1e-2)
    good, bad = train_ensemble([base, base.replace(seed=1, lr_d=1e30, lr_g=1e30)])
    assert 1 <= bad.metrics["diverged_at"] <= base.steps and "jsd" not in bad.metrics
    assert "diverged_at" not in good.metrics
    np.testing.assert_array_equal(good.G.flat_params, train(base).G.flat_params)


def test_ensemble_game_draws_each_members_players_from_its_own_stream():
    configs = [GANConfig(engine="fast", seed=seed, g_hidden=(3,), d_hidden=(5,)) for seed in (4, 9)]
    game = EnsembleGAN(configs, [project_rng.Generator(seed) for seed in (4, 9)])
    for e, seed in enumerate((4, 9)):
        G, D = build_players(configs[e], project_rng.Generator(seed))
        np.testing.assert_array_equal(game.G.member(e).flat_params, G.flat_params)
        np.testing.assert_array_equal(game.D.member(e).flat_params, D.flat_params)
