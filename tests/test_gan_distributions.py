"""gan.distributions against scipy.stats, closed forms and sampling statistics."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from gan.distributions import Mixture, Normal, Tabulated, Uniform, from_dict

locations = st.floats(-5, 5)
scales = st.floats(0.05, 5)
X_GRID = np.linspace(-12, 12, 97)


def ks_bound(n):
    """KS critical value at level 1e-3: sqrt(-ln(1e-3 / 2) / (2 n)) ~ 1.95 / sqrt(n)
    (the asymptotic Kolmogorov tail; fixed seeds, so a failure is a real change)."""
    return math.sqrt(-math.log(1e-3 / 2) / (2 * n))


@st.composite
def normal_mixtures(draw):
    k = draw(st.integers(1, 4))
    weights = np.array(draw(st.lists(st.floats(0.05, 1), min_size=k, max_size=k)))
    components = [Normal(draw(locations), draw(scales)) for _ in range(k)]
    return Mixture(components, weights / weights.sum())


# ---------------------------------------------------------------- densities against scipy
@given(locations, scales)
def test_normal_density_cdf_and_quantiles_match_scipy(mu, sigma):
    p, reference = Normal(mu, sigma), stats.norm(mu, sigma)
    np.testing.assert_allclose(p.logpdf(X_GRID), reference.logpdf(X_GRID), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p.pdf(X_GRID), reference.pdf(X_GRID), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(p.cdf(X_GRID), reference.cdf(X_GRID), rtol=1e-12, atol=1e-300)
    q = np.linspace(0.001, 0.999, 11)
    np.testing.assert_allclose(p.ppf(q), reference.ppf(q), rtol=1e-12, atol=1e-12)
    assert (p.mean, p.std) == pytest.approx((reference.mean(), reference.std()), rel=1e-12)


@given(locations, scales)
def test_uniform_density_cdf_and_quantiles_match_scipy(low, width):
    p, reference = Uniform(low, low + width), stats.uniform(low, width)
    inside = (X_GRID > low) & (X_GRID < low + width)       # scipy's edges are a convention
    np.testing.assert_allclose(p.pdf(X_GRID)[inside], reference.pdf(X_GRID)[inside], rtol=1e-12)
    assert np.all(p.pdf(X_GRID)[~inside & ((X_GRID < low) | (X_GRID > low + width))] == 0)
    np.testing.assert_allclose(p.cdf(X_GRID), reference.cdf(X_GRID), rtol=1e-12, atol=1e-12)
    q = np.linspace(0, 1, 11)
    np.testing.assert_allclose(p.ppf(q), reference.ppf(q), rtol=1e-12, atol=1e-12)
    assert (p.mean, p.std) == pytest.approx((reference.mean(), reference.std()), rel=1e-12)


@given(normal_mixtures())
def test_mixture_density_and_cdf_are_weighted_sums_of_scipy_normals(p):
    pdf = sum(w * stats.norm(c.mu, c.sigma).pdf(X_GRID) for w, c in zip(p.weights, p.components))
    cdf = sum(w * stats.norm(c.mu, c.sigma).cdf(X_GRID) for w, c in zip(p.weights, p.components))
    np.testing.assert_allclose(p.pdf(X_GRID), pdf, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(p.cdf(X_GRID), cdf, rtol=1e-10, atol=1e-300)


@settings(max_examples=30)   # each example runs three adaptive quadratures
@given(normal_mixtures())
def test_mixture_density_integrates_to_one_and_its_moments_match_quadrature(p):
    low, high = p.interval()
    points = p.breakpoints()
    points = points[(points > low) & (points < high)]
    moments = [integrate.quad(lambda x, k=k: x**k * p.pdf(x), low, high, points=points,
                              limit=200)[0] for k in range(3)]
    assert moments[0] == pytest.approx(1, abs=1e-8)
    assert p.mean == pytest.approx(moments[1], abs=1e-7)
    assert p.std == pytest.approx(math.sqrt(moments[2] - moments[1] ** 2), rel=1e-6)


def test_multivariate_normal_and_uniform_match_scipy_products():
    x = np.random.default_rng(1).normal(size=(5, 3, 2)) * 2
    p = Normal(mu=[1, -2], sigma=0.7)
    reference = stats.multivariate_normal([1, -2], 0.49 * np.eye(2))
    np.testing.assert_allclose(p.logpdf(x), reference.logpdf(x), rtol=1e-12)
    u = Uniform(-1, 1, dim=8)
    inside, outside = np.full((4, 8), 0.5), np.full((4, 8), 0.5)
    outside[:, 3] = 1.5
    np.testing.assert_allclose(u.pdf(inside), 0.5**8)
    assert np.all(u.pdf(outside) == 0)
    assert Normal(0, 1, dim=8).logpdf(np.zeros(8)) == pytest.approx(-4 * math.log(2 * math.pi))


def test_logpdf_stays_finite_far_in_the_tails_where_pdf_underflows():
    x = np.array([-60.0, 60.0])
    p = Mixture([Normal(-1, 1), Normal(2, 0.5)], [0.5, 0.5])
    assert np.all(p.pdf(x) == 0)
    # Far right the narrow component is negligible next to the wide one: log(0.5 N(60; -1, 1)).
    wide = math.log(0.5) + stats.norm(-1, 1).logpdf(60.0)
    assert p.logpdf(x)[1] == pytest.approx(wide, rel=1e-12)
    assert np.all(np.isfinite(p.logpdf(x)))


@given(normal_mixtures(), st.floats(0.5, 1 - 1e-12))
def test_interval_holds_at_least_the_requested_mass(p, mass):
    low, high = p.interval(mass)
    assert p.cdf(high) - p.cdf(low) >= mass - 1e-12


# ---------------------------------------------------------------- sampling
class MinimalGenerator:
    """Only the numpy.random.Generator methods the brief promises, to show no others are used."""

    def __init__(self, seed):
        self.generator = np.random.default_rng(seed)

    def random(self, size=None):
        return self.generator.random(size)

    def standard_normal(self, size=None):
        return self.generator.standard_normal(size)


@pytest.mark.parametrize("p", [
    Normal(-1, 1), Uniform(-1, 1), Mixture([Normal(-2, 0.5), Uniform(1, 3)], [0.3, 0.7]),
    Tabulated([0, 1, 2, 4], [0, 2, 1, 0]),
], ids=repr)
def test_samples_have_the_distribution_by_ks_and_moments(p):
    n = 20_000
    x = p.sample(n, MinimalGenerator(seed=20141))
    assert x.shape == (n, 1) and x.dtype == np.float64
    assert stats.kstest(x[:, 0], p.cdf).statistic < ks_bound(n)
    # Mean of n draws has standard error std / sqrt(n); 5 standard errors is a 1-in-10^6 miss.
    assert abs(x.mean() - p.mean) < 5 * p.std / math.sqrt(n)


def test_multivariate_samples_have_the_right_shape_mean_and_spread():
    n = 20_000
    x = Normal(mu=[3, -3], sigma=2).sample(n, np.random.default_rng(7))
    assert x.shape == (n, 2)
    np.testing.assert_array_less(np.abs(x.mean(axis=0) - [3, -3]), 5 * 2 / math.sqrt(n))
    # Sample variance of a normal has standard error sigma^2 sqrt(2 / n).
    np.testing.assert_array_less(np.abs(x.var(axis=0) - 4), 5 * 4 * math.sqrt(2 / n))
    u = Uniform(-1, 1, dim=8).sample(n, np.random.default_rng(8))
    assert u.shape == (n, 8) and u.min() >= -1 and u.max() < 1


def test_mixture_with_a_zero_weight_never_samples_that_component():
    p = Mixture([Normal(-10, 0.1), Normal(10, 0.1)], [0.0, 1.0])
    assert np.all(p.sample(1000, np.random.default_rng(0)) > 0)


# ---------------------------------------------------------------- Tabulated
def test_tabulated_triangle_is_scipy_triangular_distribution():
    p, reference = Tabulated([0, 1, 2], [0, 5, 0]), stats.triang(c=0.5, loc=0, scale=2)
    x = np.linspace(-1, 3, 41)
    np.testing.assert_allclose(p.pdf(x), reference.pdf(x), atol=1e-14)
    np.testing.assert_allclose(p.cdf(x), reference.cdf(x), atol=1e-14)
    q = np.linspace(0, 1, 21)
    np.testing.assert_allclose(p.ppf(q), reference.ppf(q), atol=1e-12)
    assert (p.mean, p.std) == pytest.approx((reference.mean(), reference.std()), rel=1e-12)


@given(locations, st.floats(0.3, 3))
def test_tabulated_normal_round_trips_the_density_and_cdf(mu, sigma):
    grid = np.linspace(mu - 9 * sigma, mu + 9 * sigma, 2001)
    p, reference = Tabulated(grid, stats.norm(mu, sigma).pdf(grid)), stats.norm(mu, sigma)
    h = grid[1] - grid[0]
    # Linear interpolation and the trapezoid rule err by O(h^2 max|p''|) ~ h^2 / sigma^3.
    tolerance = h**2 / sigma**3
    np.testing.assert_allclose(p.pdf(grid), reference.pdf(grid), atol=tolerance)
    middle = (grid[1:] + grid[:-1]) / 2
    np.testing.assert_allclose(p.pdf(middle), reference.pdf(middle), atol=tolerance)
    np.testing.assert_allclose(p.cdf(middle), reference.cdf(middle), atol=tolerance * sigma)
    q = np.linspace(0.01, 0.99, 50)
    np.testing.assert_allclose(p.cdf(p.ppf(q)), q, atol=1e-12)


def test_tabulated_normalises_and_gives_zero_outside_its_grid():
    p = Tabulated([0, 1, 3], [2, 2, 0])
    assert p.pdf(np.array([-0.5, 3.5])).tolist() == [0.0, 0.0]
    assert p.cdf(3.0) == 1.0 and p.cdf(-1.0) == 0.0
    assert p.pdf(0.5) == pytest.approx(0.5)        # total mass 2 + 2 = 4, so 2 / 4
    assert p.logpdf(np.array([5.0]))[0] == -np.inf


# ---------------------------------------------------------------- text and JSON
@pytest.mark.parametrize("p", [
    Normal(-1, 1), Normal(mu=[0, 1], sigma=2), Normal(0, 1, dim=8), Uniform(-1, 1),
    Uniform(-1, 1, dim=3), Mixture([Normal(-2, 0.5), Normal(2, 0.5)], [0.25, 0.75]),
    Mixture([Normal([0, 0], 1), Normal([3, 3], 0.1)]), Tabulated([0, 1, 2], [0, 1, 0.5]),
], ids=lambda p: type(p).__name__)
def test_to_dict_survives_json_and_rebuilds_an_equal_distribution(p):
    rebuilt = from_dict(json.loads(json.dumps(p.to_dict())))
    assert rebuilt == p and type(p).from_dict(p.to_dict()) == p
    x = np.zeros((3, p.dim)) + 0.5
    np.testing.assert_array_equal(rebuilt.logpdf(x), p.logpdf(x))


def test_repr_reads_like_the_math_and_evaluates_back():
    assert repr(Normal(-1, 1)) == "Normal(mu=-1.0, sigma=1.0)"
    assert repr(Uniform(-1, 1, dim=8)) == "Uniform(low=-1.0, high=1.0, dim=8)"
    for p in [Normal(mu=[0, 1], sigma=2), Mixture([Normal(-2, 0.5), Uniform(0, 1)], [0.5, 0.5])]:
        assert eval(repr(p)) == p


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("build, message", [
    (lambda: Normal(0, 0), "sigma must be positive, got 0"),
    (lambda: Normal(float("nan"), 1), "mu must be finite"),
    (lambda: Normal([0, 0], 1, dim=3), "mu has 2 coordinates but dim is 3"),
    (lambda: Normal(0, 1, dim=0), "dim must be a positive integer, got 0"),
    (lambda: Uniform(1, 1), "low must be below high"),
    (lambda: Mixture([Normal(0, 1)], [0.9]), "weights must sum to 1"),
    (lambda: Mixture([Normal(0, 1), Normal(1, 1)], [1.5, -0.5]), "weights must be non-negative"),
    (lambda: Mixture([Normal(0, 1), Normal([0, 0], 1)]), "components must have equal dim"),
    (lambda: Mixture([]), "components must be a non-empty"),
    (lambda: Tabulated([0, 1, 1], [1, 1, 1]), "x_grid must be finite and strictly increasing"),
    (lambda: Tabulated([0, 1], [0, 0]), "density must have a positive integral"),
    (lambda: Normal(0, 1).sample(-1, np.random.default_rng()), "n must be a non-negative"),
    (lambda: Normal(0, 1).interval(1.0), "mass must lie in \\(0, 1\\), got 1.0"),
    (lambda: Normal([0, 0], 1).logpdf(np.zeros(3)), "x must have shape \\(..., 2\\)"),
    (lambda: Normal([0, 0], 1).cdf(np.zeros(2)), "cdf is defined for dim 1 only"),
    (lambda: Normal(0, 1).pdf(np.array([np.nan])), "x must not contain NaN"),
    (lambda: from_dict({"type": "Cauchy"}), "type must be one of"),
])
def test_bad_arguments_raise_value_errors_naming_the_parameter(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize("weights, words", [
    ([1e308, 1e308], ["got [1e+308, 1e+308] (sum inf)", "their sum overflows float64",
                      "divide them by the largest first"]),
    # what a parser that divides 1e308-sized weights by their (infinite) total hands over
    ([0.0, 0.0], ["got [0.0, 0.0] (sum 0.0)", "every weight is 0",
                  "a total that overflowed to inf"]),
    ([0.9, 0.3], ["got [0.9, 0.3] (sum 1.2)", "divide them by their sum"]),
])
def test_weights_off_their_sum_name_the_weights_the_sum_and_why(weights, words):
    """One line: the parameter, the weights as given, their sum as a plain number (not
    np.float64(...)), what is allowed, and the reason when the sum shows one."""
    with pytest.raises(ValueError) as caught:
        Mixture([Normal(0, 1), Normal(1, 1)], weights)
    message = str(caught.value)
    assert message.startswith("mixture weights must sum to 1 (within 1e-12)")
    assert "np.float64" not in message and "\n" not in message
    for word in words:
        assert word in message


def test_a_generator_without_the_needed_method_is_a_type_error():
    with pytest.raises(TypeError, match="rng must have numpy.random.Generator's method"):
        Normal(0, 1).sample(3, object())
    with pytest.raises(TypeError, match="components\\[1\\] must be a distribution"):
        Mixture([Normal(0, 1), stats.norm()])
