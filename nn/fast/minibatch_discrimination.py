"""Minibatch discrimination of the fast engine: a subclass of the textbook layer in
nn.minibatch_discrimination (the definitions, the constructor and config() are written there),
whose forward and backward take M = x T and dL/dT = x^T dL/dM as matrix products of T seen as
(A, B C), and which adds `against`: what the layer outputs for each x_i joined alone to a fixed
batch, at n work per point instead of the (n + 1)^2 of running the layer on each such batch.
"""

import numpy as np

import nn.minibatch_discrimination as textbook
from nn.fast.layers import Layer


class MinibatchDiscrimination(textbook.MinibatchDiscrimination, Layer):
    """y_i = [x_i, o(x_i)], o(x_i)_b = sum_j exp(-||M_{i,b} - M_{j,b}||_1), M_i = x_i T, as
    nn.minibatch_discrimination.MinibatchDiscrimination."""

    def forward(self, x):
        """M = x T, c_{ijb} = exp(-||M_ib - M_jb||_1), y = [x, sum_j c_{ijb}] (or the share of
        j != i: (sum_j c_{ijb} - 1) / (n - 1), since c_{iib} = 1)."""
        self._check_input(x)
        self.x = x
        M = (x @ self.T.reshape(self.in_features, -1)).reshape(
            x.shape[:-1] + (self.kernels, self.kernel_dim))               # (..., n, B, C)
        difference = M[..., :, None, :, :] - M[..., None, :, :, :]        # (..., n, n, B, C)
        self.sign = np.sign(difference)                                   # d|u|/du (0 at u = 0)
        self.closeness = np.exp(-np.abs(difference).sum(axis=-1))         # c_{ijb}: (..., n, n, B)
        o = self.closeness.sum(axis=-2)                                   # sum over j: (..., n, B)
        if self.share:
            o = (o - 1.0) / self._others(x.shape[-2])                      # drop c_ii = 1, average
        return np.concatenate([x, o], axis=-1)

    def against(self, x, reference):
        """y_i = [x_i, o(x_i)] for each row x_i of x joined alone to the batch ``reference``:
        o(x_i)_b = 1 + sum_j exp(-||M(x_i)_b - M(r_j)_b||_1) over the rows r_j of reference
        (with ``share``: the sum over j alone divided by n, the number of rows of reference).

        What the layer outputs for x_i inside the batch [x_i, r_1, ..., r_n] (how D judges a
        point among, say, the generator's samples), for many x_i at n work each. Caches nothing.
        """
        T = self.T.reshape(self.in_features, -1)
        shape = (self.kernels, self.kernel_dim)
        M = (x @ T).reshape(x.shape[:-1] + shape)                        # (p, B, C)
        M_reference = (reference @ T).reshape(reference.shape[:-1] + shape)   # (n, B, C)
        distance = np.abs(M[:, None] - M_reference[None]).sum(axis=-1)   # (p, n, B)
        others = np.exp(-distance).sum(axis=1)
        o = others / len(reference) if self.share else 1.0 + others
        return np.concatenate([x, o], axis=-1)

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """With g = dL/do and s_{ij} = sign(M_i - M_j) (c symmetric, s antisymmetric in i, j):
            dL/dM_kb = sum_i g_ib dc_ikb/dM_kb + sum_j g_kb dc_kjb/dM_kb
                     = -sum_j (g_kb + g_jb) c_kjb s_kjb
            dL/dT    = x^T dL/dM             (M = x T is linear in T)
            dL/dx    = dL/dy[:A] + dL/dM T^T (x reaches y directly and through M)
        With ``share``, o is (sum_j c - 1) / (n - 1), so g is first divided by n - 1.
        """
        A = self.in_features
        # (..., n, A), (..., n, B)
        grad_direct, g = grad_y[..., :A], grad_y[..., A:]
        if self.share:
            g = g / self._others(grad_y.shape[-2])                         # d o/d sum = 1/(n - 1)
        # (g_k + g_j) c_kj
        pair_weight = (g[..., :, None, :] + g[..., None, :, :]) * self.closeness
        grad_M = -np.einsum("...kjb,...kjbc->...kbc", pair_weight, self.sign)
        grad_M = grad_M.reshape(grad_M.shape[:-2] + (-1,))                 # (..., n, B C)
        T = self.T.reshape(A, -1)
        if param_grads:
            x = self.x.reshape(-1, A)
            np.matmul(x.T, grad_M.reshape(-1, T.shape[1]),
                      out=self.grad_T.reshape(T.shape))                    # dL/dT = x^T dL/dM
        return grad_direct + grad_M @ T.T                                  # dL/dx

