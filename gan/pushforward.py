"""The exact density p_g of x = G(z) for a 1D generator fed 1D noise z ~ p_z: no histogram.

Cut the line of z into fine cells [z_j, z_(j+1)] of mass w_j = F_z(z_(j+1)) - F_z(z_j) and spread
each cell's mass uniformly over its image [a_j, b_j] = [min(G(z_j), G(z_(j+1))), max(...)]. The
cumulative mass function of the result,

    H(x) = sum_j w_j clip((x - a_j) / (b_j - a_j), 0, 1),

tends to P(G(z) <= x) as the cells shrink, and is exact for a G that is linear on each cell with
a prior that is flat on it (a ReLU or LeakyReLU network in 1D is piecewise linear in z, so only
the cells holding a kink are approximate). A non-monotone G needs nothing special: the images of
the cells on the rising and falling branches overlap and their masses add. A cell with a_j = b_j
(G flat, e.g. a dead ReLU region) is a point mass, kept whole.

The density is reported as bin averages on the caller's grid: grid point x_i stands for the bin
between the midpoints to its neighbours (the end bins extend half a spacing outwards), and
density_i = (mass of p_g in bin i) / (bin width). A point mass m at a shows as m / width in the
bin holding a, the bin average of a Dirac delta.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

PRIOR_MASS = 1.0 - 1e-12
DEFAULT_N_Z = 20_000


class Pushforward(NamedTuple):
    """p_g on a grid: `density` aligned with `x_grid`, the mass of p_g outside the grid's bins
    (including the 1e-12 of p_z outside the z range), and the mass carried by point masses."""

    x_grid: np.ndarray
    density: np.ndarray
    mass_outside: float
    point_mass: float


def _bin_edges(x_grid):
    """Midpoints between grid points, and half a spacing beyond each end."""
    middles = (x_grid[1:] + x_grid[:-1]) / 2
    first = x_grid[0] - (x_grid[1] - x_grid[0]) / 2
    last = x_grid[-1] + (x_grid[-1] - x_grid[-2]) / 2
    return np.concatenate([[first], middles, [last]])


def _z_grid(p_z, n_z):
    """Cell boundaries: n_z / 2 equally spaced points over p_z's range (resolution in z where G
    bends) merged with n_z / 2 equal-mass quantiles when p_z has ppf (resolution where the mass
    is)."""
    low, high = p_z.interval(PRIOR_MASS)
    z = np.linspace(low, high, n_z // 2 + 1)
    if callable(getattr(p_z, "ppf", None)):
        tail = (1.0 - PRIOR_MASS) / 2
        quantiles = np.asarray(p_z.ppf(np.linspace(tail, 1.0 - tail, n_z - n_z // 2 + 1)))
        z = np.concatenate([z, quantiles[(quantiles > low) & (quantiles < high)]])
    return np.unique(z)


def _images(G, z):
    """G at the cell boundaries, G called once on the (n, 1) column of all of them."""
    x = np.asarray(G(z[:, None]), dtype=np.float64)
    if x.size != z.size:
        raise ValueError(f"G must map an (n, 1) array to n outputs, got shape {x.shape} for "
                         f"n = {z.size}")
    x = x.reshape(z.size)
    if not np.all(np.isfinite(x)):
        raise ValueError("G returned non-finite outputs on the z grid")
    return x


def _bin_masses(edges, a, b, w):
    """Mass of sum_j w_j Uniform[a_j, b_j] (a Dirac where a_j = b_j) in each bin [e_i, e_(i+1)).

    A cell whose image lies within one bin (or one side outside) gives its whole mass there.
    A cell crossing edges gives its first and last bins their overlapping fractions, and every
    bin it covers fully width_i / (b_j - a_j) of its mass, summed over cells with a difference
    array: O(cells log bins), no loop over cells or bins.
    """
    bins = edges.size - 1
    first = np.searchsorted(edges, a, side="right") - 1     # -1 left of the grid, bins right
    last = np.searchsorted(edges, b, side="right") - 1
    mass = np.zeros(bins)
    outside = 0.0

    whole = first == last
    inside = whole & (first >= 0) & (first < bins)
    mass += np.bincount(first[inside], weights=w[inside], minlength=bins)
    outside += w[whole & ~inside].sum()

    cross = ~whole
    a, b, w, first, last = a[cross], b[cross], w[cross], first[cross], last[cross]
    width = b - a
    left_in = first >= 0                                      # the part in the first bin
    left_fraction = (edges[np.clip(first + 1, 0, bins)] - a) / width
    mass += np.bincount(first[left_in], weights=(w * left_fraction)[left_in], minlength=bins)
    right_in = last < bins                                    # the part in the last bin
    right_fraction = (b - edges[np.clip(last, 0, bins)]) / width
    mass += np.bincount(last[right_in], weights=(w * right_fraction)[right_in], minlength=bins)

    density = w / width                                       # mass per unit x in full bins
    start, stop = np.clip(first + 1, 0, bins), np.clip(last, 0, bins)
    covering = np.bincount(start, weights=density, minlength=bins + 1) - np.bincount(
        stop, weights=density, minlength=bins + 1)
    # The running sum of +density / -density carries rounding of order eps times the largest
    # density: where no cell covers a bin (counted exactly, in integers) the density is 0,
    # and where some do it is a sum of positive terms, so a negative value is rounding only.
    active = np.cumsum(np.bincount(start, minlength=bins + 1)
                       - np.bincount(stop, minlength=bins + 1))[:bins] > 0
    full_bins = np.where(active, np.maximum(np.cumsum(covering)[:bins], 0.0), 0.0)
    mass += full_bins * np.diff(edges)

    beyond_left = np.clip(np.minimum(b, edges[0]) - a, 0.0, None)
    beyond_right = np.clip(b - np.maximum(a, edges[-1]), 0.0, None)
    outside += np.sum(density * (beyond_left + beyond_right))
    return mass, outside


def pushforward_density(G, p_z, x_grid, n_z=DEFAULT_N_Z):
    """p_g = G # p_z, the law of x = G(z) with z ~ p_z, as bin averages on x_grid.

    P(G(z) in bin) = sum over cells of w_j |[a_j, b_j] cap bin| / (b_j - a_j), the uniform spread
    of each z cell's mass over its image (see the module docstring); exact as n_z grows. G maps an
    (n, 1) array to (n, 1) (a network's forward); p_z is 1D with cdf and interval (ppf refines the
    z grid). x_grid: sorted 1D grid, usually regular. Returns Pushforward(x_grid, density,
    mass_outside, point_mass).

    Example: with G(z) = 2 z + 1 and p_z = Normal(0, 1), density ~ Normal(1, 2).pdf(x_grid).
    """
    if not callable(G):
        raise TypeError(f"G must be callable, got {type(G).__name__}")
    if getattr(p_z, "dim", 1) != 1 or not all(
            callable(getattr(p_z, method, None)) for method in ("cdf", "interval")):
        raise TypeError(f"p_z must be a 1D distribution with cdf and interval, got {p_z!r}")
    if isinstance(n_z, bool) or not isinstance(n_z, numbers.Integral) or n_z < 2:
        raise ValueError(f"n_z must be an integer >= 2, got {n_z!r}")
    x_grid = np.asarray(x_grid, dtype=np.float64)
    if (x_grid.ndim != 1 or x_grid.size < 2 or not np.all(np.isfinite(x_grid))
            or not np.all(np.diff(x_grid) > 0)):
        raise ValueError(f"x_grid must be a finite, strictly increasing 1D grid of at least 2 "
                         f"points, got shape {x_grid.shape}")

    # HINT: cell masses w_j = diff of p_z.cdf, spread evenly over [G(z_j), G(z_{j+1})]
    # BEGIN SOLUTION
    z = _z_grid(p_z, int(n_z))
    w = np.diff(np.asarray(p_z.cdf(z), dtype=np.float64))     # mass of each cell
    x = _images(G, z)
    a, b = np.minimum(x[:-1], x[1:]), np.maximum(x[:-1], x[1:])
    edges = _bin_edges(x_grid)
    mass, outside = _bin_masses(edges, a, b, w)
    mass_beyond_z = 1.0 - w.sum()
    return Pushforward(x_grid=x_grid, density=mass / np.diff(edges),
                       mass_outside=float(outside + mass_beyond_z),
                       point_mass=float(w[a == b].sum()))
    # END SOLUTION
