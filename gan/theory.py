"""The theory of the game for 1D densities (Goodfellow et al. 2014, Section 4), in nats.

For a fixed generator the best discriminator is D*(x) = p_data(x) / (p_data(x) + p_g(x))
(Proposition 1), and the value it reaches is the virtual training criterion
C(G) = max_D V(D, G) = -log 4 + 2 JSD(p_data || p_g) (Theorem 1), minimal exactly when
p_g = p_data. Here those quantities are integrals computed by adaptive quadrature
(scipy.integrate.quad) over a range holding all but 1e-14 of the mass, split at each density's
breakpoints so that narrow components and jumps are not stepped over; and, for densities
tabulated on a grid, by the trapezoid rule (`kl_grid`, `jsd_grid`), fast enough for every
training snapshot.

A "distribution" is anything with `logpdf` (or `pdf`) that maps arrays elementwise; its range
comes from `interval(mass)` (or pass `limits=(low, high)`), its breakpoints from
`breakpoints()` when it has one. Densities that underflow to 0 contribute exactly 0: every
integrand p (log p - log q) is taken as 0 where p = 0, never 0 * log 0.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, special

INTEGRATION_MASS = 1.0 - 1e-14
LOG_2 = math.log(2.0)
LOG_4 = math.log(4.0)


# ---------------------------------------------------------------- helpers
def _log_density(distribution, name):
    """x -> log p(x) from logpdf, or from pdf (log 0 = -inf without a warning)."""
    if getattr(distribution, "dim", 1) != 1:
        raise ValueError(f"{name} must be a 1D distribution, got dim {distribution.dim}")
    if callable(getattr(distribution, "logpdf", None)):
        return lambda x: np.asarray(distribution.logpdf(x), dtype=np.float64)
    if callable(getattr(distribution, "pdf", None)):
        def log_pdf(x):
            p = np.asarray(distribution.pdf(x), dtype=np.float64)
            return np.log(p, out=np.full(p.shape, -np.inf), where=p > 0)
        return log_pdf
    raise TypeError(f"{name} must have a logpdf or pdf method, got {type(distribution).__name__}")


def _integration_range(named_distributions, limits):
    """(low, high, interior breakpoints): the hull of the distributions' intervals unless
    `limits` is given."""
    if limits is not None:
        low, high = (float(limit) for limit in limits)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"limits must be finite with low < high, got {limits!r}")
    else:
        ranges = []
        for name, distribution in named_distributions:
            if not callable(getattr(distribution, "interval", None)):
                raise TypeError(f"{name} has no interval(mass) method; pass limits=(low, high)")
            ranges.append(distribution.interval(INTEGRATION_MASS))
        low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    points = [np.asarray(d.breakpoints(), dtype=np.float64).ravel()
              for _, d in named_distributions if callable(getattr(d, "breakpoints", None))]
    points = np.unique(np.concatenate(points)) if points else np.empty(0)
    return low, high, points[(points > low) & (points < high)]


def _integrate(integrand, low, high, points):
    """int_low^high integrand(x) dx by scipy.integrate.quad, split at `points`.

    An integrand that is +-inf somewhere (KL where q = 0 < p; log D where D = 0 < p_data) has an
    infinite integral: the first infinite value seen is returned instead of handing quad an inf.
    """
    infinite = []

    def finite_part(x):
        value = float(integrand(np.asarray(x, dtype=np.float64)))
        if math.isinf(value):
            infinite.append(value)
            return 0.0
        return value

    result, _ = integrate.quad(finite_part, low, high, points=points if points.size else None,
                               limit=100 + 4 * points.size, epsabs=1e-13, epsrel=1e-10)
    return infinite[0] if infinite else result


def _p_log_ratio(log_p, log_q):
    """p (log p - log q), with 0 where p = 0 and +inf where p > 0 = q."""
    log_p, log_q = np.broadcast_arrays(log_p, log_q)
    p = np.exp(log_p)
    difference = np.subtract(log_p, log_q, out=np.zeros(p.shape), where=p > 0)
    return p * difference


def _jsd_integrand(log_p, log_q):
    """1/2 [p log(p / m) + q log(q / m)] = m KL(Bernoulli(D) || Bernoulli(1/2)), m = (p + q) / 2,
    D = p / (p + q) = sigmoid(l), l = log p - log q; with a = |l| / 2 the Bernoulli KL is
    f(a) = a tanh(a) - log cosh(a) (>= 0, 0 only at a = 0, log 2 as a -> inf).

    The two halves of 1/2 [p log(p/m) + q log(q/m)] have opposite signs, so summed as written
    they cancel to a slightly negative number where p ~ q. Here each point's value is a
    product of non-negative factors, m and f(a), and f(a) is computed without cancellation
    (`_bernoulli_kl_from_half`), so every integrand value, and hence every quadrature sum with
    positive weights, is >= 0: exactly 0 where p = q and where p = q = 0.
    """
    log_p, log_q = np.broadcast_arrays(log_p, log_q)
    # HINT: JSD integrand = m f(|l| / 2), m = (p + q) / 2, l = log p - log q
    # BEGIN SOLUTION
    both_zero = np.isneginf(log_p) & np.isneginf(log_q)
    log_ratio = np.subtract(log_p, log_q, out=np.zeros(log_p.shape), where=~both_zero)
    log_m = np.logaddexp(log_p, log_q) - LOG_2
    return np.exp(log_m) * _bernoulli_kl_from_half(np.abs(log_ratio) / 2)
    # END SOLUTION


def _bernoulli_kl_from_half(a):
    """f(a) = a tanh(a) - log cosh(a) for a >= 0 (inf allowed), written so nothing cancels:
    for a <= 1 both terms are ~a^2 and ~a^2/2, the first at least twice the second;
    for a > 1, f = log 2 - [log1p(exp(-2a)) + a (1 - tanh a)] with the bracket < 0.37 < log 2
    (log cosh a = a - log 2 + log1p(exp(-2a))), and 1 - tanh a = 2 / (exp(2a) + 1)."""
    a = np.asarray(a, dtype=np.float64)
    small = a <= 1
    a_small = np.where(small, a, 0.0)
    log_cosh = np.log1p(2 * np.sinh(a_small / 2) ** 2)      # cosh a - 1 = 2 sinh^2(a / 2)
    f_small = a_small * np.tanh(a_small) - log_cosh
    infinite = np.isinf(a)
    a_large = np.where(small | infinite, 1.0, a)
    with np.errstate(over="ignore"):                       # exp(2a) = inf gives 2 / inf = 0
        one_minus_tanh = 2.0 / (np.exp(2 * a_large) + 1.0)
    tail = np.where(infinite, 0.0, np.log1p(np.exp(-2 * a_large)) + a_large * one_minus_tanh)
    return np.where(small, f_small, LOG_2 - tail)


def _weighted(p, log_term):
    """p * log_term with 0 where p = 0 (so 0 * -inf is 0)."""
    return p * np.where(p > 0, log_term, 0.0)


# ---------------------------------------------------------------- the discriminator
def optimal_discriminator_logit(p_data, p_g):
    """x -> log p_data(x) - log p_g(x), the logit of D*(x) (Goodfellow et al. 2014, Prop. 1).

    Where both densities are 0 D* is not determined (V does not depend on it); the logit is 0
    there, D* = 1/2.
    """
    log_p_data = _log_density(p_data, "p_data")
    log_p_g = _log_density(p_g, "p_g")

    def logit(x):
        # HINT: logit of D* = log p_data(x) - log p_g(x), and 0 where both densities are 0
        # BEGIN SOLUTION
        a, b = log_p_data(x), log_p_g(x)
        both_zero = np.isneginf(a) & np.isneginf(b)
        return np.subtract(a, b, out=np.zeros(np.broadcast(a, b).shape), where=~both_zero)
        # END SOLUTION

    return logit


def optimal_discriminator(p_data, p_g):
    """x -> D*(x) = p_data(x) / (p_data(x) + p_g(x)) = sigmoid(log p_data(x) - log p_g(x))
    (Goodfellow et al. 2014, Prop. 1); exact in the tails, where both densities underflow."""
    logit = optimal_discriminator_logit(p_data, p_g)
    return lambda x: special.expit(logit(x))


def _log_d_terms(D, x, probabilities):
    """(log D(x), log(1 - D(x))) from D's logits l: -softplus(-l), -softplus(l)."""
    output = np.asarray(D(x.reshape(-1, 1)), dtype=np.float64)
    if output.size != x.size:
        raise ValueError(f"D must return one value per input row, got shape {output.shape} for "
                         f"{x.size} inputs")
    output = output.reshape(x.shape)
    if probabilities:
        if np.isnan(output).any() or (output < 0).any() or (output > 1).any():
            raise ValueError(f"D must return probabilities in [0, 1], got {output!r}")
        log_d = np.log(output, out=np.full(output.shape, -np.inf), where=output > 0)
        log_one_minus_d = np.log1p(-output, out=np.full(output.shape, -np.inf), where=output < 1)
        return log_d, log_one_minus_d
    if np.isnan(output).any():
        raise ValueError("D returned a NaN logit")
    return -np.logaddexp(0.0, -output), -np.logaddexp(0.0, output)


def value(D, p_data, p_g, *, probabilities=False, limits=None):
    """V(D, G) = int p_data(x) log D(x) dx + int p_g(x) log(1 - D(x)) dx
    (Goodfellow et al. 2014, the integral form of Eq. 1 used in the proof of Prop. 1, Eq. 3).

    D maps an (n, 1) array to n logits l (a network's forward), log D = -softplus(-l) and
    log(1 - D) = -softplus(l); with probabilities=True it returns D(x) in [0, 1] instead.
    """
    log_p_data = _log_density(p_data, "p_data")
    log_p_g = _log_density(p_g, "p_g")
    if not callable(D):
        raise TypeError(f"D must be callable, got {type(D).__name__}")
    low, high, points = _integration_range([("p_data", p_data), ("p_g", p_g)], limits)

    def integrand(x):
        # HINT: V's integrand: p_data(x) log D(x) + p_g(x) log(1 - D(x)), with 0 log 0 = 0
        # BEGIN SOLUTION
        log_d, log_one_minus_d = _log_d_terms(D, x, probabilities)
        return (_weighted(np.exp(log_p_data(x)), log_d)
                + _weighted(np.exp(log_p_g(x)), log_one_minus_d))
        # END SOLUTION

    return _integrate(integrand, low, high, points)


def c_of_g(p_data, p_g, *, limits=None):
    """C(G) = max_D V(D, G) = V(D*, G) (Goodfellow et al. 2014, Eq. 4); by Theorem 1 it equals
    -log 4 + 2 JSD(p_data || p_g), which the tests check rather than assume."""
    # HINT: C(G) = max_D V(D, G) = V(D*, G)
    # BEGIN SOLUTION
    return value(optimal_discriminator_logit(p_data, p_g), p_data, p_g, limits=limits)
    # END SOLUTION


# ---------------------------------------------------------------- divergences
def kl(p, q, *, limits=None):
    """KL(p || q) = int p(x) (log p(x) - log q(x)) dx, in nats; +inf if q = 0 where p > 0."""
    log_p, log_q = _log_density(p, "p"), _log_density(q, "q")
    low, high, points = _integration_range([("p", p), ("q", q)], limits)
    if limits is None:                      # the integrand vanishes outside p's range
        low, high = p.interval(INTEGRATION_MASS)
        points = points[(points > low) & (points < high)]
    return _integrate(lambda x: _p_log_ratio(log_p(x), log_q(x)), low, high, points)


def jsd(p, q, *, limits=None):
    """JSD(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2, in nats; in [0, log 2]."""
    log_p, log_q = _log_density(p, "p"), _log_density(q, "q")
    low, high, points = _integration_range([("p", p), ("q", q)], limits)

    return _integrate(lambda x: _jsd_integrand(log_p(x), log_q(x)), low, high, points)


# ---------------------------------------------------------------- on a grid
def _grid_densities(x, p, q):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)) or not np.all(np.diff(x) > 0):
        raise ValueError(f"x must be a finite, strictly increasing 1D grid of at least 2 points, "
                         f"got shape {x.shape}")
    densities = []
    for name, density in (("p", p), ("q", q)):
        density = np.asarray(density, dtype=np.float64)
        if density.ndim == 0 or density.shape[-1] != x.size:
            raise ValueError(f"{name} must have the grid's length {x.size} on its last axis, "
                             f"got shape {density.shape}")
        if not np.all(np.isfinite(density)) or np.any(density < 0):
            raise ValueError(f"{name} must hold finite, non-negative densities")
        densities.append(density)
    return x, densities[0], densities[1]


def _log(density):
    return np.log(density, out=np.full(density.shape, -np.inf), where=density > 0)


def _trapezoid(x, f):
    total = np.sum((f[..., 1:] + f[..., :-1]) * np.diff(x), axis=-1) / 2
    return float(total) if np.ndim(total) == 0 else total


def kl_grid(x, p, q):
    """KL(p || q) = int p (log p - log q) dx by the trapezoid rule on the sorted grid x.

    p and q are densities at x, shape (..., len(x)) (a leading axis of snapshots is fine); they
    are used as given, not renormalised. +inf if q = 0 at a grid point where p > 0.
    """
    x, p, q = _grid_densities(x, p, q)
    return _trapezoid(x, _p_log_ratio(_log(p), _log(q)))


def jsd_grid(x, p, q):
    """JSD(p || q) = 1/2 int p log(p / m) + 1/2 int q log(q / m), m = (p + q) / 2, by the
    trapezoid rule on the sorted grid x; p, q as in `kl_grid`."""
    x, p, q = _grid_densities(x, p, q)
    return _trapezoid(x, _jsd_integrand(_log(p), _log(q)))
