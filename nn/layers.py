"""Layers: each `forward(x)` caches what its backward needs, `backward(grad_y) -> grad_x`.

Conventions shared by every layer
- x has shape (..., batch, features); elementwise layers accept any shape.
- `backward(grad_y, param_grads=True)` returns dL/dx for the latest forward. With
  param_grads=True it also SETS (overwrites, never accumulates) each gradient `grad_<name>` of the
  parameters listed in `parameter_names`; with param_grads=False those are left untouched.
- Gradients are written in place (`out=`) into the existing `grad_<name>` arrays, because a
  Sequential rebinds them to views of one flat buffer; write parameters in place too
  (`layer.W[...] = ...`), never rebind them.
- The cached input is a reference, not a copy: do not modify x in place between forward and
  backward.

Reused output arrays (the rule that keeps the hot path free of allocations)
- While a Sequential runs its layers it sets their `reuse_outputs` flag. A flagged layer writes its
  forward output y and its backward output dL/dx into arrays it owns, one per (name, shape, dtype),
  and overwrites them at its next call on the same shape. Such an array is only ever handed to the
  neighbouring layer of the same network, which uses it before it is written again; the Sequential
  returns copies to its caller. A layer called directly (`layer.forward(x)`) is not flagged and
  returns fresh arrays, so whatever a caller holds is never overwritten behind its back.
- Arrays over OUTPUT_REUSE_LIMIT elements per stacked member are always fresh (one allocation is
  then negligible next to the arithmetic, and evaluations on 10^5 samples do not pin memory), and
  a layer keeps at most OUTPUT_REUSE_SHAPES shapes (training alternates a few; the oldest is
  dropped first).

In-place work (the rule that keeps the hot path's memory small)
- A layer whose `fresh_outputs` is True (Linear) returns, forward and backward, an array it keeps
  no reference to and that only the next layer sees. A Sequential therefore lets the layer after
  it overwrite its input (`overwrite_input`) and the layer before it overwrite the incoming
  dL/dy (`overwrite_grad`) while it runs them: LeakyReLU and ReLU then compute y in the array x
  and dL/dx in the array dL/dy, as PyTorch's inplace=True does. The numbers are the same; what
  changes is the memory a step touches (an MLP's activations no longer need arrays of their own),
  and at these sizes memory, not arithmetic, sets the pace. A layer called directly never works
  in place.
"""

import math

import numpy as np
from scipy.special import expit

from nn.checks import float_dtype, initialiser, positive_int
from nn.init import initial_weights

OUTPUT_REUSE_LIMIT = 2**17      # elements: 1 MiB of float64, e.g. a batch of 2048 x 64 units
OUTPUT_REUSE_SHAPES = 8


class Layer:
    """Base class: a differentiable map y = f(x) with parameters named in `parameter_names`."""

    parameter_names = ()
    buffer_names = ()   # state that is saved but not trained (BatchNorm's running statistics)
    training = True     # Sequential.train() / eval() set it; only layers such as BatchNorm read it
    reuse_outputs = 0       # set by a Sequential while it runs the layer: its member count, or 0
    _reused_outputs = None  # {(name, shape, dtype): array}, made on first use
    fresh_outputs = False   # forward's y and backward's dL/dx are arrays no one else holds
    overwrite_input = False     # set by a Sequential: the layer before has fresh outputs
    overwrite_grad = False      # set by a Sequential: the layer after has fresh outputs

    def _output(self, name, shape, dtype):
        """The array an output goes into: this layer's own reused array, or a fresh one."""
        if not self.reuse_outputs:
            return np.empty(shape, dtype)
        arrays = self._reused_outputs
        key = (name, shape, dtype)
        if arrays is not None and key in arrays:   # the hot path: one lookup (kept only if small)
            return arrays[key]
        if math.prod(shape) > OUTPUT_REUSE_LIMIT * self.reuse_outputs:
            return np.empty(shape, dtype)
        if arrays is None:
            arrays = self._reused_outputs = {}
        if len(arrays) >= OUTPUT_REUSE_SHAPES:
            del arrays[next(iter(arrays))]
        array = arrays[key] = np.empty(shape, dtype)
        return array

    def _elementwise_output(self, name, x, *others, dtype=None):
        """For an elementwise layer: its reused output array of x's shape, or None (NumPy then
        allocates, as an unflagged call does) unless x and `others` are floats of one dtype."""
        if not self.reuse_outputs or x.dtype.kind != "f" or any(o.dtype != x.dtype for o in others):
            return None
        return self._output(name, x.shape, x.dtype if dtype is None else np.dtype(dtype))

    def _in_place_output(self, x):
        """For an elementwise layer's forward: x itself when the running Sequential allows
        writing over it (see "In-place work" above), else the layer's output array "y"."""
        if self.reuse_outputs and self.overwrite_input and x.dtype.kind == "f":
            return x
        return self._output("y", x.shape, x.dtype)

    def _in_place_grad(self, grad_y, dtype):
        """For an elementwise layer's backward: dL/dy itself when the running Sequential allows
        writing over it and it has the result's dtype, else the layer's array "grad_x"."""
        if self.reuse_outputs and self.overwrite_grad and grad_y.dtype == dtype:
            return grad_y
        return self._output("grad_x", grad_y.shape, dtype)

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_y, param_grads=True):
        raise NotImplementedError

    def config(self):
        """Architecture as a JSON-serialisable dict
        {"type": class name, **constructor arguments}."""
        return {"type": type(self).__name__}

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "type")
        return f"{type(self).__name__}({arguments})"


class Linear(Layer):
    """Affine map y = x W + b, W of shape (in_features, out_features), b of shape (out_features,).

    With stack=E the layer holds E independent members: W of shape (E, in, out), b of shape
    (E, out), and x of shape (E, ..., batch, in) is mapped member by member (batched matmul).
    init: "glorot" (default), "he", ("normal", std) or "zeros"; see nn.init. Biases start at 0.
    """

    parameter_names = ("W", "b")
    fresh_outputs = True    # y and dL/dx are new (or this layer's reused) arrays, kept by no one

    def __init__(self, in_features, out_features, rng=None, init="glorot", dtype=np.float64,
                 stack=None, negative_slope=0.0):
        self.in_features = positive_int("in_features", in_features)
        self.out_features = positive_int("out_features", out_features)
        if stack is not None and (not isinstance(stack, (int, np.integer)) or stack < 1):
            raise ValueError(f"stack must be None or a positive integer, got {stack!r}")
        initialiser(init, rng)
        self.dtype = float_dtype(dtype)
        self.stack = stack
        members = () if stack is None else (int(stack),)
        self.W = initial_weights(init, members + (self.in_features, self.out_features),
                                 self.in_features, self.out_features, rng, self.dtype,
                                 negative_slope)
        self.b = np.zeros(members + (self.out_features,), dtype=self.dtype)
        self.grad_W = np.zeros_like(self.W)
        self.grad_b = np.zeros_like(self.b)
        self.x = None

    def config(self):
        return {"type": "Linear", "in_features": self.in_features,
                "out_features": self.out_features, "stack": self.stack}

    def _check_input(self, x):
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(f"Linear expected x with {self.in_features} features "
                             f"on its last axis, got shape {x.shape}")
        if self.stack is not None and (x.ndim < 3 or x.shape[0] != self.stack):
            raise ValueError(f"Linear with stack={self.stack} expected x of shape "
                             f"({self.stack}, ..., batch, {self.in_features}), got shape {x.shape}")

    def forward(self, x):
        """y = x W + b (per member when stacked)."""
        self._check_input(x)
        self.x = x
        if self.stack is not None:
            members = x.reshape(self.stack, -1, self.in_features)
            y = np.matmul(members, self.W)                  # (E, n, in) @ (E, in, out)
            y += self.b[:, None, :]
            return y.reshape(x.shape[:-1] + (self.out_features,))
        W = self.W
        dtype = x.dtype if x.dtype == W.dtype else np.result_type(x, W)
        y = self._output("y", x.shape[:-1] + (self.out_features,), dtype)
        if x.ndim == 2:
            rows, y_rows = x, y
        else:
            rows, y_rows = x.reshape(-1, self.in_features), y.reshape(-1, self.out_features)
        W_and_b = self._weights_with_bias(x.dtype) if self.in_features == 1 else None
        if W_and_b is not None:      # one input feature: y = [x 1] [W; b], one BLAS call
            np.dot(self._with_ones(rows), W_and_b, out=y_rows)
            return y
        np.matmul(rows, W, out=y_rows)
        y_rows += self.b
        return y

    # One input feature (a 1D GAN's first layer): x W alone would be an outer product, which
    # NumPy's broadcasting or np.matmul with an inner dimension of 1 compute slowly, plus a pass
    # to add b. Treating the bias as the weight of a constant input 1 (Bishop 1995, section 3.1)
    # makes it one matrix product with an inner dimension of 2: y = [x 1] [W; b], and backward's
    # [dL/dW; dL/db] = [x 1]^T dL/dy another. [W; b] is a view of the flat buffer, where a
    # Sequential stores b right after W (for a stack of E members: all W_e, then all b_e).

    def _weights_with_bias(self, dtype, gradients=False):
        """[W; b] (or [dL/dW; dL/db]) as one view of shape (..., 2, out), or None unless
        in_features is 1, both lie in one buffer, and x has their dtype."""
        weights, bias = (self.grad_W, self.grad_b) if gradients else (self.W, self.b)
        if self.in_features != 1 or dtype != weights.dtype:
            return None
        cache = self.__dict__.setdefault("_joined_views", {})
        entry = cache.get(gradients)
        if entry is None or entry[0] is not weights or entry[1] is not bias:
            view = None
            if (weights.base is not None and weights.base is bias.base
                    and weights.flags.c_contiguous and bias.flags.c_contiguous):
                bias_offset = bias.ctypes.data - weights.ctypes.data   # bytes from W_e to b_e
                shape = weights.shape[:-2] + (2, self.out_features)
                strides = weights.strides[:-2] + (bias_offset, weights.itemsize)
                view = np.lib.stride_tricks.as_strided(weights, shape, strides)
            entry = cache[gradients] = (weights, bias, view)
        return entry[2]

    def _with_ones(self, rows):
        """[x 1]: rows (..., n, 1) beside a column of ones, in a reused array; kept for backward."""
        x_and_1 = self._output("x_and_1", rows.shape[:-1] + (2,), rows.dtype)
        x_and_1[..., 0] = rows[..., 0]
        x_and_1[..., 1] = 1
        self.x_and_1 = x_and_1
        return x_and_1

    def backward(self, grad_y, param_grads=True):
        """dL/dW = x^T dL/dy, dL/db = sum of dL/dy over all leading axes, dL/dx = dL/dy W^T."""
        if self.stack is not None:
            x = self.x.reshape(self.stack, -1, self.in_features)
            grad = grad_y.reshape(self.stack, -1, self.out_features)
            if param_grads:
                np.matmul(x.transpose(0, 2, 1), grad, out=self.grad_W)   # per member x^T dL/dy
                np.sum(grad, axis=1, out=self.grad_b)
            grad_x = np.matmul(grad, self.W.transpose(0, 2, 1))
            return grad_x.reshape(self.x.shape)
        x = self.x if self.x.ndim == 2 else self.x.reshape(-1, self.in_features)
        grad = grad_y if grad_y.ndim == 2 else grad_y.reshape(-1, self.out_features)
        grads_joined = (self._weights_with_bias(x.dtype, gradients=True)
                        if param_grads and self.in_features == 1 else None)
        if grads_joined is not None and grad.dtype == x.dtype:
            np.dot(self.x_and_1.T, grad, out=grads_joined)   # [dL/dW; dL/db] = [x 1]^T dL/dy
        elif param_grads:
            np.matmul(x.T, grad, out=self.grad_W)          # dL/dW = x^T dL/dy
            np.matmul(self._ones(len(grad), grad.dtype), grad, out=self.grad_b)
            # dL/db = 1^T dL/dy, the sum over the batch (one BLAS call; faster than a row reduction)
        dtype = grad.dtype if grad.dtype == self.W.dtype else np.result_type(grad, self.W)
        grad_x = self._output("grad_x", self.x.shape, dtype)
        grad_x_rows = grad_x if grad_x.ndim == 2 else grad_x.reshape(-1, self.in_features)
        if self.out_features == 1:
            # dL/dx = dL/dy W^T, an outer product (BLAS)
            np.dot(grad, self.W.T, out=grad_x_rows)
        else:
            np.matmul(grad, self.W.T, out=grad_x_rows)      # dL/dx = dL/dy W^T
        return grad_x

    def _ones(self, n, dtype):
        ones = self.__dict__.get("_ones_vector")
        if ones is None or ones.shape != (n,) or ones.dtype != dtype:
            ones = self._ones_vector = np.ones(n, dtype)
        return ones


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
        if x.dtype.kind != "f":
            return np.maximum(x, 0)
        return np.maximum(x, 0, out=self._in_place_output(x))

    def backward(self, grad_y, param_grads=True):
        if grad_y.dtype.kind != "f":
            return grad_y * self.active
        return np.multiply(grad_y, self.active, out=self._in_place_grad(grad_y, grad_y.dtype))


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
        grad_x = self._in_place_grad(grad_y, np.result_type(grad_y, self.local_slope))
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


class Softplus(Layer):
    """y = softplus(x) = log(1 + e^x), computed as logaddexp(0, x); dy/dx = sigma(x)."""

    def derivatives(self, x):
        """(softplus x, sigma(x), sigma(x)(1 - sigma(x))): see `Identity.derivatives`."""
        s = expit(x)
        return np.logaddexp(0, x), s, s * (1 - s)

    def forward(self, x):
        self.x = x
        return np.logaddexp(0, x, out=self._elementwise_output("y", x))

    def backward(self, grad_y, param_grads=True):
        grad_x = self._elementwise_output("grad_x", grad_y, self.x)
        if grad_x is None:
            return grad_y * expit(self.x)
        expit(self.x, out=grad_x)
        return np.multiply(grad_y, grad_x, out=grad_x)   # dL/dx = sigma(x) dL/dy


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "softplus": Softplus,
    "identity": Identity,
}

LAYER_TYPES = {cls.__name__: cls
               for cls in (Linear, Identity, ReLU, LeakyReLU, Tanh, Sigmoid, Softplus)}


def layer_from_config(config, dtype=np.float64):
    """Rebuild a layer from `Layer.config()`; parameters start at zero (a checkpoint fills them)."""
    arguments = dict(config)
    type_name = arguments.pop("type", None)
    if type_name not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {type_name!r}; known types: {sorted(LAYER_TYPES)}")
    layer_class = LAYER_TYPES[type_name]
    if type_name in ("Linear", "Conv2d", "ConvTranspose2d"):    # random weights: start at zero
        return layer_class(**arguments, init="zeros", dtype=dtype)
    if layer_class.parameter_names:
        return layer_class(**arguments, dtype=dtype)
    return layer_class(**arguments)
