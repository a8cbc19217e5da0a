"""Activations: the elementwise layers y = f(x), each with its derivative in `backward` and
`derivatives(x) -> (f(x), f'(x), f''(x))` for a double backward (WGAN-GP's penalty).

They follow the rules of `nn.fast.layer` (reused outputs; in-place work inside a Sequential:
LeakyReLU, ReLU and Softplus write y over x and dL/dx over dL/dy when a Linear stands beside
them).
"""

import numpy as np
from scipy.special import expit

from nn.fast.layer import Layer


class Identity(Layer):
    """y = x."""

    def derivatives(self, x):
        """(y, dy/dx, d2y/dx2) at x as fresh arrays, caching nothing (a double backward, such as
        WGAN-GP's penalty, needs them); the last is None where it is 0 almost everywhere, as
        for every piecewise-linear activation."""
        return x.copy(), np.ones_like(x), None

    def forward(self, x):
        return x

    def backward(self, grad_y, param_grads=True):
        return grad_y


class ReLU(Layer):
    """y = max(x, 0); dy/dx = 1[x > 0] (taken as 0 at the kink x = 0)."""

    def derivatives(self, x):
        """(y, 1[x > 0], None): see `Identity.derivatives`."""
        slope = np.greater(x, 0).astype(x.dtype)
        return x * slope, slope, None

    def forward(self, x):
        self.active = np.greater(x, 0, out=self._elementwise_output("active", x, dtype=np.bool_))
        return np.maximum(x, 0, out=self._in_place_output(x))

    def backward(self, grad_y, param_grads=True):
        return np.multiply(grad_y, self.active, out=self._in_place_grad(grad_y))


class LeakyReLU(Layer):
    """y = x for x > 0, slope * x otherwise (Maas et al. 2013); slope = 0.2 as in DCGAN
    (Radford et al. 2016).

    The map is piecewise linear, so y = f'(x) x: forward caches the local slope f'(x) and
    backward is one product, dL/dx = f'(x) dL/dy.
    """

    def __init__(self, slope=0.2):
        if not isinstance(slope, (int, float)) or isinstance(slope, bool) or not 0 <= slope < 1:
            raise ValueError(f"slope must be a number in [0, 1), got {slope!r}")
        self.slope = float(slope)

    def config(self):
        return {"type": "LeakyReLU", "slope": self.slope}

    def derivatives(self, x):
        """(y, f'(x) = 1 or slope, None): see `Identity.derivatives`."""
        local_slope = np.where(x > 0, x.dtype.type(1), x.dtype.type(self.slope))
        return x * local_slope, local_slope, None

    def forward(self, x):
        local_slope = self._output("local_slope", x.shape, x.dtype)
        positive = np.greater(x, 0, out=self._output("positive", x.shape, np.bool_))
        np.copyto(local_slope, positive)                  # 1[x > 0] as 1.0 or 0.0
        # (two passes through a boolean array beat np.greater writing floats, which casts each)
        slope = x.dtype.type(self.slope)
        local_slope *= 1 - slope
        local_slope += slope
        # f'(x) = 1[x > 0] (1 - s) + s: s, or fl(1 - s) + s, which rounds to 1 exactly for any
        # s in [0, 1) (the rounding error of 1 - s is at most half a unit below 1)
        self.local_slope = local_slope
        return np.multiply(x, local_slope, out=self._in_place_output(x))    # y = f'(x) x

    def backward(self, grad_y, param_grads=True):
        grad_x = self._in_place_grad(grad_y, self.local_slope)
        return np.multiply(grad_y, self.local_slope, out=grad_x)          # dL/dx = f'(x) dL/dy


class Tanh(Layer):
    """y = tanh(x); dy/dx = 1 - y^2."""

    def derivatives(self, x):
        """(tanh x, 1 - tanh^2 x, -2 tanh x (1 - tanh^2 x)): see `Identity.derivatives`."""
        y = np.tanh(x)
        slope = 1 - y * y
        return y, slope, -2 * y * slope

    def forward(self, x):
        self.y = np.tanh(x, out=self._elementwise_output("y", x))
        return self.y

    def backward(self, grad_y, param_grads=True):
        grad_x = self._elementwise_output("grad_x", grad_y, self.y)
        if grad_x is None:
            return grad_y * (1 - self.y * self.y)
        np.multiply(self.y, self.y, out=grad_x)
        np.subtract(1, grad_x, out=grad_x)               # 1 - y^2
        return np.multiply(grad_y, grad_x, out=grad_x)   # dL/dx = (1 - y^2) dL/dy


class Sigmoid(Layer):
    """y = sigma(x) = 1 / (1 + exp(-x)) (scipy's expit, exact in both tails); dy/dx = y (1 - y)."""

    def derivatives(self, x):
        """(s, s (1 - s), s (1 - s)(1 - 2 s)) with s = sigma(x): see `Identity.derivatives`."""
        y = expit(x)
        slope = y * (1 - y)
        return y, slope, slope * (1 - 2 * y)

    def forward(self, x):
        self.y = expit(x, out=self._elementwise_output("y", x))
        return self.y

    def backward(self, grad_y, param_grads=True):
        grad_x = self._elementwise_output("grad_x", grad_y, self.y)
        if grad_x is None:
            return grad_y * (self.y * (1 - self.y))
        np.subtract(1, self.y, out=grad_x)
        grad_x *= self.y                                 # y (1 - y)
        return np.multiply(grad_y, grad_x, out=grad_x)   # dL/dx = y (1 - y) dL/dy


def softplus_into(x, y, scratch):
    """y = softplus(x) = log(1 + e^x) = max(x, 0) + log1p(exp(-|x|)), exact in both tails and
    never overflowing (the identity log(1 + e^x) = x + log(1 + e^-x) for x > 0). Written with
    ``out=`` into y (which may be x itself) and a scratch array of x's shape: five passes of
    NumPy's vectorised exp and log1p, where np.logaddexp(0, x) runs a scalar loop of libm calls
    (5-6x slower on the hidden layers of the default G)."""
    np.abs(x, out=scratch)
    np.negative(scratch, out=scratch)
    np.exp(scratch, out=scratch)
    np.log1p(scratch, out=scratch)                   # log(1 + e^-|x|)
    np.maximum(x, 0, out=y)
    y += scratch
    return y


def sigmoid_from_softplus_into(y, out):
    """out = -sigma(x) from y = softplus(x): exp(-softplus(x)) = 1 / (1 + e^x) = 1 - sigma(x),
    so sigma(x) = -expm1(-y) (expm1 keeps the small sigma of a very negative x to full relative
    precision). Returns -sigma(x): the caller folds the sign into its next product."""
    np.negative(y, out=out)
    return np.expm1(out, out=out)


class Softplus(Layer):
    """y = softplus(x) = log(1 + e^x); dy/dx = sigma(x) = -expm1(-y), from the forward's output.

    Inside a Sequential it works in place as LeakyReLU does: y over x (backward needs only y) and
    dL/dx over dL/dy. See `softplus_into` for how y is computed.
    """

    def derivatives(self, x):
        """(softplus x, sigma(x), sigma(x)(1 - sigma(x))): see `Identity.derivatives`."""
        x = _floats(x)
        y = softplus_into(x, np.empty_like(x), np.empty_like(x))
        s = -sigmoid_from_softplus_into(y, np.empty_like(x))
        return y, s, s * (1 - s)

    def forward(self, x):
        x = _floats(x)
        y = self._in_place_output(x)
        y = np.empty_like(x) if y is None else y
        scratch = self._elementwise_output("scratch", x)
        self.y = softplus_into(x, y, np.empty_like(x) if scratch is None else scratch)
        return self.y

    def backward(self, grad_y, param_grads=True):
        minus_sigma = self._elementwise_output("scratch", self.y)
        minus_sigma = sigmoid_from_softplus_into(
            self.y, np.empty_like(self.y) if minus_sigma is None else minus_sigma)
        grad_x = self._in_place_grad(grad_y, self.y)
        if grad_x is None:
            return -(grad_y * minus_sigma)
        np.multiply(grad_y, minus_sigma, out=grad_x)
        return np.negative(grad_x, out=grad_x)          # dL/dx = sigma(x) dL/dy


def _floats(x):
    """x itself if it holds floats, else as float64 (as a ufunc would compute on integers)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "softplus": Softplus,
    "identity": Identity,
}
