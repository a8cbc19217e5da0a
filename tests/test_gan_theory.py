"""gan.theory: Proposition 1 and Theorem 1 of Goodfellow et al. (2014), divergences against
closed forms and against scipy on fine grids."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from gan.distributions import Mixture, Normal, Tabulated, Uniform
from gan.theory import (c_of_g, jsd, jsd_grid, kl, kl_grid, optimal_discriminator,
                        optimal_discriminator_logit, value)

LOG_4 = math.log(4.0)
overlapping_normals = st.builds(Normal, st.floats(-2, 2), st.floats(0.5, 2))
normals = st.builds(Normal, st.floats(-5, 5), st.floats(0.1, 3))


@st.composite
def mixtures(draw):
    k = draw(st.integers(1, 3))
    weights = np.array(draw(st.lists(st.floats(0.1, 1), min_size=k, max_size=k)))
    return Mixture([draw(normals) for _ in range(k)], weights / weights.sum())


def kl_normals(p, q):
    """KL(N(mu1, s1^2) || N(mu2, s2^2)) = log(s2 / s1) + (s1^2 + (mu1 - mu2)^2) / (2 s2^2) - 1/2."""
    return (math.log(q.sigma / p.sigma) + (p.sigma**2 + (p.mu - q.mu) ** 2) / (2 * q.sigma**2)
            - 0.5)


def jsd_on_fine_grid(p, q, low, high, points=50_001):
    """JSD of the discretised densities by scipy (jensenshannon returns its square root); the
    discretisation error is O(h^2) for smooth densities. Subnormal densities are set to 0:
    scipy's (p + q) / 2 rounds the smallest of them to 0 and returns inf."""
    x = np.linspace(low, high, points)
    p_x, q_x = p.pdf(x), q.pdf(x)
    return jensenshannon(np.where(p_x > 1e-300, p_x, 0), np.where(q_x > 1e-300, q_x, 0)) ** 2


# ---------------------------------------------------------------- Proposition 1
@settings(max_examples=30)
@given(overlapping_normals, overlapping_normals, st.floats(0.1, 1), st.sampled_from(
    [np.ones_like, np.sin, np.tanh, lambda x: np.cos(3 * x)]), st.booleans())
def test_optimal_discriminator_maximises_value(p_data, p_g, size, direction, negative):
    """Any bounded perturbation of D*'s logit lowers V (Prop. 1: V is strictly concave in D)."""
    logit = optimal_discriminator_logit(p_data, p_g)
    epsilon = -size if negative else size
    perturbed = value(lambda x: logit(x) + epsilon * direction(x), p_data, p_g)
    assert perturbed < value(logit, p_data, p_g) - 1e-9


@given(normals, normals)
def test_optimal_discriminator_is_the_density_ratio_and_sigmoid_of_its_logit(p_data, p_g):
    x = np.linspace(-8, 8, 33)
    defined = (p_data.pdf(x) > 1e-200) & (p_g.pdf(x) > 1e-200)    # the reference underflows
    x_defined = x[defined]
    ratio = p_data.pdf(x_defined) / (p_data.pdf(x_defined) + p_g.pdf(x_defined))
    d_star = optimal_discriminator(p_data, p_g)(x)
    np.testing.assert_allclose(d_star[defined], ratio, rtol=1e-12, atol=1e-300)
    logit = optimal_discriminator_logit(p_data, p_g)(x)
    np.testing.assert_allclose(logit, p_data.logpdf(x) - p_g.logpdf(x), rtol=1e-12, atol=1e-12)


def test_optimal_discriminator_is_exact_where_both_densities_underflow():
    p_data, p_g = Normal(0, 1), Normal(1, 1)
    # log N(x; 0, 1) - log N(x; 1, 1) = ((x - 1)^2 - x^2) / 2 = 1/2 - x: -59.5 at x = 60, where
    # both densities are below 1e-780 and underflow, and D* = sigmoid(-59.5).
    assert p_data.pdf(60.0) == 0 and p_g.pdf(60.0) == 0
    assert optimal_discriminator_logit(p_data, p_g)(60.0) == pytest.approx(-59.5, rel=1e-12)
    d_star = math.exp(-59.5) / (1 + math.exp(-59.5))
    assert optimal_discriminator(p_data, p_g)(60.0) == pytest.approx(d_star, rel=1e-12)
    disjoint = optimal_discriminator(Uniform(0, 1), Uniform(2, 3))(np.array([0.5, 2.5, 5.0]))
    assert disjoint.tolist() == [1.0, 0.0, 0.5]          # 1/2 where neither has mass


# ---------------------------------------------------------------- Theorem 1
@settings(max_examples=20)
@given(st.one_of(normals, mixtures()), st.one_of(normals, mixtures()))
def test_c_of_g_is_minus_log_4_plus_twice_jsd(p_data, p_g):
    assert c_of_g(p_data, p_g) == pytest.approx(-LOG_4 + 2 * jsd(p_data, p_g), abs=1e-8)


@settings(max_examples=20)
@given(st.one_of(normals, mixtures()), st.one_of(normals, mixtures()))
def test_c_of_g_is_at_least_minus_log_4_with_equality_only_at_p_data(p_data, p_g):
    assert c_of_g(p_data, p_data) == pytest.approx(-LOG_4, abs=1e-10)
    if jsd_on_fine_grid(p_data, p_g, -20, 20, 4001) > 1e-6:
        assert c_of_g(p_data, p_g) > -LOG_4 + 1e-7


def test_value_of_an_undecided_discriminator_is_minus_log_4():
    """D = 1/2 everywhere: V = log 1/2 + log 1/2 whatever p_data and p_g are."""
    p_data, p_g = Normal(-1, 1), Mixture([Normal(2, 0.3), Uniform(-4, -3)])
    assert value(lambda x: np.zeros(len(x)), p_data, p_g) == pytest.approx(-LOG_4, abs=1e-10)
    half = value(lambda x: np.full(len(x), 0.5), p_data, p_g, probabilities=True)
    assert half == pytest.approx(-LOG_4, abs=1e-10)


@given(overlapping_normals, overlapping_normals)
@settings(max_examples=20)
def test_value_from_probabilities_equals_value_from_logits(p_data, p_g):
    def logits(x):
        return 0.7 * x[:, 0] - 0.2

    def probabilities(x):
        return 1 / (1 + np.exp(-logits(x)))

    assert value(probabilities, p_data, p_g, probabilities=True) == pytest.approx(
        value(logits, p_data, p_g), abs=1e-9)


def test_value_is_minus_infinity_where_d_is_certain_and_wrong():
    """D = 0 on p_data's support: int p_data log D = -inf."""
    p_data, p_g = Uniform(0, 1), Uniform(0, 2)
    assert value(lambda x: np.zeros(len(x)), p_data, p_g, probabilities=True) == -np.inf


# ---------------------------------------------------------------- divergences
@given(normals, normals)
def test_kl_of_normals_matches_the_closed_form(p, q):
    assert kl(p, q) == pytest.approx(kl_normals(p, q), rel=1e-8, abs=1e-10)


def test_kl_and_jsd_resolve_a_narrow_component_far_from_a_wide_one():
    narrow, wide = Normal(4, 0.05), Normal(0, 1)
    assert kl(narrow, wide) == pytest.approx(kl_normals(narrow, wide), rel=1e-9)
    assert kl(wide, narrow) == pytest.approx(kl_normals(wide, narrow), rel=1e-9)
    assert jsd(narrow, wide) == pytest.approx(jsd_on_fine_grid(narrow, wide, -9, 5), abs=1e-7)
    bimodal = Mixture([Normal(0, 1), Normal(4, 0.05)], [0.9, 0.1])
    assert jsd(bimodal, wide) == pytest.approx(jsd_on_fine_grid(bimodal, wide, -9, 5), abs=1e-7)


@settings(max_examples=25)
@given(st.one_of(normals, mixtures()), st.one_of(normals, mixtures()))
def test_jsd_is_symmetric_bounded_by_log_2_and_matches_scipy_on_a_grid(p, q):
    forward = jsd(p, q)
    assert forward == pytest.approx(jsd(q, p), abs=1e-10)
    assert 0 <= forward <= math.log(2) + 1e-12
    assert forward == pytest.approx(jsd_on_fine_grid(p, q, -25, 25), abs=1e-6)


def test_jsd_is_log_2_for_disjoint_supports_and_known_for_half_overlap():
    assert jsd(Uniform(0, 1), Uniform(2, 3)) == pytest.approx(math.log(2), abs=1e-12)
    # Far apart normals: no 0 * log 0 NaN where both densities underflow.
    assert jsd(Normal(-40, 1), Normal(40, 1)) == pytest.approx(math.log(2), abs=1e-12)
    # U(0, 1) against U(0.5, 1.5): each density sits alone on a half, where p / m = 2.
    assert jsd(Uniform(0, 1), Uniform(0.5, 1.5)) == pytest.approx(math.log(2) / 2, abs=1e-12)
    assert jsd(Normal(1, 2), Normal(1, 2)) == pytest.approx(0, abs=1e-15)


def test_jsd_of_a_distribution_and_its_own_two_component_copy_is_not_negative():
    # Regression: the explore profile found -9.0e-18 here, below JSD's bound 0; the
    # integrand's two halves p log(p/m) and q log(q/m) cancelled to slightly negative values.
    same = Mixture([Normal(0, 1), Normal(0, 1)], [0.5, 0.5])
    assert 0 <= jsd(Normal(0, 1), same) < 1e-25
    assert 0 <= jsd(same, Normal(0, 1)) < 1e-25


log_densities = st.one_of(st.floats(-700, 50), st.just(-np.inf))   # m not subnormal


@given(st.lists(st.tuples(log_densities, log_densities), min_size=1, max_size=20))
def test_every_jsd_integrand_value_is_non_negative_and_at_most_log_2_times_m(pairs):
    from gan.theory import _jsd_integrand

    log_p, log_q = np.array(pairs).T
    with np.errstate(under="ignore"):
        values = _jsd_integrand(log_p, log_q)
        m = (np.exp(log_p) + np.exp(log_q)) / 2
    assert np.all(values >= 0)
    assert np.all(values <= math.log(2) * m * (1 + 1e-12))


@pytest.mark.parametrize("a", [1e-150, 1e-10, 1e-4, 0.3, 0.999, 1.0, 1.001, 3.0, 25.0, 700.0])
def test_the_jsd_integrands_bernoulli_kl_matches_high_precision_arithmetic(a):
    # Outside truth: KL(Bernoulli(D) || Bernoulli(1/2)) with D = sigmoid(2a), in 60 digits.
    from gan.theory import _bernoulli_kl_from_half

    with mpmath.workdps(60):
        d, one_minus_d = (1 / (1 + mpmath.exp(-2 * mpmath.mpf(a))),
                          1 / (1 + mpmath.exp(2 * mpmath.mpf(a))))
        exact = d * mpmath.log(2 * d) + one_minus_d * mpmath.log(2 * one_minus_d)
    assert float(_bernoulli_kl_from_half(np.array(a))) == pytest.approx(float(exact), rel=1e-13)


def test_kl_is_infinite_when_q_misses_part_of_p():
    assert kl(Uniform(0, 1), Uniform(0.5, 1.5)) == np.inf
    assert kl(Uniform(0.5, 1.0), Uniform(0, 1.5)) == pytest.approx(math.log(3), abs=1e-12)


def test_divergences_accept_tabulated_densities_and_bare_pdf_objects():
    grid = np.linspace(-10, 10, 401)
    target, model = Normal(-1, 1), Normal(0.5, 1.5)
    tabulated = Tabulated(grid, model.pdf(grid))
    # Linear interpolation on spacing h = 0.05 changes the density by O(h^2) ~ 1e-3 relative.
    assert jsd(target, tabulated) == pytest.approx(jsd(target, model), abs=1e-4)

    class BarePdf:
        def pdf(self, x):
            return model.pdf(x)

    assert kl(target, BarePdf(), limits=(-12, 12)) == pytest.approx(kl_normals(target, model),
                                                                   rel=1e-8)


# ---------------------------------------------------------------- on a grid
@settings(max_examples=25)
@given(st.one_of(normals, mixtures()), st.one_of(normals, mixtures()))
def test_grid_divergences_match_quadrature(p, q):
    x = np.linspace(-20, 20, 8001)
    # Trapezoid error on spacing h = 0.005 is h^2 / 12 * int |f''| ~ 2e-6 / sigma_min^2.
    assert jsd_grid(x, p.pdf(x), q.pdf(x)) == pytest.approx(jsd(p, q), abs=2e-4)
    p_wide = Mixture([p, Normal(0, 4)], [0.9, 0.1])     # q's tails must not beat p's
    assert kl_grid(x, q.pdf(x), p_wide.pdf(x)) == pytest.approx(kl(q, p_wide), abs=2e-4)


def test_grid_divergences_vectorise_over_leading_axes():
    x = np.linspace(-8, 8, 321)
    p = np.stack([Normal(mu, 1).pdf(x) for mu in (-1, 0, 2)])
    q = Normal(0.3, 1.2).pdf(x)
    np.testing.assert_array_equal(jsd_grid(x, p, q), [jsd_grid(x, row, q) for row in p])
    np.testing.assert_array_equal(kl_grid(x, p, q), [kl_grid(x, row, q) for row in p])


def test_grid_divergences_handle_exact_zeros():
    """Two triangles on disjoint parts of the grid (each integrates to 1 by the trapezoid
    rule): JSD = log 2 and KL = inf, with no NaN from 0 * log 0."""
    x = np.arange(7.0)
    p, q = np.array([0, 1, 0, 0, 0, 0, 0.0]), np.array([0, 0, 0, 0, 0, 1, 0.0])
    assert jsd_grid(x, p, q) == pytest.approx(math.log(2), abs=1e-15)
    assert kl_grid(x, p, q) == np.inf and kl_grid(x, p, p) == 0.0


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, error, message", [
    (lambda: jsd(Normal([0, 0], 1), Normal(0, 1)), ValueError, "p must be a 1D distribution"),
    (lambda: jsd(object(), Normal(0, 1)), TypeError, "p must have a logpdf or pdf method"),
    (lambda: value(3, Normal(0, 1), Normal(1, 1)), TypeError, "D must be callable"),
    (lambda: value(lambda x: 2 + 0 * x[:, 0], Normal(0, 1), Normal(1, 1), probabilities=True),
     ValueError, "D must return probabilities in \\[0, 1\\]"),
    (lambda: value(lambda x: np.zeros(3), Normal(0, 1), Normal(1, 1)), ValueError,
     "D must return one value per input row"),
    (lambda: kl(Normal(0, 1), Normal(1, 1), limits=(1, 0)), ValueError, "limits must be finite"),
    (lambda: jsd_grid([0, 2, 1], [1, 1, 1], [1, 1, 1]), ValueError, "x must be a finite, strict"),
    (lambda: jsd_grid([0, 1, 2], [1, -1, 1], [1, 1, 1]), ValueError, "p must hold finite, non-n"),
    (lambda: kl_grid([0, 1, 2], [1, 1, 1], [1, 1]), ValueError, "q must have the grid's length"),
])
def test_bad_arguments_raise_errors_naming_the_parameter(call, error, message):
    with pytest.raises(error, match=message):
        call()
