"""The gradient field of the project's own game: nn.fast MLP players, gan.objectives losses.

w = (theta, psi) = (G.flat_params, D.flat_params). On fixed samples (quadrature nodes:
`gan.dynamics.quadrature.quantile_nodes`, so the full batch is deterministic) the field is made
of the very gradients Algorithm 1 uses (gan.game):

    v_psi   = -dL_D/dpsi    D's backward on real and fake samples together (`backward_on_both`)
    v_theta = -dL_G/dtheta  G's backward from dL_G/dx, D's input gradient at x = G(z)

Its Jacobian is taken by central differences of those gradients (`gan.dynamics.field`). For the
minimax loss L_G = V, so dv_theta/dpsi = -d^2V/dtheta dpsi and dv_psi/dtheta = +d^2V/dpsi
dtheta: the off-diagonal blocks are minus each other's transpose, and the psi-block is the
Hessian of -L_D, symmetric (the tests check both).

R1 (Mescheder et al. 2018, eq. 9): D descends gamma/2 E_pdata ||grad_x l(x)||^2 (l the logit).
With g_i = grad_x l(x_i) held fixed, its gradient is a directional derivative of D's own
parameter gradient:

    d/dpsi 1/2 ||g(x, psi)||^2 = (dg/dpsi)^T g = d/de grad_psi l(x + e g) at e = 0,

because dg/dpsi = d^2 l / dx dpsi. So grad R1 = gamma / m sum_i [grad_psi l(x_i + e g_i) -
grad_psi l(x_i - e g_i)] / (2 e): two more backward passes, no second-order code. R2 is the same
at the fake samples.
"""

from __future__ import annotations

import numpy as np

from gan.engine import assign_parameters
from gan.game import backward_on_both
from gan.objectives import discriminator_loss, generator_loss

PENALTY_EPS = 1e-4


def penalty_gradient(D, x, gamma, eps=PENALTY_EPS):
    """d/dpsi of gamma/2 mean_i ||grad_x l(x_i)||^2 by the directional difference above.
    Leaves D's flat_grads overwritten."""
    m = x.shape[-2]
    D.forward(x)
    g = D.backward(np.full(x.shape[:-1] + (1,), 1.0, dtype=D.dtype), param_grads=False)
    gradients = []
    for sign in (1.0, -1.0):
        D.forward(x + sign * eps * g)
        D.backward(np.full(x.shape[:-1] + (1,), 1.0 / m, dtype=D.dtype), input_grad=False)
        gradients.append(D.flat_grads.copy())
    return gamma * (gradients[0] - gradients[1]) / (2 * eps)


class NetworkGame:
    """The game of MLPs G and D on fixed real samples ``x_real`` and noise ``z`` ((n, dim)
    arrays), with generator loss ``g_loss`` and optional R1 / R2 weights; a field on w."""

    def __init__(self, G, D, x_real, z, g_loss="non_saturating", r1=0.0, r2=0.0):
        for name, value in (("r1", r1), ("r2", r2)):
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        self.G, self.D, self.g_loss, self.r1, self.r2 = G, D, g_loss, r1, r2
        self.x_real = np.asarray(x_real, dtype=D.dtype)
        self.z = np.asarray(z, dtype=G.dtype)
        self.n_theta = G.flat_params.size

    @property
    def w(self):
        """The players' current parameters as one vector (a copy)."""
        return np.concatenate([self.G.flat_params, self.D.flat_params])

    def field(self, w):
        """v(w) = (-dL_G/dtheta, -dL_D/dpsi - grad R1 - grad R2); the players are restored."""
        saved = self.w
        try:
            assign_parameters(self.G, w[:self.n_theta])
            assign_parameters(self.D, w[self.n_theta:])
            x_fake = self.G.forward(self.z)
            backward_on_both(self.D, self.x_real, x_fake, discriminator_loss)
            v_psi = -self.D.flat_grads.copy()
            if self.r1:
                v_psi -= penalty_gradient(self.D, self.x_real, self.r1)
            if self.r2:
                v_psi -= penalty_gradient(self.D, x_fake, self.r2)
            _, grad_logits = generator_loss(self.D.forward(x_fake), self.g_loss)
            self.G.forward(self.z)
            self.G.backward(self.D.backward(grad_logits, param_grads=False), input_grad=False)
            return np.concatenate([-self.G.flat_grads, v_psi])
        finally:
            assign_parameters(self.G, saved[:self.n_theta])
            assign_parameters(self.D, saved[self.n_theta:])
