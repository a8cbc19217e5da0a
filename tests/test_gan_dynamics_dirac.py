"""The Dirac-GAN's closed forms (gan.dynamics.dirac's docstring derives each one)."""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy.integrate import solve_ivp

from gan.dynamics import updates
from gan.dynamics.dirac import (DiracGAN, bilinear_field, clip_critic, f_prime, f_second,
                                optimistic_radius)
from gan.dynamics.field import eigenvalues, jacobian

points = st.tuples(st.floats(-3, 3), st.floats(-3, 3))
ORIGIN = np.zeros(2)


@pytest.mark.parametrize("loss", ["gan", "non_saturating"])
def test_eigenvalues_at_the_equilibrium_are_plus_minus_i_f_prime_zero(loss):
    game = DiracGAN(loss)
    expected = np.array([-0.5j, 0.5j])          # +-i f'(0), f'(0) = sigmoid(0) = 1/2
    np.testing.assert_allclose(eigenvalues(game.jacobian(ORIGIN)), expected, atol=1e-15)
    np.testing.assert_allclose(eigenvalues(jacobian(game.field, ORIGIN)), expected, atol=1e-10)


def test_f_derivatives_match_their_closed_values_at_zero():
    assert f_prime(0.0) == 0.5 and f_second(0.0) == -0.25


@pytest.mark.parametrize("loss", ["gan", "non_saturating", "wgan"])
@given(w=points)
def test_analytic_jacobian_equals_central_differences_of_the_field(loss, w):
    game = DiracGAN(loss, r1=0.3)
    np.testing.assert_allclose(game.jacobian(w), jacobian(game.field, w), atol=1e-8)


@given(w=points)
def test_field_is_minus_the_gradient_of_L_G_and_plus_the_gradient_of_V(w):
    game, eps = DiracGAN("gan"), 1e-6
    theta, psi = w
    dV_dtheta = (game.value((theta + eps, psi)) - game.value((theta - eps, psi))) / (2 * eps)
    dV_dpsi = (game.value((theta, psi + eps)) - game.value((theta, psi - eps))) / (2 * eps)
    np.testing.assert_allclose(game.field(w), [-dV_dtheta, dV_dpsi], atol=1e-8)


def test_continuous_flow_conserves_the_squared_norm():
    game = DiracGAN("gan")
    solution = solve_ivp(lambda t, w: game.field(w), (0, 40), [1.0, 0.5], rtol=1e-11,
                         atol=1e-12)
    radius2 = np.sum(solution.y**2, axis=0)
    np.testing.assert_allclose(radius2, 1.25, rtol=1e-8)
    assert np.ptp(solution.y[0]) > 2             # it really circles (theta runs over +-1.1)


def test_non_saturating_flow_does_not_conserve_the_norm():
    # w . v = theta psi (f'(u) - f'(-u)) != 0 off the axes: the conservation law is the
    # minimax game's, and this test sees the difference
    game = DiracGAN("non_saturating")
    w = np.array([1.0, 0.5])
    assert abs(w @ game.field(w)) > 0.1


@given(w=points, h=st.floats(0.01, 1.0))
def test_simultaneous_step_multiplies_the_squared_norm_by_one_plus_h2_fprime2(w, h):
    game = DiracGAN("gan")
    w = np.asarray(w)
    after = updates.simultaneous(game.field, w, 1, h)
    factor = 1 + h**2 * f_prime(w[0] * w[1]) ** 2
    np.testing.assert_allclose(after @ after, factor * (w @ w), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("gamma", [0.1, 0.5, 1.0, 1.0001, 3.0])
def test_r1_eigenvalues_are_minus_gamma_half_plus_minus_root(gamma):
    root = np.sqrt(complex(gamma**2 / 4 - 0.25))
    expected = np.sort_complex(np.array([-gamma / 2 - root, -gamma / 2 + root]))
    for penalty in ("r1", "r2"):
        game = DiracGAN("gan", **{penalty: gamma})
        got = np.sort_complex(eigenvalues(jacobian(game.field, ORIGIN)))
        np.testing.assert_allclose(got, expected, atol=1e-8)


def test_r1_makes_simultaneous_steps_converge_and_plain_steps_diverge():
    plain = updates.run("simultaneous", DiracGAN("gan").field, [1.0, 0.0], 1, 0.1, 2000)
    penalised = updates.run("simultaneous", DiracGAN("gan", r1=1.0).field, [1.0, 0.0], 1, 0.1,
                            2000)
    assert np.linalg.norm(plain[-1]) > 1.0 and np.linalg.norm(penalised[-1]) < 1e-3


@pytest.mark.parametrize("sigma", [0.5, 1.0, 3.0])
def test_instance_noise_eigenvalues(sigma):
    game = DiracGAN("gan", noise=sigma)
    a, b = sigma**2 * f_second(0.0), f_prime(0.0)
    root = np.sqrt(complex(a**2 - b**2))
    expected = np.sort_complex(np.array([a - root, a + root]))
    np.testing.assert_allclose(np.sort_complex(eigenvalues(jacobian(game.field, ORIGIN))),
                               expected, atol=1e-7)


@pytest.mark.parametrize("gamma", [0.2, 1.0, 4.0])
def test_consensus_jacobian_is_J_minus_gamma_JT_J_at_the_equilibrium(gamma):
    game = DiracGAN("gan")
    J = game.jacobian(ORIGIN)
    consensus = updates.consensus_field(game.field, gamma, game.jacobian)
    np.testing.assert_allclose(jacobian(consensus, ORIGIN), J - gamma * J.T @ J, atol=1e-9)
    np.testing.assert_allclose(eigenvalues(J - gamma * J.T @ J),
                               [-gamma / 4 - 0.5j, -gamma / 4 + 0.5j], atol=1e-12)


def test_consensus_jacobian_differs_from_the_formula_away_from_the_equilibrium():
    # the dJ/dw . v term vanishes only where v = 0: away from it the formula is not the Jacobian
    game, w = DiracGAN("gan"), np.array([1.0, 0.7])
    J = game.jacobian(w)
    consensus = updates.consensus_field(game.field, 1.0, game.jacobian)
    assert np.abs(jacobian(consensus, w) - (J - J.T @ J)).max() > 1e-2


@given(w=points, eta=st.floats(0.01, 1.5))
def test_bilinear_extragradient_and_simultaneous_norm_factors(w, eta):
    w = np.asarray(w)
    extra = updates.extragradient(bilinear_field, w, 1, eta)
    simultaneous = updates.simultaneous(bilinear_field, w, 1, eta)
    np.testing.assert_allclose(extra @ extra, (1 - eta**2 + eta**4) * (w @ w), rtol=1e-12,
                               atol=1e-300)
    np.testing.assert_allclose(simultaneous @ simultaneous, (1 + eta**2) * (w @ w), rtol=1e-12,
                               atol=1e-300)


@pytest.mark.parametrize("eta", [0.05, 0.2, 0.45, 0.55, 0.57, 0.6, 0.9])
def test_optimistic_spectral_radius_from_its_four_by_four_map(eta):
    A = np.array([[0.0, -1.0], [1.0, 0.0]])
    M = updates.linear_map("optimistic", A, 1, eta)
    assert M.shape == (4, 4)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(M)).max(), optimistic_radius(eta),
                               rtol=1e-10)


def test_optimistic_iterates_shrink_at_the_predicted_rate():
    eta, steps = 0.3, 200
    path = updates.run("optimistic", bilinear_field, [1.0, 0.0], 1, eta, steps)
    rate = (np.linalg.norm(path[-1]) / np.linalg.norm(path[-51])) ** (1 / 50)
    np.testing.assert_allclose(rate, optimistic_radius(eta), rtol=1e-6)
    assert optimistic_radius(1 / np.sqrt(3) - 1e-6) < 1 < optimistic_radius(1 / np.sqrt(3) + 1e-6)


def test_alternating_steps_on_the_bilinear_game_stay_bounded():
    # alternating steps are a symplectic (area-preserving, det = 1) map: no spiral in or out;
    # for eta < 2 the iterates stay on an ellipse
    path = updates.run("alternating", bilinear_field, [1.0, 0.0], 1, 0.5, 2000)
    radii = np.linalg.norm(path, axis=1)
    assert 0.5 < radii.min() and radii.max() < 2.0
    M = updates.linear_map("alternating", np.array([[0.0, -1.0], [1.0, 0.0]]), 1, 0.5)
    np.testing.assert_allclose(np.linalg.det(M), 1.0, rtol=1e-12)


def test_wgan_clipping_keeps_the_critic_in_the_box_and_does_not_converge():
    # theta moves by at most h c per step and is pushed back only once it has crossed 0, so it
    # ends circling the equilibrium at an amplitude ~ c instead of settling there
    game, w, thetas = DiracGAN("wgan"), np.array([1.0, 0.0]), []
    for _ in range(6000):
        w = clip_critic(updates.alternating(game.field, w, 1, 0.05), c=0.1)
        assert abs(w[1]) <= 0.1
        thetas.append(w[0])
    assert np.abs(thetas[-1000:]).max() > 0.05


def test_wgan_gp_critic_is_stationary_at_unit_slope_when_theta_is_zero():
    game = DiracGAN("wgan_gp", lam=10.0)
    for psi in (-1.0, 1.0):
        assert game.field([0.0, psi])[1] == 0.0
    assert game.field([0.0, 0.5])[1] > 0 and game.field([0.0, 1.5])[1] < 0


def test_bad_settings_are_rejected_with_their_names():
    with pytest.raises(ValueError, match="loss"):
        DiracGAN("hinge")
    with pytest.raises(ValueError, match="r1"):
        DiracGAN("gan", r1=-1.0)
    with pytest.raises(ValueError, match="noise"):
        DiracGAN("wgan", noise=1.0)
    with pytest.raises(ValueError, match="h must be"):
        updates.simultaneous(bilinear_field, [1.0, 0.0], 1, -0.1)
    with pytest.raises(ValueError, match="rule"):
        updates.run("adam", bilinear_field, [1.0, 0.0], 1, 0.1, 3)
