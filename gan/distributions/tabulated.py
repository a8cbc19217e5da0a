"""A density known on a grid (how the training history stores p_g)."""

from __future__ import annotations

import math

import numpy as np

from gan.distributions._checks import (_sample_size, _check_rng, _check_mass, _points, _quantiles,
                                       DEFAULT_MASS)
from gan.distributions.base import Distribution


class Tabulated(Distribution):
    """A density known on a grid: p(x) linear between the grid points, 0 outside, scaled so that
    its integral (the trapezoid sum, exact for a piecewise-linear p) is 1.

    F(x) = C_i + p_i t + (p_(i+1) - p_i) t^2 / (2 h_i) on [x_i, x_(i+1)], t = x - x_i, where
    C_i is the trapezoid sum up to x_i. Sampling is by the inverse cdf. The training history
    stores p_g this way, so the divergences of `gan.theory` apply to it.
    """

    def __init__(self, x_grid, density):
        x_grid = np.asarray(x_grid, dtype=np.float64)
        density = np.asarray(density, dtype=np.float64)
        if x_grid.ndim != 1 or x_grid.size < 2:
            raise ValueError(f"x_grid must be a 1D array of at least 2 points, got shape "
                             f"{x_grid.shape}")
        if not np.all(np.isfinite(x_grid)) or not np.all(np.diff(x_grid) > 0):
            raise ValueError("x_grid must be finite and strictly increasing")
        if density.shape != x_grid.shape:
            raise ValueError(f"density must have x_grid's shape {x_grid.shape}, got "
                             f"{density.shape}")
        if not np.all(np.isfinite(density)) or np.any(density < 0):
            raise ValueError("density must be finite and non-negative")
        widths = np.diff(x_grid)
        segment_mass = widths * (density[:-1] + density[1:]) / 2
        total = segment_mass.sum()
        if not total > 0:
            raise ValueError("density must have a positive integral over x_grid, got 0")
        self.dim = 1
        self.x_grid = x_grid
        self.density = density / total
        self.cumulative = np.concatenate([[0.0], np.cumsum(segment_mass / total)])
        self.cumulative[-1] = 1.0

    def logpdf(self, x):
        p = self.pdf(x)
        return np.log(p, out=np.full(p.shape, -np.inf), where=p > 0)

    def pdf(self, x):
        return np.interp(_points(x, 1), self.x_grid, self.density, left=0.0, right=0.0)

    def _segment(self, x):
        """Index i of the segment [x_i, x_(i+1)] holding x, and t = x - x_i."""
        i = np.clip(np.searchsorted(self.x_grid, x, side="right") - 1, 0, self.x_grid.size - 2)
        return i, x - self.x_grid[i]

    def cdf(self, x):
        x = np.clip(_points(x, 1), self.x_grid[0], self.x_grid[-1])
        i, t = self._segment(x)
        slope = (self.density[i + 1] - self.density[i]) / (self.x_grid[i + 1] - self.x_grid[i])
        return np.minimum(self.cumulative[i] + self.density[i] * t + slope * t**2 / 2, 1.0)

    def ppf(self, q):
        """Solve F(x) = q on its segment: t = 2 r / (p_i + sqrt(p_i^2 + 2 slope r)), r = q - C_i
        (the root of slope t^2 / 2 + p_i t = r written without cancellation)."""
        q = _quantiles(q)
        i = np.clip(np.searchsorted(self.cumulative, q, side="left") - 1, 0, self.x_grid.size - 2)
        width = self.x_grid[i + 1] - self.x_grid[i]
        slope = (self.density[i + 1] - self.density[i]) / width
        r = np.maximum(q - self.cumulative[i], 0.0)
        denominator = self.density[i] + np.sqrt(np.maximum(self.density[i]**2 + 2 * slope * r,
                                                           0.0))
        t = np.divide(2 * r, denominator, out=np.zeros_like(r), where=denominator > 0)
        return self.x_grid[i] + np.clip(t, 0.0, width)

    def sample(self, n, rng):
        """x = F^-1(u) with u ~ U[0, 1) from rng.random."""
        n = _sample_size(n)
        _check_rng(rng, "random")
        u = np.asarray(rng.random(n), dtype=np.float64).reshape(n)
        return self.ppf(u)[:, None]

    def interval(self, mass=DEFAULT_MASS):
        """The support: from the first to the last grid point bordering positive density."""
        _check_mass(mass)
        positive = np.flatnonzero(self.density > 0)
        first = max(positive[0] - 1, 0)
        last = min(positive[-1] + 1, self.x_grid.size - 1)
        return (float(self.x_grid[first]), float(self.x_grid[last]))

    def breakpoints(self):
        return self.x_grid.copy()

    def _moment(self, power):
        """E x^power, exact: on each segment x^power p(x) is a polynomial of degree <= 3, for
        which Simpson's rule is exact."""
        left, right = self.x_grid[:-1], self.x_grid[1:]
        middle = (left + right) / 2
        p_left, p_right = self.density[:-1], self.density[1:]
        values = (left**power * p_left + 4 * middle**power * (p_left + p_right) / 2
                  + right**power * p_right)
        return float(np.sum((right - left) / 6 * values))

    @property
    def mean(self):
        return self._moment(1)

    @property
    def std(self):
        return math.sqrt(max(self._moment(2) - self._moment(1)**2, 0.0))

    def __repr__(self):
        low, high = float(self.x_grid[0]), float(self.x_grid[-1])
        return f"Tabulated(x_grid=<{self.x_grid.size} points in [{low!r}, {high!r}]>, density=...)"

    def to_dict(self):
        return {"type": "Tabulated", "x_grid": self.x_grid.tolist(),
                "density": self.density.tolist()}
