"""Reading the spectrum of a network game's Jacobian: whose directions, which blocks, and the
spectrum at a true stationary point nearby.

J = [[J_tt, J_tp], [J_pt, J_pp]] with J_tt = -d^2 L_G / dtheta^2 and J_pp = -d^2 L_D / dpsi^2
(`gan.dynamics.networks`): both diagonal blocks are minus Hessians of a player's own loss, so
they are symmetric, and (theta, psi) is a LOCAL NASH EQUILIBRIUM only if v = 0 there and both
blocks are negative semidefinite (each player at a local minimum of its loss, the other held
fixed). A positive eigenvalue mu of J_pp with unit eigenvector u says that D's loss is locally
concave along u: L_D(psi + t u) + L_D(psi - t u) - 2 L_D(psi) = -mu t^2 + O(t^4) (the
tests check this against the loss itself).

An eigenvalue of the whole J in the right half-plane only predicts that the flow moves away when
J is taken at a stationary point (v = 0). A trained point is an iterate of stochastic Adam steps,
not one; `stationary_point` finds one nearby by minimising R = 1/2 ||v||^2 with L-BFGS (scipy),
its gradient J^T v from `gan.dynamics.consensus` (no J formed). A minimum with R = 0 is a
stationary point of the game, not necessarily a Nash equilibrium: the blocks say which.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from gan.dynamics.consensus import consensus_gradients
from gan.engine import assign_parameters


def describe(J, n_theta, relative=1e-3):
    """What the spectrum of J says, as a dict: ``positive`` how many eigenvalues have
    Re > relative * max |lambda| (numerically positive), ``generator_share`` for each of them the
    share of its eigenvector's squared norm on theta (1: a G direction, 0: a D direction),
    ``max_real``, ``max_imag``, and the largest eigenvalues of the symmetric blocks J_tt, J_pp
    (``max_theta_block``, ``max_psi_block``: > 0 means that player is not at a local minimum of
    its own loss)."""
    J = np.asarray(J, dtype=np.float64)
    values, vectors = np.linalg.eig(J)
    scale = np.abs(values).max()
    positive = values.real > relative * scale
    share = np.sum(np.abs(vectors[:n_theta, positive]) ** 2, axis=0) / np.sum(
        np.abs(vectors[:, positive]) ** 2, axis=0)
    blocks = [np.linalg.eigvalsh((B + B.T) / 2).max()
              for B in (J[:n_theta, :n_theta], J[n_theta:, n_theta:])]
    return dict(positive=int(positive.sum()), generator_share=share,
                max_real=float(values.real.max()), max_imag=float(np.abs(values.imag).max()),
                max_theta_block=float(blocks[0]), max_psi_block=float(blocks[1]),
                scale=float(scale))


def stationary_point(game, maxiter=1000):
    """Minimise R(w) = 1/2 ||v(w)||^2 of a `NetworkGame` (no penalties) from its current w by
    L-BFGS with grad R = J^T v; returns (w, ||v(w)||, iterations). The players are left at w."""
    if game.r1 or game.r2:
        raise ValueError("stationary_point takes a game without R1 / R2 penalties")
    if isinstance(maxiter, bool) or not isinstance(maxiter, int) or maxiter < 1:
        raise ValueError(f"maxiter must be a positive integer, got {maxiter!r}")
    n = game.n_theta

    def objective(w):
        assign_parameters(game.G, w[:n])
        assign_parameters(game.D, w[n:])
        v = game.field(w)
        *_, grad_theta, grad_psi = consensus_gradients(game.G, game.D, game.x_real, game.z,
                                                       game.z, game.g_loss)
        return 0.5 * float(v @ v), np.concatenate([grad_theta, grad_psi])

    found = minimize(objective, game.w, jac=True, method="L-BFGS-B",
                     options=dict(maxiter=maxiter, gtol=1e-14, ftol=1e-20))
    assign_parameters(game.G, found.x[:n])
    assign_parameters(game.D, found.x[n:])
    return found.x, float(np.linalg.norm(game.field(found.x))), int(found.nit)
