"""A Gaussian GAN whose discriminator family contains D*: its equilibrium and Jacobian exactly.

p_data = N(mu_0, sigma_0^2);  G(z) = mu + sigma z, z ~ N(0, 1), so p_g = N(mu, sigma^2);
D(x) = sigmoid(l(x)) with the quadratic logit l(x) = a x^2 + b x + c = psi . phi(x),
phi(x) = (x^2, x, 1). The parameters are w = (theta, psi) = (mu, sigma, a, b, c).

The family contains every optimal discriminator: by Proposition 1 of Goodfellow et al. (2014)
the logit of D* is log p_data(x) - log p_g(x), for two Gaussians

    a* = 1/(2 sigma^2) - 1/(2 sigma_0^2),   b* = mu_0/sigma_0^2 - mu/sigma^2,
    c* = mu^2/(2 sigma^2) - mu_0^2/(2 sigma_0^2) + log(sigma / sigma_0)      (`optimal_psi`),

so the game's equilibrium is exactly (mu, sigma, a, b, c) = (mu_0, sigma_0, 0, 0, 0): p_g = p_data
and D = 1/2 (a* = b* = c* = 0 there). With s = sigmoid and y = mu + sigma z, V = E_x log s(l(x))
+ E_z log s(-l(y)) and the field is

    v_psi   = dV/dpsi = E_x[s(-l(x)) phi(x)] - E_z[s(l(y)) phi(y)],
    v_theta = -dL_G/dtheta = E_z[D_G(y) l'(y) (1, z)],   l'(y) = 2 a y + b,

D_G = s(l) for the minimax loss L_G = E log s(-l(y)) and s(-l) for the non-saturating
L_G = -E log s(l(y)). The Jacobian at the equilibrium, where l = l' = 0 and s = 1/2, s' = 1/4:

* dv_theta/dtheta = 0 (v_theta carries the factor l' = 0 whatever theta is);
* dv_theta/dpsi = 1/2 E_z[(1, z)^T dl'/dpsi] with dl'/d(a, b, c) = (2y, 1, 0): B below;
* dv_psi/dtheta = -1/2 E_z[dphi(y)/dtheta] = -B^T  (dphi/dmu = (2y, 1, 0),
  dphi/dsigma = z (2y, 1, 0));
* dv_psi/dpsi = -s'(0) (E_x phi phi^T + E_y phi phi^T) = -M/2, M = E_{N(mu_0, sigma_0^2)} phi phi^T;

    J* = [[ 0,    B  ],       B = [[mu_0,    1/2, 0],
          [ -B^T, -M/2]],          [sigma_0, 0,   0]],

the same for both generator losses. M is positive definite, so if J* u = lambda u with u =
(u_theta, u_psi), Re lambda ||u||^2 = -1/2 u_psi^* M u_psi < 0 unless u_psi = 0, and then
J* u = lambda u with u_psi = 0 forces -B^T u_theta = 0, so u_theta = 0 (B has rank 2):
every eigenvalue has a
negative real part. The gradient flow converges; discrete rules converge for small enough steps
(`gan.dynamics.updates.largest_stable_step`). R1 with weight gamma (gamma/2 E_x l'(x)^2, D
descends it) adds -gamma K to the psi-block, K = E_x[(2x, 1, 0)^T (2x, 1, 0)].

The expectations are Gauss-Hermite sums (exact here up to the degree of the rule); the field is
written with the project's own loss gradients (gan.objectives) at the nodes, weighted.
"""

from __future__ import annotations

import numpy as np

from gan.dynamics.quadrature import gauss_hermite
from gan.objectives import GENERATOR_LOSSES, discriminator_loss, generator_loss

N_THETA = 2


def optimal_psi(mu, sigma, mu_0, sigma_0):
    """(a*, b*, c*): the quadratic logit of D* = p_data / (p_data + p_g) (module docstring)."""
    a = 1 / (2 * sigma**2) - 1 / (2 * sigma_0**2)
    b = mu_0 / sigma_0**2 - mu / sigma**2
    c = mu**2 / (2 * sigma**2) - mu_0**2 / (2 * sigma_0**2) + np.log(abs(sigma) / sigma_0)
    return np.array([a, b, c])


def moments(mu, sigma, order=4):
    """E x^k for x ~ N(mu, sigma^2), k = 0..order (order <= 4)."""
    return np.array([1.0, mu, mu**2 + sigma**2, mu**3 + 3 * mu * sigma**2,
                     mu**4 + 6 * mu**2 * sigma**2 + 3 * sigma**4])[:order + 1]


class GaussianGAN:
    """The game on w = (mu, sigma, a, b, c) against p_data = N(mu_0, sigma_0^2); ``g_loss``
    "minimax" or "non_saturating"; ``r1``, ``r2`` the weights of the gradient penalties on
    real and generated samples (Mescheder et al. 2018)."""

    def __init__(self, mu_0=-1.0, sigma_0=1.0, g_loss="non_saturating", r1=0.0, r2=0.0,
                 nodes=40):
        if not (np.isfinite(mu_0) and np.isfinite(sigma_0) and sigma_0 > 0):
            raise ValueError(f"sigma_0 must be a positive finite number and mu_0 finite, got "
                             f"mu_0={mu_0!r}, sigma_0={sigma_0!r}")
        if g_loss not in GENERATOR_LOSSES:
            raise ValueError(f"g_loss must be one of {GENERATOR_LOSSES}, got {g_loss!r}")
        for name, value in (("r1", r1), ("r2", r2)):
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        self.mu_0, self.sigma_0, self.g_loss, self.r1, self.r2 = mu_0, sigma_0, g_loss, r1, r2
        self.z, self.weights = gauss_hermite(nodes)
        self.x = mu_0 + sigma_0 * self.z

    @property
    def equilibrium(self):
        """w* = (mu_0, sigma_0, 0, 0, 0)."""
        return np.array([self.mu_0, self.sigma_0, 0.0, 0.0, 0.0])

    def field(self, w):
        """v = (-dL_G/dmu, -dL_G/dsigma, dV/da, dV/db, dV/dc) from gan.objectives' gradients."""
        mu, sigma, a, b, c = np.asarray(w, dtype=np.float64)
        weights = self.weights * len(self.z)          # the losses' 1/n, undone, times w_i
        y = mu + sigma * self.z
        phi_x, phi_y = _features(self.x), _features(y)
        logit = lambda x: (a * x**2 + b * x + c)[:, None]        # noqa: E731
        _, grad_real, grad_fake = discriminator_loss(logit(self.x), logit(y))  # dL_D/dl / n
        v_psi = -(weights * grad_real[:, 0]) @ phi_x - (weights * grad_fake[:, 0]) @ phi_y
        _, grad_g = generator_loss(logit(y), self.g_loss)                     # dL_G/dl / n
        dL_dy = weights * grad_g[:, 0] * (2 * a * y + b)                      # dl/dy = l'(y)
        v_theta = -np.array([dL_dy.sum(), dL_dy @ self.z])                    # dy/dmu = 1, z
        slope_real, slope_fake = 2 * a * self.x + b, 2 * a * y + b
        v_psi -= self.r1 * (self.weights * slope_real) @ _slope_features(self.x)
        v_psi -= self.r2 * (self.weights * slope_fake) @ _slope_features(y)
        return np.concatenate([v_theta, v_psi])

    def analytic_jacobian(self):
        """J* at the equilibrium (module docstring): [[0, B], [-B^T, -M/2 - (r1 + r2) K]]."""
        m = moments(self.mu_0, self.sigma_0)
        B = np.array([[self.mu_0, 0.5, 0.0], [self.sigma_0, 0.0, 0.0]])
        M = np.array([[m[4], m[3], m[2]], [m[3], m[2], m[1]], [m[2], m[1], m[0]]])
        K = np.array([[4 * m[2], 2 * m[1], 0.0], [2 * m[1], 1.0, 0.0], [0.0, 0.0, 0.0]])
        return np.block([[np.zeros((2, 2)), B], [-B.T, -M / 2 - (self.r1 + self.r2) * K]])


def _features(x):
    """phi(x) = (x^2, x, 1), one row per node."""
    return np.stack([x**2, x, np.ones_like(x)], axis=1)


def _slope_features(x):
    """dl'(x)/d(a, b, c) = (2x, 1, 0), one row per node (the R1 / R2 penalties' gradient)."""
    return np.stack([2 * x, np.ones_like(x), np.zeros_like(x)], axis=1)
