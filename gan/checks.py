"""The argument checks `gan` shares: each names the parameter, shows the value and says what is
allowed, before any work starts. (GANConfig's own fields are checked in `gan.config`, sizes
against memory in `gan.limits`; `nn` and `rng` keep their own checks, since they import nothing
of `gan`.)"""

from __future__ import annotations

import math
import numbers

import numpy as np


def positive_integer(name, value):
    """``value`` as an int, or ValueError unless it is an integer >= 1 (bools are not integers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def positive_number(name, value):
    """``value`` as a float, or ValueError unless it is a finite real number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def integer_in(name, value, low, high):
    """``value`` as an int: TypeError unless an integer (bools are not), ValueError unless
    low <= value <= high (high None: no upper bound)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {allowed}, got {value}")
    return int(value)


def real_in(name, value, low, high):
    """``value`` as a float: TypeError unless a real number, ValueError unless finite and in
    [low, high] (high None: no upper bound)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be a finite number {allowed}, got {value}")
    return value


def real_sequence_in(name, values, low, high):
    """A non-empty sequence of finite numbers in [low, high], as a tuple of floats (ValueError
    otherwise, TypeError if not a sequence)."""
    try:
        items = tuple(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not items:
        raise ValueError(f"{name} must not be empty, got {values!r}")
    for item in items:
        if (isinstance(item, (bool, np.bool_))
                or not isinstance(item, (int, float, np.number))
                or not np.isfinite(item) or not low <= item <= high):
            raise ValueError(f"{name} must hold finite numbers in [{low}, {high}], "
                             f"got {values!r}")
    return tuple(float(item) for item in items)
