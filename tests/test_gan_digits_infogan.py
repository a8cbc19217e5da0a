"""InfoGAN on the digits: the information loss against its definition and finite differences,
both updates against finite differences of the composed losses, and a short run in which Q
reads the categorical code far above chance."""

import numpy as np
import pytest
from scipy.special import log_softmax

from gan.digits.datasets import load_digits
from gan.digits.gans import Digits, DigitsConfig
from gan.digits.infogan import DigitsInfoGAN, information_loss
from gan.objectives import softplus
from gan.train import train
from nn.gradcheck import compare
from test_gan_digits_gans import _Still, central_differences


@pytest.fixture(scope="module")
def digits():
    return load_digits(n_train=500, n_test=10)[0]


def tiny_game(digits, **changes):
    images, labels = digits
    config = DigitsConfig(**{**dict(target=Digits(images, labels), noise_dim=4, g_hidden=(8,),
                                    d_hidden=(8,), batch_size=4, dtype="float64",
                                    snapshot_every=0), **changes})
    game = DigitsInfoGAN(config, np.random.default_rng(0), continuous=2, information_weight=0.7)
    game.opt_d = game.opt_g = _Still()
    return game


def test_information_loss_is_cross_entropy_plus_half_squared_error_with_its_gradient():
    rng = np.random.default_rng(0)
    q, c, u = rng.normal(size=(6, 12)), rng.integers(0, 10, 6), rng.uniform(-1, 1, (6, 2))
    value, grad = information_loss(q, c, u)
    expected = np.mean(-log_softmax(q[:, :10], axis=1)[np.arange(6), c]
                       + 0.5 * ((u - q[:, 10:]) ** 2).sum(axis=1))
    assert value == pytest.approx(expected, rel=1e-12)
    flat = q.ravel()
    numeric = central_differences(lambda: information_loss(flat.reshape(6, 12), c, u)[0], flat,
                                  range(flat.size))
    assert compare([grad.ravel()], [numeric]).max_relative_error < 1e-6


def test_discriminator_update_descends_L_D_plus_lambda_L_I(digits):
    game = tiny_game(digits)
    game.discriminator_update(1, np.random.default_rng(5))
    analytic = game.D.flat_grads.copy()
    rng = np.random.default_rng(5)
    x_real = game.sample_real(4, rng)
    c, u = game.codes(4, rng)
    x_fake = game.G.forward(game.inputs(game.sample_noise(4, rng), c, u))

    def loss():
        real, fake = game.D.forward(x_real), game.D.forward(x_fake)
        return float(softplus(-real[:, 0]).mean() + softplus(fake[:, 0]).mean()
                     + 0.7 * information_loss(fake[:, 1:], c, u)[0])

    chosen = np.random.default_rng(1).choice(game.D.flat_params.size, 80, replace=False)
    result = compare([analytic[chosen]], [central_differences(loss, game.D.flat_params, chosen)])
    assert result.max_relative_error < 1e-5, str(result)


def test_generator_update_descends_L_G_plus_lambda_L_I(digits):
    game = tiny_game(digits)
    game.generator_update(1, np.random.default_rng(7))
    analytic = game.G.flat_grads.copy()
    rng = np.random.default_rng(7)
    c, u = game.codes(4, rng)
    z = game.sample_noise(4, rng)

    def loss():
        out = game.D.forward(game.G.forward(game.inputs(z, c, u)))
        return float(softplus(-out[:, 0]).mean() + 0.7 * information_loss(out[:, 1:], c, u)[0])

    chosen = np.random.default_rng(1).choice(game.G.flat_params.size, 80, replace=False)
    result = compare([analytic[chosen]], [central_differences(loss, game.G.flat_params, chosen)])
    assert result.max_relative_error < 1e-5, str(result)


def test_a_short_run_lets_Q_read_the_categorical_code_far_above_chance(digits):
    images, labels = digits
    config = DigitsConfig(target=Digits(images, labels), noise_dim=16, g_hidden=(64,),
                          d_hidden=(64,), steps=150, dtype="float32", snapshot_every=0,
                          lr_g=5e-4, lr_d=1e-3)
    result = train(config, game=DigitsInfoGAN)
    game = DigitsInfoGAN.from_players(config, result.G, result.D)
    assert game.continuous == 2
    rng = np.random.default_rng(3)
    c, u = game.codes(500, rng)
    read, mu = game.read_codes(game.G.forward(game.inputs(game.sample_noise(500, rng), c, u)))
    # chance is 1/10; 500 draws put a Q that ignores the code within 0.1 +- 0.04 (3 sd)
    assert np.mean(read == c) > 0.5
    assert np.corrcoef(mu[:, 0], u[:, 0])[0, 1] > 0.5


def test_bad_settings_are_refused_naming_them(digits):
    images, labels = digits
    config = DigitsConfig(target=Digits(images, labels), steps=1)
    with pytest.raises(ValueError, match="continuous must be an integer in"):
        DigitsInfoGAN(config, np.random.default_rng(0), continuous=-1)
    with pytest.raises(ValueError, match="information_weight"):
        DigitsInfoGAN(config, np.random.default_rng(0), information_weight=0)
