"""Conditional GAN (Mirza & Osindero 2014): labels drawn with the mixture's weights, both updates'
gradients against finite differences, and a trained G that obeys its label."""

import copy

import numpy as np
import pytest

from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.objectives import discriminator_loss, generator_loss
from gan.train import train
from gan.variants.conditional import ConditionalGAN, one_hot, sample_labelled, sample_labels
from nn.gradcheck import compare, numerical_gradients

TARGET = Mixture([Normal(-3.0, 0.5), Normal(0.0, 0.5), Normal(3.0, 0.5)], weights=[0.5, 0.3, 0.2])
MEANS = np.array([-3.0, 0.0, 3.0])


def tiny_game(seed=0):
    config = GANConfig(engine="fast", target=TARGET, g_hidden=(5,), d_hidden=(6,), batch_size=8,
                       g_activation="tanh", d_activation="tanh", optimizer="sgd")
    game = ConditionalGAN(config, np.random.default_rng(seed))
    game.set_learning_rates(0.0)               # the updates set the gradients but move nothing
    return game


def test_one_hot_rows_hold_a_single_one_at_the_label():
    c = np.array([2, 0, 1, 2])
    label = one_hot(c, 3)
    assert np.array_equal(label.sum(axis=1), np.ones(4))
    assert np.array_equal(np.argmax(label, axis=1), c)


def test_labels_follow_the_mixture_weights_and_samples_their_component():
    """Class frequencies: binomial standard error sqrt(w (1 - w) / n) <= 0.0016 for n = 1e5, so
    a 5-SE band is 0.008. Class means: standard error sigma / sqrt(n_c) <= 0.5 / sqrt(2e4)
    = 0.0036, 5 SE = 0.018."""
    x, c = sample_labelled(TARGET, 100_000, np.random.default_rng(1))
    frequencies = np.bincount(c, minlength=3) / len(c)
    np.testing.assert_allclose(frequencies, TARGET.weights, atol=0.008)
    class_means = np.array([x[c == k, 0].mean() for k in range(3)])
    np.testing.assert_allclose(class_means, MEANS, atol=0.018)


def test_discriminator_update_gradient_matches_finite_differences():
    """D's gradient of L_D on the pairs (x, c), (G(z, c'), c') the update drew."""
    game, rng = tiny_game(), np.random.default_rng(2)
    replay = copy.deepcopy(rng)
    game.discriminator_update(1, rng)
    analytic = game.D.flat_grads.copy()
    m = game.config.batch_size
    x_real, c_real = sample_labelled(TARGET, m, replay)               # the update's draws, replayed
    c_fake = sample_labels(TARGET.weights, m, replay)
    x_fake = game.generate(game.sample_noise(m, replay), c_fake)
    real, fake = game.joined(x_real, c_real), game.joined(x_fake, c_fake)

    def loss():
        return discriminator_loss(game.D.forward(real), game.D.forward(fake))[0]

    numerical = numerical_gradients(loss, [game.D.flat_params])
    assert compare([analytic], numerical).max_relative_error < 1e-6


def test_generator_update_gradient_matches_finite_differences():
    """G's gradient of L_G(D(G(z, c), c)): only the x-part of D's input gradient reaches G."""
    game, rng = tiny_game(3), np.random.default_rng(4)
    replay = copy.deepcopy(rng)
    game.generator_update(1, rng)
    analytic = game.G.flat_grads.copy()
    m = game.config.batch_size
    c = sample_labels(TARGET.weights, m, replay)
    z = game.sample_noise(m, replay)

    def loss():
        x = game.generate(z, c)
        return generator_loss(game.D.forward(game.joined(x, c)), game.config.g_loss)[0]

    numerical = numerical_gradients(loss, [game.G.flat_params])
    assert compare([analytic], numerical).max_relative_error < 1e-6


def test_trained_generator_obeys_its_label():
    """The defining property: G(z, c) lands on component c. For every class, the mean of G(z, c)
    has mu_c as its nearest component mean, and at least 90% of its samples do (an
    unconditional G, which ignores c, would manage this for the classes' share of its mass
    only: 0.5, 0.3, 0.2 here at best). 400 steps are enough for the label to be obeyed, not for
    p_g(x|c) to match p_data(x|c)'s width."""
    config = GANConfig(target=TARGET, g_hidden=(32, 32), d_hidden=(32, 32), batch_size=128,
                       steps=400, average_last=0.0, snapshot_every=0, seed=0)
    result = train(config, game=ConditionalGAN)
    game = ConditionalGAN.from_players(config, result.G, result.D)
    z = config.p_z.sample(3000, np.random.default_rng(5))
    for c in range(3):
        x = game.generate(z, np.full(len(z), c))[:, 0]
        nearest = np.argmin(np.abs(x[:, None] - MEANS[None, :]), axis=1)
        assert np.argmin(np.abs(x.mean() - MEANS)) == c
        assert np.mean(nearest == c) >= 0.9, f"class {c}: {np.mean(nearest == c):.3f}"
    assert np.argmin(np.abs(np.array(result.metrics["class_mean"])[:, None] - MEANS), axis=1) \
        .tolist() == [0, 1, 2]


def test_target_without_classes_is_rejected():
    config = GANConfig(target=Normal(0.0, 1.0))
    with pytest.raises(TypeError, match="config.target must be a Mixture"):
        ConditionalGAN(config, np.random.default_rng(0))
