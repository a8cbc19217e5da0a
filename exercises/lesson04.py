"""Lesson 04, exercises 1 and 2: the loss D can reach, and when a straight logit is enough.

Checked by ``python -m gan check ex04``.
"""

from __future__ import annotations

import math


def discriminator_loss_at_optimum(p_data, p_g):
    """The smallest loss D can reach, -E_{p_data} log D*(x) - E_{p_g} log(1 - D*(x)) = -V(D*, G)
    = -C(G) = log 4 - 2 JSD(p_data || p_g) (Theorem 1), in nats: log 4 = 1.386 when
    p_g = p_data (exercise 1), where D* = 1/2 everywhere. p_data, p_g: 1D distributions of
    gan.distributions. Returns a float."""
    # HINT: -C(G), with C(G) = max_D V(D, G) from gan.theory
    # BEGIN SOLUTION
    from gan import theory

    return -theory.c_of_g(p_data, p_g)
    # END SOLUTION


def optimal_logit_quadratic(mu_data, sigma_data, mu_g, sigma_g):
    """The coefficients (A, B, C) of D*'s logit for two normals, a quadratic in x:
    log p_data(x) - log p_g(x) = A x^2 + B x + C with

        A = 1 / (2 sigma_g^2) - 1 / (2 sigma_data^2)
        B = mu_data / sigma_data^2 - mu_g / sigma_g^2
        C = mu_g^2 / (2 sigma_g^2) - mu_data^2 / (2 sigma_data^2) + log(sigma_g / sigma_data).

    A = 0 exactly when the two variances are equal (exercise 2: N(-1, 1) against N(1, 1) gives
    the logit -2x, a logistic regression). Returns three floats."""
    # HINT: expand -(x - mu)^2 / (2 sigma^2) - log sigma for each density; collect x^2, x, 1
    # BEGIN SOLUTION
    A = 1 / (2 * sigma_g**2) - 1 / (2 * sigma_data**2)
    B = mu_data / sigma_data**2 - mu_g / sigma_g**2
    C = (mu_g**2 / (2 * sigma_g**2) - mu_data**2 / (2 * sigma_data**2)
         + math.log(sigma_g / sigma_data))
    return A, B, C
    # END SOLUTION
