"""Tests of gan.digits.autoencoder: the KL term, the ELBO's gradients, and the models' maps."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from gan.digits.datasets import make_digits
from gan.digits.autoencoder import (Autoencoder, VariationalAutoencoder, kl_standard_normal,
                                    reparameterise)
from nn.gradcheck import gradcheck


# --------------------------------------------------------------------------- KL term


@pytest.mark.parametrize("mu, log_variance", [(0.0, 0.0), (1.5, 0.0), (-0.7, 1.2),
                                              (0.3, -2.0)])
def test_kl_matches_numerical_integration(mu, log_variance):
    # KL(q || p) = integral q(z) log(q(z) / p(z)) dz for q = N(mu, sigma^2), p = N(0, 1)
    q, p = stats.norm(mu, np.exp(log_variance / 2)), stats.norm(0, 1)
    expected, _ = integrate.quad(lambda z: q.pdf(z) * (q.logpdf(z) - p.logpdf(z)),
                                 -np.inf, np.inf, epsabs=1e-12)
    value, _, _ = kl_standard_normal(np.array([[mu]]), np.array([[log_variance]]))
    assert value == pytest.approx(expected, rel=1e-8, abs=1e-10)


@given(st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_kl_gradients_match_finite_differences(batch, latent, seed):
    generator = np.random.default_rng(seed)
    mu = generator.normal(size=(batch, latent))
    log_variance = generator.normal(size=(batch, latent))
    _, grad_mu, grad_log_variance = kl_standard_normal(mu, log_variance)
    result = gradcheck(lambda: kl_standard_normal(mu, log_variance)[0], [mu, log_variance],
                       [grad_mu, grad_log_variance])
    assert result.max_relative_error < 1e-7, str(result)


@given(st.integers(0, 2**32 - 1))
def test_kl_is_positive_away_from_the_standard_normal(seed):
    generator = np.random.default_rng(seed)
    mu, log_variance = generator.normal(size=(3, 2)), generator.normal(size=(3, 2))
    assert kl_standard_normal(mu, log_variance)[0] > 0
    assert kl_standard_normal(np.zeros((3, 2)), np.zeros((3, 2)))[0] == 0.0


# ------------------------------------------------------------- end-to-end gradients


def small_binary_data(generator, count=5, size=6):
    return (generator.random((count, size)) < 0.5).astype(np.float64)


def randomise_parameters(model, generator):
    """All weights and biases N(0, 1): with the initial zero biases a sample whose encoder
    units are all off has a code of exactly 0, which puts the decoder's pre-activations on
    ReLU's kink, where finite differences mean nothing (see nn.gradcheck)."""
    for network in (model.encoder, model.decoder):
        network.flat_params[...] = generator.normal(size=network.flat_params.shape)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_negative_elbo_gradient_matches_finite_differences_for_fixed_epsilon(seed):
    # with eps held fixed the negative ELBO is a deterministic function of both networks'
    # parameters; its hand-written gradient (through the decoder, the reparameterisation
    # and the encoder's mu and log sigma^2 heads) must match central differences
    generator = np.random.default_rng(seed)
    vae = VariationalAutoencoder(generator, image_shape=(6,), hidden_sizes=(5,), latent_size=2)
    randomise_parameters(vae, generator)
    x = small_binary_data(generator)
    epsilon = generator.standard_normal(size=(5, 2))
    vae.negative_elbo(x, epsilon)
    analytic = [vae.encoder.flat_grads.copy(), vae.decoder.flat_grads.copy()]
    result = gradcheck(lambda: vae.negative_elbo(x, epsilon, gradients=False)[0],
                       [vae.encoder.flat_params, vae.decoder.flat_params], analytic,
                       names=["encoder", "decoder"])
    assert result.max_relative_error < 1e-6, str(result)


@pytest.mark.parametrize("seed", [0, 1])
def test_autoencoder_gradient_matches_finite_differences(seed):
    generator = np.random.default_rng(seed)
    autoencoder = Autoencoder(generator, image_shape=(6,), hidden_sizes=(5,), latent_size=2)
    randomise_parameters(autoencoder, generator)
    x = small_binary_data(generator)
    autoencoder.loss(x)
    analytic = [autoencoder.encoder.flat_grads.copy(), autoencoder.decoder.flat_grads.copy()]
    result = gradcheck(lambda: autoencoder.loss(x, gradients=False),
                       [autoencoder.encoder.flat_params, autoencoder.decoder.flat_params],
                       analytic, names=["encoder", "decoder"])
    assert result.max_relative_error < 1e-6, str(result)


def test_negative_elbo_is_its_reconstruction_plus_kl_terms():
    generator = np.random.default_rng(3)
    vae = VariationalAutoencoder(generator, image_shape=(6,), hidden_sizes=(5,), latent_size=2)
    x = small_binary_data(generator)
    epsilon = generator.standard_normal(size=(5, 2))
    total, reconstruction, kl = vae.negative_elbo(x, epsilon, gradients=False)
    mu, log_variance = vae.heads(x)
    assert kl == pytest.approx(kl_standard_normal(mu, log_variance)[0], rel=1e-12)
    assert total == pytest.approx(reconstruction + kl, rel=1e-12)
    # -log p(x | z) of 5 images of 6 Bernoulli pixels: positive per image
    assert reconstruction > 0


def test_reparameterised_codes_follow_the_posterior():
    # z = mu + sigma eps with eps ~ N(0, 1) is N(mu, sigma^2): Kolmogorov-Smirnov against
    # scipy's normal (n = 4000, fixed seed; a correct map fails at the 1e-3 level one time
    # in a thousand, a wrong scale such as sigma^2 for sigma fails with certainty)
    generator = np.random.default_rng(4)
    z, sigma = reparameterise(np.full((4000, 1), 0.7), np.full((4000, 1), -1.3),
                              generator.standard_normal(size=(4000, 1)))
    assert np.allclose(sigma, np.exp(-0.65))
    assert stats.kstest(z[:, 0], stats.norm(0.7, np.exp(-0.65)).cdf).pvalue > 1e-3


def test_reconstruction_term_is_the_bernoulli_negative_log_likelihood():
    # -log p(x | z) = -sum_j log Bernoulli(x_j; sigma(l_j(z))), z = mu + sigma eps, checked
    # against scipy's Bernoulli log-pmf, averaged over the batch
    generator = np.random.default_rng(6)
    vae = VariationalAutoencoder(generator, image_shape=(6,), hidden_sizes=(5,), latent_size=2)
    x = small_binary_data(generator)
    epsilon = generator.standard_normal(size=(5, 2))
    _, reconstruction, _ = vae.negative_elbo(x, epsilon, gradients=False)
    z, _ = reparameterise(*vae.heads(x), epsilon)
    means = vae.decode(z)
    expected = -stats.bernoulli.logpmf(x, means).sum(axis=1).mean()
    assert reconstruction == pytest.approx(expected, rel=1e-10)


# ------------------------------------------------------------------- trained models


@pytest.fixture(scope="module")
def digits():
    return make_digits(600, seed=31)


@pytest.fixture(scope="module")
def trained_vae(digits):
    images, _ = digits
    vae = VariationalAutoencoder(np.random.default_rng(0), hidden_sizes=(64,), latent_size=4)
    losses = vae.fit(images, np.random.default_rng(1), steps=150, batch_size=64)
    return vae, losses


def test_training_lowers_the_negative_elbo(trained_vae):
    # at initialisation each of the 1024 pixels costs about log 2 = 0.69 nats; the digits are
    # 90% black, so a decoder that only learns the ink rate already reaches ~0.33 per pixel
    _, losses = trained_vae
    assert losses[-20:].mean() < 0.75 * losses[:5].mean()


def test_interpolation_runs_between_the_two_reconstructions(digits, trained_vae):
    images, _ = digits
    vae, _ = trained_vae
    path = vae.interpolate(images[0], images[1], 5)
    assert path.shape == (5, 1, 32, 32)
    assert np.allclose(path[0], vae.reconstruct(images[:1])[0], atol=1e-12)
    assert np.allclose(path[-1], vae.reconstruct(images[1:2])[0], atol=1e-12)


def test_samples_are_decoder_means_in_the_unit_interval(trained_vae):
    vae, _ = trained_vae
    samples = vae.sample(20, np.random.default_rng(2))
    assert samples.shape == (20, 1, 32, 32)
    assert np.all((samples > 0) & (samples < 1))


def test_autoencoder_samples_from_the_fitted_code_gaussian(digits):
    # after fit, the sampling Gaussian's mean is the training codes' mean; 4000 draws of a
    # 3-dimensional code estimate it to within a few sd / sqrt(4000) per coordinate
    images, _ = digits
    autoencoder = Autoencoder(np.random.default_rng(0), hidden_sizes=(32,), latent_size=3)
    autoencoder.fit(images, np.random.default_rng(1), steps=20, batch_size=64)
    codes = autoencoder.encode(images)
    assert np.allclose(autoencoder.code_mean, codes.mean(axis=0))
    z = autoencoder._correlated_normal(4000, np.random.default_rng(2))
    standard_error = np.sqrt(np.diag(autoencoder.code_covariance) / 4000)
    assert np.all(np.abs(z.mean(axis=0) - codes.mean(axis=0)) < 5 * standard_error)
    assert np.allclose(np.cov(z, rowvar=False), autoencoder.code_covariance,
                       atol=0.15 * np.abs(autoencoder.code_covariance).max())


@pytest.mark.parametrize("arguments, match", [
    ({"latent_size": 0}, "latent_size"), ({"hidden_sizes": (0,)}, "hidden_sizes"),
    ({"image_shape": ()}, "image_shape")])
def test_models_reject_bad_sizes(arguments, match):
    with pytest.raises(ValueError, match=match):
        VariationalAutoencoder(np.random.default_rng(0), **arguments)


def test_models_reject_non_binary_range_and_wrong_shapes():
    vae = VariationalAutoencoder(np.random.default_rng(0), image_shape=(6,), hidden_sizes=(5,),
                                 latent_size=2)
    with pytest.raises(ValueError, match="images must hold floats in"):
        vae.negative_elbo(np.full((2, 6), 2.0), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="epsilon must have shape"):
        vae.negative_elbo(np.zeros((2, 6)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="images must have shape"):
        vae.encode(np.zeros((2, 5)))
