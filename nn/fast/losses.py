"""Losses in logit form; each returns (value, gradient with respect to its first argument).

Both are means over all elements (the usual convention), so the gradient carries a 1/N.
"""

import numpy as np
from scipy.special import expit


def _prediction_and_target(prediction, target, prediction_name, target_name):
    prediction = np.asarray(prediction)
    if not np.issubdtype(prediction.dtype, np.floating):
        prediction = prediction.astype(np.float64)
    target = np.asarray(target, dtype=prediction.dtype)
    try:
        broadcast_shape = np.broadcast_shapes(target.shape, prediction.shape)
    except ValueError:
        broadcast_shape = None
    if broadcast_shape != prediction.shape:
        raise ValueError(f"{target_name} of shape {target.shape} does not broadcast to "
                         f"{prediction_name} of shape {prediction.shape}")
    if prediction.size == 0:
        raise ValueError(f"{prediction_name} must not be empty, got shape {prediction.shape}")
    return prediction, target


def bce_with_logits(logits, targets):
    """Binary cross-entropy of sigma(l) against t, mean over all N elements.

    BCE = -[t log sigma(l) + (1 - t) log(1 - sigma(l))] = t softplus(-l) + (1 - t) softplus(l),
    using log sigma(l) = -softplus(-l) and log(1 - sigma(l)) = -softplus(l); softplus(l) is
    logaddexp(0, l), exact at any |l| (e.g. l = 1e4, t = 0 gives exactly 1e4).
    dBCE/dl = (sigma(l) - t) / N, written as ((1 - t) sigma(l) - t sigma(-l)) / N so that neither
    tail loses its small value to cancellation. targets in [0, 1], broadcast to the logits' shape.
    """
    logits, targets = _prediction_and_target(logits, targets, "logits", "targets")
    if np.any((targets < 0) | (targets > 1)) or np.isnan(targets).any():
        raise ValueError(f"targets must lie in [0, 1], got values in "
                         f"[{targets.min()}, {targets.max()}]")
    count = logits.size
    complement = 1 - targets
    elementwise = targets * np.logaddexp(0, -logits) + complement * np.logaddexp(0, logits)
    gradient = complement * expit(logits) - targets * expit(-logits)
    gradient /= count
    return elementwise.mean(), gradient


def mse(y, target):
    """Mean squared error: MSE = (1/N) sum (y - target)^2; dMSE/dy = 2 (y - target) / N."""
    y, target = _prediction_and_target(y, target, "y", "target")
    residual = y - target
    return np.mean(residual * residual), residual * (2 / residual.size)
