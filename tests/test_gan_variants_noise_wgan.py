"""Instance noise and WGAN: the reduction to the plain game at sigma = 0, the gradient through the
noise, weight clipping, the critic's gradients, and the critic's W1 against scipy's."""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import wasserstein_distance

from gan.config import GANConfig
from gan.distributions import Normal
from gan.train import train
from gan.variants.instance_noise import InstanceNoiseGAN, linear_anneal
from gan.variants.wgan import (PAPER_SETTINGS, WGAN, critic_generator_loss, critic_loss,
                               fit_critic, lipschitz_constant_1d)
from nn.fast import MLP
from nn.gradcheck import gradcheck
from nn.fast.optim import RMSProp

SMALL = dict(g_hidden=(8,), d_hidden=(8,), batch_size=32, snapshot_every=10, grid_size=64)


# ---- instance noise --------------------------------------------------------------------------
def test_instance_noise_at_sigma_zero_is_the_plain_game_bit_for_bit():
    config = GANConfig(steps=30, k=2, seed=3, **SMALL)
    plain = train(config)
    noisy = train(config, game=functools.partial(InstanceNoiseGAN, sigma=0.0))
    np.testing.assert_array_equal(noisy.G.flat_params, plain.G.flat_params)
    np.testing.assert_array_equal(noisy.D.flat_params, plain.D.flat_params)
    np.testing.assert_array_equal(noisy.history.d_loss, plain.history.d_loss)
    np.testing.assert_array_equal(noisy.history.jsd, plain.history.jsd)


def test_instance_noise_never_draws_from_the_training_stream():
    # Whatever sigma, the noise comes from its own stream: the training stream is left exactly
    # where the plain game leaves it, so both games see the same minibatches and z.
    config = GANConfig(steps=5, seed=1, **SMALL)
    positions = []
    for sigma in (0.0, 0.7):
        game = InstanceNoiseGAN(config, np.random.default_rng(0), sigma=sigma)
        rng = np.random.default_rng(11)
        for step in range(1, 6):
            game.discriminator_update(step, rng)
            game.generator_update(step, rng)
        positions.append(rng.random())
    assert positions[0] == positions[1]


@given(step=st.integers(1, 1000), steps=st.integers(1, 1000), sigma=st.floats(0, 10),
       fraction=st.floats(0.01, 1))
def test_linear_schedule_falls_from_sigma_to_zero_and_stays_there(step, steps, sigma, fraction):
    value = linear_anneal(step, steps, sigma, fraction)
    assert 0 <= value <= sigma
    if step >= fraction * steps:
        assert value == 0


def test_generator_gradient_passes_through_the_noise_unchanged():
    # L_G(theta_g) = L(D(G(z) + eps)) with eps fixed: central differences in theta_g must match
    # the backward pass (dx~/dG(z) = 1). The same eps is replayed by reseeding the noise stream.
    config = GANConfig(steps=10, seed=0, **SMALL)
    game = InstanceNoiseGAN(config, np.random.default_rng(0), sigma=0.8)
    z = np.random.default_rng(1).normal(size=(16, 1))

    def loss(seed=5):
        game.noise_rng = np.random.default_rng(seed)
        from gan.objectives import generator_loss
        x = game.blur(game.G.forward(z), 0.8)
        return generator_loss(game.D.forward(x), config.g_loss)

    value, grad_logits = loss()
    game.G.backward(game.D.backward(grad_logits, param_grads=False))
    analytic = [g.copy() for g in game.G.gradients()]
    result = gradcheck(lambda: loss()[0], game.G.parameters(), analytic)
    assert result.max_relative_error < 1e-6, result


@pytest.mark.parametrize("arguments, name", [({"sigma": -1.0}, "sigma"),
                                             ({"sigma": float("nan")}, "sigma"),
                                             ({"anneal_fraction": 0.0}, "anneal_fraction"),
                                             ({"noise_rng": object()}, "noise_rng")])
def test_instance_noise_rejects_bad_settings_by_name(arguments, name):
    with pytest.raises((ValueError, TypeError), match=name):
        InstanceNoiseGAN(GANConfig(**SMALL), np.random.default_rng(0), **arguments)


# ---- WGAN ------------------------------------------------------------------------------------
@settings(max_examples=5)
@given(seed=st.integers(0, 2**16), c=st.floats(1e-3, 0.5))
def test_clipped_weights_stay_within_c(seed, c):
    config = GANConfig(steps=8, k=2, seed=seed, optimizer="rmsprop", lr_d=0.5, lr_g=1e-3,
                       **SMALL)
    result = train(config, game=functools.partial(WGAN, c=c))
    assert np.abs(result.D.flat_params).max() <= c


def test_critic_loss_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    f_real, f_fake = rng.normal(size=(7, 1)), rng.normal(size=(5, 1))
    _, grad_real, grad_fake = critic_loss(f_real, f_fake)
    result = gradcheck(lambda: critic_loss(f_real, f_fake)[0], [f_real, f_fake],
                       [grad_real, grad_fake])
    assert result.max_relative_error < 1e-8
    _, grad = critic_generator_loss(f_fake)
    assert gradcheck(lambda: critic_generator_loss(f_fake)[0], [f_fake],
                     [grad]).max_relative_error < 1e-8


def test_wgan_generator_gradient_matches_finite_differences():
    config = GANConfig(**SMALL)
    game = WGAN(config, np.random.default_rng(0))
    z = np.random.default_rng(1).normal(size=(16, 1))
    _, grad_f = critic_generator_loss(game.D.forward(game.G.forward(z)))
    game.G.backward(game.D.backward(grad_f, param_grads=False))
    analytic = [g.copy() for g in game.G.gradients()]
    result = gradcheck(lambda: critic_generator_loss(game.D.forward(game.G.forward(z)))[0],
                       game.G.parameters(), analytic)
    assert result.max_relative_error < 1e-6, result


SHIFTS = (1.0, 2.0, 3.0)


@pytest.fixture(scope="module")
def trained_critics():
    """For N(0, 1) against N(mu, 1): the critic's estimate on 5e4 samples of each, its Lipschitz
    constant K, and scipy's W1 on the same samples."""
    out = {}
    for mu in SHIFTS:
        rng = np.random.default_rng(0)
        f = MLP([1, 32, 32, 1], "leaky_relu", rng=rng)
        p, q = Normal(0.0, 1.0), Normal(mu, 1.0)
        fit_critic(f, p, q, 200, 128, rng, RMSProp(f, lr=1e-3), c=0.01)
        x, y = p.sample(50_000, rng), q.sample(50_000, rng)
        estimate = f.forward(x).mean() - f.forward(y).mean()
        K = lipschitz_constant_1d(f, -30.0, 30.0)
        out[mu] = (estimate, K, wasserstein_distance(x[:, 0], y[:, 0]))
    return out


def test_critic_estimate_never_exceeds_K_times_W1(trained_critics):
    # Kantorovich-Rubinstein: for any K-Lipschitz f, E_p f - E_q f <= K W1(p, q), exactly, for
    # the empirical measures too -- and the estimate and scipy's W1 use the same samples.
    for estimate, K, w1 in trained_critics.values():
        assert estimate <= K * w1 * (1 + 1e-9)


def test_normalised_critic_estimate_tracks_W1(trained_critics):
    # The clipped critic is K-Lipschitz, so estimate / K is a lower bound on W1 (above) that a
    # critic near the best in its class approaches. For a shift of N(0, 1) the best 1-Lipschitz
    # critic is f(x) = -x, a line; a 32-32 LeakyReLU net with clipped weights bends (its slope
    # is K only where all its units agree), and in our runs estimate / (K W1) ranged 0.70-0.84
    # over seeds and shifts. We ask for at least 0.6: a critic that learnt nothing gives ~0.
    # The estimate must also grow with W1 like W1: for the same best critic (a line for every
    # shift) the estimates are K mu up to training noise, so their ratios follow mu within 15%
    # (observed: within 5%).
    for estimate, K, w1 in trained_critics.values():
        assert 0.6 <= estimate / (K * w1) <= 1.0 + 1e-9
    base_estimate, _, base_w1 = trained_critics[SHIFTS[0]]
    for mu in SHIFTS[1:]:
        estimate, _, w1 = trained_critics[mu]
        assert estimate / base_estimate == pytest.approx(w1 / base_w1, rel=0.15)


def test_paper_settings_are_the_papers():
    # Arjovsky et al. (2017), Algorithm 1: alpha = 5e-5, c = 0.01, n_critic = 5, RMSProp.
    config = GANConfig(**SMALL).replace(**PAPER_SETTINGS)
    assert (config.optimizer, config.lr_d, config.lr_g, config.k) == ("rmsprop", 5e-5, 5e-5, 5)
    assert WGAN(config, np.random.default_rng(0)).c == 0.01


@pytest.mark.parametrize("c", [0.0, -0.1, float("inf"), True])
def test_wgan_rejects_a_bad_clip(c):
    with pytest.raises(ValueError, match="c must be"):
        WGAN(GANConfig(**SMALL), np.random.default_rng(0), c=c)
