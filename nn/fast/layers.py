"""Layers: `Linear`, the one with parameters (unstacked or stacked), and the registry that
rebuilds any layer from its config. The base class `Layer` (with the rules every layer follows:
shapes, gradients, reused output arrays, in-place work) is in `nn.fast.layer` and the
activations are in `nn.fast.activations`; both are importable from here too.
"""

import numpy as np

from nn.fast.activations import (  # noqa: F401  (re-exported: layers are found here)
    ACTIVATIONS,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softplus,
    Tanh,
)
from nn.checks import float_dtype, initialiser, positive_int
from nn.init import initial_weights
from nn.fast.layer import (  # noqa: F401  (re-exported)
    OUTPUT_REUSE_LIMIT, OUTPUT_REUSE_SHAPES, Layer)


class Linear(Layer):
    """Affine map y = x W + b, W of shape (in_features, out_features), b of shape (out_features,).

    With stack=E the layer holds E independent members: W of shape (E, in, out), b of shape
    (E, out), and x of shape (E, ..., batch, in) is mapped member by member, each member by the
    very BLAS calls of an unstacked Linear (dL/dW_e = x_e^T dL/dy_e, dL/db_e = 1^T dL/dy_e,
    dL/dx_e = dL/dy_e W_e^T, batched over e), so member e equals, bitwise, a single Linear holding
    W[e] and b[e]: what lets an ensemble reproduce its single runs (gan.lab.ensemble).
    init: "glorot" (default), "he", ("normal", std) or "zeros"; see nn.init. Biases start at 0.
    """

    parameter_names = ("W", "b")
    fresh_outputs = True    # y and dL/dx are new (or this layer's reused) arrays, kept by no one
    skips_input_grad = True     # backward(..., input_grad=False) leaves dL/dx out

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
            return self._stacked_forward(x)
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
        np.dot(rows, W, out=y_rows)     # np.dot: the BLAS call np.matmul makes for 2-D arrays (the
        y_rows += self.b                # same numbers) at less overhead per call, 1-3 us here
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

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """dL/dW = x^T dL/dy, dL/db = sum of dL/dy over all leading axes, dL/dx = dL/dy W^T
        (with input_grad=False dL/dx is not computed and None is returned)."""
        if self.stack is not None:
            return self._stacked_backward(grad_y, param_grads, input_grad)
        x = self.x if self.x.ndim == 2 else self.x.reshape(-1, self.in_features)
        grad = grad_y if grad_y.ndim == 2 else grad_y.reshape(-1, self.out_features)
        grads_joined = (self._weights_with_bias(x.dtype, gradients=True)
                        if param_grads and self.in_features == 1 else None)
        if grads_joined is not None and grad.dtype == x.dtype:
            np.dot(self.x_and_1.T, grad, out=grads_joined)   # [dL/dW; dL/db] = [x 1]^T dL/dy
        elif param_grads:
            np.dot(x.T, grad, out=self.grad_W)             # dL/dW = x^T dL/dy
            np.dot(self._ones(len(grad), grad.dtype), grad, out=self.grad_b)
            # dL/db = 1^T dL/dy, the sum over the batch (one BLAS call; faster than a row reduction)
        if not input_grad:
            return None
        dtype = grad.dtype if grad.dtype == self.W.dtype else np.result_type(grad, self.W)
        grad_x = self._output("grad_x", self.x.shape, dtype)
        grad_x_rows = grad_x if grad_x.ndim == 2 else grad_x.reshape(-1, self.in_features)
        np.dot(grad, self.W.T, out=grad_x_rows)            # dL/dx = dL/dy W^T
        return grad_x

    # ---- stacked members: each member's BLAS calls are those of an unstacked Linear -------------
    def _stacked_forward(self, x):
        """y_e = x_e W_e + b_e for each member e (into a reused array, as the unstacked output).
        One input feature: y_e = [x_e 1] [W_e; b_e] when W and b share a buffer, as unstacked;
        otherwise x_e W_e is an outer product, taken by broadcasting (each entry one exact
        product, as in the BLAS call)."""
        members = x.reshape(self.stack, -1, self.in_features)
        y = self._output("y", members.shape[:-1] + (self.out_features,), np.result_type(x, self.W))
        W_and_b = self._weights_with_bias(x.dtype)
        if W_and_b is not None:
            np.matmul(self._with_ones(members), W_and_b, out=y)
        else:
            if self.in_features == 1:
                np.multiply(members, self.W, out=y)
            else:
                np.matmul(members, self.W, out=y)      # (E, n, in) @ (E, in, out)
            y += self.b[:, None, :]
        return y.reshape(x.shape[:-1] + (self.out_features,))

    def _stacked_backward(self, grad_y, param_grads, input_grad):
        """Per member: [dL/dW_e; dL/db_e] = [x_e 1]^T dL/dy_e (joined) or x_e^T dL/dy_e and
        1^T dL/dy_e (a sum by np.sum would round differently from the unstacked 1^T dL/dy);
        dL/dx_e = dL/dy_e W_e^T, for one output feature an outer product (`_padded_outer_factors`)."""
        x = self.x.reshape(self.stack, -1, self.in_features)
        grad = grad_y.reshape(self.stack, -1, self.out_features)
        grads_joined = self._weights_with_bias(x.dtype, gradients=True) if param_grads else None
        if grads_joined is not None and grad.dtype == x.dtype:
            np.matmul(self.x_and_1.transpose(0, 2, 1), grad, out=grads_joined)
        elif param_grads:
            np.matmul(x.transpose(0, 2, 1), grad, out=self.grad_W)              # x_e^T dL/dy_e
            np.matmul(self._ones(grad.shape[1], grad.dtype), grad, out=self.grad_b)
        if not input_grad:
            return None
        grad_x = self._output("grad_x", x.shape, np.result_type(grad, self.W))
        if self.out_features == 1 and grad.dtype == self.W.dtype:
            np.matmul(*self._padded_outer_factors(grad), out=grad_x)
        elif self.out_features == 1:
            np.multiply(grad, self.W.transpose(0, 2, 1), out=grad_x)
        else:
            np.matmul(grad, self.W.transpose(0, 2, 1), out=grad_x)
        return grad_x.reshape(self.x.shape)

    def _padded_outer_factors(self, grad):
        """dL/dx_e = dL/dy_e W_e^T for one output feature, an outer product, as [g_e 0] [w_e^T; 0]:
        each entry g w + 0 0 is the one exact product fl(g w) of the unstacked call (to the sign
        of a zero), but a BLAS call with an inner dimension of 2 writes an (E, n, in) block 3-4x
        faster here than NumPy's broadcast product, whose inner loop is one row of `in`
        entries, or a stacked np.matmul with an inner dimension of 1."""
        g_and_0 = self._output("g_and_0", grad.shape[:-1] + (2,), grad.dtype)
        g_and_0[..., 0] = grad[..., 0]
        g_and_0[..., 1] = 0
        w_and_0 = self._output("w_and_0", (self.stack, 2, self.in_features), grad.dtype)
        w_and_0[:, 0, :] = self.W[..., 0]
        w_and_0[:, 1, :] = 0
        return g_and_0, w_and_0

    def _ones(self, n, dtype):
        ones = self.__dict__.get("_ones_vector")
        if ones is None or ones.shape != (n,) or ones.dtype != dtype:
            ones = self._ones_vector = np.ones(n, dtype)
        return ones


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
