"""Parts optimal_discriminator, value_and_jsd and pushforward: Section 4 of Goodfellow et al.
(2014) and the law of G(z), against outside truths -- scipy's densities and Jensen-Shannon
distance, the closed-form KL of two normals, and a histogram of samples.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.special import expit

LOG_4 = math.log(4.0)
GRID = np.linspace(-14.0, 14.0, 56_001)      # spacing 5e-4: quadrature error ~1e-9 here
ALPHA = 1e-3


def _cases():
    """(name, p_data, p_g, the density functions by scipy) for the checks of Section 4."""
    from gan.distributions import Mixture, Normal

    p_data = Normal(-1.0, 1.0)
    data_pdf = stats.norm(-1.0, 1.0).pdf
    mixture_pdf = lambda x: 0.3 * stats.norm(-3.0, 0.5).pdf(x) + 0.7 * stats.norm(  # noqa: E731
        2.0, 1.0).pdf(x)
    return [
        ("p_g = N(1, 0.7^2)", p_data, Normal(1.0, 0.7), data_pdf, stats.norm(1.0, 0.7).pdf),
        ("p_g = N(-0.5, 2^2)", p_data, Normal(-0.5, 2.0), data_pdf, stats.norm(-0.5, 2.0).pdf),
        ("p_g = p_data = N(-1, 1)", p_data, Normal(-1.0, 1.0), data_pdf, data_pdf),
        ("p_g = 0.3 N(-3, 0.5^2) + 0.7 N(2, 1)", p_data,
         Mixture([Normal(-3.0, 0.5), Normal(2.0, 1.0)], weights=[0.3, 0.7]), data_pdf,
         mixture_pdf),
    ]


def _trapezoid(values, x=GRID):
    return float(np.sum((values[1:] + values[:-1]) * np.diff(x)) / 2)


def _as_points(values, n):
    return np.asarray(values, dtype=np.float64).reshape(n)


# ---- optimal_discriminator ----------------------------------------------------------------
def check_optimal_discriminator(grader):
    from gan import theory

    x = np.linspace(-5.0, 5.0, 41)
    for name, p_data, p_g, data_pdf, g_pdf in _cases()[:2] + _cases()[3:]:
        with grader.property(f"D*(x) = p_data / (p_data + p_g) at points ({name})") as prop:
            D_star = theory.optimal_discriminator(p_data, p_g)
            expected = data_pdf(x) / (data_pdf(x) + g_pdf(x))
            prop.close(_as_points(D_star(x), x.size), expected, "D*(x)",
                       "p_data / (p_data + p_g)", name="D*", rtol=1e-9, atol=1e-12)
            logit = theory.optimal_discriminator_logit(p_data, p_g)
            prop.close(_as_points(logit(x), x.size), np.log(data_pdf(x)) - np.log(g_pdf(x)),
                       "the logit of D*", "log p_data - log p_g", name="logit", rtol=1e-9,
                       atol=1e-9)
        with grader.property(f"D* maximises V pointwise: perturbing D* lowers V ({name})") \
                as prop:
            D_star = theory.optimal_discriminator(p_data, p_g)
            points = GRID[np.abs(GRID) <= 8]
            D_values = np.clip(_as_points(D_star(points), points.size), 1e-300,
                               np.nextafter(1.0, 0.0))
            data_density, g_density = data_pdf(points), g_pdf(points)
            # Pointwise: D -> p_data log D + p_g log(1 - D) is largest at D*(x) (Prop. 1).
            integrand = lambda D: data_density * np.log(D) + g_density * np.log1p(-D)  # noqa
            for shift in (-0.02, 0.02):
                moved = np.clip(D_values + shift, 1e-12, 1 - 1e-12)
                higher = integrand(moved) > integrand(D_values) + 1e-12
                index = int(np.argmax(higher))
                prop.expect(not higher.any(), f"moving D* by {shift:+g} at x = "
                            f"{points[index]:.3f} raises p_data log D + p_g log(1 - D): D* is "
                            f"not the pointwise maximiser there")
            # Integrated: V(D*, G) > V(D, G) for D's logit moved by eps cos(x).
            base = _value_on_grid_at(points, D_values, data_density, g_density)
            logit = np.log(D_values) - np.log1p(-D_values)
            for epsilon in (-0.3, 0.3):
                moved = expit(logit + epsilon * np.cos(points))
                perturbed = _value_on_grid_at(points, moved, data_density, g_density)
                prop.expect(perturbed < base, f"V(D*, G) = {base:.6f} is not above V at D* "
                            f"perturbed by {epsilon:+g} cos(x) in its logit: {perturbed:.6f}")


def _value_on_grid_at(points, D_values, data_density, g_density):
    integrand = data_density * np.log(D_values) + g_density * np.log1p(-D_values)
    return _trapezoid(integrand, points)


# ---- value_and_jsd ------------------------------------------------------------------------
def _scipy_jsd(data_pdf, g_pdf):
    """JSD in nats from scipy: jensenshannon(p, q, base=e) is the square root of the JSD of the
    normalised vectors p, q; on a fine regular grid the densities' JSD is its square."""
    return float(jensenshannon(data_pdf(GRID), g_pdf(GRID), base=math.e)) ** 2


def _kl_normals(mu_1, sigma_1, mu_2, sigma_2):
    """KL(N(mu_1, sigma_1^2) || N(mu_2, sigma_2^2)) = log(sigma_2 / sigma_1)
    + (sigma_1^2 + (mu_1 - mu_2)^2) / (2 sigma_2^2) - 1/2."""
    return (math.log(sigma_2 / sigma_1) + (sigma_1**2 + (mu_1 - mu_2) ** 2) / (2 * sigma_2**2)
            - 0.5)


def check_value_and_jsd(grader):
    from gan import theory
    from gan.distributions import Normal

    for name, p_data, p_g, data_pdf, g_pdf in _cases():
        reference = _scipy_jsd(data_pdf, g_pdf)
        with grader.property(f"JSD(p_data || p_g) equals scipy's jensenshannon squared, in nats "
                             f"({name})") as prop:
            jsd = theory.jsd(p_data, p_g)
            prop.close(jsd, reference, "JSD", "scipy's jensenshannon(p, q, base=e)^2", rtol=1e-7,
                       atol=1e-8)
            prop.expect(-1e-12 <= jsd <= math.log(2) + 1e-12,
                        f"JSD = {jsd:.6g} lies outside [0, log 2]")
        with grader.property(f"C(G) = -log 4 + 2 JSD (Theorem 1), and V at D* equals C(G) "
                             f"({name})") as prop:
            c = theory.c_of_g(p_data, p_g)
            prop.close(c, -LOG_4 + 2 * reference, "C(G)", "-log 4 + 2 JSD (scipy's JSD)",
                       rtol=1e-5, atol=1e-8)

            def D_star_logit(x):                   # written here, from scipy's densities
                x = np.asarray(x, dtype=np.float64)
                return (np.log(data_pdf(x)) - np.log(g_pdf(x))).reshape(x.shape)

            v = theory.value(D_star_logit, p_data, p_g)
            prop.close(v, c, "V(D*, G)", "C(G)", rtol=1e-6, atol=1e-8)
    with grader.property("KL of two normals equals the closed form, and KL(p || p) = 0") as prop:
        for (mu_1, s_1), (mu_2, s_2) in (((-1, 1), (1, 0.7)), ((0.5, 2), (-1, 1)),
                                         ((-1, 1), (-1, 1))):
            got = theory.kl(Normal(mu_1, s_1), Normal(mu_2, s_2))
            prop.close(got, _kl_normals(mu_1, s_1, mu_2, s_2),
                       f"KL(N({mu_1}, {s_1}^2) || N({mu_2}, {s_2}^2))",
                       "log(s2/s1) + (s1^2 + (mu1 - mu2)^2) / (2 s2^2) - 1/2", rtol=1e-7,
                       atol=1e-10)


# ---- pushforward --------------------------------------------------------------------------
PUSHFORWARD_SAMPLES = 100_000


def _bending_G(z):
    """A smooth, non-monotone generator: x = 0.6 z + sin(z) (it folds the line where
    cos z < -0.6, so p_g adds the masses of two branches there)."""
    return 0.6 * z + np.sin(z)


def check_pushforward(grader):
    from gan import pushforward
    from gan.distributions import Normal

    p_z = Normal(0.0, 1.0)
    x_grid = np.linspace(-6.0, 6.0, 1201)
    with grader.property("G(z) = 2 z + 1 pushes N(0, 1) to N(1, 2^2)") as prop:
        result = pushforward.pushforward_density(lambda z: 2 * z + 1, p_z, x_grid)
        # A bin average of a smooth density differs from its midpoint value by ~h^2 p'' / 24
        # (h = 0.01: ~1e-6).
        prop.close(result.density, stats.norm(1.0, 2.0).pdf(x_grid), "p_g", "N(1, 2^2)'s pdf",
                   name="density", rtol=1e-3, atol=1e-5)
    with grader.property("the density of G(z) integrates to 1 (with the mass outside the grid)") \
            as prop:
        density, cdf, edges, mass_outside = _bending_density(pushforward, p_z, x_grid)
        total = cdf[-1] + mass_outside
        prop.close(total, 1.0, "the mass of p_g (bins + outside)", "1", rtol=1e-6)
        index = int(np.argmin(density))
        prop.expect(density[index] >= 0, f"p_g is negative at x = {x_grid[index]:.3f}: "
                    f"{density[index]:.3g}")
    # The samples come from numpy's generator, so that this part grades the density alone.
    x = _bending_G(np.random.default_rng(5).standard_normal(PUSHFORWARD_SAMPLES))
    with grader.property(f"p_g matches a histogram of G(z): chi-square test (n = "
                         f"{PUSHFORWARD_SAMPLES}, alpha = {ALPHA:g})") as prop:
        density, cdf, edges, _ = _bending_density(pushforward, p_z, x_grid)
        histogram_edges = np.linspace(-6.0, 6.0, 61)           # 60 bins of 0.2
        expected = np.diff(np.interp(histogram_edges, edges, cdf)) * PUSHFORWARD_SAMPLES
        observed = np.histogram(x, bins=histogram_edges)[0]
        keep = expected >= 5                                   # the chi-square approximation
        # Both totals are the mass inside [-6, 6] (equal to ~1e-9): the test compares shapes.
        expected = expected[keep] * observed[keep].sum() / expected[keep].sum()
        test = stats.chisquare(observed[keep], expected)
        prop.expect(test.pvalue > ALPHA, f"the histogram of G(z) differs from p_g: chi-square "
                    f"{test.statistic:.1f} on {keep.sum() - 1} degrees of freedom, p = "
                    f"{test.pvalue:.2e} < alpha = {ALPHA:g}")
    with grader.property(f"p_g's distribution function matches G(z)'s samples: KS test (n = "
                         f"{PUSHFORWARD_SAMPLES}, alpha = {ALPHA:g})") as prop:
        density, cdf, edges, _ = _bending_density(pushforward, p_z, x_grid)
        test = stats.kstest(x, lambda points: np.interp(points, edges, cdf / cdf[-1]))
        prop.expect(test.pvalue > ALPHA, f"the samples of G(z) differ from p_g: KS D = "
                    f"{test.statistic:.4f}, p = {test.pvalue:.2e} < alpha = {ALPHA:g}")


def _bending_density(pushforward, p_z, x_grid):
    """The student's p_g of `_bending_G` on x_grid: (density, its distribution function at the
    bin edges, the edges, the mass outside). A grid point stands for the bin between the
    midpoints to its neighbours, the end bins half a spacing wide outwards."""
    result = pushforward.pushforward_density(_bending_G, p_z, x_grid)
    density = np.asarray(result.density, dtype=np.float64).reshape(x_grid.shape)
    spacing = x_grid[1] - x_grid[0]
    edges = np.concatenate([[x_grid[0] - spacing / 2], (x_grid[1:] + x_grid[:-1]) / 2,
                            [x_grid[-1] + spacing / 2]])
    cdf = np.concatenate([[0.0], np.cumsum(density * np.diff(edges))])
    return density, cdf, edges, float(result.mass_outside)
