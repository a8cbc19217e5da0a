"""InfoGAN's continuous codes: the fixed-variance Gaussian Q's information loss against
scipy's normal log-density and finite differences, the codes' range, bad input."""

import numpy as np
import pytest
from scipy.stats import norm

from gan.variants.infogan_continuous import gaussian_information_loss, sample_continuous_codes
from nn.gradcheck import compare, numerical_gradients


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
def test_loss_is_minus_the_mean_gaussian_log_density(sigma):
    rng = np.random.default_rng(0)
    means, codes = rng.normal(size=(6, 2)), rng.uniform(-1, 1, size=(6, 2))
    loss, _ = gaussian_information_loss(means, codes, sigma)
    expected = -np.mean(norm.logpdf(codes, loc=means, scale=sigma).sum(axis=1))
    assert loss == pytest.approx(expected, rel=1e-12)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    means, codes = rng.normal(size=(5, 2)), rng.uniform(-1, 1, size=(5, 2))
    _, analytic = gaussian_information_loss(means, codes, 0.7)
    numerical = numerical_gradients(lambda: gaussian_information_loss(means, codes, 0.7)[0],
                                    [means])
    assert compare([analytic], numerical).max_relative_error < 1e-8


def test_codes_are_uniform_on_minus_one_one():
    codes = sample_continuous_codes(2, 20_000, np.random.default_rng(2))
    assert codes.shape == (20_000, 2) and codes.min() >= -1 and codes.max() < 1
    # mean of U(-1, 1) is 0 with standard deviation 1/sqrt(3); the sample mean's is
    # 1/sqrt(3 n) ~ 0.004: 5 of them is a bound a correct sampler fails with p ~ 1e-6
    assert np.all(np.abs(codes.mean(axis=0)) < 5 / np.sqrt(3 * 20_000))


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="sigma"):
        gaussian_information_loss(np.zeros((2, 1)), np.zeros((2, 1)), 0.0)
    with pytest.raises(ValueError, match="same shape"):
        gaussian_information_loss(np.zeros((2, 1)), np.zeros((2, 2)))


def test_game_with_a_continuous_code_trains_reproducibly():
    from gan.config import GANConfig
    from gan.distributions import Normal
    from gan.train import train
    from gan.variants.infogan_continuous import ContinuousInfoGAN

    config = GANConfig(target=Normal(0.0, 1.0), steps=20, snapshot_every=20, seed=3,
                       g_hidden=(8,), d_hidden=(8,))
    first, second = (train(config, game=ContinuousInfoGAN) for _ in range(2))
    assert np.array_equal(first.G.flat_params, second.G.flat_params)
    assert first.D.sizes[-1] == 2 and first.G.sizes[0] == config.noise_dim + 1
    for key in ("jsd", "code_correlation", "q_correlation"):
        assert np.isfinite(first.metrics[key])
    with pytest.raises(ValueError, match="sigma"):
        ContinuousInfoGAN(config, np.random.default_rng(0), sigma=-1.0)
