"""Weight initialisers, each drawing from an explicit generator.

The generator is any object with numpy.random.Generator's `normal`/`uniform` methods (numpy's own
or the project's `rng.Generator`); nothing here keeps random state of its own.

References
- Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward neural
  networks", eq. 16: W ~ U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
- He, Zhang, Ren & Sun (2015), "Delving deep into rectifiers", eq. 10: W ~ N(0, 2 / fan_in)
  for ReLU; for a leaky ReLU of negative slope s the variance is 2 / ((1 + s^2) fan_in).
"""

import math

import numpy as np

INIT_NAMES = ("glorot", "he", "normal", "zeros")


def glorot_uniform(shape, fan_in, fan_out, rng, dtype=np.float64):
    """Glorot/Xavier uniform: W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out))
    (Glorot & Bengio 2010, eq. 16)."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return np.asarray(rng.uniform(-limit, limit, size=shape), dtype=dtype)


def he_normal(shape, fan_in, rng, negative_slope=0.0, dtype=np.float64):
    """He: W ~ N(0, 2 / ((1 + s^2) fan_in)), s the negative slope of the rectifier
    (He et al. 2015, eq. 10)."""
    std = math.sqrt(2.0 / ((1.0 + negative_slope**2) * fan_in))
    return np.asarray(rng.normal(0.0, std, size=shape), dtype=dtype)


def normal(shape, std, rng, dtype=np.float64):
    """Plain Gaussian: W ~ N(0, std^2)."""
    return np.asarray(rng.normal(0.0, std, size=shape), dtype=dtype)


def validate_init(init):
    """Check an `init` argument: "glorot", "he", "zeros" or ("normal", std) with std > 0."""
    if isinstance(init, str):
        if init in ("glorot", "he", "zeros"):
            return
        raise ValueError(f"init must be one of 'glorot', 'he', 'zeros' or ('normal', std), "
                         f"got {init!r}")
    if (
        isinstance(init, tuple)
        and len(init) == 2
        and init[0] == "normal"
        and isinstance(init[1], (int, float))
        and init[1] > 0
    ):
        return
    raise ValueError(
        f"init must be one of 'glorot', 'he', 'zeros' or ('normal', std) with std > 0, got {init!r}"
    )


def initial_weights(init, shape, fan_in, fan_out, rng, dtype, negative_slope=0.0):
    """Draw an array of `shape` by the rule `init` (see validate_init); "zeros" draws nothing."""
    if init == "zeros":
        return np.zeros(shape, dtype=dtype)
    if init == "glorot":
        return glorot_uniform(shape, fan_in, fan_out, rng, dtype)
    if init == "he":
        return he_normal(shape, fan_in, rng, negative_slope, dtype)
    return normal(shape, float(init[1]), rng, dtype)
