"""Update rules other than Algorithm 1's, passed to training beside the game.

Algorithm 1 (`gan.train.iteration`) takes k D steps, then one G step through the new D. The
rules here take the gradients at other points, and `gan.train.train` runs one when it is given
one: ``train(config, update=UpdateRule("extragradient"))``; so do `gan.lab.ensemble` and
`gan.lab.sweep` (``python -m gan train --update extragradient --r1 1``). Each player keeps its
own optimiser; a rule decides at which point the gradients are taken and when the optimisers step:

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
                    (experiments/compare_updates.py --set consensus=...; lesson 24)

R1 / R2 (Mescheder et al. 2018): D's gradient gains gamma grad_psi 1/2 mean ||grad_x l||^2 at
the real / fake samples (`gan.dynamics.networks.penalty_gradient`). The rules use the GAN's
losses (gan.objectives); a variant's own updates are not consulted. Rules other than
"alternating" take one D step per G step (k = 1).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from gan.dynamics import RULES
from gan.dynamics.consensus import consensus_gradients
from gan.dynamics.networks import penalty_gradient
from gan.engine import assign_gradients, assign_parameters
from gan.game import backward_on_both
from gan.objectives import discriminator_loss, generator_loss


@dataclass(frozen=True)
class UpdateRule:
    """An update rule with its R1 / R2 weights and, for "consensus", its weight gamma.

    Called as ``rule(game, step, rng)`` it plays one iteration of the game and returns
    (L_D, V estimate, L_G), as `gan.train.iteration` does.
    """

    name: str = "alternating"
    r1: float = 0.0
    r2: float = 0.0
    consensus: float = 0.0

    def __post_init__(self):
        if not isinstance(self.name, str) or self.name not in RULES:
            raise ValueError(f"update must be one of {RULES}, got {self.name!r}")
        for field in ("r1", "r2", "consensus"):
            value = getattr(self, field)
            if isinstance(value, bool) or not (isinstance(value, (int, float))
                                               and math.isfinite(value) and value >= 0):
                raise ValueError(f"{field} must be a finite number >= 0, got {value!r}")
        if (self.name == "consensus") != (self.consensus > 0):
            raise ValueError(f"consensus must be > 0 exactly when update='consensus' (its weight "
                             f"gamma, e.g. --consensus 1), got update={self.name!r}, "
                             f"consensus={self.consensus!r}")

    @property
    def is_algorithm1(self):
        """True for "alternating" without penalties: Algorithm 1 itself."""
        return self.name == "alternating" and not self.r1 and not self.r2

    def check(self, config):
        """ValueError unless ``config`` fits the rule: one D step per G step (k = 1) for every
        rule but "alternating"."""
        if self.name != "alternating" and config.k != 1:
            raise ValueError(f"k must be 1 with update={self.name!r} (one D step per G step), "
                             f"got k={config.k!r}")

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        return cls(**d)

    def __call__(self, game, step, rng):
        """One iteration of ``game`` under this rule; returns (L_D, V estimate, L_G)."""
        c = game.config
        self.check(c)
        if self.name == "alternating":
            for _ in range(c.k):
                x_real = game.sample_real(c.batch_size, rng)
                z = game.sample_noise(c.batch_size, rng)
                d_loss = discriminator_gradients(game, x_real, z, self)
                game.opt_d.step()
            z = game.sample_noise(c.batch_size, rng)
            g_loss = generator_gradients(game, z)
            game.opt_g.step()
            return d_loss, -d_loss, g_loss
        x_real = game.sample_real(c.batch_size, rng)
        z_d, z_g = game.sample_noise(c.batch_size, rng), game.sample_noise(c.batch_size, rng)
        if self.name == "extragradient":
            saved = _save(game)
            both_gradients(game, x_real, z_d, z_g, self)
            game.opt_d.step(), game.opt_g.step()                  # to the look-ahead point
            d_loss, g_loss = both_gradients(game, x_real, z_d, z_g, self)
            _restore(game, saved)                                 # back, keeping the new gradients
        elif self.name == "consensus":
            d_loss, g_loss = consensus_step_gradients(game, x_real, z_d, z_g, self)
        else:
            d_loss, g_loss = both_gradients(game, x_real, z_d, z_g, self)
        if self.name == "optimistic":
            previous = getattr(game, "_previous_gradients", None)
            current = (game.D.flat_grads.copy(), game.G.flat_grads.copy())
            if previous is not None:
                assign_gradients(game.D, 2 * current[0] - previous[0])   # 2 g_t - g_{t-1}
                assign_gradients(game.G, 2 * current[1] - previous[1])
            game._previous_gradients = current
        game.opt_d.step()
        game.opt_g.step()
        return d_loss, -d_loss, g_loss


def discriminator_gradients(game, x_real, z, rule):
    """SET D's gradients to dL_D/dpsi (+ the rule's R1 / R2) at the current players; returns
    L_D."""
    x_fake = game.G.forward(z)
    loss = backward_on_both(game.D, x_real, x_fake, discriminator_loss)
    if rule.r1 or rule.r2:
        total = game.D.flat_grads.copy()
        if rule.r1:
            total += penalty_gradient(game.D, x_real, rule.r1)
        if rule.r2:
            total += penalty_gradient(game.D, x_fake, rule.r2)
        assign_gradients(game.D, total)
    return loss


def generator_gradients(game, z):
    """SET G's gradients to dL_G/dtheta through the current D; returns L_G."""
    loss, grad_logits = generator_loss(game.D.forward(game.G.forward(z)), game.config.g_loss)
    game.G.backward(game.D.backward(grad_logits, param_grads=False), input_grad=False)
    return loss


def consensus_step_gradients(game, x_real, z_d, z_g, rule):
    """SET the gradients to grad L + gamma grad R (R = 1/2 ||v||^2, `consensus_gradients`),
    plus R1 / R2 on D's; returns (L_D, L_G)."""
    d_loss, g_loss, g_theta, d_psi, r_theta, r_psi = consensus_gradients(
        game.G, game.D, x_real, z_d, z_g, game.config.g_loss)
    if rule.r1:
        d_psi = d_psi + penalty_gradient(game.D, x_real, rule.r1)
    if rule.r2:
        d_psi = d_psi + penalty_gradient(game.D, game.G.forward(z_d), rule.r2)
    assign_gradients(game.D, d_psi + rule.consensus * r_psi)
    assign_gradients(game.G, g_theta + rule.consensus * r_theta)
    return d_loss, g_loss


def both_gradients(game, x_real, z_d, z_g, rule):
    """Both players' gradients at the same (theta, psi); returns (L_D, L_G)."""
    return discriminator_gradients(game, x_real, z_d, rule), generator_gradients(game, z_g)


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
