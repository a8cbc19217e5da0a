"""Feature matching and minibatch discrimination as games: gradients against finite differences,
the closed form of the feature-matching loss, D's batches kept apart, the loop runs them."""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.game import GAN
from gan.objectives import discriminator_loss, generator_loss
from gan.train import train
from gan.variants.feature_matching import (FeatureMatchingGAN, feature_matching_loss, features,
                                           features_backward)
from gan.variants.minibatch_gan import (BIMODAL_SETTINGS, BIMODAL_TARGET,
                                   MinibatchDiscriminationGAN)
from nn.gradcheck import gradcheck

# smooth players: no kinks for the stencil
SMALL = dict(g_hidden=(8,), d_hidden=(8, 8), batch_size=16, snapshot_every=5, grid_size=64,
             g_activation="tanh", d_activation="tanh")


# ---- feature matching ------------------------------------------------------------------------
@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1), m_real=st.integers(1, 6), m_fake=st.integers(1, 6),
       h=st.integers(1, 5))
def test_feature_matching_loss_is_the_squared_distance_of_means(seed, m_real, m_fake, h):
    rng = np.random.default_rng(seed)
    f_real, f_fake = rng.normal(size=(m_real, h)), rng.normal(size=(m_fake, h))
    loss, grad = feature_matching_loss(f_real, f_fake)
    assert loss == pytest.approx(np.sum((f_real.mean(0) - f_fake.mean(0)) ** 2), rel=1e-12)
    result = gradcheck(lambda: feature_matching_loss(f_real, f_fake)[0], [f_fake], [grad])
    assert result.max_relative_error < 1e-8, result


@pytest.mark.parametrize("layer", [1, 2, 3, 4])
def test_feature_matching_generator_gradient_matches_finite_differences(layer):
    config = GANConfig(**SMALL)
    game = FeatureMatchingGAN(config, np.random.default_rng(0), layer=layer)
    data_rng = np.random.default_rng(1)
    x, z = data_rng.normal(size=(12, 1)), data_rng.normal(size=(10, 1))

    def loss():
        f_real = features(game.D, x, layer)
        return feature_matching_loss(f_real, features(game.D, game.G.forward(z), layer))

    _, grad_f = loss()
    game.G.backward(features_backward(game.D, grad_f, layer))
    analytic = [g.copy() for g in game.G.gradients()]
    result = gradcheck(lambda: loss()[0], game.G.parameters(), analytic)
    assert result.max_relative_error < 1e-6, result


def test_feature_matching_leaves_D_untouched_by_the_generator_update():
    game = FeatureMatchingGAN(GANConfig(**SMALL), np.random.default_rng(0))
    before = game.D.flat_params.copy()
    game.generator_update(1, np.random.default_rng(2))
    np.testing.assert_array_equal(game.D.flat_params, before)


@pytest.mark.parametrize("layer", [0, 5, 1.5])
def test_feature_matching_rejects_a_layer_outside_D(layer):
    with pytest.raises(ValueError, match="layer must be"):
        FeatureMatchingGAN(GANConfig(**SMALL), np.random.default_rng(0), layer=layer)


# ---- minibatch discrimination ----------------------------------------------------------------
PLACEMENTS = [dict(on="input"), dict(on="hidden", share=False, kernel_dim=3, init_std=0.05)]


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_minibatch_discriminator_gradients_match_finite_differences(placement):
    # L_D with real and fake batches stacked: D's parameter gradients against central differences.
    game = MinibatchDiscriminationGAN(GANConfig(**SMALL), np.random.default_rng(0), **placement)
    data_rng = np.random.default_rng(3)
    x = np.stack([data_rng.normal(size=(6, 1)), data_rng.normal(size=(6, 1))])

    def loss():
        logits = game.D.forward(x)
        return discriminator_loss(logits[0], logits[1])

    _, grad_real, grad_fake = loss()
    game.D.backward(np.stack([grad_real, grad_fake]))
    analytic = [g.copy() for g in game.D.gradients()]
    result = gradcheck(lambda: loss()[0], game.D.parameters(), analytic)
    assert result.max_relative_error < 1e-6, result


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_minibatch_generator_gradient_through_o_matches_finite_differences(placement):
    # L_G of a fake batch alone through D: G's gradients reach it through o as well as through x.
    game = MinibatchDiscriminationGAN(GANConfig(**SMALL), np.random.default_rng(0), **placement)
    z = np.random.default_rng(6).normal(size=(8, 1))

    def loss():
        return generator_loss(game.D.forward(game.G.forward(z)), "non_saturating")

    _, grad_logits = loss()
    game.G.backward(game.D.backward(grad_logits, param_grads=False))
    analytic = [g.copy() for g in game.G.gradients()]
    result = gradcheck(lambda: loss()[0], game.G.parameters(), analytic)
    assert result.max_relative_error < 1e-6, result


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_minibatch_discriminator_judges_real_and_fake_batches_apart(placement):
    # D's logits for the real batch must not depend on the fake batch it is stacked with.
    game = MinibatchDiscriminationGAN(GANConfig(**SMALL), np.random.default_rng(0), **placement)
    rng = np.random.default_rng(4)
    real = rng.normal(size=(8, 1))
    first = game.D.forward(np.stack([real, rng.normal(size=(8, 1))]))[0]
    second = game.D.forward(np.stack([real, 5 + rng.normal(size=(8, 1))]))[0]
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_discriminator_in_batch_is_D_on_the_point_joined_to_the_fakes(placement):
    game = MinibatchDiscriminationGAN(GANConfig(**SMALL), np.random.default_rng(0), **placement)
    z = np.random.default_rng(5).normal(size=(40, 1))
    points = np.array([-2.0, 0.3, 4.0])
    fakes = game.G.forward(z[: game.config.batch_size - 1])
    for point, judged in zip(points, game.discriminator_in_batch(points, z)):
        batch = np.concatenate([[[point]], fakes])
        assert judged == pytest.approx(1 / (1 + np.exp(-game.D.forward(batch)[0, 0])), rel=1e-12)


@pytest.mark.parametrize("game", [FeatureMatchingGAN,
                                  functools.partial(MinibatchDiscriminationGAN, kernels=3,
                                                    kernel_dim=2)])
def test_variant_trains_in_the_loop_on_a_bimodal_target(game):
    target = Mixture([Normal(-3.0, 0.25), Normal(3.0, 0.25)])
    result = train(GANConfig(target=target, steps=20, **SMALL), game=game)
    assert np.isfinite(result.metrics["jsd"]) and len(result.history.jsd) == 5


def test_bimodal_setting_starts_both_games_from_the_same_G():
    # The benchmark's claim "same G, same seeds": with one seed the plain game and the minibatch
    # game draw G first, so they start from identical generator weights.
    config = GANConfig(target=BIMODAL_TARGET, **BIMODAL_SETTINGS)
    plain = GAN(config, np.random.default_rng(3))
    minibatch = MinibatchDiscriminationGAN(config, np.random.default_rng(3))
    np.testing.assert_array_equal(plain.G.flat_params, minibatch.G.flat_params)


@pytest.mark.parametrize("name, value", [("kernels", 0), ("kernel_dim", 2.5), ("on", "output"),
                                         ("init_std", 0.0), ("init_std", float("nan"))])
def test_minibatch_game_rejects_bad_sizes(name, value):
    with pytest.raises(ValueError, match=name):
        MinibatchDiscriminationGAN(GANConfig(**SMALL), np.random.default_rng(0), **{name: value})
