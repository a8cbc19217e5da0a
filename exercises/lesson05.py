"""Lesson 05, exercises 1 and 2: the best normal p_g for a target, and the slope of C(G).

Checked by ``python -m gan check ex05``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats


def best_normal_fit(p_data):
    """The normal p_g = N(mu, sigma^2) of smallest C(G) = -log 4 + 2 JSD(p_data || p_g), over
    all mu and sigma > 0: (mu, sigma) as floats. For the two-mode target
    0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2) of exercise 1 it is mu = 0, sigma = 2.04, C = -0.984,
    above -log 4 because no normal equals the mixture. p_data: a 1D distribution of
    gan.distributions (pdf, interval, mean, std)."""
    # HINT: minimise -log 4 + 2 JSD over (mu, sigma): a grid search, then a local minimiser
    # BEGIN SOLUTION
    from gan.theory import jsd_grid

    low, high = p_data.interval(1 - 1e-9)
    width = high - low
    x = np.linspace(low - width, high + width, 2001)
    p = p_data.pdf(x)

    C = lambda mu, sigma: -math.log(4) + 2 * jsd_grid(  # noqa: E731  (arrays: a C each)
        x, p, stats.norm.pdf(x, np.asarray(mu)[..., None], np.asarray(sigma)[..., None]))

    mu, sigma = np.meshgrid(np.linspace(low, high, 21), np.linspace(width / 50, width / 2, 20))
    start = np.unravel_index(np.argmin(C(mu, sigma)), mu.shape)     # the grid's best point,
    found = optimize.minimize(lambda v: C(v[0], v[1]) if v[1] > 0 else math.inf,  # polished
                              (mu[start], sigma[start]), method="Nelder-Mead",
                              options={"xatol": 1e-5, "fatol": 1e-10})
    return float(found.x[0]), float(found.x[1])
    # END SOLUTION


def dC_dmu(p_data, mu, sigma):
    """The slope of C(G) along mu for p_g = N(mu, sigma^2). With D* fixed at its value (the
    envelope theorem: C(G) = V(D*, G) and dV/dD = 0 at D*), only p_g's own term moves:

        dC/dmu = int dp_g/dmu (x) log(1 - D*(x)) dx,   dp_g/dmu = p_g(x) (x - mu) / sigma^2,

    with log(1 - D*) = log p_g - log(p_data + p_g). For p_data = N(-1, 1), sigma = 1 (exercise
    2): 0 at mu = -1, -0.450 at mu = -3, +0.296 at mu = 2. Returns a float."""
    # HINT: integrate p_g (x - mu) / sigma^2 log(1 - D*(x)) over x, D* = p_data / (p_data + p_g)
    # BEGIN SOLUTION
    x = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 24001)      # p_g's mass, but 1e-32
    log_p_g = stats.norm.logpdf(x, mu, sigma)
    log_one_minus_D = log_p_g - np.logaddexp(p_data.logpdf(x), log_p_g)
    integrand = np.exp(log_p_g) * (x - mu) / sigma**2 * log_one_minus_D
    return float(np.sum((integrand[1:] + integrand[:-1]) * np.diff(x)) / 2)     # trapezoid
    # END SOLUTION
