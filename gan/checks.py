"""The argument checks `gan` shares: each names the parameter, shows the value and says what is
allowed, before any work starts. (GANConfig's own fields are checked in `gan.config`, sizes
against memory in `gan.limits`; `nn` and `rng` keep their own checks, since they import nothing
of `gan`.)"""

from __future__ import annotations

import math
import numbers


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
