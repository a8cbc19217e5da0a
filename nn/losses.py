"""Losses in logit form; each returns (value, gradient with respect to its first argument).

Both are means over all N elements (the usual convention), so the gradient carries a 1/N.
"""

import numpy as np
from scipy.special import expit


def _check(prediction, target, prediction_name, target_name):
    prediction = np.asarray(prediction)
    if not np.issubdtype(prediction.dtype, np.floating):
        prediction = prediction.astype(np.float64)
    target = np.asarray(target, dtype=prediction.dtype)
    try:
        fits = np.broadcast_shapes(target.shape, prediction.shape) == prediction.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{target_name} of shape {target.shape} does not broadcast to "
                         f"{prediction_name} of shape {prediction.shape}")
    if prediction.size == 0:
        raise ValueError(f"{prediction_name} must not be empty, got shape {prediction.shape}")
    return prediction, target


def bce_with_logits(logits, targets):
    """Binary cross-entropy of D = sigma(l) against t, mean over all N elements:

    BCE = -[t log sigma(l) + (1 - t) log(1 - sigma(l))] = t softplus(-l) + (1 - t) softplus(l),
    from log sigma(l) = -softplus(-l) and log(1 - sigma(l)) = -softplus(l) (softplus(l) =
    logaddexp(0, l), exact at any |l|). dBCE/dl = (sigma(l) - t) / N, written
    ((1 - t) sigma(l) - t sigma(-l)) / N so that neither tail cancels. targets in [0, 1].
    """
    l, t = _check(logits, targets, "logits", "targets")
    if np.isnan(t).any() or np.any((t < 0) | (t > 1)):
        raise ValueError(f"targets must lie in [0, 1], got values in [{t.min()}, {t.max()}]")
    # HINT: BCE = mean t s(-l) + (1 - t) s(l), s = softplus; dBCE/dl = (sigma(l) - t)/N
    # BEGIN SOLUTION
    value = np.mean(t * np.logaddexp(0, -l) + (1 - t) * np.logaddexp(0, l))
    gradient = ((1 - t) * expit(l) - t * expit(-l)) / l.size
    return value, gradient
    # END SOLUTION


def mse(y, target):
    """Mean squared error: MSE = (1/N) sum (y - target)^2; dMSE/dy = 2 (y - target) / N."""
    y, target = _check(y, target, "y", "target")
    residual = y - target
    return np.mean(residual**2), residual * (2 / residual.size)
