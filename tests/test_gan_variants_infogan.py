"""InfoGAN (Chen et al. 2016): the information loss and both updates' gradients against finite
differences through the shared body, and a code that finds a mixture's modes without labels."""

import copy
import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import logsumexp

from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.objectives import discriminator_loss, generator_loss
from gan.train import train
from gan.variants.infogan import InfoGAN, information_loss, sample_codes
from nn.gradcheck import compare, numerical_gradients

TARGET = Mixture([Normal(-3.0, 0.5), Normal(0.0, 0.5), Normal(3.0, 0.5)])
MEANS = np.array([-3.0, 0.0, 3.0])
K = 3
LAMBDA = 0.7


def tiny_game(seed=0):
    config = GANConfig(engine="fast", target=TARGET, g_hidden=(5,), d_hidden=(6,), batch_size=8,
                       g_activation="tanh", d_activation="tanh", optimizer="sgd")
    game = InfoGAN(config, np.random.default_rng(seed), categories=K, information_weight=LAMBDA)
    game.set_learning_rates(0.0)               # the updates set the gradients but move nothing
    return game


@settings(max_examples=30)
@given(arrays(np.float64, (6, 4), elements=st.floats(-20, 20)),
       arrays(np.int64, 6, elements=st.integers(0, 3)))
def test_information_loss_is_the_cross_entropy_and_its_gradient(q, c):
    """L_I = mean(logsumexp(q) - q_c) (scipy's logsumexp as the reference); the gradient against
    central differences."""
    loss, grad = information_loss(q, c)
    reference = np.mean(logsumexp(q, axis=1) - q[np.arange(6), c])
    assert loss == pytest.approx(reference, rel=1e-12, abs=1e-12)
    numerical = numerical_gradients(lambda: information_loss(q, c)[0], [q])
    assert compare([grad], numerical).max_relative_error < 1e-6


def test_codes_are_uniform_over_the_categories():
    """n = 90k: each frequency has standard error sqrt((1/3)(2/3)/n) = 0.0016; 5 SE = 0.008."""
    c = sample_codes(K, 90_000, np.random.default_rng(1))
    np.testing.assert_allclose(np.bincount(c, minlength=K) / len(c), np.full(K, 1 / K), atol=0.008)


def test_discriminator_and_q_gradient_through_the_shared_body_matches_finite_differences():
    """d(L_D + lambda L_I)/d theta for D's body and both heads, with the update's own draws."""
    game, rng = tiny_game(), np.random.default_rng(2)
    replay = copy.deepcopy(rng)
    game.discriminator_update(1, rng)
    analytic = game.D.flat_grads.copy()
    m = game.config.batch_size
    x_real = game.sample_real(m, replay)                      # the update's draws, replayed
    c = sample_codes(K, m, replay)
    x_fake = game.generate(game.sample_noise(m, replay), c)

    def loss():
        (l_real, _), (l_fake, q_fake) = game.heads(x_real), game.heads(x_fake)
        return discriminator_loss(l_real, l_fake)[0] + LAMBDA * information_loss(q_fake, c)[0]

    numerical = numerical_gradients(loss, [game.D.flat_params])
    assert compare([analytic], numerical).max_relative_error < 1e-6


def test_generator_gradient_through_both_heads_matches_finite_differences():
    """d(L_G + lambda L_I)/d theta_g: D's input gradient sums what both heads send back."""
    game, rng = tiny_game(3), np.random.default_rng(4)
    replay = copy.deepcopy(rng)
    game.generator_update(1, rng)
    analytic = game.G.flat_grads.copy()
    m = game.config.batch_size
    c = sample_codes(K, m, replay)
    z = game.sample_noise(m, replay)

    def loss():
        logits, q = game.heads(game.generate(z, c))
        return generator_loss(logits, game.config.g_loss)[0] + LAMBDA * information_loss(q, c)[0]

    numerical = numerical_gradients(loss, [game.G.flat_params])
    assert compare([analytic], numerical).max_relative_error < 1e-6


def test_q_recovers_the_code_and_the_code_names_the_modes():
    """The defining property, without any label: after a short training, argmax Q(c | G(z, c))
    = c for at least 90% of 3000 samples per code, against a chance level of 1/K = 1/3 (an
    accuracy of a Q that guesses has standard error sqrt((1/3)(2/3)/9000) = 0.005, so the margin
    of 0.57 is not luck); and the map code -> the mode most of G(z, c) lands nearest is a
    bijection, each code putting at least 80% of its samples there."""
    config = GANConfig(target=TARGET, g_hidden=(16, 16), d_hidden=(16, 16), batch_size=64,
                       steps=300, lr_g=5e-3, lr_d=5e-3, average_last=0.0, snapshot_every=0, seed=0)
    result = train(config, game=functools.partial(InfoGAN, categories=K))
    game = InfoGAN.from_players(config, result.G, result.D)
    z = config.p_z.sample(3000, np.random.default_rng(5))
    accuracy, modes = [], []
    for c in range(K):
        x = game.generate(z, np.full(len(z), c))
        accuracy.append(np.mean(game.recover_codes(x) == c))
        nearest = np.argmin(np.abs(x[:, :1] - MEANS[None, :]), axis=1)
        share = np.bincount(nearest, minlength=K) / len(z)
        modes.append(int(np.argmax(share)))
        assert share.max() >= 0.8, f"code {c}: {share}"
    assert np.mean(accuracy) >= 0.9
    assert sorted(modes) == list(range(K)), f"code -> mode {modes} is not a bijection"


@pytest.mark.parametrize("settings, message", [
    ({"categories": 1}, "categories must be an integer >= 2, got 1"),
    ({"categories": 2.0}, "categories must be an integer >= 2"),
    ({"information_weight": 0.0}, "information_weight must be a positive finite number"),
    ({"information_weight": float("nan")}, "information_weight must be a positive finite"),
])
def test_bad_settings_are_named(settings, message):
    with pytest.raises(ValueError, match=message):
        InfoGAN(GANConfig(target=TARGET), np.random.default_rng(0), **settings)
