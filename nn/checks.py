"""Argument checks shared by the layers: each names the parameter, the value and what is allowed."""

import numpy as np

from nn.init import validate_init


def positive_int(name, value):
    """``value`` as an int, or ValueError if it is not an integer >= 1 (bools are not integers)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def float_dtype(dtype):
    """``dtype`` as a numpy dtype, or TypeError unless it is float32 or float64."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def initialiser(init, rng):
    """Check an initialisation rule (see nn.init) and that a rule that draws has a generator."""
    validate_init(init)
    if rng is None and init != "zeros":
        raise TypeError("rng must be a random generator (e.g. numpy.random.default_rng(0)), "
                        "got None")
    return init


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def positive_number(name, value):
    """``value`` as a float, or ValueError unless it is a number > 0."""
    if not _is_number(value) or not value > 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    return float(value)


def fraction(name, value, closed=False):
    """``value`` as a float, or ValueError unless it is a number in [0, 1) ([0, 1] if closed)."""
    if not _is_number(value) or not (0 <= value <= 1 if closed else 0 <= value < 1):
        raise ValueError(f"{name} must be a number in [0, {'1]' if closed else '1)'}, "
                         f"got {value!r}")
    return float(value)


def activation_factory(activation, parameter, activations, layer_type, from_config):
    """An MLP's ``activation`` (a name in ``activations``, a parameter-free ``layer_type``
    instance used as a template, or a factory) as a zero-argument factory; each engine passes
    its own table, Layer class and ``layer_from_config``."""
    if isinstance(activation, str):
        if activation not in activations:
            raise ValueError(f"{parameter} must be one of {sorted(activations)}, "
                             f"a Layer or a factory, got {activation!r}")
        return activations[activation]
    if isinstance(activation, layer_type):
        if activation.parameter_names:
            raise ValueError(f"{parameter} must be a layer without parameters, got {activation!r}")
        config = activation.config()
        return lambda: from_config(config)
    if callable(activation):
        return activation
    raise TypeError(f"{parameter} must be one of {sorted(activations)}, a Layer or a factory, "
                    f"got {activation!r}")
