"""Lesson 03, exercise 1: the lesson's network with the sigmoid in place of tanh, by hand.

Checked by ``python -m gan check ex03``.
"""

from __future__ import annotations

import numpy as np


def sigmoid_network_gradients(x, t, W1, b1, W2, b2):
    """The gradients of L = mean((y - t)^2) for y = a W2 + b2, a = sigma(x W1 + b1), with
    sigma(h) = 1 / (1 + e^{-h}) and sigma'(h) = sigma (1 - sigma):

        dL/dy = 2 (y - t) / size(y)          dL/dW2 = a^T dL/dy       dL/db2 = sum of dL/dy
        dL/dh = (dL/dy W2^T) a (1 - a)       dL/dW1 = x^T dL/dh       dL/db1 = sum of dL/dh

    x (n, 1), t (n, 1), W1 (1, H), b1 (H,), W2 (H, 1), b2 (1,). Returns (dL/dW1, dL/db1,
    dL/dW2, dL/db2), each of its parameter's shape."""
    # HINT: forward a = sigma(x W1 + b1), y = a W2 + b2; back with sigma' = a (1 - a)
    # BEGIN SOLUTION
    a = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))
    y = a @ W2 + b2
    grad_y = 2 * (y - t) / y.size                   # dL/dy
    grad_h = (grad_y @ W2.T) * a * (1 - a)          # dL/dh = dL/da sigma'(h)
    return x.T @ grad_h, grad_h.sum(axis=0), a.T @ grad_y, grad_y.sum(axis=0)
    # END SOLUTION
