"""Argument checks and small numeric helpers shared by the distributions."""

from __future__ import annotations

import math
import numbers

import numpy as np

LOG_2PI = math.log(2.0 * math.pi)
DEFAULT_MASS = 1.0 - 1e-9
WEIGHT_SUM_TOLERANCE = 1e-12

def _finite_real(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def _finite_vector(name, value):
    """A scalar or a 1D sequence of finite reals, as a float64 array of shape (k,)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or a sequence of them, got {value!r}")
    if array.ndim > 1 or array.size == 0:
        raise ValueError(f"{name} must be a scalar or a non-empty 1D sequence, got {value!r}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return np.atleast_1d(array)


def _dimension(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _sample_size(n):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return int(n)


def _check_rng(rng, method):
    if not callable(getattr(rng, method, None)):
        raise TypeError(
            f"rng must have numpy.random.Generator's method {method}(), got {type(rng).__name__}"
        )


def _check_mass(mass):
    mass = _finite_real("mass", mass)
    if not 0.0 < mass < 1.0:
        raise ValueError(f"mass must lie in (0, 1), got {mass!r}")
    return mass


def _points(x, dim):
    """x as float64; for dim > 1 its last axis must be the coordinates."""
    x = np.asarray(x, dtype=np.float64)
    if dim > 1 and (x.ndim == 0 or x.shape[-1] != dim):
        raise ValueError(f"x must have shape (..., {dim}) for a {dim}-dimensional distribution, "
                         f"got shape {x.shape}")
    if np.isnan(x).any():
        raise ValueError("x must not contain NaN")
    return x


def _quantiles(q):
    q = np.asarray(q, dtype=np.float64)
    if np.isnan(q).any() or (q < 0).any() or (q > 1).any():
        raise ValueError("q must hold probabilities in [0, 1]")
    return q


def _number_text(values):
    """-1.0 for one value (or equal values), [0.0, 2.0] for several."""
    return repr(float(values[0])) if values.size == 1 else repr([float(v) for v in values])


def _json_number(values):
    return float(values[0]) if values.size == 1 else [float(v) for v in values]


def _logsumexp(terms):
    """log sum_k exp(terms[..., k]) = m + log sum_k exp(terms[..., k] - m), m the largest term;
    -inf when every term is -inf. (scipy.special.logsumexp is ~50x slower on small arrays, which
    matters inside scalar quadrature.)"""
    largest = np.max(terms, axis=-1, keepdims=True)
    shift = np.where(np.isfinite(largest), largest, 0.0)
    total = np.sum(np.exp(terms - shift), axis=-1)
    log_total = np.log(total, out=np.full(total.shape, -np.inf), where=total > 0)
    return shift[..., 0] + log_total
