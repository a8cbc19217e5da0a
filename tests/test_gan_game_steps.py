"""gan.game: Algorithm 1's two updates against the losses they descend. The value each step
reports is the paper's, the gradient each step leaves in a player is the central difference
of the loss that player descends (gan.objectives, checked against scipy), and G's update uses
the loss the config names."""

import numpy as np
import pytest

from gan.config import GANConfig
from gan.game import GAN, backward_on_both, discriminator_step, generator_step, make_optimizer
from gan.objectives import discriminator_loss, generator_loss, value_estimate
from nn import MLP

EPS = 1e-6


def tiny_config(**changes):
    """A textbook-engine game small enough to difference every parameter."""
    return GANConfig(g_hidden=(4,), d_hidden=(5,), batch_size=6, engine="textbook", **changes)


def central_difference(network, loss):
    """d loss / d theta for every parameter of network, one coordinate at a time."""
    gradients = []
    for parameter in network.parameters():
        gradient = np.empty_like(parameter)
        for index in np.ndindex(parameter.shape):
            saved = parameter[index]
            parameter[index] = saved + EPS
            up = loss()
            parameter[index] = saved - EPS
            down = loss()
            parameter[index] = saved
            gradient[index] = (up - down) / (2 * EPS)
        gradients.append(gradient)
    return gradients


def assert_gradients_match(network, numeric):
    """Rounding of a loss of order 1 differenced at EPS is ~eps / EPS ~ 1e-10; 1e-7 of margin."""
    for got, expected in zip(network.gradients(), numeric):
        np.testing.assert_allclose(got, expected, atol=1e-7)


@pytest.mark.parametrize("g_loss", ["minimax", "non_saturating"])
def test_generator_update_descends_the_loss_the_config_names(g_loss):
    """L_G = mean log(1 - D(G(z))) = -mean s(l) (minimax, always < 0) or -mean log D(G(z))
    (non-saturating, always > 0): the returned value is that loss at the noise drawn, and G's
    gradient is its central difference in G's parameters."""
    config = tiny_config(g_loss=g_loss)
    game = GAN(config, np.random.default_rng(0))
    G_before = game.G.copy()
    z = game.sample_noise(config.batch_size, np.random.default_rng(7))
    loss_of_G = lambda: float(generator_loss(game.D.forward(G_before.forward(z)), g_loss)[0])
    expected = loss_of_G()
    reported = game.generator_update(1, np.random.default_rng(7))
    assert reported == pytest.approx(expected, rel=1e-12)
    assert (reported < 0) == (g_loss == "minimax")
    assert_gradients_match(game.G, central_difference(G_before, loss_of_G))


def test_discriminator_update_reports_the_minibatch_value_as_minus_its_loss():
    """V ~ mean log D(x) + mean log(1 - D(G(z))) < 0 on the m + m samples D saw before its step;
    the step returns (L_D, V) with V = -L_D."""
    game = GAN(tiny_config(), np.random.default_rng(1))
    x_real, x_fake = game.minibatch(1, np.random.default_rng(2))
    assert x_real.shape == x_fake.shape == (6, 1)          # m of each, as Algorithm 1 draws
    expected = float(value_estimate(game.D.forward(x_real), game.D.forward(x_fake)))
    loss, value = game.discriminator_update(1, np.random.default_rng(2))
    assert value == pytest.approx(expected, rel=1e-12)
    assert value < 0 < loss
    assert value == -loss


@pytest.mark.parametrize("m_real, m_fake", [(3, 5), (5, 3), (4, 4)])
def test_backward_on_both_splits_one_batch_at_the_number_of_real_samples(m_real, m_fake):
    """One forward of [x_real; x_fake]: the loss is L_D(D(x_real), D(x_fake)) whatever the
    two batch sizes, and D's gradient is its central difference."""
    rng = np.random.default_rng(3)
    D = MLP([1, 5, 1], "tanh", rng=rng)
    x_real, x_fake = rng.normal(size=(m_real, 1)), rng.normal(1, 1, size=(m_fake, 1))
    loss_of_D = lambda: float(discriminator_loss(D.forward(x_real), D.forward(x_fake))[0])
    expected = loss_of_D()
    assert backward_on_both(D, x_real, x_fake, discriminator_loss) == pytest.approx(
        expected, rel=1e-12)
    assert_gradients_match(D, central_difference(D, loss_of_D))


def test_a_step_moves_each_player_against_its_own_gradient():
    """SGD after the step: theta_new = theta - lr dL/dtheta for the player updated; the other
    player's parameters do not move."""
    rng = np.random.default_rng(4)
    G, D = MLP([1, 4, 1], "tanh", rng=rng), MLP([1, 5, 1], "tanh", rng=rng)
    x_real, z = rng.normal(size=(6, 1)), rng.normal(size=(6, 1))
    for player, step in ((D, lambda opt: discriminator_step(D, opt, x_real, G.forward(z))),
                         (G, lambda opt: generator_step(G, D, opt, z, "minimax"))):
        before = [p.copy() for p in G.parameters() + D.parameters()]
        step(make_optimizer("sgd", player, lr=0.1))
        after = G.parameters() + D.parameters()
        moved = {id(p) for p in player.parameters()}
        gradients = iter(player.gradients())
        for old, new in zip(before, after):
            expected = old - 0.1 * next(gradients) if id(new) in moved else old
            np.testing.assert_allclose(new, expected, rtol=1e-14, atol=1e-15)


def test_make_optimizer_defaults_to_the_dcgan_betas():
    """Adam with beta1 = 0.5, beta2 = 0.999 (Radford et al. 2016), unless told otherwise."""
    optimizer = make_optimizer("adam", MLP([1, 2, 1], rng=np.random.default_rng(0)), lr=1e-3)
    assert (optimizer.beta1, optimizer.beta2) == (0.5, 0.999)
