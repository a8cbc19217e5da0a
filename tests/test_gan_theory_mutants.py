"""gan.theory and gan.pushforward where a one-line slip in the mathematics once passed every
other test: the trapezoid rule on integrands that do not vanish at the ends, the JSD of nearby
normals (where log cosh must not cancel), tiny divergences integrated without quad's roundoff
warning, the constant log 4 of Theorem 1, cells whose image covers whole bins, irregular grids,
and a prior with nothing but cdf and interval at the smallest n_z. Each test fails on the
mutant it is written against (experiments/mutate.py finds them).
"""

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from gan.distributions import Normal, Uniform
from gan.pushforward import pushforward_density
from scipy.integrate import IntegrationWarning

from gan import theory
from gan.theory import c_of_g, jsd, jsd_grid, kl, kl_grid


# ---------------------------------------------------------------- the trapezoid rule
def test_kl_grid_is_the_trapezoid_rule_where_the_integrand_is_not_zero_at_the_ends():
    """p(x) = (1 + x) / 1.5 on [0, 1] against q = Uniform(0, 1): KL = int_0^1 p log p dx.
    With u = p, dx = 1.5 du: KL = 1.5 [u^2 log(u) / 2 - u^2 / 4] from u = 2/3 to 4/3.
    The trapezoid rule's error is at most (b - a) h^2 max|f''| / 12 with f'' = 1 / (1.5^2 u)
    <= 2/3; a one-sided rule is off by about h (f(1) - f(0)) / 2, a hundred times more."""
    x = np.linspace(0.0, 1.0, 201)
    h = x[1] - x[0]
    p, q = (1 + x) / 1.5, np.ones_like(x)
    antiderivative = lambda u: 1.5 * (u * u * math.log(u) / 2 - u * u / 4)
    exact = antiderivative(4 / 3) - antiderivative(2 / 3)
    assert kl_grid(x, p, q) == pytest.approx(exact, abs=h * h * (2 / 3) / 12)
    # A stack of snapshots gives one trapezoid sum per snapshot.
    np.testing.assert_allclose(kl_grid(x, np.stack([p, q]), np.stack([q, q])), [exact, 0.0],
                               atol=h * h * (2 / 3) / 12)


def test_jsd_grid_of_two_uniforms_with_steps_inside_is_the_trapezoid_sum():
    """Densities constant on the grid's pieces make the integrand piecewise linear, which the
    trapezoid rule integrates exactly: p = 1 on [0, 1]; q = 1/2 on [0, 1/2], 3/2 on (1/2, 1]
    sampled so that the jump is one grid cell wide. The sum by hand, cell by cell, is the
    outside value."""
    x = np.linspace(0.0, 1.0, 11)
    p = np.ones_like(x)
    q = np.where(x <= 0.5, 0.5, 1.5)
    f = 0.5 * (p * np.log(2 * p / (p + q)) + q * np.log(2 * q / (p + q)))
    by_hand = sum((f[i] + f[i + 1]) / 2 * (x[i + 1] - x[i]) for i in range(x.size - 1))
    assert jsd_grid(x, p, q) == pytest.approx(by_hand, rel=1e-12)


# ---------------------------------------------------------------- no cancellation near p = q
def test_jsd_grid_of_nearby_normals_is_fisher_information_times_delta_squared_over_8():
    """JSD(N(0, 1) || N(delta, 1)) = delta^2 / 8 + O(delta^4) (the Fisher information of the
    mean is 1). At delta = 1e-6 the integrand is ~1e-13: computing log cosh a as log(cosh a)
    rounds cosh a = 1 + a^2 / 2 to 1 + eps and is off by ~1e-4 relative; the trapezoid rule on
    a Gaussian over [-12, 12] with h = 0.01 is exact to ~1e-12."""
    delta = 1e-6
    x = np.linspace(-12, 12, 2401)
    p, q = stats.norm(0, 1).pdf(x), stats.norm(delta, 1).pdf(x)
    assert jsd_grid(x, p, q) == pytest.approx(delta**2 / 8, rel=1e-9, abs=0)
    assert jsd_grid(x, q, p) == pytest.approx(delta**2 / 8, rel=1e-9, abs=0)


def test_tiny_divergences_are_integrated_quietly_to_their_closed_forms():
    """KL(N(0, 1) || N(delta, 1)) = delta^2 / 2 and JSD = delta^2 / 8 + O(delta^4). At
    delta = 1e-4 both are ~1e-9: quad must stop on an absolute tolerance, since one relative
    to a value that small cannot be met and quad warns of roundoff instead."""
    delta = 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error", IntegrationWarning)
        assert kl(Normal(0, 1), Normal(delta, 1)) == pytest.approx(delta**2 / 2, rel=1e-6)
        assert jsd(Normal(0, 1), Normal(delta, 1)) == pytest.approx(delta**2 / 8, rel=1e-6)


def test_the_minimum_of_c_of_g_is_the_modules_minus_log_4():
    """Theorem 1: C(G) = -log 4 + 2 JSD(p_data || p_g), minimal at p_g = p_data where it is
    -log 4; the module's constant is that number (log 4 = 2 log 2, e^LOG_4 = 4)."""
    assert theory.LOG_4 == pytest.approx(2 * theory.LOG_2, rel=1e-15)
    assert math.exp(theory.LOG_4) == pytest.approx(4.0, rel=1e-15)
    assert c_of_g(Normal(0, 1), Normal(0, 1)) == pytest.approx(-theory.LOG_4, abs=1e-10)


# ---------------------------------------------------------------- the pushforward
def test_a_cell_whose_image_covers_whole_bins_gives_each_its_share_of_the_mass():
    """G(z) = 50 z on p_z = Uniform(0, 1) with 4 cells: each cell's image is 12.5 wide and
    covers dozens of bins of width 0.1 whole. p_g = Uniform(0, 50): density 1/50 inside."""
    x_grid = np.linspace(-5, 55, 601)                       # bins of width 0.1
    result = pushforward_density(lambda z: 50 * z, Uniform(0, 1), x_grid, n_z=4)
    inside, outside = (x_grid > 0.05) & (x_grid < 49.95), (x_grid < -0.05) | (x_grid > 50.05)
    np.testing.assert_allclose(result.density[inside], 1 / 50, rtol=1e-9)
    np.testing.assert_array_equal(result.density[outside], 0.0)
    assert np.sum(result.density * 0.1) + result.mass_outside == pytest.approx(1, abs=1e-9)


def test_pushforward_on_an_irregular_grid_is_each_bins_mass_over_its_own_width():
    """On an irregular grid each bin runs between the midpoints to its neighbours (half a
    spacing beyond the ends); density_i = (F(e_(i+1)) - F(e_i)) / (e_(i+1) - e_i) with F the
    cdf of p_g = N(1, 2^2), from scipy. With 2e4 cells the flat spread is good to ~1e-6."""
    x_grid = np.sort(np.random.default_rng(8).uniform(-6, 8, 300))
    x_grid = x_grid[np.concatenate([[True], np.diff(x_grid) > 1e-3])]
    edges = np.concatenate([[x_grid[0] - (x_grid[1] - x_grid[0]) / 2],
                            (x_grid[1:] + x_grid[:-1]) / 2,
                            [x_grid[-1] + (x_grid[-1] - x_grid[-2]) / 2]])
    expected = np.diff(stats.norm(1, 2).cdf(edges)) / np.diff(edges)
    result = pushforward_density(lambda z: 2 * z + 1, Normal(0, 1), x_grid)
    np.testing.assert_allclose(result.density, expected, atol=1e-5)
    mass_inside = stats.norm(1, 2).cdf(edges[-1]) - stats.norm(1, 2).cdf(edges[0])
    assert result.mass_outside == pytest.approx(1 - mass_inside, abs=1e-6)


class _CdfOnlyUniform:
    """Uniform(0, 1) with only what pushforward_density requires of p_z: cdf and interval (no
    ppf, so no quantile points in the z grid; no dim attribute, so 1D by default)."""

    def cdf(self, z):
        return np.clip(z, 0.0, 1.0)

    def interval(self, mass):
        return 0.0, 1.0


def test_the_smallest_n_z_on_a_prior_with_only_cdf_and_interval_is_one_exact_cell():
    """n_z = 2 (the least allowed) without ppf: the z grid is [0, 1], one cell of mass 1 whose
    image under G(z) = 3 z - 1 is [-1, 2]: p_g = Uniform(-1, 2), density 1/3 on bins inside and
    0 outside, exactly, since a linear G spreads a uniform cell evenly."""
    x_grid = np.linspace(-2, 3, 51)                          # bins of width 0.1
    result = pushforward_density(lambda z: 3 * z - 1, _CdfOnlyUniform(), x_grid, n_z=2)
    inside, outside = (x_grid > -0.95) & (x_grid < 1.95), (x_grid < -1.05) | (x_grid > 2.05)
    np.testing.assert_allclose(result.density[inside], 1 / 3, rtol=1e-12)
    np.testing.assert_array_equal(result.density[outside], 0.0)
    assert result.mass_outside == pytest.approx(0.0, abs=1e-12)
