"""Layers of the textbook engine: the base class `Layer`, the affine `Linear`, and the registry
that rebuilds any layer from its config.

The protocol every layer follows (the fast engine's layers, subclasses of these, follow it too):
- `forward(x)` returns y and keeps what backward needs (a reference to x, not a copy);
- `backward(grad_y, param_grads=True, input_grad=True)` returns dL/dx for the latest forward.
  With param_grads it SETS (never accumulates) the gradient `grad_<name>` of each parameter in
  `parameter_names`; with input_grad=False dL/dx is not needed and None may be returned;
- `config()` is {"type": class name, **constructor arguments}, JSON-serialisable.

Every subclass registers itself under its class name in the registry `layer_types` it inherits
(LAYER_TYPES here) when it is defined (classes whose name starts with "_" are helpers and do
not), so `layer_from_config` knows every layer type of every module that has been imported,
without a list of names to keep up to date. A subclass that brings a registry of its own starts
another family of layers (another engine): it and its subclasses join that registry instead, so
classes of the same name never overwrite these, and each family rebuilds its own classes.
"""

import numpy as np

from nn.checks import float_dtype, initialiser, positive_int
from nn.init import initial_weights

LAYER_TYPES = {}


class Layer:
    """A differentiable map y = f(x) with parameters named in `parameter_names`."""

    parameter_names = ()
    drawn_parameters = False    # the parameters are drawn by an `init` rule (Linear, Conv2d, ...)
    buffer_names = ()   # state that is saved but not trained (BatchNorm's running statistics)
    training = True     # Sequential.train() / eval() set it; only layers such as BatchNorm read it
    layer_types = LAYER_TYPES   # the registry this class's subclasses join (see the module notes)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_") and "layer_types" not in vars(cls):
            cls.layer_types[cls.__name__] = cls

    @classmethod
    def from_config(cls, config, dtype=np.float64):
        """Rebuild a layer of this family from `config()`; parameters start at zero (a checkpoint
        fills them)."""
        arguments = dict(config)
        type_name = arguments.pop("type", None)
        if type_name not in cls.layer_types:
            raise ValueError(f"unknown layer type {type_name!r}; "
                             f"known types: {sorted(cls.layer_types)}")
        layer_class = cls.layer_types[type_name]
        if layer_class.drawn_parameters:
            return layer_class(**arguments, init="zeros", dtype=dtype)
        if layer_class.parameter_names:
            return layer_class(**arguments, dtype=dtype)
        return layer_class(**arguments)

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_y, param_grads=True, input_grad=True):
        raise NotImplementedError

    def config(self):
        """Architecture as a JSON-serialisable dict {"type": class name, **arguments}."""
        return {"type": type(self).__name__}

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "type")
        return f"{type(self).__name__}({arguments})"


class Linear(Layer):
    """Affine map y = x W + b, W of shape (in_features, out_features), b of shape (out_features,).

    x has shape (..., batch, in_features): every leading axis is a batch axis.
    init: "glorot" (default), "he", ("normal", std) or "zeros"; see nn.init. Biases start at 0.
    """

    parameter_names = ("W", "b")
    drawn_parameters = True

    def __init__(self, in_features, out_features, rng=None, init="glorot", dtype=np.float64,
                 negative_slope=0.0):
        self.in_features = positive_int("in_features", in_features)
        self.out_features = positive_int("out_features", out_features)
        initialiser(init, rng)
        self.dtype = float_dtype(dtype)
        self.W = initial_weights(init, self._shape(self.in_features, self.out_features),
                                 self.in_features, self.out_features, rng, self.dtype,
                                 negative_slope)
        self.b = np.zeros(self._shape(self.out_features), dtype=self.dtype)
        self.grad_W = np.zeros_like(self.W)
        self.grad_b = np.zeros_like(self.b)

    def config(self):
        return {"type": "Linear", "in_features": self.in_features,
                "out_features": self.out_features}

    def _shape(self, *sides):
        """The shape of a parameter with these sides: (in, out) for W, (out,) for b. (A subclass
        holding several layers in one set of arrays puts their count in front.)"""
        return sides

    def _check_input(self, x):
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(f"Linear expected x with {self.in_features} features "
                             f"on its last axis, got shape {x.shape}")

    def forward(self, x):
        """y = x W + b."""
        self._check_input(x)
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """From y = x W + b, with the batch (all leading axes) as the rows of x and dL/dy."""
        # HINT: dL/dW = x^T dL/dy, dL/db = sum over the batch of dL/dy, dL/dx = dL/dy W^T
        # BEGIN SOLUTION
        if param_grads:
            x = self.x.reshape(-1, self.in_features)
            g = grad_y.reshape(-1, self.out_features)
            self.grad_W = x.T @ g                  # dL/dW = x^T dL/dy
            self.grad_b = g.sum(axis=0)            # dL/db = sum of dL/dy over the batch
        if input_grad:
            return grad_y @ self.W.T               # dL/dx = dL/dy W^T
        return None
        # END SOLUTION


def layer_from_config(config, dtype=np.float64):
    """Rebuild a layer of the textbook engine from `Layer.config()` (see `Layer.from_config`)."""
    return Layer.from_config(config, dtype)
