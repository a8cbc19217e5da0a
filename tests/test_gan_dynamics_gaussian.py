"""The Gaussian GAN with an exact equilibrium (gan.dynamics.gaussian)."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from gan.distributions import Normal
from gan.dynamics import updates
from gan.dynamics.field import eigenvalues, jacobian
from gan.dynamics.gaussian import N_THETA, GaussianGAN, optimal_psi
from gan.theory import optimal_discriminator_logit


@given(mu=st.floats(-3, 3), sigma=st.floats(0.3, 3), mu_0=st.floats(-3, 3),
       sigma_0=st.floats(0.3, 3))
def test_quadratic_family_contains_the_optimal_discriminator(mu, sigma, mu_0, sigma_0):
    x = np.linspace(-4, 4, 9)
    a, b, c = optimal_psi(mu, sigma, mu_0, sigma_0)
    expected = optimal_discriminator_logit(Normal(mu_0, sigma_0), Normal(mu, sigma))(x)
    np.testing.assert_allclose(a * x**2 + b * x + c, expected, atol=1e-9)


@pytest.mark.parametrize("g_loss", ["minimax", "non_saturating"])
def test_field_vanishes_at_the_closed_form_equilibrium(g_loss):
    game = GaussianGAN(-1.0, 1.0, g_loss)
    np.testing.assert_allclose(game.field(game.equilibrium), 0.0, atol=1e-15)
    assert np.abs(game.field(game.equilibrium + [0.1, 0, 0, 0, 0])).max() > 1e-2


@given(mu=st.floats(-2, 2), sigma=st.floats(0.5, 2))
def test_discriminator_gradient_vanishes_at_D_star_for_any_generator(mu, sigma):
    # Proposition 1: D* maximises V for a fixed G, so dV/dpsi = 0 at psi*. The integrands
    # p_g / (p_data + p_g) phi are not polynomials, so Gauss-Hermite leaves an error (at most
    # 2e-7 over this range with 200 nodes, 3e-5 with 80); a wrong D* (c* without
    # log(sigma / sigma_0)) is off by ~0.1
    game = GaussianGAN(-1.0, 1.0, nodes=200)
    psi = optimal_psi(mu, sigma, -1.0, 1.0)
    np.testing.assert_allclose(game.field(np.concatenate([[mu, sigma], psi]))[2:], 0.0,
                               atol=1e-5)


@pytest.mark.parametrize("settings", [dict(g_loss="minimax"), dict(g_loss="non_saturating"),
                                      dict(r1=1.0), dict(r2=0.5), dict(mu_0=2.0, sigma_0=0.5)])
def test_jacobian_from_hand_written_gradients_equals_the_analytic_one(settings):
    game = GaussianGAN(**settings)
    numeric = jacobian(game.field, game.equilibrium)
    np.testing.assert_allclose(numeric, game.analytic_jacobian(), atol=1e-7)


def test_every_eigenvalue_at_the_equilibrium_has_a_negative_real_part():
    for settings in (dict(), dict(mu_0=3.0, sigma_0=0.2), dict(r1=2.0)):
        assert eigenvalues(GaussianGAN(**settings).analytic_jacobian()).real.max() < 0


def test_simultaneous_critical_step_is_the_closed_form_bound():
    J = GaussianGAN().analytic_jacobian()
    np.testing.assert_allclose(updates.critical_step("simultaneous", J, N_THETA),
                               updates.largest_stable_step(eigenvalues(J)), rtol=1e-9)


@pytest.mark.parametrize("rule", updates.RULES)
def test_short_runs_converge_below_the_predicted_step_and_diverge_above(rule):
    # Start 1e-8 from w* so the first steps are linear: below the critical step the distance
    # falls at the predicted rate per step; above it grows at the predicted rate (steps 20-40,
    # before the nonlinearity saturates it on a limit cycle ~0.2 away)
    game = GaussianGAN()
    J = game.analytic_jacobian()
    start = game.equilibrium + 1e-8 * np.array([1, -1, 1, 1, -1])
    critical = updates.critical_step(rule, J, N_THETA)
    for factor in (0.8, 1.25):
        h = factor * critical
        predicted = updates.local_rate(rule, J, N_THETA, h)
        path = updates.run(rule, game.field, start, N_THETA, h, 1500)
        distances = np.linalg.norm(path - game.equilibrium, axis=1)
        if factor < 1:
            assert predicted < 1 and distances[-1] < 1e-3 * distances[0]
            observed = (distances[400] / distances[200]) ** (1 / 200)   # above rounding
        else:
            assert predicted > 1 and distances[-1] > 1e3 * distances[0]
            observed = (distances[40] / distances[20]) ** (1 / 20)
        np.testing.assert_allclose(observed, predicted, rtol=1e-2)


def test_two_time_scales_change_the_stable_region():
    J = GaussianGAN().analytic_jacobian()
    one_scale = updates.local_rate("simultaneous", J, N_THETA, 0.3)
    slower_discriminator = updates.local_rate("simultaneous", J, N_THETA, (0.3, 0.03))
    assert one_scale < 1 and slower_discriminator != one_scale
    np.testing.assert_allclose(updates.linear_map("simultaneous", J, N_THETA, (0.3, 0.03)),
                               np.eye(5) + np.diag([0.3, 0.3, 0.03, 0.03, 0.03]) @ J)


def test_bad_settings_are_rejected_with_their_names():
    with pytest.raises(ValueError, match="sigma_0"):
        GaussianGAN(sigma_0=0.0)
    with pytest.raises(ValueError, match="g_loss"):
        GaussianGAN(g_loss="hinge")
    with pytest.raises(ValueError, match="r1"):
        GaussianGAN(r1=-1)
