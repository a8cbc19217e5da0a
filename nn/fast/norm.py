"""Batch normalisation of the fast engine: subclasses of the textbook BatchNorm1d and BatchNorm2d
in nn.norm (Ioffe & Szegedy 2015; the constructor, parameters, buffers and config() are written
there), whose forward and backward are the textbook's operations in its order (bitwise the same
numbers), written with ``out=`` and, inside a Sequential, over the arrays the rules of
nn.fast.layers allow. Buffers are updated in place (a Sequential holds references to them, for
checkpoints).
"""

import numpy as np

import nn.norm as textbook
from nn.fast.layers import Layer


class _BatchNorm(textbook._BatchNorm, Layer):
    """The textbook _BatchNorm's forward and backward, with ``out=``."""

    fresh_outputs = True    # y and dL/dx are new (or this layer's reused) arrays, kept by no one

    def forward(self, x):
        """Training: y = gamma (x - mu_B) / sqrt(sigma_B^2 + eps) + beta, and update the running
        statistics; evaluation: the same with running_mean and running_var (Ioffe & Szegedy 2015).
        The textbook engine's operations in its order (bitwise the same), written with ``out=``:
        x^ over x - mu in one array (over x itself when the layer before hands over a fresh x).
        """
        axes = self._axes(x)
        per_feature = self._per_feature
        self.axes = axes
        in_place = self.reuse_outputs and self.overwrite_input and x.dtype == self.dtype
        centred = x if in_place else np.empty(x.shape, dtype=np.result_type(x, self.dtype))
        if self.training:
            m = x.size // self.num_features
            if m < 2:
                raise ValueError(f"{type(self).__name__} in training mode needs more than one "
                                 f"value per feature to estimate a variance, got input of shape "
                                 f"{x.shape}")
            mean = x.mean(axis=axes)
            np.subtract(x, per_feature(mean), out=centred)
            variance = np.mean(centred * centred, axis=axes)
            self.running_mean *= 1 - self.momentum
            self.running_mean += self.momentum * mean
            self.running_var *= 1 - self.momentum
            self.running_var += (self.momentum * m / (m - 1)) * variance
        else:
            np.subtract(x, per_feature(self.running_mean), out=centred)
            variance = self.running_var
        self.inverse_std = 1 / np.sqrt(variance + self.dtype.type(self.eps))     # 1 / sigma
        self.x_hat = np.multiply(centred, per_feature(self.inverse_std), out=centred)
        y = np.multiply(self.x_hat, per_feature(self.gamma),
                        out=self._output("y", self.x_hat.shape, self.x_hat.dtype))
        y += per_feature(self.beta)
        return y

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """Derivation (Ioffe & Szegedy 2015, section 3), per feature over its m values, with
        sigma^2 + eps written sigma^2:
            dL/dbeta  = sum dy                         (beta is added to every value)
            dL/dgamma = sum dy x^                      (gamma multiplies x^)
            dL/dx^    = gamma dy
        In training mode mu and sigma depend on x: with d = dL/dx^,
            dL/dsigma^2 = -1/2 sigma^-3 sum d (x - mu)
            dL/dmu      = -sigma^-1 sum d      (its term through sigma^2 has sum (x - mu) = 0)
            dL/dx       = d / sigma + dL/dsigma^2 2 (x - mu) / m + dL/dmu / m,
        which, substituting x - mu = sigma x^, is the compact
            dL/dx = (gamma / sigma) (dy - mean(dy) - x^ mean(dy x^)).
        In evaluation mode mu and sigma are constants: dL/dx = (gamma / sigma) dy.
        The two sums are taken once and serve both the parameter gradients and the means
        (mean = sum / m, as np.mean computes it: bitwise the textbook engine's numbers).
        """
        per_feature, axes = self._per_feature, self.axes
        scale = per_feature(self.gamma * self.inverse_std)                       # gamma / sigma
        if not self.training:
            if param_grads:
                np.sum(grad_y, axis=axes, out=self.grad_beta)
                np.sum(grad_y * self.x_hat, axis=axes, out=self.grad_gamma)
            return scale * grad_y
        m = grad_y.size // self.num_features
        product = grad_y * self.x_hat                                           # dy x^
        sum_grad, sum_grad_x_hat = np.sum(grad_y, axis=axes), np.sum(product, axis=axes)
        if param_grads:
            self.grad_beta[...] = sum_grad
            self.grad_gamma[...] = sum_grad_x_hat
        grad_x = np.subtract(grad_y, per_feature(sum_grad / m))                 # dy - mean(dy)
        grad_x -= np.multiply(self.x_hat, per_feature(sum_grad_x_hat / m), out=product)
        grad_x *= scale                                                         # x^ mean(dy x^)
        return grad_x


class BatchNorm2d(_BatchNorm, textbook.BatchNorm2d):
    """BatchNorm2d (one mu, sigma, gamma, beta per channel) on the fast engine."""


class BatchNorm1d(_BatchNorm, textbook.BatchNorm1d):
    """BatchNorm1d (one mu, sigma, gamma, beta per feature) on the fast engine."""
