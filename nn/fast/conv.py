"""Convolutions on images x of shape (batch, channels, height, width), by im2col and one matmul.

A 2-D cross-correlation (what deep learning calls convolution) with kernel (kh, kw), stride s and
zero padding p reads, for every output pixel (r, c), the window of the padded image x~ that starts
at (s r, s c). im2col copies those windows into the columns of one matrix X of shape
(channels * kh * kw, batch * output pixels), and the layer is one matrix product Y = W X + b.
Output size per axis (Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep
learning", relationship 6):  H_out = floor((H + 2p - k) / s) + 1.
col2im is the adjoint of im2col: it scatter-adds each column back onto the window it came from,
so <im2col(x), X> = <x, col2im(X)>. It loops over the kh * kw kernel offsets, never over pixels.
Layout: with the batch inside the columns, Y comes out as (channels, batch, H, W) in memory; the
layers return it as a transposed view of shape (batch, channels, H, W) rather than copy it (NumPy's
elementwise operations keep that layout, and the next im2col reads any strides).

ConvTranspose2d (the "fractional-strided" convolution of DCGAN, Radford et al. 2016) is the
adjoint of Conv2d with the same weights: its forward is Conv2d's input gradient (W^T, then col2im)
and its input gradient is Conv2d's forward (im2col, then W).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nn.checks import float_dtype, initialiser, positive_int
from nn.init import initial_weights
from nn.fast.layers import LAYER_TYPES, Layer


def _pair(name, value, minimum):
    """An int or a pair of ints, each >= minimum, as a tuple (vertical, horizontal)."""
    values = value if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                   and v >= minimum for v in values):
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be a {kind} integer or a pair of them, got {value!r}")
    return int(values[0]), int(values[1])


def _compact(pair):
    """A pair as it appears in config(): an int when both entries agree, else a JSON list."""
    return pair[0] if pair[0] == pair[1] else list(pair)


def convolution_output_size(size, kernel_size, stride, padding):
    """H_out = floor((H + 2p - k) / s) + 1 per axis (0 or less: the window does not fit)."""
    return tuple((n + 2 * p - k) // s + 1 for n, k, s, p in zip(size, kernel_size, stride, padding))


def im2col(x, kernel_size, stride=(1, 1), padding=(0, 0)):
    """Windows of the zero-padded x~ as columns: X[(c, i, j), (n, r, q)] = x~[n, c, sr + i, sq + j].

    x has shape (batch, channels, H, W); the result has shape (channels * kh * kw,
    batch * H_out * W_out) and is a fresh array (the one copy of the convolution's input).
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]   # (n, c, r, q, i, j)
    batch, channels, rows, columns = windows.shape[:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(channels * kh * kw, batch * rows * columns)


def col2im(columns, image_shape, kernel_size, stride=(1, 1), padding=(0, 0)):
    """Adjoint of im2col: x[n, c, u, v] = sum of X[(c, i, j), (n, r, q)] over s r + i - p = u and
    s q + j - p = v.


    columns has shape (channels * kh * kw, batch * H_out * W_out) for an image of `image_shape`
    (batch, channels, H, W); returns that image (a view laid out as (channels, batch, H, W)).
    One strided add per kernel offset (i, j).
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    batch, channels, height, width = image_shape
    rows, cols = convolution_output_size((height, width), kernel_size, stride, padding)
    windows = columns.reshape(channels, kh, kw, batch, rows, cols)
    padded = np.zeros((channels, batch, height + 2 * ph, width + 2 * pw), dtype=columns.dtype)
    for i in range(kh):
        for j in range(kw):
            rows_hit = slice(i, i + sh * (rows - 1) + 1, sh)
            cols_hit = slice(j, j + sw * (cols - 1) + 1, sw)
            padded[:, :, rows_hit, cols_hit] += windows[:, i, j]
    return padded[:, :, ph:ph + height, pw:pw + width].transpose(1, 0, 2, 3)


def _channels_first(x):
    """(batch, channels, H, W) -> the matrix (channels, batch * H * W); free for conv outputs."""
    return x.transpose(1, 0, 2, 3).reshape(x.shape[1], -1)


def _batch_first(matrix, shape):
    """The matrix (channels, batch * H * W) as a view of `shape` (batch, channels, H, W)."""
    return matrix.reshape(shape[1], shape[0], shape[2], shape[3]).transpose(1, 0, 2, 3)


class _Convolution(Layer):
    """What Conv2d and ConvTranspose2d share: validated geometry, W, b and their gradients."""

    parameter_names = ("W", "b")

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, rng, init, dtype,
                 negative_slope):
        self.in_channels = positive_int("in_channels", in_channels)
        self.out_channels = positive_int("out_channels", out_channels)
        self.kernel_size = _pair("kernel_size", kernel_size, 1)
        self.stride = _pair("stride", stride, 1)
        self.padding = _pair("padding", padding, 0)
        initialiser(init, rng)
        self.dtype = float_dtype(dtype)
        kh, kw = self.kernel_size
        # Glorot/He fans of a convolution: every output sees in_channels * kh * kw inputs, every
        # input feeds out_channels * kh * kw outputs (the usual convention; stride is ignored).
        fan_in, fan_out = self.in_channels * kh * kw, self.out_channels * kh * kw
        self.W = initial_weights(init, self._weight_shape(), fan_in, fan_out, rng, self.dtype,
                                 negative_slope)
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


class Conv2d(_Convolution):
    """y[n, o] = sum_c W[o, c] (cross-correlated with) x~[n, c] at stride s, + b[o]; as a matmul
    Y = W X + b with X = im2col(x) and W reshaped to (out_channels, in_channels * kh * kw).

    W has shape (out_channels, in_channels, kh, kw), b shape (out_channels,); x~ is x zero-padded
    by p. Output size per axis: H_out = floor((H + 2p - k) / s) + 1 (Dumoulin & Visin 2016).
    init: "glorot" (default), "he", ("normal", std) or "zeros" with fan_in = in_channels kh kw and
    fan_out = out_channels kh kw; DCGAN (Radford et al. 2016) draws every weight from N(0, 0.02^2),
    i.e. init=("normal", 0.02). Biases start at 0.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, rng=None,
                 init="glorot", dtype=np.float64, negative_slope=0.0):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, rng, init, dtype,
                         negative_slope)

    def _weight_shape(self):
        return (self.out_channels, self.in_channels) + self.kernel_size

    def output_shape(self, input_shape):
        """(batch, out_channels, H_out, W_out) for x of shape (batch, in_channels, H, W)."""
        rows, cols = convolution_output_size(input_shape[2:], self.kernel_size, self.stride,
                                             self.padding)
        return (input_shape[0], self.out_channels, rows, cols)

    def forward(self, x):
        """Y = W X + b, X = im2col(x), Y of shape (out_channels, batch * pixels)."""
        self._check_input(x)
        shape = self.output_shape(x.shape)
        if min(shape[2:]) < 1:
            raise ValueError(f"Conv2d input of height x width {x.shape[2:]} is smaller than the "
                             f"kernel {self.kernel_size} after padding {self.padding}")
        self.input_shape = x.shape
        self.X = im2col(x, self.kernel_size, self.stride, self.padding)
        Y = self.W.reshape(self.out_channels, -1) @ self.X
        Y += self.b[:, None]
        return _batch_first(Y, shape)

    def backward(self, grad_y, param_grads=True):
        """Derivation, with G = dL/dY of shape (out_channels, batch * pixels), from Y = W X + b:
            dL/dW = G X^T                  (Y is linear in W, with X as coefficient)
            dL/db = G summed over columns  (b is added to every pixel of every sample)
            dL/dX = W^T G                  (Y is linear in X)
            dL/dx = col2im(dL/dX)          (X = im2col(x) is linear; its transpose is col2im)
        """
        G = _channels_first(grad_y)
        W = self.W.reshape(self.out_channels, -1)
        if param_grads:
            np.matmul(G, self.X.T, out=self.grad_W.reshape(W.shape))     # dL/dW = G X^T
            np.sum(G, axis=1, out=self.grad_b)                          # dL/db = sum of G's columns
        grad_X = W.T @ G                                                # dL/dX = W^T G
        return col2im(grad_X, self.input_shape, self.kernel_size, self.stride, self.padding)


class ConvTranspose2d(_Convolution):
    """Fractional-strided convolution, the adjoint of Conv2d: y = col2im(W^T x) + b, with x as the
    matrix (in_channels, batch * pixels) and W as (in_channels, out_channels * kh * kw).

    W has shape (in_channels, out_channels, kh, kw) (PyTorch's layout), which is exactly the weight
    of the Conv2d(out_channels -> in_channels, same kernel, stride, padding) it transposes: for
    that Conv2d C with zero bias, <C u, v> = <u, ConvTranspose2d(v)>. Each input pixel
    scatters a W-weighted kernel-sized patch onto the output at stride s. Output size per axis
    (Dumoulin & Visin 2016, relationship 14):
        H_out = (H - 1) s - 2p + k + output_padding,   0 <= output_padding < s,
    where output_padding picks which of the s input sizes that Conv2d maps to H the layer inverts.
    init: as Conv2d, with fan_in = in_channels kh kw, fan_out = out_channels kh kw.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, rng=None, init="glorot", dtype=np.float64, negative_slope=0.0):
        self.output_padding = _pair("output_padding", output_padding, 0)
        strides = _pair("stride", stride, 1)
        if any(o >= s for o, s in zip(self.output_padding, strides)):
            raise ValueError(f"output_padding must be smaller than stride {strides} on each axis, "
                             f"got {output_padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, rng, init, dtype,
                         negative_slope)

    def _weight_shape(self):
        return (self.in_channels, self.out_channels) + self.kernel_size

    def config(self):
        return {**super().config(), "output_padding": _compact(self.output_padding)}

    def output_shape(self, input_shape):
        """(batch, out_channels, H_out, W_out), H_out = (H - 1) s - 2p + k + output_padding."""
        rows, cols = ((n - 1) * s - 2 * p + k + o for n, s, p, k, o in zip(
            input_shape[2:], self.stride, self.padding, self.kernel_size, self.output_padding))
        return (input_shape[0], self.out_channels, rows, cols)

    def forward(self, x):
        """y = col2im(W^T x) + b: Conv2d's input gradient, with x in the role of dL/dY."""
        self._check_input(x)
        shape = self.output_shape(x.shape)
        if min(shape[2:]) < 1:
            raise ValueError(f"ConvTranspose2d output would be {shape[2:]} for input "
                             f"{x.shape[2:]}: padding {self.padding} is too large")
        self.input_shape = x.shape
        self.x_matrix = _channels_first(x)
        columns = self.W.reshape(self.in_channels, -1).T @ self.x_matrix
        y = col2im(columns, shape, self.kernel_size, self.stride, self.padding)
        y += self.b[:, None, None]
        return y

    def backward(self, grad_y, param_grads=True):
        """Derivation, from y = col2im(W^T x) + b, x and W as matrices (see the class docstring):
            G     = im2col(dL/dy)          (the transpose of col2im is im2col)
            dL/dW = x G^T                  (W^T x is linear in W)
            dL/db = dL/dy summed over batch and pixels
            dL/dx = W G                    (Conv2d's forward applied to dL/dy)
        """
        G = im2col(grad_y, self.kernel_size, self.stride, self.padding)   # G = im2col(dL/dy)
        W = self.W.reshape(self.in_channels, -1)
        if param_grads:
            np.matmul(self.x_matrix, G.T, out=self.grad_W.reshape(W.shape))  # dL/dW = x G^T
            np.sum(grad_y, axis=(0, 2, 3), out=self.grad_b)                 # dL/db = sum of dL/dy
        return _batch_first(W @ G, self.input_shape)                        # dL/dx = W G


LAYER_TYPES.update({"Conv2d": Conv2d, "ConvTranspose2d": ConvTranspose2d})
