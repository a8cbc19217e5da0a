"""Fixed nodes standing in for samples, so that a "full batch" is a deterministic function.

Two rules:

* Gauss-Hermite (probabilists'): E_{z ~ N(0,1)} g(z) ~ sum_i w_i g(z_i), exact for polynomials
  of degree < 2n. Used where the game is written with weighted sums (`gaussian`).
* Quantile nodes: x_i = F^{-1}((i - 1/2) / n), i = 1..n, equal weights 1/n, the midpoint rule in
  probability space. Equal weights make the nodes a minibatch that the project's own losses and
  networks take unchanged (their means are the quadrature); the error is O(1/n) in the tails.
"""

from __future__ import annotations

import numpy as np


def gauss_hermite(n):
    """(z, w): n nodes and weights with sum_i w_i g(z_i) ~ E g(z), z ~ N(0, 1); sum w = 1."""
    _check_n(n)
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / w.sum()


def quantile_nodes(distribution, n):
    """x_i = F^{-1}((i - 1/2) / n), shape (n, 1): n equally weighted nodes of a 1D distribution
    with ``ppf`` (a Normal, Uniform), or of a Mixture (its cdf inverted by bisection)."""
    _check_n(n)
    q = (np.arange(n) + 0.5) / n
    if callable(getattr(distribution, "ppf", None)):
        return np.asarray(distribution.ppf(q), dtype=np.float64).reshape(n, 1)
    low, high = (np.full(n, bound) for bound in distribution.interval(1 - 1e-12))
    for _ in range(80):                      # bisection: the bracket halves each pass
        middle = (low + high) / 2
        below = np.asarray(distribution.cdf(middle)) < q
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return ((low + high) / 2).reshape(n, 1)


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
