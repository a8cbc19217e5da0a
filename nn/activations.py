"""Activations of the textbook engine: elementwise layers y = f(x).

Each one writes f and its derivatives once, in `derivatives(x) -> (f(x), f'(x), f''(x))`
(f'' is None where it is 0 almost everywhere, as for every piecewise-linear activation); the
forward pass keeps f'(x), and the backward pass is the chain rule's one factor,
dL/dx = f'(x) dL/dy. WGAN-GP's double backward (gan.variants.wgan_gp) reads f'' too.
"""

import numpy as np
from scipy.special import expit

from nn.layers import Layer


class _Activation(Layer):
    """y = f(x); dL/dx = f'(x) dL/dy, with f and f' from the subclass's `derivatives`."""

    def forward(self, x):
        y, self.dy_dx, _ = self.derivatives(x)    # keep f'(x) for the backward pass
        return y

    def backward(self, grad_y, param_grads=True, input_grad=True):
        return grad_y * self.dy_dx                 # dL/dx = f'(x) dL/dy


class Identity(_Activation):
    """f(x) = x; f' = 1, f'' = 0."""

    def derivatives(self, x):
        return x.copy(), np.ones_like(x), None


class ReLU(_Activation):
    """f(x) = max(x, 0); f'(x) = 1[x > 0] (taken as 0 at the kink x = 0), f'' = 0."""

    def derivatives(self, x):
        # HINT: ReLU: f = max(x, 0), f' = 1[x > 0], f'' = None (0 almost everywhere)
        # BEGIN SOLUTION
        return np.maximum(x, 0), (x > 0).astype(x.dtype), None
        # END SOLUTION


class LeakyReLU(_Activation):
    """f(x) = x for x > 0, slope * x otherwise (Maas et al. 2013); f' = 1 or slope, f'' = 0.
    slope = 0.2 as in DCGAN (Radford et al. 2016)."""

    def __init__(self, slope=0.2):
        if not isinstance(slope, (int, float)) or isinstance(slope, bool) or not 0 <= slope < 1:
            raise ValueError(f"slope must be a number in [0, 1), got {slope!r}")
        self.slope = float(slope)

    def config(self):
        return {"type": "LeakyReLU", "slope": self.slope}

    def derivatives(self, x):
        # HINT: LeakyReLU: f = x if x > 0 else slope x, f' = 1 or slope, f'' = None
        # BEGIN SOLUTION
        s = x.dtype.type(self.slope)
        return np.where(x > 0, x, s * x), np.where(x > 0, x.dtype.type(1), s), None
        # END SOLUTION


class Tanh(_Activation):
    """f(x) = tanh(x); f' = 1 - f^2, f'' = -2 f f'."""

    def derivatives(self, x):
        # HINT: Tanh: f = tanh(x), f' = 1 - f^2, f'' = -2 f f'
        # BEGIN SOLUTION
        y = np.tanh(x)
        slope = 1 - y * y
        return y, slope, -2 * y * slope
        # END SOLUTION


class Sigmoid(_Activation):
    """f(x) = sigma(x) = 1 / (1 + exp(-x)) (scipy's expit, exact in both tails);
    f' = f (1 - f), f'' = f' (1 - 2 f)."""

    def derivatives(self, x):
        # HINT: Sigmoid: f = expit(x), f' = f (1 - f), f'' = f' (1 - 2 f)
        # BEGIN SOLUTION
        y = expit(x)
        slope = y * (1 - y)
        return y, slope, slope * (1 - 2 * y)
        # END SOLUTION


class Softplus(_Activation):
    """f(x) = log(1 + e^x), computed as logaddexp(0, x); f' = sigma(x), f'' = sigma (1 - sigma)."""

    def derivatives(self, x):
        # HINT: Softplus: f = logaddexp(0, x), f' = sigma(x), f'' = sigma (1 - sigma)
        # BEGIN SOLUTION
        s = expit(x)
        return np.logaddexp(0, x), s, s * (1 - s)
        # END SOLUTION


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "softplus": Softplus,
    "identity": Identity,
}
