"""Argument checks shared by `Generator`'s methods, following numpy.random.Generator's rules."""

import operator
from numbers import Integral

import numpy as np

from rng.lcg import PRESETS, check_parameters

_MASK_64 = 2**64 - 1


def check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= seed <= _MASK_64:
        raise ValueError(
            "seed must be an integer in [0, 2**64) -- Generator has no hidden entropy, so every"
            f" run is reproducible from its seed -- got {seed!r}"
        )
    return int(seed)


def lcg_parameters(lcg):
    """(a, c, m) for `Generator`'s lcg: None (mmix), a preset name or an (a, c, m) tuple."""
    if lcg is None:
        return PRESETS["mmix"]
    if isinstance(lcg, str):
        if lcg not in PRESETS:
            raise ValueError(
                f"lcg must be None, one of {sorted(PRESETS)} or (a, c, m), got {lcg!r}"
            )
        return PRESETS[lcg]
    if isinstance(lcg, tuple) and len(lcg) == 3:
        return check_parameters(*lcg)
    raise TypeError(f"lcg must be None, a preset name or an (a, c, m) tuple, got {lcg!r}")


def check_count(name, n):
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {n!r}")
    return int(n)


def check_size(size):
    if size is None:
        return None
    if type(size) is tuple and all(type(length) is int and length >= 0 for length in size):
        return size          # the common case, checked without the conversions below
    try:
        shape = (operator.index(size),)
    except TypeError:
        try:
            shape = tuple(operator.index(length) for length in size)
        except TypeError:
            raise TypeError(
                f"size must be None, an integer or a tuple of integers, got {size!r}"
            ) from None
    if any(length < 0 for length in shape):
        raise ValueError(f"size must hold non-negative lengths, got {size!r}")
    return shape


def check_float_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float64, np.float32):
        raise TypeError(f"dtype must be float64 or float32, got {dtype}")
    return dtype


def integer_bounds(name, value):
    """`value` as an array of Python ints, so that bounds near 2^63 or 2^64 compare exactly."""
    array = np.asarray(value)
    if array.dtype.kind not in "iu" and not (
        array.dtype == object and all(isinstance(v, Integral) for v in array.flat)
    ):
        raise TypeError(f"{name} must be integer-valued, got {value!r}")
    return array.astype(object)


def output_shape(size, *parameters):
    """numpy's rule: size=None gives the parameters' broadcast shape; else size, which the
    parameters must broadcast to."""
    broadcast = np.broadcast_shapes(*(np.shape(p) for p in parameters))
    shape = check_size(size)
    if shape is None:
        return broadcast
    try:
        compatible = np.broadcast_shapes(broadcast, shape) == shape
    except ValueError:
        compatible = False
    if not compatible:
        raise ValueError(f"size {shape} is not compatible with the parameters' shape {broadcast}")
    return shape


def integers_arguments(low, high, size, dtype, endpoint, word_count):
    """`Generator.integers`' arguments checked: (dtype, shape, low, r - 1) with low as uint64
    words (two's complement) and r - 1 = last - low < 2^64 per element, broadcast to shape."""
    dtype = np.dtype(dtype)
    if dtype.kind not in "iu":
        raise TypeError(f"dtype must be an integer dtype, got {dtype}")
    if high is None:
        low, high = 0, low
    low_values, high_values = integer_bounds("low", low), integer_bounds("high", high)
    last = high_values if endpoint else high_values - 1
    info = np.iinfo(dtype)
    if np.any(low_values < info.min) or np.any(low_values > info.max):
        raise ValueError(f"low must lie in [{info.min}, {info.max}] for {dtype}, got {low}")
    if np.any(last > info.max) or np.any(last < low_values):
        allowed = "low <= high <=" if endpoint else "low < high <="
        raise ValueError(f"high must satisfy {allowed} {info.max + int(not endpoint)}"
                         f" for {dtype}, got low={low}, high={high}")
    shape = output_shape(size, low_values, high_values)
    span_minus_one = np.array(last - low_values, dtype=np.uint64)
    if word_count < 2**64 and np.any(span_minus_one >= word_count):
        raise ValueError(f"high - low must be at most {word_count} for this LCG,"
                         f" got low={low}, high={high}")
    low_words = np.array(low_values % 2**64, dtype=np.uint64)
    return dtype, shape, low_words, np.broadcast_to(span_minus_one, shape)
