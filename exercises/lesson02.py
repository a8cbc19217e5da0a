"""Lesson 02, exercises 1 and 2: the inverse-transform map, and what the polar method costs.

Checked by ``python -m gan check ex02``.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def inverse_normal_transform(u, mu, sigma):
    """G(u) = mu + sigma Phi^{-1}(u): the increasing map that pushes U[0, 1) to N(mu, sigma^2),
    since P(G(U) <= x) = P(U <= Phi((x - mu) / sigma)) = Phi((x - mu) / sigma) (the inverse
    transform method; exercise 1's G(u) = -1 + Phi^{-1}(u) is mu = -1, sigma = 1). Returns an
    array of u's shape."""
    # HINT: mu + sigma Phi^{-1}(u), with Phi^{-1} = scipy.special.ndtri
    # BEGIN SOLUTION
    return mu + sigma * special.ndtri(np.asarray(u, dtype=np.float64))
    # END SOLUTION


def polar_normals_per_uniform(u1, u2):
    """The normals Marsaglia's polar method returns per uniform it uses, on the pairs (u1, u2):
    it keeps a pair when v = 2u - 1 falls inside the unit disc, 0 < v1^2 + v2^2 < 1, and turns
    a kept pair into two normals, so the ratio is 2 kept / (2 n) = kept / n, whose expectation
    is the disc's share of the square, pi/4 = 0.785 (Box-Muller: 1). Returns a float."""
    # HINT: count the normals rng.normal.polar(u1, u2) returns, over the uniforms it was given
    # BEGIN SOLUTION
    from rng.normal import polar

    z1, z2 = polar(u1, u2)
    return (z1.size + z2.size) / (np.size(u1) + np.size(u2))
    # END SOLUTION
