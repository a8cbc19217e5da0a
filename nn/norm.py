"""Batch normalisation (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
Training by Reducing Internal Covariate Shift", Algorithms 1 and 2).

Training mode normalises each feature (channel) with the statistics of the mini-batch,
    mu = mean(x),  sigma^2 = mean((x - mu)^2),  x^ = (x - mu) / sqrt(sigma^2 + eps),
    y = gamma x^ + beta,
and keeps moving averages of mu and of the unbiased variance m / (m - 1) sigma^2 (Algorithm 2,
step 10; m values per feature) in the buffers running_mean and running_var:
    running <- (1 - momentum) running + momentum (batch statistic)      (PyTorch's convention).
Evaluation mode uses the running statistics instead: y is then a fixed affine map of x.
"""

import numpy as np

from nn.checks import float_dtype, fraction, positive_int, positive_number
from nn.layers import Layer


class _BatchNorm(Layer):
    """What BatchNorm1d and BatchNorm2d share; they name the axes the statistics are taken over."""

    parameter_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var")

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype=np.float64):
        self.num_features = positive_int("num_features", num_features)
        self.eps = positive_number("eps", eps)
        self.momentum = fraction("momentum", momentum, closed=True)
        self.dtype = float_dtype(dtype)
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
        statistics; evaluation: the same with running_mean and running_var."""
        axes, f = self._axes(x), self._per_feature
        if self.training:
            m = x.size // self.num_features
            if m < 2:
                raise ValueError(f"{type(self).__name__} in training mode needs more than one "
                                 f"value per feature to estimate a variance, got shape {x.shape}")
            mean = x.mean(axis=axes)
            centred = x - f(mean)
            variance = np.mean(centred * centred, axis=axes)
            momentum = self.momentum
            self.running_mean[...] = (1 - momentum) * self.running_mean + momentum * mean
            self.running_var[...] = ((1 - momentum) * self.running_var
                                     + (momentum * m / (m - 1)) * variance)
        else:
            centred = x - f(self.running_mean)
            variance = self.running_var
        self.inverse_std = 1 / np.sqrt(variance + self.dtype.type(self.eps))     # 1 / sigma
        self.x_hat = centred * f(self.inverse_std)
        return self.x_hat * f(self.gamma) + f(self.beta)

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """Per feature over its m values (Ioffe & Szegedy 2015, section 3), dy = dL/dy:
            dL/dbeta = sum dy;   dL/dgamma = sum dy x^;   dL/dx^ = gamma dy
        and, in training mode, where mu and sigma depend on x (sigma^2 + eps written sigma^2),
            dL/dx = (gamma / sigma) (dy - mean(dy) - x^ mean(dy x^));
        in evaluation mode mu and sigma are constants: dL/dx = (gamma / sigma) dy.
        """
        axes, f = self._axes(grad_y), self._per_feature
        if param_grads:
            self.grad_beta = np.sum(grad_y, axis=axes)
            self.grad_gamma = np.sum(grad_y * self.x_hat, axis=axes)
        scale = f(self.gamma * self.inverse_std)                                 # gamma / sigma
        if not self.training:
            return scale * grad_y
        mean_grad = f(grad_y.mean(axis=axes))                                   # mean(dy)
        mean_grad_x_hat = f(np.mean(grad_y * self.x_hat, axis=axes))            # mean(dy x^)
        return scale * (grad_y - mean_grad - self.x_hat * mean_grad_x_hat)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images (batch, channels, height, width): one mu, sigma, gamma, beta
    per channel, over batch, height and width (Ioffe & Szegedy 2015, section 3.2)."""

    def _axes(self, x):
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm2d expected x of shape (batch, {self.num_features}, "
                             f"height, width), got shape {x.shape}")
        return (0, 2, 3)

    @staticmethod
    def _per_feature(values):
        return values[:, None, None]


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features (..., batch, features): one mu, sigma, gamma, beta per
    feature, over every leading axis (Ioffe & Szegedy 2015, Algorithm 1)."""

    def _axes(self, x):
        if x.ndim < 2 or x.shape[-1] != self.num_features:
            raise ValueError(f"BatchNorm1d expected x of shape (..., batch, {self.num_features}), "
                             f"got shape {x.shape}")
        return tuple(range(x.ndim - 1))

    @staticmethod
    def _per_feature(values):
        return values
