"""The Dirac-GAN (Mescheder, Geiger & Nowozin 2018, "Which Training Methods for GANs do
actually Converge?", Section 2.2): the smallest GAN that shows why training rotates.

p_data = delta_0, the generator is a point mass p_g = delta_theta, the discriminator is linear,
D_psi(x) = psi x. In the paper's convention (D's output is a logit, large on fakes) the value is

    V(theta, psi) = f(D_psi(theta)) + f(-D_psi(0)) = f(psi theta) + f(0),

which D maximises and G minimises (minimax: L_G = V). The losses:

    "gan"              f(t) = -log(1 + e^{-t}) = log sigmoid(t):   f'(t) = sigmoid(-t),
                       f''(t) = -sigmoid(t) sigmoid(-t);   f'(0) = 1/2, f''(0) = -1/4
    "non_saturating"   D as for "gan"; G minimises L_G = -f(-psi theta) (Goodfellow et al.'s
                       alternative, which has the same fixed point)
    "wgan"             f(t) = t, so V = psi theta; the critic is clipped to |psi| <= c after each
                       of its steps (`clip_critic`)
    "wgan_gp"          f(t) = t with the penalty lambda (||grad_x D(x^)|| - 1)^2 = lambda
                       (|psi| - 1)^2 (grad_x D = psi everywhere):
                       V = psi theta - lambda (|psi| - 1)^2

The field v = (-dL_G/dtheta, dV/dpsi) of "gan", with u = theta psi:

    v(theta, psi) = ( -psi f'(u),  theta f'(u) ),

and its Jacobian, by the product rule,

    J = [[ -psi^2 f''(u),         -f'(u) - u f''(u) ],
         [  f'(u) + u f''(u),      theta^2 f''(u)   ]].

Closed forms (each a test in tests/test_gan_dynamics_dirac.py):

* At the equilibrium (0, 0), J = [[0, -f'(0)], [f'(0), 0]]: det(J - lambda I) = lambda^2 +
  f'(0)^2, so lambda = +-i f'(0) = +-i/2. Non-saturating: the same J (its extra terms carry a
  factor psi or theta).
* The flow w' = v(w) conserves theta^2 + psi^2: d/dt (theta^2 + psi^2) = 2 theta (-psi f') +
  2 psi (theta f') = 0. Orbits are circles; the equilibrium is never reached.
* One simultaneous step of size h: theta' = theta - h psi f', psi' = psi + h theta f', so
  theta'^2 + psi'^2 = theta^2 + psi^2 + h^2 f'^2 (psi^2 + theta^2) (the cross terms cancel):
  the squared norm grows by exactly the factor 1 + h^2 f'(theta psi)^2. Every step spirals out.
* R1 with weight gamma (penalty gamma/2 E_pdata |grad_x D|^2 = gamma/2 psi^2, D descends it)
  adds -gamma psi to v_psi: J = [[0, -f'(0)], [f'(0), -gamma]], lambda^2 + gamma lambda +
  f'(0)^2 = 0, lambda = -gamma/2 +- sqrt(gamma^2/4 - f'(0)^2): Re lambda < 0 for every gamma > 0.
  R2 (on p_g = delta_theta: gamma/2 |grad_x D(theta)|^2 = gamma/2 psi^2) is the same here.
* Instance noise of standard deviation sigma (Sonderby et al. 2017; both distributions blurred
  by N(0, sigma^2)): V = E f(psi (theta + e)) + E f(-psi e'), e, e' ~ N(0, sigma^2). At (0, 0)
  the off-diagonal entries stay +-f'(0) while dv_psi/dpsi = E[e^2] f''(0) + E[e'^2] f''(0) =
  2 sigma^2 f''(0), so lambda = sigma^2 f''(0) +- sqrt(sigma^4 f''(0)^2 - f'(0)^2).
* Consensus (`gan.dynamics.updates.consensus_field`) at (0, 0): J - gamma J^T J =
  J - gamma f'(0)^2 I, eigenvalues -gamma f'(0)^2 +- i f'(0).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as sigmoid

LOSSES = ("gan", "non_saturating", "wgan", "wgan_gp")
N_THETA = 1                 # w = (theta, psi): one generator parameter, one discriminator's


def f_prime(t):
    """f'(t) = sigmoid(-t) for f(t) = -log(1 + e^{-t}); f'(0) = 1/2."""
    return sigmoid(-t)


def f_second(t):
    """f''(t) = -sigmoid(t) sigmoid(-t); f''(0) = -1/4."""
    return -sigmoid(t) * sigmoid(-t)


def f(t):
    """f(t) = -log(1 + e^{-t}) = log sigmoid(t), as -logaddexp(0, -t)."""
    return -np.logaddexp(0.0, -t)


class DiracGAN:
    """The Dirac-GAN with a loss of `LOSSES` and optional settings, as a field on w = (theta, psi).

    ``r1``, ``r2``: weights gamma of the gradient penalties (Mescheder et al. 2018, eq. 9-10),
    ``lam``: the WGAN-GP weight (default 10), ``noise``: instance noise sigma ("gan" and
    "non_saturating"; its expectations by Gauss-Hermite quadrature with ``nodes`` points).
    """

    def __init__(self, loss="gan", r1=0.0, r2=0.0, noise=0.0, lam=10.0, nodes=40):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        for name, value in (("r1", r1), ("r2", r2), ("noise", noise), ("lam", lam)):
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if noise and loss not in ("gan", "non_saturating"):
            raise ValueError(f"noise applies to the 'gan' and 'non_saturating' losses, "
                             f"got loss={loss!r}")
        self.loss, self.r1, self.r2, self.noise, self.lam = loss, r1, r2, noise, lam
        z, weights = np.polynomial.hermite_e.hermegauss(nodes)   # E g(e) = sum w_i g(sigma z_i)
        self.e, self.weights = noise * z, weights / weights.sum()

    def field(self, w):
        """v = (-dL_G/dtheta, dV/dpsi - (r1 + r2) psi) at w = (theta, psi)."""
        theta, psi = np.asarray(w, dtype=np.float64)
        if self.loss in ("wgan", "wgan_gp"):
            v_theta, v_psi = -psi, theta                           # V = psi theta
            if self.loss == "wgan_gp":
                v_psi -= 2 * self.lam * (abs(psi) - 1) * np.sign(psi)
        else:
            fake = theta + self.e                                  # G's samples (blurred)
            real = self.e                                          # the data's, delta_0 blurred
            E = self.weights.__matmul__                            # E g = sum_i w_i g(e_i)
            if self.loss == "gan":                                 # L_G = E f(psi x~)
                v_theta = -E(psi * f_prime(psi * fake))
            else:                                                  # L_G = -E f(-psi x~)
                v_theta = -E(psi * f_prime(-psi * fake))
            v_psi = E(fake * f_prime(psi * fake)) - E(real * f_prime(-psi * real))
        return np.array([v_theta, v_psi - (self.r1 + self.r2) * psi])

    def jacobian(self, w):
        """dv/dw written out (the module docstring), for the losses without noise."""
        if self.noise:
            raise ValueError("the analytic Jacobian is written for noise = 0; use "
                             "gan.dynamics.field.jacobian for instance noise")
        theta, psi = np.asarray(w, dtype=np.float64)
        u = theta * psi
        if self.loss == "gan":
            J = np.array([[-psi**2 * f_second(u), -f_prime(u) - u * f_second(u)],
                          [f_prime(u) + u * f_second(u), theta**2 * f_second(u)]])
        elif self.loss == "non_saturating":
            J = np.array([[psi**2 * f_second(-u), -f_prime(-u) + u * f_second(-u)],
                          [f_prime(u) + u * f_second(u), theta**2 * f_second(u)]])
        else:
            J = np.array([[0.0, -1.0], [1.0, 0.0]])
            if self.loss == "wgan_gp":
                J[1, 1] = -2 * self.lam                           # away from psi = 0
        J[1, 1] -= self.r1 + self.r2
        return J

    def value(self, w):
        """V(theta, psi) (without the R1 / R2 penalties)."""
        theta, psi = np.asarray(w, dtype=np.float64)
        if self.loss in ("wgan", "wgan_gp"):
            penalty = self.lam * (abs(psi) - 1) ** 2 if self.loss == "wgan_gp" else 0.0
            return psi * theta - penalty
        return self.weights @ f(psi * (theta + self.e)) + self.weights @ f(-psi * self.e)


def clip_critic(w, c=0.01):
    """WGAN's weight clipping on the Dirac-GAN: psi <- clip(psi, -c, c) (Arjovsky et al. 2017)."""
    theta, psi = np.asarray(w, dtype=np.float64)
    return np.array([theta, np.clip(psi, -c, c)])


def bilinear_field(w):
    """The bilinear game V = theta psi (Goodfellow 2016, NIPS tutorial, Section 8.2): v =
    (-psi, theta), a rotation by 90 degrees, J = [[0, -1], [1, 0]] with eigenvalues +-i.

    For this linear field (A^2 = -I, A skew) the closed forms of `gan.dynamics.updates`' rules:
    simultaneous w' = (I + eta A) w, ||w'||^2 = (1 + eta^2) ||w||^2; extragradient
    w' = (I + eta A + eta^2 A^2) w = ((1 - eta^2) I + eta A) w, ||w'||^2 = ((1 - eta^2)^2 +
    eta^2) ||w||^2 = (1 - eta^2 + eta^4) ||w||^2; optimistic: see `optimistic_radius`.
    """
    theta, psi = np.asarray(w, dtype=np.float64)
    return np.array([-psi, theta])


def optimistic_radius(eta):
    """Spectral radius of the optimistic step on the bilinear game, from its 4 x 4 map.

    With v(w) = A w, w_{t+1} = (I + 2 eta A) w_t - eta A w_{t-1}. On an eigenvector of A
    (eigenvalue a = +-i) the state (w_t, w_{t-1}) evolves by the roots of
    lambda^2 - (1 + 2 eta a) lambda + eta a = 0, whose discriminant is (1 + 2 eta a)^2 -
    4 eta a = 1 + 4 eta^2 a^2 = 1 - 4 eta^2. So lambda = (1 + 2 eta a +- sqrt(1 - 4 eta^2)) / 2:

        eta <= 1/2:   rho^2 = |1 + s + 2 i eta|^2 / 4 = (1 + s) / 2,   s = sqrt(1 - 4 eta^2),
        eta > 1/2:    rho^2 = (1 + (2 eta + sqrt(4 eta^2 - 1))^2) / 4,

    so rho < 1 exactly for 0 < eta < 1/sqrt(3): for eta > 1/2 the condition is
    2 eta + sqrt(4 eta^2 - 1) < sqrt(3), i.e. 4 eta^2 - 1 < 3 - 4 sqrt(3) eta + 4 eta^2.
    (At eta = 1/2 the two roots coincide: the map is not diagonalisable there.)
    """
    eta = np.asarray(eta, dtype=np.float64)
    inside = 1 - 4 * eta**2
    small = (1 + np.sqrt(np.maximum(inside, 0))) / 2
    large = (1 + (2 * eta + np.sqrt(np.maximum(-inside, 0))) ** 2) / 4
    return np.sqrt(np.where(inside >= 0, small, large))
