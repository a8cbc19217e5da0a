"""Measured randomness: the statistics a lesson prints about a stream, and the spectral test.

References
----------
D. E. Knuth, TAOCP vol. 2 (3rd ed.): 3.3.1 (chi-square and Kolmogorov-Smirnov tests),
3.3.2 K (the serial correlation coefficient), 3.3.4 (the spectral test).
G. Marsaglia, "Random numbers fall mainly in the planes", PNAS 61 (1968) 25-28.
A. K. Lenstra, H. W. Lenstra and L. Lovasz, "Factoring polynomials with rational
coefficients", Math. Ann. 261 (1982) 515-534 (the LLL lattice reduction used below).
"""

import math
from fractions import Fraction
from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

from rng.lcg import check_parameters


def _uniform_sample(u):
    u = np.asarray(u, dtype=np.float64).ravel()
    if u.size < 2:
        raise ValueError(f"u must hold at least 2 numbers, got {u.size}")
    outside = ~((u >= 0.0) & (u < 1.0))
    if outside.any():
        raise ValueError(f"u must hold uniforms in [0, 1), got {u[outside][0]!r}")
    return u


def chi_square_uniformity(u, bins=100):
    """Pearson's chi-square of bin counts against n/bins each: V = sum_k (N_k - n/bins)^2 /
    (n/bins), with bins - 1 degrees of freedom (Knuth 3.3.1 A). Returns (V, p-value).
    Requires at least 5 expected numbers per bin, the usual condition for the chi-square
    approximation.
    """
    u = _uniform_sample(u)
    if isinstance(bins, bool) or not isinstance(bins, Integral) or bins < 2:
        raise ValueError(f"bins must be an integer >= 2, got {bins!r}")
    if u.size < 5 * bins:
        raise ValueError(f"u must hold at least 5 * bins = {5 * bins} numbers, got {u.size}")
    counts = np.bincount((u * bins).astype(np.int64), minlength=bins)
    result = stats.chisquare(counts)
    return float(result.statistic), float(result.pvalue)


def ks_uniformity(u):
    """Kolmogorov-Smirnov D = sup_x |F_n(x) - x| against U[0, 1) (scipy). Returns (D, p)."""
    result = stats.kstest(_uniform_sample(u), "uniform")
    return float(result.statistic), float(result.pvalue)


def ks_normality(z):
    """Kolmogorov-Smirnov D = sup_x |F_n(x) - Phi(x)| against N(0, 1) (scipy). Returns (D, p)."""
    z = np.asarray(z, dtype=np.float64).ravel()
    if z.size < 2 or not np.all(np.isfinite(z)):
        raise ValueError(f"z must hold at least 2 finite numbers, got {z.size} numbers")
    result = stats.kstest(z, "norm")
    return float(result.statistic), float(result.pvalue)


def serial_correlation(u):
    """Knuth's serial correlation coefficient (3.3.2 K, eq. (23)) of u_0..u_{n-1}, cyclically:
    C = (n sum u_j u_{j+1} - (sum u_j)^2) / (n sum u_j^2 - (sum u_j)^2), u_n = u_0.
    For independent uniforms C lies in mu_n +- 2 sigma_n about 95% of the time, with
    mu_n = -1/(n - 1) and sigma_n ~ 1/sqrt(n) (Knuth, eq. (24)).
    """
    u = _uniform_sample(u)
    n = u.size
    total = u.sum()
    numerator = n * np.dot(u, np.roll(u, -1)) - total**2
    denominator = n * np.dot(u, u) - total**2
    if denominator == 0:
        raise ValueError("u must not be constant (the correlation is undefined)")
    return float(numerator / denominator)


def consecutive_tuples(x, t=3):
    """The overlapping t-tuples (x_i, x_{i+1}, ..., x_{i+t-1}), i = 0..n-t, as an (n-t+1, t)
    view -- the points whose lattice the spectral test measures (e.g. RANDU's 15 planes)."""
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-dimensional, got shape {x.shape}")
    if isinstance(t, bool) or not isinstance(t, Integral) or not 1 <= t <= x.size:
        raise ValueError(f"t must be an integer in [1, len(x) = {x.size}], got {t!r}")
    return sliding_window_view(x, t)


def count_planes(points, normal, m):
    """Number of parallel planes s . x = k m (k an integer) that hold all integer points x,
    for a dual-lattice vector s: every s . x must be divisible by m, and the answer is the
    number of distinct k. For RANDU, s = (9, -6, 1): 9 x_i - 6 x_{i+1} + x_{i+2} = 0 mod 2^31
    because (a - 3)^2 = 2^32, and the triples lie on 15 planes (Marsaglia 1968).
    """
    points = np.asarray(points)
    if points.ndim != 2 or points.dtype.kind not in "iu":
        raise ValueError(f"points must be a 2-D integer array, got {points.dtype} {points.shape}")
    normal = [int(s) for s in normal]
    if len(normal) != points.shape[1]:
        raise ValueError(f"normal must have {points.shape[1]} entries, got {len(normal)}")
    if isinstance(m, bool) or not isinstance(m, Integral) or m < 2:
        raise ValueError(f"m must be an integer >= 2, got {m!r}")
    if points.size and (points.min() < 0 or int(points.max()) >= m):
        raise ValueError(f"points must lie in [0, m = {m})")
    if sum(abs(s) for s in normal) * m >= 2**63:
        raise ValueError("normal and m are too large for exact int64 dot products")
    dots = points.astype(np.int64) @ np.array(normal, dtype=np.int64)
    if np.any(dots % m):
        raise ValueError(f"the points do not satisfy normal . x = 0 mod m for normal={normal}")
    return int(np.unique(dots // m).size)


def _dual_basis(a, m, t):
    """Rows spanning {s in Z^t : s_1 + a s_2 + ... + a^(t-1) s_t = 0 mod m} (Knuth 3.3.4)."""
    basis = [[m] + [0] * (t - 1)]
    for j in range(1, t):
        row = [0] * t
        row[0], row[j] = -pow(a, j, m), 1
        basis.append(row)
    return basis


def _dot(u, v):
    return sum(x * y for x, y in zip(u, v))


def _gram_schmidt(basis):
    """Exact Gram-Schmidt: squared lengths B_i of b*_i and coefficients mu_ij, as Fractions."""
    orthogonal, mu, lengths = [], [], []
    for i, b in enumerate(basis):
        vector = [Fraction(x) for x in b]
        mu.append([Fraction(0)] * len(basis))
        for j in range(i):
            mu[i][j] = _dot(b, orthogonal[j]) / lengths[j]
            vector = [x - mu[i][j] * y for x, y in zip(vector, orthogonal[j])]
        orthogonal.append(vector)
        lengths.append(_dot(vector, vector))
    return lengths, mu


def _lll(basis, delta=Fraction(3, 4)):
    """LLL reduction (Lenstra, Lenstra and Lovasz 1982) in exact rational arithmetic.
    Size reduction updates mu in place; Gram-Schmidt is recomputed only after a swap (the
    dimensions here are at most 6)."""
    basis = [list(b) for b in basis]
    lengths, mu = _gram_schmidt(basis)
    k = 1
    while k < len(basis):
        for j in range(k - 1, -1, -1):   # size reduction: |mu_kj| <= 1/2
            q = round(mu[k][j])
            if q:
                basis[k] = [x - q * y for x, y in zip(basis[k], basis[j])]
                for i in range(j):
                    mu[k][i] -= q * mu[j][i]
                mu[k][j] -= q
        if lengths[k] >= (delta - mu[k][k - 1] ** 2) * lengths[k - 1]:   # Lovasz condition
            k += 1
        else:
            basis[k], basis[k - 1] = basis[k - 1], basis[k]
            lengths, mu = _gram_schmidt(basis)
            k = max(k - 1, 1)
    return basis


def _shortest_vector(basis):
    """Shortest nonzero vector of the lattice spanned by the rows of an LLL-reduced `basis`,
    by exhaustive enumeration of coefficient vectors inside the current best radius
    (Fincke-Pohst), with exact rational bounds."""
    lengths, mu = _gram_schmidt(basis)
    t = len(basis)
    best = [min(basis, key=lambda b: _dot(b, b))]
    best_norm = [_dot(best[0], best[0])]
    coefficients = [0] * t

    def search(level, partial_norm):
        # Coefficient x_level: the projection onto b*_level is (x_level - centre) b*_level.
        centre = -sum(mu[j][level] * coefficients[j] for j in range(level + 1, t))
        for direction in (0, 1):
            x = math.floor(centre) + direction
            step = 1 if direction else -1
            while True:
                norm = partial_norm + (x - centre) ** 2 * lengths[level]
                if norm > best_norm[0]:
                    break
                coefficients[level] = x
                if level > 0:
                    search(level - 1, norm)
                elif any(coefficients):
                    vector = [sum(c * b[i] for c, b in zip(coefficients, basis)) for i in range(t)]
                    if _dot(vector, vector) < best_norm[0]:
                        best[0], best_norm[0] = vector, _dot(vector, vector)
                x += step
        coefficients[level] = 0

    search(t - 1, Fraction(0))
    return best[0]


def shortest_dual_vector(a, m, t):
    """The shortest nonzero s in Z^t with s_1 + a s_2 + ... + a^(t-1) s_t = 0 (mod m): the
    normal of the most widely spaced family of hyperplanes covering the LCG's overlapping
    t-tuples, which lie 1/nu_t apart (Knuth 3.3.4). Exact, in integer/rational arithmetic.
    """
    a, m, t = _check_spectral_arguments(a, m, t)
    vector = _shortest_vector(_lll(_dual_basis(a, m, t)))
    if next(s for s in vector if s) < 0:
        vector = [-s for s in vector]
    return tuple(vector)


def spectral_test(a, m, t):
    """nu_t^2 = min { s_1^2 + ... + s_t^2 : s != 0, s_1 + a s_2 + ... + a^(t-1) s_t = 0 mod m },
    the squared length of the shortest nonzero vector of the dual lattice (Knuth 3.3.4,
    eq. (15)), as an exact Python int. Reduced with LLL, then enumerated exhaustively.
    Knuth suggests nu_t >= 2^(30/t) for 2 <= t <= 6 is adequate for most uses.

    >>> spectral_test(65539, 2**31, 3)    # RANDU: the planes 9x - 6y + z = k 2^31
    118
    """
    return sum(s * s for s in shortest_dual_vector(a, m, t))


def _check_spectral_arguments(a, m, t):
    if isinstance(m, bool) or not isinstance(m, Integral) or m < 2:
        raise ValueError(f"m must be an integer >= 2, got {m!r}")
    if isinstance(a, bool) or not isinstance(a, Integral) or not 0 < a < m:
        raise ValueError(f"a must be an integer with 0 < a < m = {m}, got {a!r}")
    if isinstance(t, bool) or not isinstance(t, Integral) or not 2 <= t <= 6:
        raise ValueError(f"t must be an integer in [2, 6], got {t!r}")
    return int(a), int(m), int(t)


def lcg_points(lcg, n, t=3):
    """n overlapping t-tuples of consecutive states (x_i, ..., x_{i+t-1}) drawn from `lcg`
    (an `rng.LCG`, advanced by n + t - 1 steps), as an (n, t) uint64 array."""
    check_parameters(lcg.a, lcg.c, lcg.m)
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return consecutive_tuples(lcg.raw(int(n) + t - 1), t)
