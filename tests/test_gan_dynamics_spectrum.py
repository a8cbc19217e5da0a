"""Reading a network game's spectrum (gan.dynamics.spectrum) against the losses themselves."""

import numpy as np
import pytest

from gan.dynamics.field import jacobian
from gan.dynamics.spectrum import describe, stationary_point
from gan.engine import assign_parameters
from gan.game import backward_on_both
from gan.objectives import discriminator_loss, generator_loss
from test_gan_dynamics_consensus import small_game


def losses(game, w):
    """(L_D, L_G) of the game's nodes at w (the players are restored)."""
    saved, n = game.w, game.n_theta
    assign_parameters(game.G, w[:n])
    assign_parameters(game.D, w[n:])
    try:
        x_fake = game.G.forward(game.z)
        l_d = backward_on_both(game.D, game.x_real, x_fake, discriminator_loss)
        l_g, _ = generator_loss(game.D.forward(x_fake), game.g_loss)
        return float(l_d), float(l_g)
    finally:
        assign_parameters(game.G, saved[:n])
        assign_parameters(game.D, saved[n:])


@pytest.mark.parametrize("block", ["theta", "psi"])
def test_diagonal_blocks_are_minus_the_curvature_of_each_players_own_loss(block):
    # J_pp = -d^2 L_D / dpsi^2: along its eigenvector u (eigenvalue mu) the loss's own second
    # difference L(w + t u) + L(w - t u) - 2 L(w) = -mu t^2 + O(t^4); t = 1e-3 puts the O(t^4)
    # and rounding (~1e-16 / t^2 relative) terms below 1e-4 of mu t^2 for |mu| ~ 0.1.
    game = small_game("non_saturating")
    w, n = game.w, game.n_theta
    J = jacobian(game.field, w)
    part = slice(0, n) if block == "theta" else slice(n, None)
    which = 1 if block == "theta" else 0                     # L_G for theta, L_D for psi
    values, vectors = np.linalg.eigh((J[part, part] + J[part, part].T) / 2)
    t = 1e-3
    for index in (0, -1):                                    # most negative and most positive
        u = np.zeros_like(w)
        u[part] = vectors[:, index]
        second = (losses(game, w + t * u)[which] + losses(game, w - t * u)[which]
                  - 2 * losses(game, w)[which]) / t**2
        assert second == pytest.approx(-values[index], rel=1e-3, abs=1e-6)


def test_describe_tells_the_players_directions_apart():
    # block-diagonal J: each eigenvector lies in one player's coordinates
    J = np.diag([0.3, -1.0, 0.2, -0.5])
    facts = describe(J, n_theta=2)
    assert facts["positive"] == 2
    np.testing.assert_allclose(np.sort(facts["generator_share"]), [0.0, 1.0], atol=1e-12)
    assert facts["max_theta_block"] == pytest.approx(0.3)
    assert facts["max_psi_block"] == pytest.approx(0.2)


def test_minimising_half_squared_field_reaches_a_stationary_point():
    # the gradient J^T v of 1/2 |v|^2 is right only if L-BFGS can drive |v| towards 0 (40
    # iterations reach ~1e-3 of the start; with J v in place of J^T v the line searches fail)
    game = small_game("non_saturating")
    before = np.linalg.norm(game.field(game.w))
    w, after, _ = stationary_point(game, maxiter=40)
    assert after < 1e-2 * before
    np.testing.assert_array_equal(game.w, w)
