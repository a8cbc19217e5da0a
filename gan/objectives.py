"""The value function of the game and the players' losses, all computed from D's logits.

The discriminator outputs a logit l; its probability that x is real is D(x) = sigmoid(l).
Every log-probability is written with the softplus function s(l) = log(1 + e^l), which is
exact for any finite logit:

    log D(x)       = log sigmoid(l)      = -s(-l)
    log(1 - D(x))  = log sigmoid(-l)     = -s(l)

and the derivatives follow from s'(l) = sigmoid(l):

    d/dl [-s(-l)] = sigmoid(-l) = 1 - D,        d/dl [-s(l)] = -sigmoid(l) = -D.

Each loss returns ``(value, gradient with respect to the logits)``. Means are taken over
the batch and feature axes (the last two), so a leading axis of independent games keeps
one value per game. For inputs of shape (batch, 1) the value is a scalar.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as sigmoid

GENERATOR_LOSSES = ("minimax", "non_saturating")


def softplus(logits):
    """s(l) = log(1 + e^l), computed as logaddexp(0, l): exact for large |l|, never overflows."""
    return np.logaddexp(0.0, logits)


def _batch_mean(values):
    return values.sum(axis=(-2, -1)) / _batch_size(values)   # as .mean(), without its Python layer


def _batch_size(logits):
    return logits.shape[-2] * logits.shape[-1]


def log_d(logits):
    """log D(x) = log sigmoid(l) = -softplus(-l)."""
    # HINT: log D(x) = log sigmoid(l) = -softplus(-l)
    # BEGIN SOLUTION
    return -softplus(-logits)
    # END SOLUTION


def log_one_minus_d(logits):
    """log(1 - D(x)) = log sigmoid(-l) = -softplus(l)."""
    # HINT: log(1 - D(x)) = log sigmoid(-l) = -softplus(l)
    # BEGIN SOLUTION
    return -softplus(logits)
    # END SOLUTION


def value_estimate(logits_real, logits_fake):
    """Minibatch estimate of the value function (Goodfellow et al. 2014, eq. 1):

        V(D, G) ~ 1/m sum_i log D(x_i) + 1/m sum_i log(1 - D(G(z_i)))

    with x_i ~ p_data and z_i ~ p_z. At the game's equilibrium D = 1/2 everywhere and
    V = -log 4.
    """
    return _batch_mean(log_d(logits_real)) + _batch_mean(log_one_minus_d(logits_fake))


def discriminator_loss(logits_real, logits_fake):
    """The discriminator's loss, minus the value: D ascends V by descending

        L_D = -1/m sum_i log D(x_i) - 1/m sum_i log(1 - D(G(z_i)))
            =  1/m sum_i s(-l_i^real) + 1/m sum_i s(l_i^fake),

    the binary cross-entropy with label 1 for real and 0 for fake samples.

    Returns ``(L_D, dL_D/dl_real, dL_D/dl_fake)`` with

        dL_D/dl_real = -(1 - D(x)) / m,     dL_D/dl_fake = D(G(z)) / m.
    """
    m_real, m_fake = _batch_size(logits_real), _batch_size(logits_fake)
    # HINT: L_D = mean s(-l_real) + mean s(l_fake); gradients -(1 - D) / m and D / m
    # BEGIN SOLUTION
    minus_logits_real = -logits_real                  # -l, shared by the loss and its gradient
    loss = _batch_mean(softplus(minus_logits_real)) + _batch_mean(softplus(logits_fake))
    grad_real = sigmoid(minus_logits_real)
    grad_real *= -1 / m_real                          # -(1 - D(x)) / m, in place
    grad_fake = sigmoid(logits_fake)
    grad_fake /= m_fake                               # D(G(z)) / m, in place
    return loss, grad_real, grad_fake
    # END SOLUTION


def generator_loss(logits_fake, kind="non_saturating"):
    """The generator's loss on D's logits for a batch of fakes G(z_i).

    ``"minimax"`` — the paper's Algorithm 1: G descends the second term of V,

        L_G = 1/m sum_i log(1 - D(G(z_i))) = -1/m sum_i s(l_i),
        dL_G/dl = -D(G(z)) / m,

    whose gradient vanishes when D confidently rejects the fakes (D -> 0), early in training.

    ``"non_saturating"`` — the paper's recommended alternative (Section 3): G maximises
    log D(G(z)) instead, with the same fixed point but strong gradients when D -> 0,

        L_G = -1/m sum_i log D(G(z_i)) = 1/m sum_i s(-l_i),
        dL_G/dl = -(1 - D(G(z))) / m.

    Returns ``(L_G, dL_G/dl)``.
    """
    if kind not in GENERATOR_LOSSES:
        raise ValueError(f"kind must be one of {GENERATOR_LOSSES}, got {kind!r}")
    m = _batch_size(logits_fake)
    if kind == "minimax":
        # HINT: minimax: L_G = -mean s(l), dL_G/dl = -D(G(z)) / m
        # BEGIN SOLUTION
        gradient = sigmoid(logits_fake)
        gradient *= -1 / m                            # -D(G(z)) / m, in place
        return -_batch_mean(softplus(logits_fake)), gradient
        # END SOLUTION
    # HINT: non-saturating: L_G = mean s(-l), dL_G/dl = -(1 - D(G(z))) / m
    # BEGIN SOLUTION
    minus_logits = -logits_fake                       # -l, shared by the loss and its gradient
    gradient = sigmoid(minus_logits)
    gradient *= -1 / m                                # -(1 - D(G(z))) / m, in place
    return _batch_mean(softplus(minus_logits)), gradient
    # END SOLUTION
