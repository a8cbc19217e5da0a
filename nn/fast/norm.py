"""Batch normalisation (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
Training by Reducing Internal Covariate Shift", Algorithms 1 and 2).

Training mode normalises each feature (channel) with the statistics of the current mini-batch,
    mu = mean(x),  sigma^2 = mean((x - mu)^2),  x^ = (x - mu) / sqrt(sigma^2 + eps),
    y = gamma x^ + beta,
and keeps exponential moving averages of mu and of the unbiased variance m / (m - 1) sigma^2
(Algorithm 2, step 10; m values per feature) as the buffers running_mean and running_var:
    running <- (1 - momentum) running + momentum (batch statistic)      (PyTorch's convention).
Evaluation mode uses the running statistics instead, so y is a fixed affine map of x.
Buffers are updated in place (a Sequential holds references to them, for checkpoints).
"""

import numpy as np

from nn.checks import float_dtype, positive_int
from nn.fast.layers import LAYER_TYPES, Layer


class _BatchNorm(Layer):
    """Common part of BatchNorm1d and BatchNorm2d; subclasses name the feature axis."""

    parameter_names = ("gamma", "beta")
    fresh_outputs = True    # y and dL/dx are new (or this layer's reused) arrays, kept by no one
    buffer_names = ("running_mean", "running_var")

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype=np.float64):
        positive_int("num_features", num_features)
        if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not eps > 0:
            raise ValueError(f"eps must be a number > 0, got {eps!r}")
        if not isinstance(momentum, (int, float)) or isinstance(momentum, bool) \
                or not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be a number in [0, 1], got {momentum!r}")
        self.dtype = float_dtype(dtype)
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), float(momentum)
        self.gamma = np.ones(self.num_features, dtype=self.dtype)
        self.beta = np.zeros(self.num_features, dtype=self.dtype)
        self.grad_gamma = np.zeros_like(self.gamma)
        self.grad_beta = np.zeros_like(self.beta)
        self.running_mean = np.zeros(self.num_features, dtype=self.dtype)
        self.running_var = np.ones(self.num_features, dtype=self.dtype)

    def config(self):
        return {"type": type(self).__name__, "num_features": self.num_features, "eps": self.eps,
                "momentum": self.momentum}

    def forward(self, x):
        """Training: y = gamma (x - mu_B) / sqrt(sigma_B^2 + eps) + beta, and update the running
        statistics; evaluation: the same with running_mean and running_var (Ioffe & Szegedy 2015).
        The textbook engine's operations in its order (bitwise the same), written with ``out=``:
        x^ over x - mu in one array (over x itself when the layer before hands over a fresh x).
        """
        axes = self._check_input(x)
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

    def backward(self, grad_y, param_grads=True):
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


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images (batch, channels, height, width): one mu, sigma, gamma, beta
    per channel, the statistics taken over batch, height and width (Ioffe & Szegedy 2015, sec. 3.2:
    for convolutions, m = batch * height * width values per feature map)."""

    def _check_input(self, x):
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm2d expected x of shape (batch, {self.num_features}, "
                             f"height, width), got shape {x.shape}")
        return (0, 2, 3)

    @staticmethod
    def _per_feature(values):
        return values[:, None, None]


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features (..., batch, features): one mu, sigma, gamma, beta per
    feature, the statistics taken over every leading axis (Ioffe & Szegedy 2015, Algorithm 1)."""

    def _check_input(self, x):
        if x.ndim < 2 or x.shape[-1] != self.num_features:
            raise ValueError(f"BatchNorm1d expected x of shape (..., batch, {self.num_features}), "
                             f"got shape {x.shape}")
        return tuple(range(x.ndim - 1))

    @staticmethod
    def _per_feature(values):
        return values


LAYER_TYPES.update({"BatchNorm1d": BatchNorm1d, "BatchNorm2d": BatchNorm2d})
