"""Activations of the fast engine: each a subclass of its textbook twin in nn.activations, which
holds f, f' and f'' (`derivatives`, what a double backward such as WGAN-GP's penalty reads) and
the constructor; here forward and backward are rewritten with ``out=`` under the rules of
nn.fast.layers (reused outputs; in-place work inside a Sequential: LeakyReLU, ReLU and Softplus
write y over x and dL/dx over dL/dy when a Linear stands beside them). Softplus also rewrites
`derivatives`, with the vectorised exp and log of its forward.
"""

import numpy as np
from scipy.special import expit

import nn.activations as textbook
from nn.fast.layers import LAYER_TYPES, OUTPUT_REUSE_LIMIT, Layer


class Identity(textbook.Identity, Layer):
    """y = x: x itself (no copy, no f'(x) kept)."""

    def forward(self, x):
        return x

    def backward(self, grad_y, param_grads=True, input_grad=True):
        return grad_y


class ReLU(textbook.ReLU, Layer):
    """y = max(x, 0); forward keeps 1[x > 0] as booleans, backward is one product."""

    def forward(self, x):
        self.active = np.greater(x, 0, out=self._elementwise_output("active", x, dtype=np.bool_))
        return np.maximum(x, 0, out=self._in_place_output(x))

    def backward(self, grad_y, param_grads=True, input_grad=True):
        return np.multiply(grad_y, self.active, out=self._in_place_grad(grad_y))


class LeakyReLU(textbook.LeakyReLU, Layer):
    """y = x for x > 0, slope * x otherwise. The map is piecewise linear, so y = f'(x) x: forward
    caches the local slope f'(x) and backward is one product, dL/dx = f'(x) dL/dy.
    """

    def forward(self, x):
        local_slope = self._output("local_slope", x.shape, x.dtype)
        positive = np.greater(x, 0, out=self._output("positive", x.shape, np.bool_))
        np.copyto(local_slope, positive)                  # 1[x > 0] as 1.0 or 0.0
        # (two passes through a boolean array beat np.greater writing floats, which casts each)
        np.maximum(local_slope, x.dtype.type(self.slope), out=local_slope)
        # f'(x) = max(1[x > 0], s): 1 or s exactly, as 0 <= s < 1 (one pass where
        # 1[x > 0] (1 - s) + s took two)
        self.local_slope = local_slope
        return np.multiply(x, local_slope, out=self._in_place_output(x))    # y = f'(x) x

    def backward(self, grad_y, param_grads=True, input_grad=True):
        grad_x = self._in_place_grad(grad_y, self.local_slope)
        return np.multiply(grad_y, self.local_slope, out=grad_x)          # dL/dx = f'(x) dL/dy


class Tanh(textbook.Tanh, Layer):
    """y = tanh(x); forward keeps y, backward forms dy/dx = 1 - y^2 in a reused array."""

    def forward(self, x):
        self.y = np.tanh(x, out=self._elementwise_output("y", x))
        return self.y

    def backward(self, grad_y, param_grads=True, input_grad=True):
        grad_x = self._elementwise_output("grad_x", grad_y, self.y)
        if grad_x is None:
            return grad_y * (1 - self.y * self.y)
        np.multiply(self.y, self.y, out=grad_x)
        np.subtract(1, grad_x, out=grad_x)               # 1 - y^2
        return np.multiply(grad_y, grad_x, out=grad_x)   # dL/dx = (1 - y^2) dL/dy


class Sigmoid(textbook.Sigmoid, Layer):
    """y = sigma(x); forward keeps y, backward forms dy/dx = y (1 - y) in a reused array."""

    def forward(self, x):
        self.y = expit(x, out=self._elementwise_output("y", x))
        return self.y

    def backward(self, grad_y, param_grads=True, input_grad=True):
        grad_x = self._elementwise_output("grad_x", grad_y, self.y)
        if grad_x is None:
            return grad_y * (self.y * (1 - self.y))
        np.subtract(1, self.y, out=grad_x)
        grad_x *= self.y                                 # y (1 - y)
        return np.multiply(grad_y, grad_x, out=grad_x)   # dL/dx = y (1 - y) dL/dy


def softplus_into(x, y, e, scratch):
    """y = softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e) with e = exp(-|x|): exact in both
    tails, never overflowing (log(1 + e^x) = x + log(1 + e^-x) for x > 0). Written with ``out=``
    into y (which may be x itself), e (kept: the backward's sigmoid is made from it) and
    `scratch`, a pair of arrays of x's shape. NumPy's vectorised exp and log, where
    np.logaddexp(0, x) runs a scalar loop of libm calls (5-6x slower on the default G's layers).

    float32: NumPy's float32 log1p is a scalar loop as well (2-3x slower than its vectorised
    float32 log here), so log1p(e) = log(u) + c / u, u = fl(1 + e) and c = 1 + e - u = e - (u - 1)
    the rounding error of u, computed exactly (u - 1 by Sterbenz's lemma, then Fast2Sum, Dekker
    1971, as 1 >= e). log(u + c) = log(u) + c / u - (c / u)^2 / 2 ..., and |c / u| <= 2^-24, so
    the sum is as accurate as the log itself (within two ulps, tests/test_nn_fast_activations.py).
    """
    np.abs(x, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)                                 # e = exp(-|x|), in (0, 1]
    log1p_e, correction = scratch
    if e.dtype == np.float32:
        np.add(e, 1, out=log1p_e)                    # u = fl(1 + e), in [1, 2]
        np.subtract(log1p_e, 1, out=correction)      # u - 1, exact
        np.subtract(e, correction, out=correction)   # c = 1 + e - u, exact
        correction /= log1p_e                        # c / u
        np.log(log1p_e, out=log1p_e)
        log1p_e += correction                        # log1p(e) = log(u) + c / u
    else:
        np.log1p(e, out=log1p_e)
    np.maximum(x, 0, out=y)
    y += log1p_e
    return y


def sigmoid_times_into(grad_y, e, nonnegative, out, scratch):
    """out = sigma(x) grad_y from e = exp(-|x|) and nonnegative = 1[x >= 0] (as floats), both
    kept by the forward: sigma(x) = 1 / (1 + e^-x) is 1 / (1 + e) for x >= 0 and
    e^x / (1 + e^x) = e / (1 + e) for x < 0, i.e. n / (1 + e) with the numerator
    n = max(e, 1[x >= 0]) (e <= 1): quotients of numbers known to full relative precision (no
    cancellation, no overflow, no exp or log; NumPy's masked copy, a branch per element, would
    cost 10x these four passes at an ensemble's sizes). ``out`` may be grad_y itself; scratch is
    an array of x's shape."""
    np.maximum(e, nonnegative, out=scratch)          # n: 1 for x >= 0, e for x < 0
    np.multiply(grad_y, scratch, out=out)
    np.add(e, 1, out=scratch)                        # 1 + e
    return np.divide(out, scratch, out=out)          # dL/dx = n / (1 + e) dL/dy = sigma(x) dL/dy


class Softplus(textbook.Softplus, Layer):
    """y = softplus(x) = log(1 + e^x); dy/dx = sigma(x), from the exp(-|x|) the forward computed.

    Inside a Sequential it works in place as LeakyReLU does: y over x and dL/dx over dL/dy (the
    backward needs only e = exp(-|x|) and the sign of x, which the layer keeps in arrays of its
    own). See `softplus_into` and `sigmoid_times_into` for the arithmetic.
    """

    def derivatives(self, x):
        """(softplus x, sigma(x), sigma(x)(1 - sigma(x))), from exp(-|x|) as the forward computes
        them (np.logaddexp, the textbook's softplus, is a scalar loop of libm calls)."""
        x = _floats(x)
        e, nonnegative = _exp_and_sign(x)
        s = sigmoid_times_into(np.ones_like(x), e, nonnegative, np.empty_like(x), np.empty_like(x))
        return softplus_in_chunks(x), s, s * (1 - s)

    def forward(self, x):
        x = _floats(x)
        if x.size > OUTPUT_REUSE_LIMIT * max(self.reuse_outputs, 1) and x.flags.c_contiguous:
            return self.forward_in_chunks(x)
        self.x = None
        y = self._in_place_output(x)
        y = np.empty_like(x) if y is None else y
        sign = np.greater_equal(x, 0, out=self._output("sign", x.shape, np.bool_))
        self.nonnegative = self._output("nonnegative", x.shape, x.dtype)
        np.copyto(self.nonnegative, sign)     # 1[x >= 0] as 1.0 or 0.0 (as LeakyReLU's slope)
        self.e = self._output("e", x.shape, x.dtype)
        scratch = (self._output("scratch", x.shape, x.dtype),
                   self._output("correction", x.shape, x.dtype) if x.dtype == np.float32
                   else None)
        return softplus_into(x, y, self.e, scratch)

    def forward_in_chunks(self, x):
        """y = softplus(x) by `softplus_in_chunks`, keeping x (not written over) instead of the
        backward's e = exp(-|x|) and 1[x >= 0], which backward then recomputes (the same
        numbers). For the large batches of an evaluation (over OUTPUT_REUSE_LIMIT elements per
        member), which rarely see a backward: the whole-array form would allocate and fault in
        three more arrays of x's size and stream each through memory once per pass."""
        self.x, self.e, self.nonnegative = x, None, None
        return softplus_in_chunks(x)

    def backward(self, grad_y, param_grads=True, input_grad=True):
        if self.x is not None:                   # after forward_in_chunks
            e, nonnegative = _exp_and_sign(self.x)
            grad_x = np.empty(grad_y.shape, np.result_type(grad_y, e))
            return sigmoid_times_into(grad_y, e, nonnegative, grad_x, np.empty_like(grad_x))
        grad_x = self._in_place_grad(grad_y, self.e)
        if grad_x is None:
            grad_x = np.empty(grad_y.shape, np.result_type(grad_y, self.e))
        scratch = self._output("scratch", grad_x.shape, grad_x.dtype)
        return sigmoid_times_into(grad_y, self.e, self.nonnegative, grad_x, scratch)


CHUNK = 2**15   # elements: 256 KiB of float64, so x, y and the scratch arrays of a chunk share L2


def softplus_in_chunks(x):
    """softplus(x) into a new array by `softplus_into`, CHUNK elements at a time through small
    scratch arrays, so its passes run in cache: the same numbers as one call on the whole array
    (each element's arithmetic does not depend on its neighbours)."""
    x = np.ascontiguousarray(x)
    y = np.empty(x.shape, x.dtype)
    flat_x, flat_y, size = x.reshape(-1), y.reshape(-1), max(min(CHUNK, x.size), 1)
    e, log1p_e = np.empty(size, x.dtype), np.empty(size, x.dtype)
    correction = np.empty(size, x.dtype) if x.dtype == np.float32 else None
    for start in range(0, x.size, size):
        n = min(size, x.size - start)
        part = slice(start, start + n)
        softplus_into(flat_x[part], flat_y[part], e[:n],
                      (log1p_e[:n], None if correction is None else correction[:n]))
    return y


def _exp_and_sign(x):
    """e = exp(-|x|) and 1[x >= 0] as floats, as new arrays, by the passes of `softplus_into`
    and `Softplus.forward` (so the same numbers)."""
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    return e, np.greater_equal(x, 0).astype(x.dtype)


def _floats(x):
    """x itself if it holds floats, else as float64 (as a ufunc would compute on integers)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


# the textbook's table of activations by name, with this engine's classes
ACTIVATIONS = {name: LAYER_TYPES[layer.__name__] for name, layer in textbook.ACTIVATIONS.items()}
