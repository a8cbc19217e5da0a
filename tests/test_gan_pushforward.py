"""gan.pushforward: p_g = G # p_z against closed-form pushforwards (bin averages of scipy's
cdfs), mass conservation, and point masses."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from gan.distributions import Normal, Uniform
from gan.pushforward import pushforward_density

X_GRID = np.linspace(-8, 8, 641)                 # spacing h = 0.025
H = X_GRID[1] - X_GRID[0]
EDGES = np.concatenate([[X_GRID[0] - H / 2], (X_GRID[1:] + X_GRID[:-1]) / 2, [X_GRID[-1] + H / 2]])


def bin_averages(reference):
    """(F(e_(i+1)) - F(e_i)) / h: what the pushforward reports, from scipy's cdf."""
    return np.diff(reference.cdf(EDGES)) / H


def total_mass(result):
    return np.sum(result.density * np.diff(EDGES)) + result.mass_outside


def relu_network(seed, width=16):
    """A 1-16-16-1 ReLU MLP, piecewise linear in z, with weights from a seeded generator."""
    generator = np.random.default_rng(seed)
    W1, b1 = generator.normal(size=(1, width)), generator.normal(size=width)
    W2, b2 = generator.normal(size=(width, width)) / 4, generator.normal(size=width)
    W3, b3 = generator.normal(size=(width, 1)) / 4, generator.normal(size=1)

    def G(z):
        hidden = np.maximum(z @ W1 + b1, 0)
        return np.maximum(hidden @ W2 + b2, 0) @ W3 + b3

    return G


# ---------------------------------------------------------------- closed forms
@given(st.floats(0.2, 2.5).flatmap(lambda a: st.sampled_from([a, -a])), st.floats(-2, 2))
@settings(max_examples=30)
def test_affine_generator_pushes_a_standard_normal_to_normal_b_abs_a(a, b):
    result = pushforward_density(lambda z: a * z + b, Normal(0, 1), X_GRID)
    # Each z cell's mass is spread flat over its image while the true density varies across
    # it; with 2e4 cells the error is below 1e-5 (measured 1e-6 for a = 2).
    np.testing.assert_allclose(result.density, bin_averages(stats.norm(b, abs(a))), atol=1e-5)
    assert total_mass(result) == pytest.approx(1, abs=1e-12)


def test_square_pushes_a_standard_normal_to_chi_square_one_away_from_zero():
    result = pushforward_density(lambda z: z**2, Normal(0, 1), X_GRID)
    away = X_GRID > 0.5                          # the chi-square(1) density is infinite at 0
    np.testing.assert_allclose(result.density[away], bin_averages(stats.chi2(1))[away], atol=1e-5)
    # The mass near 0 is not lost: the bins up to 0.5 hold chi2(1)'s mass there.
    near = (X_GRID <= 0.5) & (X_GRID > -H)
    assert np.sum(result.density[near]) * H == pytest.approx(
        stats.chi2(1).cdf(EDGES[np.flatnonzero(near)[-1] + 1]), abs=1e-5)


def test_non_monotone_absolute_value_gives_the_folded_normal():
    """|z| folds both branches onto [0, inf): their cells' images overlap and add."""
    result = pushforward_density(np.abs, Normal(0.5, 1), X_GRID)
    folded = stats.foldnorm(c=0.5)                # law of |z| for z ~ N(0.5, 1)
    np.testing.assert_allclose(result.density, bin_averages(folded), atol=1e-5)


def test_leaky_relu_of_a_uniform_prior_is_exact():
    """G(z) = z for z > 0, 0.2 z below, z ~ U(-1, 1): p_g = 1/2 on [0, 1] and 1/(2 * 0.2) on
    [-0.2, 0]. G is linear on every cell (0 is a cell boundary) and p_z is flat on it, so the
    construction is exact up to rounding."""
    result = pushforward_density(lambda z: np.where(z > 0, z, 0.2 * z), Uniform(-1, 1), X_GRID)
    reference = 0.5 * stats.uniform(0, 1).cdf(EDGES) + 0.5 * stats.uniform(-0.2, 0.2).cdf(EDGES)
    np.testing.assert_allclose(result.density, np.diff(reference) / H, atol=1e-10)
    assert result.mass_outside == pytest.approx(0, abs=1e-12)


# ---------------------------------------------------------------- mass and point masses
def test_a_dead_relu_region_is_a_point_mass_shown_in_the_bin_holding_it():
    """G(z) = max(z, 0) sends half of N(0, 1) to exactly 0: a Dirac of mass 1/2, shown as
    1/2 / h in the bin around 0, plus the half-normal's density on the right."""
    result = pushforward_density(lambda z: np.maximum(z, 0), Normal(0, 1), X_GRID)
    # Every cell left of 0 has a zero-width image; only the cell straddling 0 (mass < 1e-3)
    # is spread.
    assert result.point_mass == pytest.approx(0.5, abs=1e-3)
    zero_bin = np.argmin(np.abs(X_GRID))              # the bin [-h/2, h/2] gets P(z <= h/2)
    assert result.density[zero_bin] * H == pytest.approx(stats.norm.cdf(H / 2), abs=1e-6)
    right = X_GRID > H
    np.testing.assert_allclose(result.density[right],
                               bin_averages(stats.halfnorm())[right] / 2, atol=1e-5)


@given(st.integers(0, 2**31))
@settings(max_examples=30)
def test_mass_is_conserved_for_random_relu_generators(seed):
    G = relu_network(seed)
    result = pushforward_density(G, Normal(0, 1), np.linspace(-3, 3, 121), n_z=2001)
    inside = np.sum(result.density * np.diff(np.linspace(-3.025, 3.025, 122)))
    assert np.all(result.density >= 0)
    assert inside + result.mass_outside == pytest.approx(1, abs=1e-12)


@given(st.integers(0, 2**31))
@settings(max_examples=15)
def test_relu_generator_pushforward_agrees_with_the_cdf_of_many_samples(seed):
    """P(G(z) <= x) from the pushforward against the empirical cdf of 10^5 samples: the KS
    statistic of n samples exceeds 1.95 / sqrt(n) with probability 1e-3 (seeded, and the
    pushforward's own error is far smaller)."""
    G = relu_network(seed)
    x_grid = np.linspace(-10, 10, 2001)
    result = pushforward_density(G, Normal(0, 1), x_grid)
    cumulative = np.cumsum(result.density) * (x_grid[1] - x_grid[0])   # H at the right edges
    samples = np.sort(G(np.random.default_rng(seed).standard_normal((100_000, 1)))[:, 0])
    right_edges = x_grid + (x_grid[1] - x_grid[0]) / 2
    empirical = np.searchsorted(samples, right_edges, side="right") / samples.size
    below_grid = np.mean(samples < x_grid[0] - (x_grid[1] - x_grid[0]) / 2)
    assert np.max(np.abs(cumulative + below_grid - empirical)) < 1.95 / np.sqrt(samples.size)


def test_mass_outside_the_grid_is_reported():
    result = pushforward_density(lambda z: z, Normal(0, 1), np.linspace(0, 8, 321))
    # The grid's first bin starts at -h/2, so P(z < -h/2) fell outside it.
    assert result.mass_outside == pytest.approx(stats.norm.cdf(-0.0125), abs=1e-9)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, error, message", [
    (lambda: pushforward_density(3, Normal(0, 1), X_GRID), TypeError, "G must be callable"),
    (lambda: pushforward_density(np.abs, Normal([0, 0], 1), X_GRID), TypeError, "p_z must be a"),
    (lambda: pushforward_density(np.abs, Normal(0, 1), X_GRID, n_z=1), ValueError, "n_z must be"),
    (lambda: pushforward_density(np.abs, Normal(0, 1), [0, 0]), ValueError, "x_grid must be"),
    (lambda: pushforward_density(lambda z: z[:2], Normal(0, 1), X_GRID), ValueError,
     "G must map an \\(n, 1\\) array to n outputs"),
    (lambda: pushforward_density(lambda z: np.full_like(z, np.inf), Normal(0, 1), X_GRID),
     ValueError, "G returned non-finite outputs"),
])
def test_bad_arguments_raise_errors_naming_the_parameter(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_bins_that_no_image_reaches_have_exactly_zero_density():
    """The difference-array sum must not leave rounding residue (of either sign) in bins no
    cell's image covers: p_g there is 0, exactly, which divergences on the grid rely on."""
    x_grid = np.linspace(-10, 10, 2001)
    result = pushforward_density(lambda z: 0.37 * z + 5.3, Uniform(-1, 1), x_grid, n_z=4000)
    unreachable = (x_grid < 5.3 - 0.37 - 0.01) | (x_grid > 5.3 + 0.37 + 0.01)
    assert np.all(result.density[unreachable] == 0.0)
    assert np.all(result.density >= 0.0)
