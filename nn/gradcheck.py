"""Finite-difference gradient checks.

Fourth-order central differences (the five-point stencil, from Taylor expansions to 5th order):
    df/da_i ~ [8 (f(a + h e_i) - f(a - h e_i)) - (f(a + 2h e_i) - f(a - 2h e_i))] / (12 h),
truncation error h^4 f^(5) / 30 and rounding error ~ ulp(f) / h. The default h = 2e-4 keeps both
near 1e-12 for f and its derivatives of order 1 (plain central differences, error h^2 f^(3) / 6,
only reach ~1e-10 in float64: too coarse to confirm entries of 1e-4 to a relative 1e-6).
Each element is compared by
    relative error = |analytic - numerical| / max(|analytic|, |numerical|, floor * G),
G the largest |numerical| entry over all arrays: the floor (default 1e-3) keeps entries that are
(nearly) zero from dividing that rounding noise by ~0, while a wrong entry still shows at its
own size or at a thousandth of the largest gradient, whichever is larger.
Kinks (ReLU at 0): the stencil reaches 2h from a, so a pre-activation within ~2h |x| of a kink
gives a meaningless difference; tests keep pre-activations away from kinks.
"""

from dataclasses import dataclass

import numpy as np

from nn.fast.network import Sequential as FastSequential
from nn.network import Sequential


@dataclass
class GradcheckResult:
    """Worst element of a check: its relative error, which array (name) and where in it (index)."""

    max_relative_error: float
    name: str
    index: tuple
    analytic: float
    numerical: float

    def __str__(self):
        return (f"max relative error {self.max_relative_error:.3g} "
                f"at {self.name}{list(self.index)}: "
                f"analytic {self.analytic!r}, numerical {self.numerical!r}")


def numerical_gradients(f, arrays, eps=2e-4):
    """Five-point central differences of the scalar f() with respect to each float64 array.

    Each array is perturbed in place, element by element, and restored.
    """
    _check_arrays(arrays)
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    gradients = []
    for array in arrays:
        gradient = np.zeros_like(array)
        for index in np.ndindex(array.shape):       # a test tool: four evaluations of f per element
            original = array[index]
            values = {}
            for step in (2, 1, -1, -2):
                array[index] = original + step * eps
                values[step] = float(f())
            array[index] = original
            gradient[index] = (8 * (values[1] - values[-1]) - (values[2] - values[-2])) / (12 * eps)
        gradients.append(gradient)
    return gradients


def _check_arrays(arrays):
    for position, array in enumerate(arrays):
        if not isinstance(array, np.ndarray) or array.dtype != np.float64:
            raise TypeError(f"arrays[{position}] must be a float64 ndarray (perturbed in place), "
                            f"got {type(array).__name__} of dtype {getattr(array, 'dtype', None)}")


def compare(analytic, numerical, names=None, floor=1e-3):
    """The worst relative error over lists of analytic and numerical gradients (see module doc)."""
    largest = max((float(np.abs(n).max()) for n in numerical if n.size), default=0.0)
    floor = max(floor * largest, np.finfo(np.float64).tiny)
    names = names or [f"arrays[{position}]" for position in range(len(analytic))]
    worst = GradcheckResult(0.0, names[0] if names else "", (), 0.0, 0.0)
    for name, exact, approximate in zip(names, analytic, numerical):
        exact = np.asarray(exact, dtype=np.float64)
        if exact.shape != approximate.shape:
            raise ValueError(f"analytic gradient of {name} has shape {exact.shape}, "
                             f"expected {approximate.shape}")
        if exact.size == 0:
            continue
        scale = np.maximum(np.maximum(np.abs(exact), np.abs(approximate)), floor)
        error = np.abs(exact - approximate) / scale
        where = np.unravel_index(np.argmax(error), error.shape)
        if error[where] >= worst.max_relative_error:
            worst = GradcheckResult(float(error[where]), name, tuple(int(i) for i in where),
                                    float(exact[where]), float(approximate[where]))
    return worst


def gradcheck(f, arrays, analytic, eps=2e-4, names=None, floor=1e-3):
    """Compare caller-supplied gradients of the scalar f() with central differences.

    f reads the float64 `arrays` (parameters and/or inputs), which are perturbed in place and
    restored. Returns the GradcheckResult of the worst element.
    """
    if len(analytic) != len(arrays):
        raise ValueError(f"analytic must hold one gradient per array: "
                         f"{len(analytic)} for {len(arrays)}")
    return compare(analytic, numerical_gradients(f, arrays, eps), names, floor)


def check_network(network, x, loss, eps=2e-4, floor=1e-3):
    """Gradient check of a whole network: parameters and input, for L = loss(network(x)).

    loss maps y to (value, dL/dy), e.g. `lambda y: mse(y, target)`. The analytic gradients come
    from network.backward in the network's own dtype; the numerical ones from a float64 copy, so
    a float32 network is checked against float64 truth (expect errors of float32's ~1e-4 there).
    """
    y = network.forward(x)
    _, grad_y = loss(y)
    grad_x = network.backward(grad_y)
    analytic = [gradient.copy() for gradient in network.gradients()] + [grad_x]
    reference = network.copy(dtype=np.float64)
    x64 = np.array(x, dtype=np.float64)
    return gradcheck(lambda: loss(reference.forward(x64))[0], reference.parameters() + [x64],
                     analytic, eps, network.parameter_names() + ["x"], floor)


def check_layer(layer, x, rng, eps=2e-4, floor=1e-3):
    """Gradient check of one layer under the random linear loss L = sum(R * layer(x)), R ~ N(0, 1).

    The layer is wrapped in a Sequential of its own engine (nn's textbook engine, or nn.fast's,
    whose Sequential moves the parameters into a flat buffer).
    """
    x = np.asarray(x)
    network_class = next(network_class for network_class in (Sequential, FastSequential)
                         if network_class.layer_class.layer_types is layer.layer_types)
    network = network_class([layer], dtype=None if layer.parameter_names else x.dtype)
    R = rng.standard_normal(size=network.forward(x).shape)
    return check_network(network, x, lambda y: (np.sum(R * y), R.astype(y.dtype)), eps, floor)
