"""The generator losses' gradients against a fixed optimal discriminator (Arjovsky & Bottou 2017,
"Towards Principled Methods for Training GANs", Theorem 2.5 and Section 2.2.1).

Let D* = p_data / (p_data + p_g0) be optimal for the generator at theta_0 and held fixed. Then at
theta = theta_0

    grad_theta E_z[-log D*(G_theta(z))]     = grad_theta [KL(p_g_theta || p_data)
                                                          - 2 JSD(p_data || p_g_theta)],
    grad_theta E_z[log(1 - D*(G_theta(z)))] = grad_theta 2 JSD(p_data || p_g_theta):

the non-saturating loss follows a reverse KL (mode-seeking) minus a JSD, the saturating one
the JSD. Here G_theta(z) = mu + sigma z, z ~ N(0, 1), theta = (mu, sigma), and p_data a Normal.
With l*(x) = log p_data(x) - log p_g0(x), d/dx log D* = sigmoid(-l*) l*'(x) and
d/dx log(1 - D*) = -sigmoid(l*) l*'(x), so by the reparameterisation (dG/dtheta = (1, z))

    grad E_z[-log D*(G)] = -E_z[sigmoid(-l*(y)) l*'(y) (1, z)],   y = mu_0 + sigma_0 z,

an expectation over z by Gauss-Hermite quadrature; the right-hand sides are central
differences in theta of gan.theory's KL and JSD (adaptive quadrature).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as sigmoid

from gan import theory
from gan.distributions import Normal
from gan.dynamics.quadrature import gauss_hermite


def loss_gradients(theta_0, p_data, nodes=120):
    """(grad of E[-log D*(G)], grad of E[log(1 - D*(G))]) at theta_0 = (mu_0, sigma_0), D* fixed
    at theta_0."""
    mu_0, sigma_0 = theta_0
    z, w = gauss_hermite(nodes)
    y = mu_0 + sigma_0 * z
    logit = p_data.logpdf(y) - Normal(mu_0, sigma_0).logpdf(y)
    slope = -(y - p_data.mean) / p_data.std**2 + (y - mu_0) / sigma_0**2   # l*'(y)
    d_theta = np.stack([np.ones_like(z), z])                                 # dG/d(mu, sigma)
    non_saturating = -(d_theta * (w * sigmoid(-logit) * slope)).sum(axis=1)
    saturating = -(d_theta * (w * sigmoid(logit) * slope)).sum(axis=1)
    return non_saturating, saturating


def divergence_gradients(theta_0, p_data, eps=1e-4):
    """(grad [KL(p_g || p_data) - 2 JSD(p_data || p_g)], grad 2 JSD(p_data || p_g)) at theta_0,
    by central differences of gan.theory's quadrature."""
    def divergences(theta):
        p_g = Normal(*theta)
        jsd = theory.jsd(p_data, p_g)
        return np.array([theory.kl(p_g, p_data) - 2 * jsd, 2 * jsd])

    columns = []
    for j in range(2):
        step = np.zeros(2)
        step[j] = eps
        upper, lower = divergences(np.add(theta_0, step)), divergences(np.subtract(theta_0, step))
        columns.append((upper - lower) / (2 * eps))
    gradients = np.stack(columns, axis=1)          # rows: the two functionals
    return gradients[0], gradients[1]
