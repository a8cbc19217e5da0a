"""Reshaping layers that join dense and convolutional parts (DCGAN: Linear -> Reshape ->
ConvTranspose2d ... in G, Conv2d ... -> Flatten -> Linear in D).

A reshape only relabels the entries of x (in C order), so its Jacobian is the identity on those
entries: dL/dx is dL/dy reshaped back to the shape of x.
"""

import numpy as np

from nn.fast.layers import LAYER_TYPES, Layer


class Reshape(Layer):
    """y[n] = x[n] reshaped to `shape`: (batch, ...) -> (batch, *shape), the batch axis kept.

    Example: Reshape((128, 4, 4)) turns a Linear's (batch, 2048) output into 128 maps of 4 x 4.
    """

    def __init__(self, shape):
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else shape
        if not isinstance(shape, tuple) or not shape or not all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                for n in shape):
            raise ValueError(f"shape must be a non-empty tuple of positive integers, got {shape!r}")
        self.shape = tuple(int(n) for n in shape)

    def config(self):
        return {"type": "Reshape", "shape": list(self.shape)}

    def forward(self, x):
        """y = x viewed as (batch, *shape)."""
        size = int(np.prod(self.shape))
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != size:
            raise ValueError(f"Reshape to {self.shape} expected x of shape (batch, ...) with "
                             f"{size} entries per sample, got shape {x.shape}")
        self.input_shape = x.shape
        return x.reshape((x.shape[0],) + self.shape)

    def backward(self, grad_y, param_grads=True):
        """dL/dx = dL/dy reshaped to the shape of x (the Jacobian is the identity on entries)."""
        return grad_y.reshape(self.input_shape)


class Flatten(Layer):
    """y[n] = x[n] flattened: (batch, d1, d2, ...) -> (batch, d1 d2 ...), in C order."""

    def forward(self, x):
        """y = x viewed as (batch, product of the other axes)."""
        if x.ndim < 2:
            raise ValueError(f"Flatten expected x of shape (batch, ...), got shape {x.shape}")
        self.input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_y, param_grads=True):
        """dL/dx = dL/dy reshaped to the shape of x."""
        return grad_y.reshape(self.input_shape)


LAYER_TYPES.update({"Reshape": Reshape, "Flatten": Flatten})
