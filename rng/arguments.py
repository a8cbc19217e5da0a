"""Argument checks shared by `Generator`'s methods, following numpy.random.Generator's rules."""

import operator
from numbers import Integral

import numpy as np


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
