"""Layers of the fast engine: the base class `Layer`, with the rules every fast layer follows, and
`Linear`, the affine map, unstacked or stacked. Each is a subclass of its textbook twin in
nn.layers: constructor, config() and the registry are written there; here is what is optimised
(where arrays live, forward and backward). The fast layers form a family of their own (the
registry LAYER_TYPES below), so `layer_from_config` rebuilds fast layers and nn.layers' rebuilds
textbook ones, from the same configs.

Conventions every fast layer adds to the protocol of nn.layers
- Gradients are written in place (`out=`) into the existing `grad_<name>` arrays, because a
  Sequential rebinds them to views of one flat buffer; write parameters in place too
  (`layer.W[...] = ...`), never rebind them.
- The cached input is a reference, not a copy: do not modify x in place between forward and
  backward.
- A layer whose `skips_input_grad` is True (Linear, Conv2d, ConvTranspose2d) also takes
  `backward(grad_y, param_grads, input_grad=False)`: it then sets its parameter gradients but
  does not compute dL/dx, and returns None. A Sequential asks this of its first layer with
  parameters when its caller does not need dL/dx (G's noise z, D's data x) and runs no layer
  before it, so no product is spent on a gradient nobody reads.

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

import nn.layers as textbook

OUTPUT_REUSE_LIMIT = 2**17      # elements: 1 MiB of float64, e.g. a batch of 2048 x 64 units
OUTPUT_REUSE_SHAPES = 8


LAYER_TYPES = {}


class Layer(textbook.Layer):
    """The textbook Layer with the fast engine's rules (above): reused output arrays, in-place
    work. Its subclasses register in this engine's LAYER_TYPES, not in the textbook's."""

    layer_types = LAYER_TYPES
    reuse_outputs = 0       # set by a Sequential while it runs the layer: its member count, or 0
    _reused_outputs = None  # {(name, shape, dtype): array}, made on first use
    fresh_outputs = False   # forward's y and backward's dL/dx are arrays no one else holds
    overwrite_input = False     # set by a Sequential: the layer before has fresh outputs
    overwrite_grad = False      # set by a Sequential: the layer after has fresh outputs
    skips_input_grad = False    # backward takes input_grad=False (see the conventions above)

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
        writing over it (see "In-place work" above), else `_elementwise_output("y", x)`."""
        if self.reuse_outputs and self.overwrite_input and x.dtype.kind == "f":
            return x
        return self._elementwise_output("y", x)

    def _in_place_grad(self, grad_y, *others):
        """For an elementwise layer's backward whose result mixes grad_y with `others`: grad_y
        itself when the running Sequential allows writing over it and all are floats of one
        dtype, else `_elementwise_output("grad_x", grad_y, *others)`."""
        if (self.reuse_outputs and self.overwrite_grad and grad_y.dtype.kind == "f"
                and all(other.dtype == grad_y.dtype for other in others)):
            return grad_y
        return self._elementwise_output("grad_x", grad_y, *others)


class Linear(textbook.Linear, Layer):
    """Affine map y = x W + b, W of shape (in_features, out_features), b of shape (out_features,).

    With stack=E (an argument only this engine has) the layer holds E independent members: W of
    shape (E, in, out), b of shape (E, out), and x of shape (E, ..., batch, in) is mapped member
    by member, each member by the very BLAS calls of an unstacked Linear (dL/dW_e =
    x_e^T dL/dy_e, dL/db_e = 1^T dL/dy_e, dL/dx_e = dL/dy_e W_e^T, batched over e), so member e
    equals, bitwise, a single Linear holding W[e] and b[e]: what lets an ensemble reproduce its
    single runs (gan.lab.ensemble).
    init: "glorot" (default), "he", ("normal", std) or "zeros"; see nn.init. Biases start at 0.
    """

    fresh_outputs = True    # y and dL/dx are new (or this layer's reused) arrays, kept by no one
    skips_input_grad = True     # backward(..., input_grad=False) leaves dL/dx out

    def __init__(self, in_features, out_features, rng=None, init="glorot", dtype=np.float64,
                 negative_slope=0.0, stack=None):
        self.stack = member_count(stack)
        super().__init__(in_features, out_features, rng, init, dtype, negative_slope)
        self.x = None

    def config(self):
        config = super().config()
        if self.stack is not None:         # an unstacked Linear's config is the textbook one
            config["stack"] = self.stack
        return config

    def _shape(self, *sides):
        return sides if self.stack is None else (self.stack,) + sides

    def _check_input(self, x):
        textbook.Linear._check_input(self, x)
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


def member_count(stack):
    """`stack`, the number of stacked members, as an int, or None (unstacked); ValueError unless
    it is None or a positive integer."""
    if stack is None:
        return None
    if isinstance(stack, bool) or not isinstance(stack, (int, np.integer)) or stack < 1:
        raise ValueError(f"stack must be None or a positive integer, got {stack!r}")
    return int(stack)


def layer_from_config(config, dtype=np.float64):
    """Rebuild a layer of the fast engine from its `config()` (see nn.layers.Layer.from_config)."""
    return Layer.from_config(config, dtype)
