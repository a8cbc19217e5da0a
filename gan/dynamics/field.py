"""A game's gradient field as a function of one flat vector w = (theta, psi), its Jacobian and
eigenvalues.

Every field here is a function ``field(w) -> v`` of a 1-D float64 array w whose first
``n_theta`` entries are the generator's parameters theta and the rest the discriminator's psi;
v = (-grad_theta L_G, grad_psi V) is the direction in which simultaneous gradient play moves
(G descends L_G, D ascends V), so a gradient step of size h is w <- w + h v(w).

The Jacobian J_ij = dv_i / dw_j is taken by central differences,

    J[:, j] = (v(w + eps e_j) - v(w - eps e_j)) / (2 eps),

whose error is O(eps^2) (third derivatives) plus O(rounding / eps); eps = 1e-5 balances the
two for fields of size ~1 in float64 (error ~1e-10). Where a game is small its Jacobian is also
written out analytically (`dirac`, `gaussian`) and the tests hold the two equal.
"""

from __future__ import annotations

import numpy as np

DEFAULT_EPS = 1e-5


def as_vector(w, name="w"):
    """w as a 1-D float64 array (a copy), or a ValueError naming ``name``."""
    w = np.array(w, dtype=np.float64)
    if w.ndim != 1 or w.size < 1 or not np.all(np.isfinite(w)):
        raise ValueError(f"{name} must be a non-empty, finite 1-D vector, got shape {w.shape}")
    return w


def split(w, n_theta):
    """(theta, psi) = (w[:n_theta], w[n_theta:])."""
    return w[:n_theta], w[n_theta:]


def jacobian(field, w, eps=DEFAULT_EPS):
    """J = dv/dw at w by central differences of ``field`` (one column per coordinate)."""
    w = as_vector(w)
    if not (isinstance(eps, (int, float)) and 0 < eps < 1):
        raise ValueError(f"eps must be a number in (0, 1), got {eps!r}")
    columns = []
    for j in range(w.size):
        step = np.zeros_like(w)
        step[j] = eps
        columns.append((np.asarray(field(w + step)) - np.asarray(field(w - step))) / (2 * eps))
    return np.stack(columns, axis=1)


def eigenvalues(J):
    """The eigenvalues of J, sorted by real part then imaginary part."""
    J = np.asarray(J, dtype=np.float64)
    if J.ndim != 2 or J.shape[0] != J.shape[1]:
        raise ValueError(f"J must be a square matrix, got shape {J.shape}")
    values = np.linalg.eigvals(J)
    return values[np.lexsort((values.imag, values.real))]


def spectral_radius(M):
    """rho(M) = max |lambda_i(M)|: a linear map w <- M w contracts every start iff rho < 1."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(M, dtype=np.float64)))))
