"""im2col and col2im for the fast convolutions: windows of a channels-last, space-to-depth copy.

A 2-D cross-correlation with kernel k, stride s and zero padding p reads, for output pixel (r, q),
the window of the padded image x~ that starts at (s r, s q). When s divides k (DCGAN's 4 x 4
kernels at stride 2), write each kernel offset as i = s a + alpha (0 <= alpha < s) and fold the
image by space to depth (Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution
Using an Efficient Sub-Pixel Convolutional Neural Network", the periodic shuffling):
    Z[n, R, Q, alpha, beta, c] = x~[n, c, s R + alpha, s Q + beta],
so that x~[n, c, s r + i, s q + j] = Z[n, r + a, q + b, alpha, beta, c]: the stride-s convolution
of x is a stride-1 convolution of Z with the (k / s) x (k / s) kernel over s^2 c channels. The
factor t is s where s divides k and 1 otherwise (then Z is x~ itself, channels last), per axis.

The columns are kept in blocks, one per kernel offset (a, b) of Z: X[(a, b), (n, r, q), (alpha,
beta, c)] = Z[n, t' r + a, t' q + b, alpha, beta, c], t' = s / t the stride left on Z. Each block
is a copy of contiguous rows of Z, and col2im adds each block back in one add of contiguous rows
((k / t)^2 adds where the planar layout needs k^2 strided ones); the product X W is the sum of
the blocks' products (`kernel_matrix` cuts W to match). The layers' images stay (batch, channels,
height, width) in C order, the layout of every other layer; only Z and X are channels last.
Images of few channels (DCGAN's one-channel input and output), whose blocks would be a few values
wide, keep the planar layout at the end of this file, pixels innermost.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def convolution_output_size(size, kernel_size, stride, padding):
    """H_out = floor((H + 2p - k) / s) + 1 per axis (0 or less: the window does not fit)."""
    return tuple((n + 2 * p - k) // s + 1 for n, k, s, p in zip(size, kernel_size, stride, padding))


def fold_factors(kernel_size, stride):
    """t per axis: the stride where it divides the kernel (a stride-1 kernel on Z), else 1."""
    return tuple(s if k % s == 0 else 1 for k, s in zip(kernel_size, stride))


class Geometry:
    """One convolution's shapes: image (batch, channels, H, W), kernel k, stride s, padding p,
    fold factors t, output (H_out, W_out), Z of shape (batch, Hz, Wz, th, tw, channels) with
    Hz = ceil((H + 2p) / th), and the kernel (ka, kb) = k / t with stride s / t on Z."""

    def __init__(self, image_shape, kernel_size, stride, padding):
        self.image_shape = tuple(image_shape)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.t = fold_factors(kernel_size, stride)
        self.output_size = convolution_output_size(image_shape[2:], kernel_size, stride, padding)
        self.z_size = tuple(-(-(n + 2 * p) // t) for n, p, t in zip(image_shape[2:], padding,
                                                                   self.t))
        self.z_kernel = tuple(k // t for k, t in zip(kernel_size, self.t))
        self.z_stride = tuple(s // t for s, t in zip(stride, self.t))
        batch, channels = image_shape[:2]
        self.z_shape = (batch,) + self.z_size + self.t + (channels,)
        self.rows = batch * self.output_size[0] * self.output_size[1]
        self.columns = channels * kernel_size[0] * kernel_size[1]

    def blocks(self, Z):
        """For each kernel offset (a, b) of Z, the view B[n, r, q, alpha, beta, c] =
        Z[n, t' r + a, t' q + b, alpha, beta, c] (t' = s / t, the stride left on Z)."""
        (rows, cols), (ka, kb), (sr, sq) = self.output_size, self.z_kernel, self.z_stride
        return [Z[:, a:a + sr * (rows - 1) + 1:sr, b:b + sq * (cols - 1) + 1:sq]
                for a in range(ka) for b in range(kb)]


def space_to_depth(x, geometry):
    """Z[n, R, Q, alpha, beta, c] = x~[n, c, t R + alpha, t Q + beta] (zero outside x), by two
    copies NumPy does fast: x into a zero channels-last x~, then x~'s phases side by side."""
    batch, channels, height, width = x.shape
    (ph, pw), (th, tw), (hz, wz) = geometry.padding, geometry.t, geometry.z_size
    padded = np.zeros((batch, hz * th, wz * tw, channels), dtype=x.dtype)
    np.copyto(padded[:, ph:ph + height, pw:pw + width], x.transpose(0, 2, 3, 1))
    if geometry.t == (1, 1):
        return padded.reshape(geometry.z_shape)
    Z = np.empty(geometry.z_shape, dtype=x.dtype)
    np.copyto(Z, padded.reshape(batch, hz, th, wz, tw, channels).transpose(0, 1, 3, 2, 4, 5))
    return Z


def depth_to_space(Z, geometry):
    """The adjoint of space_to_depth: x[n, c, u, v] = the entry of Z holding x~[n, c, u + p,
    v + p] (the padding's entries are dropped); a C-order image."""
    batch, channels, height, width = geometry.image_shape
    (ph, pw), (th, tw), (hz, wz) = geometry.padding, geometry.t, geometry.z_size
    if geometry.t == (1, 1):
        padded = Z.reshape(batch, hz, wz, channels)
    else:
        padded = np.empty((batch, hz, th, wz, tw, channels), dtype=Z.dtype)
        np.copyto(padded, Z.transpose(0, 1, 3, 2, 4, 5))
        padded = padded.reshape(batch, hz * th, wz * tw, channels)
    x = np.empty(geometry.image_shape, dtype=Z.dtype)
    np.copyto(x, padded[:, ph:ph + height, pw:pw + width].transpose(0, 3, 1, 2))
    return x


def im2col(x, kernel_size, stride=(1, 1), padding=(0, 0)):
    """X[(a, b), (n, r, q), (alpha, beta, c)] = x~[n, c, s r + t a + alpha, s q + t b + beta]:
    one block of columns per kernel offset (a, b) of Z, shape ((kh / t)(kw / t), batch H_out
    W_out, t^2 channels), a fresh C-order array; flattened to two axes, the columns matrix in
    the order (a, b, alpha, beta, c) (`kernel_matrix` orders a weight to match)."""
    geometry = Geometry(x.shape, kernel_size, stride, padding)
    blocks = geometry.blocks(space_to_depth(x, geometry))
    X = np.empty((len(blocks), geometry.rows, geometry.columns // len(blocks)), dtype=x.dtype)
    for block, view in zip(X, blocks):
        np.copyto(block.reshape(view.shape), view)
    return X


def col2im(columns, image_shape, kernel_size, stride=(1, 1), padding=(0, 0)):
    """The adjoint of im2col, <im2col(x), X> = <x, col2im(X)>: each block of columns added back
    onto its windows of Z, one add of contiguous rows per kernel offset (a, b) of Z, then
    depth_to_space. `columns` has im2col's shape; returns a C-order image of `image_shape`."""
    geometry = Geometry(image_shape, kernel_size, stride, padding)
    Z = np.zeros(geometry.z_shape, dtype=columns.dtype)
    blocks = geometry.blocks(Z)
    for block, view in zip(columns.reshape(len(blocks), geometry.rows, -1), blocks):
        view += block.reshape(view.shape)
    return depth_to_space(Z, geometry)


def kernel_matrix(weight, t):
    """A weight (out, in, kh, kw) as im2col's blocks: shape ((kh / t)(kw / t), t^2 in, out), rows
    in the order (alpha, beta, c) within block (a, b), i = t a + alpha, j = t b + beta; a fresh
    C-order copy."""
    out, channels, kh, kw = weight.shape
    folded = weight.reshape(out, channels, kh // t[0], t[0], kw // t[1], t[1])
    blocks = (kh // t[0]) * (kw // t[1])
    return np.ascontiguousarray(folded.transpose(2, 4, 3, 5, 1, 0)).reshape(blocks, -1, out)


def kernel_matrix_into(matrix, weight, t):
    """The inverse of kernel_matrix: weight[o, c, t a + alpha, t b + beta] = matrix[(a, b),
    (alpha, beta, c), o], written in place into `weight` (out, in, kh, kw)."""
    out, channels, kh, kw = weight.shape
    folded = weight.reshape(out, channels, kh // t[0], t[0], kw // t[1], t[1])
    blocks = matrix.reshape(kh // t[0], kw // t[1], t[0], t[1], channels, out)
    np.copyto(folded, blocks.transpose(5, 4, 0, 2, 1, 3))


# ---- the planar layout, for images of few channels (DCGAN's 1-channel input and output) --------
# With c = 1 a block of Z holds t^2 values, too few for a matrix product or a fast add; there the
# pixels (n, r, q) stay the inner axis: X[(c, i, j), (n, r, q)] = x~[n, c, s r + i, s q + j].

def planar_im2col(x, kernel_size, stride=(1, 1), padding=(0, 0)):
    """X[(c, i, j), (n, r, q)] = x~[n, c, s r + i, s q + j]: shape (channels kh kw, batch H_out
    W_out), a fresh array (one strided copy of all windows)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]   # (n, c, r, q, i, j)
    batch, channels, rows, columns = windows.shape[:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(channels * kh * kw, batch * rows * columns)


def planar_col2im(columns, image_shape, kernel_size, stride=(1, 1), padding=(0, 0)):
    """The adjoint of planar_im2col: x[n, c, u, v] = sum of X[(c, i, j), (n, r, q)] over
    s r + i - p = u and s q + j - p = v, one strided add per kernel offset (i, j); a C-order
    image of `image_shape`."""
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
    return np.ascontiguousarray(padded[:, :, ph:ph + height, pw:pw + width].transpose(1, 0, 2, 3))
