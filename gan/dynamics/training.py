"""The update rules as settings of Algorithm 1's iteration (``--update``, ``--r1``, ``--r2``).

`gan.train.iteration` hands an iteration here when ``config.update`` is not "alternating" or an
R1 / R2 weight is set; "alternating" without penalties is Algorithm 1 itself and never comes
here, so its runs stay bitwise what they were. Each player keeps its own optimiser; a rule
decides at which point the gradients are taken and when the optimisers step:

    alternating     k D steps, then G through the new D (Algorithm 1), with R1 / R2 added
    simultaneous    both gradients at (theta, psi), then both optimisers step
    extragradient   a simultaneous step to a look-ahead point, gradients there, then the
                    players and the optimisers' states are put back and step with those
                    gradients (Gidel et al. 2019, "Extra-Adam" when the optimiser is Adam)
    optimistic      each optimiser is fed 2 g_t - g_{t-1} (Daskalakis et al. 2018: with SGD this
                    is w' = w - 2 h g_t + h g_{t-1} exactly)
    consensus       simultaneous, each gradient plus gamma grad 1/2 ||v||^2 = gamma J^T v
                    (Mescheder et al. 2017; `gan.dynamics.consensus`, ~5x a simultaneous step).
                    gamma must keep gamma |J^T v| near |v| or below: on N(-1, 1) with Adam,
                    gamma 0.01 met the course criterion in 8 of 10 seeds, 0.1 to 10 in none
                    (benchmarks/compare_updates.py --set consensus=...; lesson 24)

R1 / R2 (Mescheder et al. 2018): D's gradient gains gamma grad_psi 1/2 mean ||grad_x l||^2 at
the real / fake samples (`gan.dynamics.networks.penalty_gradient`). The rules use the GAN's
losses (gan.objectives); a variant's own updates are not consulted. Non-alternating rules
take one D step per G step (k = 1, checked by GANConfig).
"""

from __future__ import annotations

import numpy as np

from gan.dynamics.consensus import consensus_gradients
from gan.dynamics.networks import penalty_gradient
from gan.engine import assign_gradients, assign_parameters
from gan.game import backward_on_both
from gan.objectives import discriminator_loss, generator_loss

from gan.config import UPDATES  # noqa: E402  (the names GANConfig validates)


def iteration(game, step, rng):
    """One iteration under ``game.config.update``; returns (L_D, V estimate, L_G)."""
    c = game.config
    if c.update == "alternating":
        for _ in range(c.k):
            x_real, z = game.sample_real(c.batch_size, rng), game.sample_noise(c.batch_size, rng)
            d_loss = discriminator_gradients(game, x_real, z)
            game.opt_d.step()
        z = game.sample_noise(c.batch_size, rng)
        g_loss = generator_gradients(game, z)
        game.opt_g.step()
        return d_loss, -d_loss, g_loss
    x_real = game.sample_real(c.batch_size, rng)
    z_d, z_g = game.sample_noise(c.batch_size, rng), game.sample_noise(c.batch_size, rng)
    if c.update == "extragradient":
        saved = _save(game)
        both_gradients(game, x_real, z_d, z_g)
        game.opt_d.step(), game.opt_g.step()                  # to the look-ahead point
        d_loss, g_loss = both_gradients(game, x_real, z_d, z_g)
        _restore(game, saved)                                 # back, keeping the new gradients
    elif c.update == "consensus":
        d_loss, g_loss = consensus_step_gradients(game, x_real, z_d, z_g)
    else:
        d_loss, g_loss = both_gradients(game, x_real, z_d, z_g)
    if c.update == "optimistic":
        previous = getattr(game, "_previous_gradients", None)
        current = (game.D.flat_grads.copy(), game.G.flat_grads.copy())
        if previous is not None:
            assign_gradients(game.D, 2 * current[0] - previous[0])   # 2 g_t - g_{t-1}
            assign_gradients(game.G, 2 * current[1] - previous[1])
        game._previous_gradients = current
    game.opt_d.step()
    game.opt_g.step()
    return d_loss, -d_loss, g_loss


def discriminator_gradients(game, x_real, z):
    """SET D's gradients to dL_D/dpsi (+ R1 / R2) at the current players; returns L_D."""
    c = game.config
    x_fake = game.G.forward(z)
    loss = backward_on_both(game.D, x_real, x_fake, discriminator_loss)
    if c.r1 or c.r2:
        total = game.D.flat_grads.copy()
        if c.r1:
            total += penalty_gradient(game.D, x_real, c.r1)
        if c.r2:
            total += penalty_gradient(game.D, x_fake, c.r2)
        assign_gradients(game.D, total)
    return loss


def generator_gradients(game, z):
    """SET G's gradients to dL_G/dtheta through the current D; returns L_G."""
    loss, grad_logits = generator_loss(game.D.forward(game.G.forward(z)), game.config.g_loss)
    game.G.backward(game.D.backward(grad_logits, param_grads=False), input_grad=False)
    return loss


def consensus_step_gradients(game, x_real, z_d, z_g):
    """SET the gradients to grad L + gamma grad R (R = 1/2 ||v||^2, `consensus_gradients`),
    plus R1 / R2 on D's; returns (L_D, L_G)."""
    c = game.config
    d_loss, g_loss, g_theta, d_psi, r_theta, r_psi = consensus_gradients(
        game.G, game.D, x_real, z_d, z_g, c.g_loss)
    if c.r1:
        d_psi = d_psi + penalty_gradient(game.D, x_real, c.r1)
    if c.r2:
        d_psi = d_psi + penalty_gradient(game.D, game.G.forward(z_d), c.r2)
    assign_gradients(game.D, d_psi + c.consensus * r_psi)
    assign_gradients(game.G, g_theta + c.consensus * r_theta)
    return d_loss, g_loss


def both_gradients(game, x_real, z_d, z_g):
    """Both players' gradients at the same (theta, psi); returns (L_D, L_G)."""
    return discriminator_gradients(game, x_real, z_d), generator_gradients(game, z_g)


def _save(game):
    return [(net.flat_params.copy(), _optimizer_state(opt))
            for net, opt in ((game.G, game.opt_g), (game.D, game.opt_d))]


def _restore(game, saved):
    for (net, opt), (params, state) in zip(((game.G, game.opt_g), (game.D, game.opt_d)), saved):
        assign_parameters(net, params)
        for name, value in state.items():
            if isinstance(value, np.ndarray):
                getattr(opt, name)[...] = value
            elif isinstance(value, list):                 # nn's per-parameter moments
                for moment, saved_moment in zip(getattr(opt, name), value):
                    moment[...] = saved_moment
            else:
                setattr(opt, name, value)


def _optimizer_state(opt):
    """The optimiser's moments / velocities and step counter t, copied: one flat array each in
    nn.fast, a list of per-parameter arrays in nn (the textbook engine)."""
    state = {name: value.copy() for name, value in vars(opt).items()
             if isinstance(value, np.ndarray) and name != "_scratch"}
    state.update({name: [moment.copy() for moment in value] for name, value in vars(opt).items()
                  if isinstance(value, list) and value
                  and all(isinstance(moment, np.ndarray) for moment in value)})
    state["t"] = opt.t
    return state
