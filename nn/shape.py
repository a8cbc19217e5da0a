"""Reshaping layers that join dense and convolutional parts (DCGAN: Linear -> Reshape ->
ConvTranspose2d ... in G, Conv2d ... -> Flatten -> Linear in D).

A reshape only relabels the entries of x (in C order): its Jacobian is the identity on those
entries, so dL/dx is dL/dy reshaped back to the shape of x.
"""

import numpy as np

from nn.layers import Layer


class Reshape(Layer):
    """y[n] = x[n] reshaped to `shape`: (batch, ...) -> (batch, *shape), the batch axis kept."""

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
        size = int(np.prod(self.shape))
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != size:
            raise ValueError(f"Reshape to {self.shape} expected x of shape (batch, ...) with "
                             f"{size} entries per sample, got shape {x.shape}")
        self.input_shape = x.shape
        return x.reshape((x.shape[0],) + self.shape)

    def backward(self, grad_y, param_grads=True, input_grad=True):
        return grad_y.reshape(self.input_shape)          # dL/dx = dL/dy, reshaped


class Flatten(Layer):
    """y[n] = x[n] flattened: (batch, d1, d2, ...) -> (batch, d1 d2 ...), in C order."""

    def forward(self, x):
        if x.ndim < 2:
            raise ValueError(f"Flatten expected x of shape (batch, ...), got shape {x.shape}")
        self.input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_y, param_grads=True, input_grad=True):
        return grad_y.reshape(self.input_shape)          # dL/dx = dL/dy, reshaped
