"""Convolutions of the fast engine on images x of shape (batch, channels, height, width), by
im2col and one matmul: subclasses of the textbook Conv2d and ConvTranspose2d in nn.conv (the
constructor, geometry, output_shape and config() are written there), whose forward and backward
are rewritten here.

A 2-D cross-correlation (what deep learning calls convolution) with kernel (kh, kw), stride s and
zero padding p reads, for every output pixel (r, c), the window of the padded image x~ that starts
at (s r, s c). im2col copies those windows into the rows of one matrix X of shape
(batch * output pixels, channels * kh * kw) (held as column blocks, one per kernel offset of the
folded image: nn.fast.im2col), and the layer is one matrix product Y = X W + b.
Output size per axis (Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep
learning", relationship 6):  H_out = floor((H + 2p - k) / s) + 1.
col2im is the adjoint of im2col: it adds each row back onto the window it came from, so
<im2col(x), X> = <x, col2im(X)>. Both work on a channels-last, space-to-depth copy of the image
(nn.fast.im2col), where they move contiguous runs; X's rows are pixels (n, r, q), so Y = X W comes
out channels last and is turned to (batch, channels, H, W) in C order by one copy, the layout of
every other layer (their cached arrays are C order, and mixed layouts cost NumPy 3-10x).
Images of few channels keep the planar layout instead (X transposed, pixels innermost; `blocked`).

ConvTranspose2d (the "fractional-strided" convolution of DCGAN, Radford et al. 2016) is the
adjoint of Conv2d with the same weights: its forward is Conv2d's input gradient (W^T, then col2im)
and its input gradient is Conv2d's forward (im2col, then W).
"""

from functools import cached_property

import numpy as np

import nn.conv as textbook
from nn.fast.im2col import (
    col2im,
    fold_factors,
    im2col,
    kernel_matrix,
    kernel_matrix_into,
    planar_col2im,
    planar_im2col,
)
from nn.fast.layers import Layer

# t^2 channels per block of Z below which the planar layout is the faster one (measured on the
# DCGAN's layers: its 1-channel image sides, 4 values a block, run 1.5-2x faster planar)
BLOCKED_MIN = 32


def _copy(view):
    """A fresh C-order array holding `view` (a transposed view: one transposing copy)."""
    array = np.empty(view.shape, dtype=view.dtype)
    np.copyto(array, view)
    return array


def _pixels_last(x):
    """(batch, channels, H, W) -> the matrix (batch * H * W, channels): one transposing copy."""
    return _copy(x.transpose(0, 2, 3, 1)).reshape(-1, x.shape[1])


def _block_product(X, W):
    """sum over kernel blocks (a, b) of X[a, b] W[a, b]: im2col's column blocks times
    kernel_matrix's row blocks, the matrix product X W with its inner sum split by block."""
    product = X[0] @ W[0]
    for block, weights in zip(X[1:], W[1:]):
        product += block @ weights
    return product


def _channels_first(matrix, shape):
    """The matrix (batch * H * W, channels) as a C-order image of `shape` (batch, channels, H, W)."""
    batch, channels, height, width = shape
    return _copy(matrix.reshape(batch, height, width, channels).transpose(0, 3, 1, 2))


def _channels_outer(x):
    """(batch, channels, H, W) -> the matrix (channels, batch * H * W) of the planar layout."""
    return _copy(x.transpose(1, 0, 2, 3)).reshape(x.shape[1], -1)


def _planar_image(matrix, shape):
    """The matrix (channels, batch * H * W) as a C-order image of `shape` (batch, channels, H, W)."""
    batch, channels, height, width = shape
    return _copy(matrix.reshape(channels, batch, height, width).transpose(1, 0, 2, 3))


class _Convolution(Layer):
    """What the fast Conv2d and ConvTranspose2d add to the textbook layers: the folding of the
    kernel for im2col and the layout it picks."""

    fresh_outputs = True    # y and dL/dx are new arrays; the cache is X (or x's copy), not x or y
    skips_input_grad = True     # backward(..., input_grad=False) leaves dL/dx out

    @cached_property
    def fold(self):
        """The space-to-depth factors of the kernel and stride (see nn.fast.im2col)."""
        return fold_factors(self.kernel_size, self.stride)

    @cached_property
    def blocked(self):
        """The channels-last layout (True) or the planar one: picked by the image side's
        channels (Conv2d's input, ConvTranspose2d's output)."""
        return self.fold[0] * self.fold[1] * self.W.shape[1] >= BLOCKED_MIN


class Conv2d(_Convolution, textbook.Conv2d):
    """y[n, o] = sum_c W[o, c] (cross-correlated with) x~[n, c] at stride s, + b[o]; as a matmul
    Y = X W + b with X = im2col(x) and W reordered to (in_channels * kh * kw, out_channels).

    W has shape (out_channels, in_channels, kh, kw), b shape (out_channels,); x~ is x zero-padded
    by p. Output size per axis: H_out = floor((H + 2p - k) / s) + 1 (Dumoulin & Visin 2016).
    """

    def forward(self, x):
        """Y = X W + b, X = im2col(x), Y of shape (batch * pixels, out_channels)."""
        self._check_input(x)
        shape = self.output_shape(x.shape)
        if min(shape[2:]) < 1:
            raise ValueError(f"Conv2d input of height x width {x.shape[2:]} is smaller than the "
                             f"kernel {self.kernel_size} after padding {self.padding}")
        self.input_shape = x.shape
        geometry = self.kernel_size, self.stride, self.padding
        if not self.blocked:                       # planar: Y = W X + b, Y (out_channels, pixels)
            self.X = planar_im2col(x, *geometry)
            Y = self.W.reshape(self.out_channels, -1) @ self.X
            Y += self.b[:, None]
            return _planar_image(Y, shape)
        self.X = im2col(x, *geometry)
        Y = _block_product(self.X, kernel_matrix(self.W, self.fold))
        Y += self.b
        return _channels_first(Y, shape)

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """Derivation, with G = dL/dY of shape (batch * pixels, out_channels), from Y = X W + b:
            dL/dW = X^T G                  (Y is linear in W, with X as coefficient)
            dL/db = G summed over rows     (b is added to every pixel of every sample)
            dL/dX = G W^T                  (Y is linear in X)
            dL/dx = col2im(dL/dX)          (X = im2col(x) is linear; its transpose is col2im)
        With input_grad=False (D's images) the last two are left out and None is returned.
        """
        geometry = self.input_shape, self.kernel_size, self.stride, self.padding
        if not self.blocked:                       # planar: the same with every matrix transposed
            G, W = _channels_outer(grad_y), self.W.reshape(self.out_channels, -1)
            if param_grads:
                np.matmul(G, self.X.T, out=self.grad_W.reshape(W.shape))
                np.sum(G, axis=1, out=self.grad_b)
            return planar_col2im(W.T @ G, *geometry) if input_grad else None
        G = _pixels_last(grad_y)
        if param_grads:
            dW = np.matmul(self.X.transpose(0, 2, 1), G)                # dL/dW = X^T G
            kernel_matrix_into(dW, self.grad_W, self.fold)
            np.sum(G, axis=0, out=self.grad_b)                          # dL/db = sum of G's rows
        if not input_grad:
            return None
        W = kernel_matrix(self.W, self.fold)
        grad_X = np.matmul(G, W.transpose(0, 2, 1))                     # dL/dX = G W^T
        return col2im(grad_X, *geometry)


class ConvTranspose2d(_Convolution, textbook.ConvTranspose2d):
    """Fractional-strided convolution, the adjoint of Conv2d: y = col2im(x W^T) + b, with x as the
    matrix (batch * pixels, in_channels) and W as (out_channels * kh * kw, in_channels).

    W has shape (in_channels, out_channels, kh, kw) (PyTorch's layout), which is exactly the weight
    of the Conv2d(out_channels -> in_channels, same kernel, stride, padding) it transposes: for
    that Conv2d C with zero bias, <C u, v> = <u, ConvTranspose2d(v)>. Each input pixel
    scatters a W-weighted kernel-sized patch onto the output at stride s. Output size per axis
    (Dumoulin & Visin 2016, relationship 14):
        H_out = (H - 1) s - 2p + k + output_padding,   0 <= output_padding < s,
    where output_padding picks which of the s input sizes that Conv2d maps to H the layer inverts.
    """

    def forward(self, x):
        """y = col2im(x W^T) + b: Conv2d's input gradient, with x in the role of dL/dY."""
        self._check_input(x)
        shape = self.output_shape(x.shape)
        if min(shape[2:]) < 1:
            raise ValueError(f"ConvTranspose2d output would be {shape[2:]} for input "
                             f"{x.shape[2:]}: padding {self.padding} is too large")
        self.input_shape = x.shape
        geometry = shape, self.kernel_size, self.stride, self.padding
        if self.blocked:
            self.x_matrix = _pixels_last(x)
            W = kernel_matrix(self.W, self.fold).transpose(0, 2, 1)
            y = col2im(np.matmul(self.x_matrix, W), *geometry)
        else:                                      # planar: y = col2im(W^T x) + b
            self.x_matrix = _channels_outer(x)
            y = planar_col2im(self.W.reshape(self.in_channels, -1).T @ self.x_matrix, *geometry)
        y += self.b[:, None, None]
        return y

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """Derivation, from y = col2im(x W^T) + b, x and W as matrices (see the class docstring):
            G     = im2col(dL/dy)          (the transpose of col2im is im2col)
            dL/dW = G^T x                  (x W^T is linear in W)
            dL/db = dL/dy summed over batch and pixels
            dL/dx = G W                    (Conv2d's forward applied to dL/dy)
        With input_grad=False the last is left out and None is returned.
        """
        geometry = self.kernel_size, self.stride, self.padding
        if not self.blocked:                       # planar: the same with every matrix transposed
            G, W = planar_im2col(grad_y, *geometry), self.W.reshape(self.in_channels, -1)
            if param_grads:
                np.matmul(self.x_matrix, G.T, out=self.grad_W.reshape(W.shape))
                np.sum(grad_y, axis=(0, 2, 3), out=self.grad_b)
            return _planar_image(W @ G, self.input_shape) if input_grad else None
        G = im2col(grad_y, *geometry)                                       # G = im2col(dL/dy)
        if param_grads:
            dW = np.matmul(G.transpose(0, 2, 1), self.x_matrix)              # dL/dW = G^T x
            kernel_matrix_into(dW, self.grad_W, self.fold)
            np.sum(grad_y, axis=(0, 2, 3), out=self.grad_b)                 # dL/db = sum of dL/dy
        if not input_grad:
            return None
        W = kernel_matrix(self.W, self.fold)
        return _channels_first(_block_product(G, W), self.input_shape)      # dL/dx = G W

