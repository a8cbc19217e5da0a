"""Convolutions of the textbook engine on images x of shape (batch, channels, height, width),
written from their definition as a sum over the kernel offsets (i, j).

Conv2d, a 2-D cross-correlation with kernel (kh, kw), stride s and zero padding p:
    y[n, o, r, q] = b[o] + sum_{c, i, j} W[o, c, i, j] x~[n, c, s r + i, s q + j],
x~ being x zero-padded by p; output size per axis (Dumoulin & Visin 2016, "A guide to convolution
arithmetic for deep learning", relationship 6): H_out = floor((H + 2p - k) / s) + 1.
For one offset (i, j) the pixels x~[:, :, s r + i, s q + j] over all (r, q) are one strided slice,
the "window" of (i, j); so a convolution is kh * kw products of a window with W[:, :, i, j].
ConvTranspose2d (DCGAN's fractional-strided convolution, Radford et al. 2016) is the adjoint: each
input pixel adds W-weighted copies of itself onto the output, window by window.
(nn.fast.conv computes the same sums by im2col and one matrix product.)
"""

import numpy as np

from nn.checks import float_dtype, initialiser, positive_int
from nn.init import initial_weights
from nn.layers import Layer


def _pair(name, value, minimum):
    values = value if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                   and v >= minimum for v in values):
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be a {kind} integer or a pair of them, got {value!r}")
    return int(values[0]), int(values[1])


def _compact(pair):
    return pair[0] if pair[0] == pair[1] else list(pair)


def _window(image, i, j, stride, rows, cols):
    """image[:, :, s r + i, s q + j] for r < rows, q < cols: a strided view, shape (n, c, rows,
    cols)."""
    (sh, sw) = stride
    return image[:, :, i:i + sh * (rows - 1) + 1:sh, j:j + sw * (cols - 1) + 1:sw]


class _Convolution(Layer):
    """What Conv2d and ConvTranspose2d share: validated geometry, W, b and their gradients."""

    parameter_names = ("W", "b")
    drawn_parameters = True

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, rng, init, dtype,
                 negative_slope, weight_order):
        self.in_channels = positive_int("in_channels", in_channels)
        self.out_channels = positive_int("out_channels", out_channels)
        self.kernel_size = _pair("kernel_size", kernel_size, 1)
        self.stride = _pair("stride", stride, 1)
        self.padding = _pair("padding", padding, 0)
        initialiser(init, rng)
        self.dtype = float_dtype(dtype)
        kh, kw = self.kernel_size
        # Glorot/He fans: every output sees in_channels kh kw inputs, every input feeds
        # out_channels kh kw outputs (stride ignored)
        fan_in, fan_out = self.in_channels * kh * kw, self.out_channels * kh * kw
        self.W = initial_weights(init, weight_order + self.kernel_size, fan_in, fan_out, rng,
                                 self.dtype, negative_slope)
        self.b = np.zeros(self.out_channels, dtype=self.dtype)
        self.grad_W = np.zeros_like(self.W)
        self.grad_b = np.zeros_like(self.b)

    def config(self):
        return {"type": type(self).__name__, "in_channels": self.in_channels,
                "out_channels": self.out_channels, "kernel_size": _compact(self.kernel_size),
                "stride": _compact(self.stride), "padding": _compact(self.padding)}

    def _check_input(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"{type(self).__name__} expected x of shape "
                             f"(batch, {self.in_channels}, height, width), got shape {x.shape}")

    def _offsets(self):
        return [(i, j) for i in range(self.kernel_size[0]) for j in range(self.kernel_size[1])]


class Conv2d(_Convolution):
    """y[n, o, r, q] = b[o] + sum_{c, i, j} W[o, c, i, j] x~[n, c, s r + i, s q + j].

    W has shape (out_channels, in_channels, kh, kw), b (out_channels,). init as Linear's with
    fan_in = in_channels kh kw, fan_out = out_channels kh kw (DCGAN: ("normal", 0.02)).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, rng=None,
                 init="glorot", dtype=np.float64, negative_slope=0.0):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, rng, init,
                         dtype, negative_slope, (out_channels, in_channels))

    def output_shape(self, input_shape):
        """(batch, out_channels, H_out, W_out), H_out = floor((H + 2p - k) / s) + 1."""
        rows, cols = ((n + 2 * p - k) // s + 1 for n, k, s, p in
                      zip(input_shape[2:], self.kernel_size, self.stride, self.padding))
        return (input_shape[0], self.out_channels, rows, cols)

    def forward(self, x):
        self._check_input(x)
        _, _, rows, cols = shape = self.output_shape(x.shape)
        if min(rows, cols) < 1:
            raise ValueError(f"Conv2d input of height x width {x.shape[2:]} is smaller than the "
                             f"kernel {self.kernel_size} after padding {self.padding}")
        (ph, pw) = self.padding
        self.input_shape = x.shape
        self.x_padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))               # x~
        y = np.zeros(shape, dtype=np.result_type(x, self.W))
        for i, j in self._offsets():
            window = _window(self.x_padded, i, j, self.stride, rows, cols)
            y += np.einsum("ncrq,oc->norq", window, self.W[:, :, i, j])
        return y + self.b[:, None, None]

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """dL/dW[o, c, i, j] = sum_{n, r, q} dy[n, o, r, q] x~[n, c, s r + i, s q + j];
        dL/db[o] = sum_{n, r, q} dy[n, o, r, q];
        dL/dx~[n, c, s r + i, s q + j] += sum_o dy[n, o, r, q] W[o, c, i, j], then dL/dx is
        the unpadded part of dL/dx~."""
        rows, cols = grad_y.shape[2:]
        grad_x_padded = np.zeros_like(self.x_padded, dtype=np.result_type(grad_y, self.W))
        grad_W = np.zeros_like(self.W)
        for i, j in self._offsets():
            window = _window(self.x_padded, i, j, self.stride, rows, cols)
            grad_W[:, :, i, j] = np.einsum("norq,ncrq->oc", grad_y, window)
            _window(grad_x_padded, i, j, self.stride, rows, cols)[...] += np.einsum(
                "norq,oc->ncrq", grad_y, self.W[:, :, i, j])
        if param_grads:
            self.grad_W, self.grad_b = grad_W, grad_y.sum(axis=(0, 2, 3))
        (ph, pw), (height, width) = self.padding, self.input_shape[2:]
        return grad_x_padded[:, :, ph:ph + height, pw:pw + width]


class ConvTranspose2d(_Convolution):
    """The adjoint of Conv2d: y~[n, o, s r + i, s q + j] += sum_c x[n, c, r, q] W[c, o, i, j],
    then y = y~ without its padding p, + b[o].

    W has shape (in_channels, out_channels, kh, kw) (PyTorch's layout). Output size per axis
    (Dumoulin & Visin 2016, relationship 14): H_out = (H - 1) s - 2p + k + output_padding,
    0 <= output_padding < s.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, rng=None, init="glorot", dtype=np.float64, negative_slope=0.0):
        self.output_padding = _pair("output_padding", output_padding, 0)
        strides = _pair("stride", stride, 1)
        if any(o >= s for o, s in zip(self.output_padding, strides)):
            raise ValueError(f"output_padding must be smaller than stride {strides} on each axis, "
                             f"got {output_padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, rng, init,
                         dtype, negative_slope, (in_channels, out_channels))

    def config(self):
        return {**super().config(), "output_padding": _compact(self.output_padding)}

    def output_shape(self, input_shape):
        """(batch, out_channels, H_out, W_out), H_out = (H - 1) s - 2p + k + output_padding."""
        rows, cols = ((n - 1) * s - 2 * p + k + o for n, s, p, k, o in zip(
            input_shape[2:], self.stride, self.padding, self.kernel_size, self.output_padding))
        return (input_shape[0], self.out_channels, rows, cols)

    def forward(self, x):
        self._check_input(x)
        batch, _, height, width = shape = self.output_shape(x.shape)
        if min(height, width) < 1:
            raise ValueError(f"ConvTranspose2d output would be {shape[2:]} for input "
                             f"{x.shape[2:]}: padding {self.padding} is too large")
        (ph, pw), (rows, cols) = self.padding, x.shape[2:]
        self.x = x
        y_padded = np.zeros((batch, self.out_channels, height + 2 * ph, width + 2 * pw),
                            dtype=np.result_type(x, self.W))                           # y~
        for i, j in self._offsets():
            _window(y_padded, i, j, self.stride, rows, cols)[...] += np.einsum(
                "ncrq,co->norq", x, self.W[:, :, i, j])
        return y_padded[:, :, ph:ph + height, pw:pw + width] + self.b[:, None, None]

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """With dy~ = dL/dy zero-padded by p:
        dL/dx[n, c, r, q] = sum_{o, i, j} W[c, o, i, j] dy~[n, o, s r + i, s q + j];
        dL/dW[c, o, i, j] = sum_{n, r, q} x[n, c, r, q] dy~[n, o, s r + i, s q + j];
        dL/db[o] = sum_{n, r, q} dy[n, o, r, q]."""
        (ph, pw), (rows, cols) = self.padding, self.x.shape[2:]
        grad_padded = np.pad(grad_y, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        grad_x = np.zeros(self.x.shape, dtype=np.result_type(grad_y, self.W))
        grad_W = np.zeros_like(self.W)
        for i, j in self._offsets():
            window = _window(grad_padded, i, j, self.stride, rows, cols)
            grad_x += np.einsum("norq,co->ncrq", window, self.W[:, :, i, j])
            grad_W[:, :, i, j] = np.einsum("ncrq,norq->co", self.x, window)
        if param_grads:
            self.grad_W, self.grad_b = grad_W, grad_y.sum(axis=(0, 2, 3))
        return grad_x
