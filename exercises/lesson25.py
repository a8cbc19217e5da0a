"""Lesson 25, exercise 1: the Hellinger distance as an f-divergence, its conjugate and value.

Checked by ``python -m gan check ex25``.
"""

from __future__ import annotations

import numpy as np


def hellinger_conjugate(t):
    """The convex conjugate of f(u) = (sqrt(u) - 1)^2: f*(t) = sup_{u > 0} (t u - f(u))
    = t / (1 - t) for t < 1 (the sup is at sqrt(u) = 1 / (1 - t)), +inf for t >= 1.
    t: an array of values below 1. Returns an array of t's shape."""
    # HINT: maximise (t - 1) s^2 + 2 s - 1 over s = sqrt(u) > 0, for t < 1
    # BEGIN SOLUTION
    t = np.asarray(t, dtype=np.float64)
    return t / (1 - t)
    # END SOLUTION


def squared_hellinger_normals(mu_1, mu_2, sigma):
    """The f-divergence of f(u) = (sqrt(u) - 1)^2 between N(mu_1, sigma^2) and N(mu_2, sigma^2):
    int (sqrt p - sqrt q)^2 dx = 2 - 2 int sqrt(p q) dx = 2 (1 - exp(-(mu_1 - mu_2)^2 /
    (8 sigma^2))) (the Bhattacharyya coefficient of two normals of one variance). 0.235 for the
    lesson's N(-1, 1) and N(0, 1). Returns a float."""
    # HINT: 2 (1 - the integral of sqrt(p q)), a Gaussian integral with the means' gap
    # BEGIN SOLUTION
    return 2 * (1 - np.exp(-(mu_1 - mu_2) ** 2 / (8 * sigma**2)))
    # END SOLUTION
