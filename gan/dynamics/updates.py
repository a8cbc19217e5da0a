"""Update rules of a two-player game, on a field v(w) with w = (theta, psi) (see `field`).

Each rule takes the field, the point w, ``n_theta`` (how many leading entries are G's) and a
step size h: a number, or a pair (h_theta, h_psi) for two time scales (Heusel et al. 2017,
"GANs Trained by a Two Time-Scale Update Rule": D learns faster than G). H = diag(h_theta ...,
h_psi ...) below.

    simultaneous    w' = w + H v(w)                           both players move at once
    alternating     psi' = psi + h_psi v_psi(theta, psi)      Algorithm 1 with k = 1:
                    theta' = theta + h_theta v_theta(theta, psi')     D first, G sees the new D
    extragradient   w~ = w + H v(w);  w' = w + H v(w~)        Korpelevich (1976); Gidel et al.
                                                              (2019): the step is taken with the
                                                              field at a look-ahead point
    optimistic      w' = w + 2 H v(w) - H v(w_prev)           Daskalakis et al. (2018): the
                                                              last field extrapolates the next
    consensus       the field v - gamma J^T v = v - gamma grad (1/2 ||v||^2) (Mescheder et al.
                    2017), played by any rule above (`consensus_field`)

Near an equilibrium w* the field is v(w) ~ J (w - w*), so each rule is, to first order, a
linear map of w - w* (`linear_map`): the rule converges locally iff that map's spectral radius
is below 1. For simultaneous steps the map is I + H J; for extragradient I + H J + (H J)^2;
the optimistic rule needs (w, w_prev) and is a map of twice the size.
"""

from __future__ import annotations

import numpy as np

from gan.dynamics.field import as_vector, jacobian, spectral_radius

RULES = ("simultaneous", "alternating", "extragradient", "optimistic")


def step_sizes(h, n_theta, n):
    """The diagonal of H: h everywhere, or h_theta on the first n_theta entries and h_psi on
    the rest."""
    if not isinstance(n_theta, (int, np.integer)) or not 0 < n_theta < n:
        raise ValueError(f"n_theta must be an integer in (0, {n}), got {n_theta!r}")
    pair = np.broadcast_to(np.asarray(h, dtype=np.float64), (2,)) if np.ndim(h) <= 1 else None
    if pair is None or np.size(h) not in (1, 2) or not np.all(np.isfinite(pair) & (pair > 0)):
        raise ValueError(f"h must be a positive number or a pair (h_theta, h_psi), got {h!r}")
    return np.concatenate([np.full(n_theta, pair[0]), np.full(n - n_theta, pair[1])])


def simultaneous(field, w, n_theta, h):
    """w' = w + H v(w)."""
    w = as_vector(w)
    return w + step_sizes(h, n_theta, w.size) * field(w)


def alternating(field, w, n_theta, h):
    """D first, then G at the new psi: psi' = psi + h_psi v_psi(w); theta' = theta +
    h_theta v_theta(theta, psi')."""
    w = as_vector(w)
    H = step_sizes(h, n_theta, w.size)
    w_next = w.copy()
    w_next[n_theta:] += H[n_theta:] * field(w)[n_theta:]
    w_next[:n_theta] += H[:n_theta] * field(w_next)[:n_theta]
    return w_next


def extragradient(field, w, n_theta, h):
    """w~ = w + H v(w), then w' = w + H v(w~)."""
    w = as_vector(w)
    H = step_sizes(h, n_theta, w.size)
    look_ahead = w + H * field(w)
    return w + H * field(look_ahead)


def optimistic(field, w, n_theta, h, v_previous=None):
    """w' = w + 2 H v(w) - H v_previous (v_previous = v(w) at the first step, a plain step).
    Returns (w', v(w)), the second to pass as v_previous next time."""
    w = as_vector(w)
    H = step_sizes(h, n_theta, w.size)
    v = np.asarray(field(w), dtype=np.float64)
    v_previous = v if v_previous is None else v_previous
    return w + H * (2 * v - v_previous), v


def consensus_field(field, gamma, jacobian_of=None):
    """w -> v(w) - gamma J(w)^T v(w), the gradient field of the game plus gamma times the
    descent direction of 1/2 ||v||^2 (Mescheder et al. 2017, eq. 8). J(w) comes from
    ``jacobian_of(w)`` or, by default, central differences of ``field``.

    At an equilibrium (v = 0) its Jacobian is J - gamma J^T J: the term with dJ/dw is
    multiplied by v and vanishes. -J^T J is negative semidefinite, so it pulls every eigenvalue
    towards the left half-plane.
    """
    if not (isinstance(gamma, (int, float)) and np.isfinite(gamma) and gamma >= 0):
        raise ValueError(f"gamma must be a finite number >= 0, got {gamma!r}")
    jacobian_of = jacobian_of or (lambda w: jacobian(field, w))

    def consensus(w):
        v = np.asarray(field(w), dtype=np.float64)
        return v - gamma * (jacobian_of(w).T @ v)

    return consensus


def run(rule, field, w0, n_theta, h, steps):
    """The trajectory w_0, w_1, ..., w_steps of ``rule`` (a name of RULES) as a (steps + 1, n)
    array."""
    _check_rule(rule)
    w = as_vector(w0, "w0")
    path, v_previous = [w], None
    for _ in range(steps):
        if rule == "optimistic":
            w, v_previous = optimistic(field, w, n_theta, h, v_previous)
        else:
            w = RULE_FUNCTIONS[rule](field, w, n_theta, h)
        path.append(w)
    return np.array(path)


def linear_map(rule, J, n_theta, h):
    """The rule's map on deviations from an equilibrium of the linear field v(w) = J w.

    Every rule is linear in w for a linear field, so its matrix is built column by column from
    the images of the unit vectors. The optimistic rule acts on (w_t, w_{t-1}) and returns the
    2n x 2n matrix of (w_t, w_{t-1}) -> (w_{t+1}, w_t).
    """
    _check_rule(rule)
    J = np.asarray(J, dtype=np.float64)
    n = J.shape[0]

    def field(w):
        return J @ w

    if rule == "optimistic":
        H = step_sizes(h, n_theta, n)
        top = np.hstack([np.eye(n) + 2 * H[:, None] * J, -H[:, None] * J])
        return np.vstack([top, np.hstack([np.eye(n), np.zeros((n, n))])])
    return np.stack([RULE_FUNCTIONS[rule](field, e, n_theta, h) for e in np.eye(n)], axis=1)


def local_rate(rule, J, n_theta, h):
    """The spectral radius of `linear_map`: below 1, the rule converges near the equilibrium
    (geometrically, at that rate per step); above 1, it moves away."""
    return spectral_radius(linear_map(rule, J, n_theta, h))


def largest_stable_step(eigenvalues):
    """Simultaneous steps w' = w + h J w converge iff |1 + h lambda| < 1 for every eigenvalue
    lambda of J, i.e. iff every Re lambda < 0 and h < min over lambda of -2 Re(lambda) /
    |lambda|^2 (expand |1 + h lambda|^2 = 1 + 2 h Re lambda + h^2 |lambda|^2 < 1). Returns
    that bound (0 if some Re lambda >= 0)."""
    eigenvalues = np.asarray(eigenvalues, dtype=np.complex128)
    if np.any(eigenvalues.real >= 0):
        return 0.0
    return float(np.min(-2 * eigenvalues.real / np.abs(eigenvalues) ** 2))


def critical_step(rule, J, n_theta, h_high=10.0, points=400):
    """The largest h such that every step size in (0, h) converges locally: `local_rate` < 1.

    Scanned on a geometric grid from h_high / 1e4 to h_high, then refined by bisection between
    the last converging and the first diverging grid point. Returns inf if none diverges.
    """
    grid = np.geomspace(h_high * 1e-4, h_high, points)
    for low, high in zip(np.concatenate([[0.0], grid[:-1]]), grid):
        if local_rate(rule, J, n_theta, high) >= 1:
            for _ in range(60):
                middle = (low + high) / 2
                low, high = (middle, high) if local_rate(rule, J, n_theta, middle) < 1 else (
                    low, middle)
            return low
    return np.inf


RULE_FUNCTIONS = {"simultaneous": simultaneous, "alternating": alternating,
                  "extragradient": extragradient}


def _check_rule(rule):
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
