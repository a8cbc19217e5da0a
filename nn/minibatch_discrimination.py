"""Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training GANs", 3.2).

A discriminator that sees one sample at a time cannot tell a collapsed generator (every G(z)
alike) from a good one. This layer lets each sample look at the rest of its minibatch. For
features f(x_i) in R^A of the n samples of a batch and a tensor T in R^{A x B x C}:

    M_i = f(x_i) T                                  in R^{B x C}  (B rows M_{i,b} in R^C)
    c_b(x_i, x_j) = exp(-||M_{i,b} - M_{j,b}||_1)                   (closeness, kernel b)
    o(x_i)_b = sum_j c_b(x_i, x_j)                                  (j over the batch, i included)
    y_i = [f(x_i), o(x_i)]                          in R^{A + B}

so o(x_i) counts, per kernel, how many samples of the batch sit close to x_i: about 1 for a
sample with no close neighbour, about n for a batch collapsed onto one point. (The sum includes
j = i, a constant exp(0) = 1, as in the paper's formula.) With ``share=True`` the layer outputs
instead the share of the *other* samples close to x_i,

    o(x_i)_b = 1/(n - 1) sum_{j != i} c_b(x_i, x_j)                 in [0, 1]  (0 when n = 1)

(the authors' released code also leaves j = i out): 1 for a collapsed batch, 0 for a batch of
lone samples, (n/2 - 1)/(n - 1) for two far-apart clusters of n/2 -- the same scale at any n, so
the next layer's weights need not absorb a factor m.

What the feature can tell apart depends on the scale of T: 1/||T_b||_1 is kernel b's width in
units of f. If every width is far above the batch's spread, every c_b ~ 1 and o says nothing;
far below it, every c_b ~ 0 for j != i. (The authors' code sets that scale from the data: T is
weight-normalised and its norm initialised so that the mean nearest-neighbour distance is 2.)

Batches: x has shape (..., n, A); distances are taken along the batch axis (-2) only, so a
leading axis keeps batches apart -- real and fake minibatches as (2, n, A) each take their
features from their own batch, never from the other.
"""

import numpy as np

from nn.checks import float_dtype, initialiser, positive_int
from nn.init import initial_weights
from nn.layers import Layer


class MinibatchDiscrimination(Layer):
    """y_i = [x_i, o(x_i)], o(x_i)_b = sum_j exp(-||M_{i,b} - M_{j,b}||_1), M_i = x_i T.

    T has shape (in_features, kernels, kernel_dim) = (A, B, C) (Salimans et al. 2016, 3.2).
    init: ("normal", std), "glorot", "he" or "zeros"; None (the default) means ("normal", 0.05)
    when ``rng`` is given and "zeros" when it is not. Choose std for the spread of the layer's
    input (see the module's note on the scale of T). ``share``: output 1/(n - 1) sum_{j != i} c_b
    instead of sum_j c_b. The output has in_features + kernels features.
    """

    parameter_names = ("T",)
    drawn_parameters = True

    def __init__(self, in_features, kernels, kernel_dim, rng=None, init=None,
                 dtype=np.float64, share=False):
        self.in_features = positive_int("in_features", in_features)
        self.kernels = positive_int("kernels", kernels)
        self.kernel_dim = positive_int("kernel_dim", kernel_dim)
        if not isinstance(share, (bool, np.bool_)):
            raise TypeError(f"share must be True or False, got {share!r}")
        self.share = bool(share)
        if init is None:
            init = ("normal", 0.05) if rng is not None else "zeros"
        initialiser(init, rng)
        self.dtype = float_dtype(dtype)
        shape = (self.in_features, self.kernels, self.kernel_dim)
        self.T = initial_weights(init, shape, self.in_features, self.kernels * self.kernel_dim,
                                 rng, self.dtype)
        self.grad_T = np.zeros_like(self.T)

    def config(self):
        return {"type": "MinibatchDiscrimination", "in_features": self.in_features,
                "kernels": self.kernels, "kernel_dim": self.kernel_dim, "share": self.share}

    def _others(self, n):
        """The divisor of o: n - 1 with share (1 for a batch of one, whose share is 0), else 1."""
        return max(n - 1, 1) if self.share else 1

    def _check_input(self, x):
        if x.ndim < 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"MinibatchDiscrimination expected x of shape (..., batch, "
                             f"{self.in_features}), got shape {x.shape}")

    def forward(self, x):
        self._check_input(x)
        self.x = x
        M = np.einsum("...na,abc->...nbc", x, self.T)                    # M_i = x_i T
        difference = M[..., :, None, :, :] - M[..., None, :, :, :]       # M_ib - M_jb
        self.sign = np.sign(difference)                                  # d|u|/du
        self.closeness = np.exp(-np.abs(difference).sum(axis=-1))        # c_ijb
        o = self.closeness.sum(axis=-2)                                  # sum over j
        if self.share:
            o = (o - 1.0) / self._others(x.shape[-2])                     # drop c_ii = 1
        return np.concatenate([x, o], axis=-1)

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """With g = dL/do and s_ij = sign(M_i - M_j) (c symmetric, s antisymmetric in i, j):
            dL/dM_kb = -sum_j (g_kb + g_jb) c_kjb s_kjb
            dL/dT    = sum over the batch of x^T dL/dM      (M = x T is linear in T)
            dL/dx    = dL/dy[:A] + dL/dM T^T                (x reaches y directly and through M)
        """
        A = self.in_features
        grad_direct = grad_y[..., :A]
        g = grad_y[..., A:] / self._others(grad_y.shape[-2])
        pair_weight = (g[..., :, None, :] + g[..., None, :, :]) * self.closeness
        grad_M = -np.einsum("...kjb,...kjbc->...kbc", pair_weight, self.sign)
        if param_grads:
            x, B, C = self.x.reshape(-1, A), self.kernels, self.kernel_dim     # batch as rows
            self.grad_T = np.einsum("na,nbc->abc", x, grad_M.reshape(-1, B, C))
        return grad_direct + np.einsum("...nbc,abc->...na", grad_M, self.T)
