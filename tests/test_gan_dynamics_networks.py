"""The field of the project's MLP game (gan.dynamics.networks) against outside truths."""

import numpy as np
import pytest

from gan.distributions import Normal
from gan.dynamics.field import jacobian
from gan.dynamics.networks import NetworkGame, penalty_gradient
from gan.dynamics.quadrature import quantile_nodes
from gan.objectives import generator_loss, value_estimate
from gan.variants.wgan_gp import input_gradient
from nn.fast import MLP


def small_game(g_loss="minimax", **penalties):
    rng = np.random.default_rng(0)
    G = MLP([1, 4, 1], "softplus", rng=rng)
    D = MLP([1, 5, 1], "tanh", rng=rng)
    return NetworkGame(G, D, quantile_nodes(Normal(-1, 1), 64), quantile_nodes(Normal(0, 1), 64),
                       g_loss, **penalties)


def central(function, w, eps=1e-6):
    out = np.empty_like(w)
    for j in range(w.size):
        step = np.zeros_like(w)
        step[j] = eps
        out[j] = (function(w + step) - function(w - step)) / (2 * eps)
    return out


@pytest.mark.parametrize("g_loss", ["minimax", "non_saturating"])
def test_field_is_minus_grad_L_G_and_plus_grad_V_by_finite_differences(g_loss):
    game = small_game(g_loss)
    n = game.n_theta

    def set_and(w, f):
        saved = game.w
        game.G.flat_params[...], game.D.flat_params[...] = w[:n], w[n:]
        try:
            return f()
        finally:
            game.G.flat_params[...], game.D.flat_params[...] = saved[:n], saved[n:]

    def V(w):
        return set_and(w, lambda: float(value_estimate(game.D.forward(game.x_real),
                                              game.D.forward(game.G.forward(game.z)))))

    def L_G(w):
        return set_and(w, lambda: float(generator_loss(game.D.forward(game.G.forward(game.z)),
                                                       g_loss)[0]))

    w = game.w
    v = game.field(w)
    np.testing.assert_allclose(v[:n], -central(L_G, w)[:n], atol=1e-8)
    np.testing.assert_allclose(v[n:], central(V, w)[n:], atol=1e-8)
    np.testing.assert_array_equal(game.w, w)                 # the players are restored


def test_minimax_jacobian_blocks_are_antisymmetric_and_the_D_block_symmetric():
    game = small_game("minimax")
    n, J = game.n_theta, jacobian(game.field, game.w)
    np.testing.assert_allclose(J[:n, n:], -J[n:, :n].T, atol=1e-7)
    np.testing.assert_allclose(J[n:, n:], J[n:, n:].T, atol=1e-7)
    np.testing.assert_allclose(J[:n, :n], J[:n, :n].T, atol=1e-7)


def test_r1_gradient_equals_finite_differences_of_the_penalty():
    game = small_game()
    D, x, gamma = game.D, game.x_real, 0.7

    def r1(psi):
        saved = D.flat_params.copy()
        D.flat_params[...] = psi
        try:
            return gamma / 2 * float(np.mean(input_gradient(D, x) ** 2))
        finally:
            D.flat_params[...] = saved

    expected = central(r1, D.flat_params.copy())
    np.testing.assert_allclose(penalty_gradient(D, x, gamma), expected, atol=1e-8)


def test_r1_enters_only_the_discriminator_part_of_the_field():
    plain, penalised = small_game(), small_game(r1=1.0)
    n, w = plain.n_theta, plain.w
    difference = penalised.field(w) - plain.field(w)
    np.testing.assert_array_equal(difference[:n], 0.0)
    assert np.abs(difference[n:]).max() > 1e-4
