"""Consensus optimisation for networks (Mescheder, Nowozin & Geiger 2017, "The Numerics of
GANs", eq. 8-9) without second-order code and without forming J.

The players follow v - gamma grad R with R = 1/2 ||v||^2 and v = (-grad_theta L_G,
-grad_psi L_D), so grad R = J^T v. A central difference of the field along a direction u gives
J u, not J^T v; but R is a sum of two squared gradient norms of SCALAR losses, and the gradient
of a squared gradient norm is a Hessian-vector product of that scalar:

    R = 1/2 ||grad_theta L_G||^2 + 1/2 ||grad_psi L_D||^2
    grad_w 1/2 ||grad_theta L_G||^2 = H(L_G) (grad_theta L_G, 0)      H(L) = d^2 L / dw dw
    grad_w 1/2 ||grad_psi L_D||^2   = H(L_D) (0, grad_psi L_D)        (symmetric Hessians)

and H(L) u = [grad_w L(w + e u) - grad_w L(w - e u)] / (2 e) + O(e^2). So grad R needs, besides
the usual gradients, the full gradients grad_w L = (grad_theta L, grad_psi L) of each loss:
L_G's gradient in D's parameters (D's backward with its parameter gradients on) and L_D's in
G's (D's input gradient at the fake samples, through G's backward). Cost: four more gradient
evaluations of both players per step (two per loss), i.e. a consensus step costs about five
simultaneous steps. Accuracy: O(e^2 |u|^2) truncation (third derivatives) plus rounding
~ 1e-16 |grad| / e; e = 1e-4 is an ABSOLUTE step along u (as `networks.penalty_gradient`), so a
stacked ensemble's members are perturbed independently and each member computes exactly its
single run's numbers. tests/test_gan_dynamics_consensus.py holds grad R equal to J^T v with J from
`gan.dynamics.field.jacobian`.

The losses are the GAN's (gan.objectives) on the given samples: L_D on (x_real, G(z_d)), L_G on
G(z_g). R1 / R2 penalties, if any, are added to D's gradient outside R.
"""

from __future__ import annotations

import numpy as np

from gan.engine import assign_parameters
from gan.objectives import discriminator_loss, generator_loss

CONSENSUS_EPS = 1e-4


def generator_loss_gradients(G, D, z, g_loss):
    """(L_G, grad_theta L_G, grad_psi L_G) at the players' parameters, L_G on x = G(z)."""
    loss, grad_logits = generator_loss(D.forward(G.forward(z)), g_loss)
    G.backward(D.backward(grad_logits), input_grad=False)   # D's parameter gradients kept
    return loss, G.flat_grads.copy(), D.flat_grads.copy()


def discriminator_loss_gradients(G, D, x_real, z):
    """(L_D, grad_theta L_D, grad_psi L_D): L_D on x_real and G(z), its gradient in G's
    parameters through dL_D/dx at the fake samples."""
    m = x_real.shape[-2]
    outputs = D.forward(np.concatenate([x_real, G.forward(z)], axis=-2))
    loss, grad_real, grad_fake = discriminator_loss(outputs[..., :m, :], outputs[..., m:, :])
    grad_x = D.backward(np.concatenate([grad_real, grad_fake], axis=-2))
    G.backward(grad_x[..., m:, :], input_grad=False)
    return loss, G.flat_grads.copy(), D.flat_grads.copy()


def consensus_gradients(G, D, x_real, z_d, z_g, g_loss="non_saturating", eps=CONSENSUS_EPS):
    """The losses and both players' descent gradients with grad R = J^T v split as above:

        (L_D, L_G, grad_theta L_G, grad_psi L_D, grad_theta R, grad_psi R).

    The players' parameters are restored; their gradient buffers are left overwritten."""
    theta, psi = G.flat_params.copy(), D.flat_params.copy()
    try:
        g_value, g_theta, _ = generator_loss_gradients(G, D, z_g, g_loss)
        d_value, _, d_psi = discriminator_loss_gradients(G, D, x_real, z_d)
        grad_R_theta, grad_R_psi = np.zeros_like(theta), np.zeros_like(psi)
        for sign in (1.0, -1.0):            # H(L_G) (grad_theta L_G, 0): move theta only
            assign_parameters(G, theta + sign * eps * g_theta)
            _, along_theta, along_psi = generator_loss_gradients(G, D, z_g, g_loss)
            grad_R_theta += sign * along_theta / (2 * eps)
            grad_R_psi += sign * along_psi / (2 * eps)
        assign_parameters(G, theta)
        for sign in (1.0, -1.0):            # H(L_D) (0, grad_psi L_D): move psi only
            assign_parameters(D, psi + sign * eps * d_psi)
            _, along_theta, along_psi = discriminator_loss_gradients(G, D, x_real, z_d)
            grad_R_theta += sign * along_theta / (2 * eps)
            grad_R_psi += sign * along_psi / (2 * eps)
    finally:
        assign_parameters(G, theta)
        assign_parameters(D, psi)
    return d_value, g_value, g_theta, d_psi, grad_R_theta, grad_R_psi
