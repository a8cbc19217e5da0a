"""InfoGAN (Chen et al. 2016, "InfoGAN: Interpretable Representation Learning by Information
Maximizing Generative Adversarial Nets").

G receives, besides the noise z, a categorical code c ~ Uniform{0, ..., K-1} (one-hot), and the
game rewards G for keeping c readable in x = G(z, c). The mutual information I(c; G(z, c)) is
bounded from below with an auxiliary distribution Q(c | x) (the paper's Lemma 5.1):

    I(c; G(z, c)) >= E_{c, z} log Q(c | G(z, c)) + H(c) = H(c) - L_I,
    L_I = -E_{c, z} log Q(c | G(z, c))     (the cross-entropy of Q's logits against c),

with H(c) = log K, and the objective (the paper's eq. 6) is

    min_{G, Q} max_D  V(D, G) + lambda L_I.

Q shares D's body: D's last layer has 1 + K outputs, column 0 D's logit l and columns 1..K Q's
logits q, that is two linear heads side by side, W = [w_D | W_Q]. The backward of that layer gives
the body dL/dh = dL/dl w_D^T + dL/dq W_Q^T, the sum of both heads' gradients. D and Q descend
L_D + lambda L_I together (one optimiser, one parameter buffer); G descends L_G + lambda L_I.
No labels are used anywhere: on a mixture, the code is free to name the modes.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import log_softmax, softmax

from gan.measure import (SNAPSHOT_N_Z, SNAPSHOT_SAMPLES, discriminator_on, generator_density,
                          jsd_with_outside_mass)
from gan.game import GAN
from gan.measure import Line
from gan.objectives import discriminator_loss, generator_loss, value_estimate
from gan.variants.conditional import Conditioned, one_hot
from gan.engine import engine


def information_loss(q_logits, c):
    """L_I = -1/m sum_i log softmax(q_i)_(c_i) and dL_I/dq = (softmax(q) - e_c) / m.

    The cross-entropy of Q(c | x) = softmax(q) against the codes c: minus the sample estimate of
    the bound's E log Q(c | G(z, c)) (Chen et al. 2016, eq. 5).
    """
    m, K = q_logits.shape
    label = one_hot(c, K, q_logits.dtype)
    loss = -np.mean(np.sum(label * log_softmax(q_logits, axis=1), axis=1))
    return loss, (softmax(q_logits, axis=1) - label) / m


def sample_codes(K, m, rng):
    """m codes c ~ Uniform{0, ..., K-1}: c = floor(K u), u ~ U[0, 1)."""
    u = np.asarray(rng.random(m), dtype=np.float64).reshape(m)
    return np.minimum((K * u).astype(np.int64), K - 1)


class CodeMixtureLine(Line):
    """The line's measurements (`gan.measure.Line`) with p_g the mixture (1/K) sum_c p_g(x|c)
    over the codes: InfoGAN's measurer."""

    @staticmethod
    def _code_generators(game):
        return game.code_generators()

    def snapshot(self, game, setup):
        """As the plain GAN's, with p_g = (1/K) sum_c p_g(.|c); ``x_of_z`` has one row per code."""
        p_data, p_z, grid = game.config.target, game.config.p_z, setup["grid"]
        densities, outside = zip(*(generator_density(G_c, p_z, grid, setup["z_eval"],
                                                     n_z=SNAPSHOT_N_Z)
                                   for G_c in self._code_generators(game)))
        p_g, mass_outside = np.mean(densities, axis=0), float(np.mean(outside))
        z = setup["z_eval"][:SNAPSHOT_SAMPLES]
        x = np.concatenate([G_c.forward(z)[:, 0] for G_c in self._code_generators(game)])
        z_points = setup["z_line"][:, None]
        return {
            "x_of_z": np.array([G_c.forward(z_points)[:, 0] if len(z_points) else np.empty(0)
                                for G_c in self._code_generators(game)]),
            "D_grid": discriminator_on(game.D, grid),
            "p_g_grid": p_g,
            "mean": float(x.mean()),
            "std": float(x.std()),
            "jsd": jsd_with_outside_mass(grid, p_data.pdf(grid), p_g, mass_outside),
        }

    def final_metrics(self, game, setup):
        """JSD(p_data || p_g) with p_g the mixture over codes, max |D - 1/2| on p_data's central
        95%, mean and std of G(z, c) per code, and how often Q recovers the code
        (``q_accuracy``, chance 1/K) on 10k samples per code."""
        p_data, p_z, grid = game.config.target, game.config.p_z, setup["grid"]
        fine = np.linspace(grid[0], grid[-1], 4 * (len(grid) - 1) + 1)
        densities, outside = zip(*(generator_density(G_c, p_z, fine, setup["z_eval"])
                                   for G_c in self._code_generators(game)))
        p_g, mass_outside = np.mean(densities, axis=0), float(np.mean(outside))
        z = setup["z_eval"][:SNAPSHOT_SAMPLES]
        x_by_code = [G_c.forward(z) for G_c in self._code_generators(game)]
        recovered = [np.mean(game.recover_codes(x) == c) for c, x in enumerate(x_by_code)]
        low, high = p_data.interval(0.95)
        central = np.linspace(low, high, 1001)
        return {
            "jsd": jsd_with_outside_mass(fine, p_data.pdf(fine), p_g, mass_outside),
            "d_max_dev": float(np.abs(discriminator_on(game.D, central) - 0.5).max()),
            "code_mean": [float(x.mean()) for x in x_by_code],
            "code_std": [float(x.std()) for x in x_by_code],
            "q_accuracy": float(np.mean(recovered)),
        }

class InfoGAN(GAN):
    """G(z, c): R^(noise_dim + K) -> R^dim, and D with two heads, D's logit and Q's K logits.

    Settings of its own: ``categories`` K (>= 2) of the code and ``information_weight`` lambda
    (> 0; Chen et al. use 1 for discrete codes). Train with
    ``train(config, game=functools.partial(InfoGAN, categories=3))``. Measured by
    `CodeMixtureLine`.
    """

    measurer = CodeMixtureLine()

    def __init__(self, config, rng, categories=2, information_weight=1.0):
        if (isinstance(categories, bool) or not isinstance(categories, numbers.Integral)
                or categories < 2):
            raise ValueError(f"categories must be an integer >= 2, got {categories!r}")
        if (isinstance(information_weight, bool) or not isinstance(information_weight, numbers.Real)
                or not np.isfinite(information_weight) or information_weight <= 0):
            raise ValueError(f"information_weight must be a positive finite number, "
                             f"got {information_weight!r}")
        self.categories, self.information_weight = int(categories), float(information_weight)
        super().__init__(config, rng)

    @classmethod
    def from_players(cls, config, G, D, opt_d=None, opt_g=None, information_weight=1.0):
        """The game around trained players (K read from D's 1 + K outputs), to generate with."""
        game = super().from_players(config, G, D, opt_d, opt_g)
        game.categories, game.information_weight = D.sizes[-1] - 1, float(information_weight)
        return game

    def build_players(self, rng):
        """G then D: G with K more inputs (the code), D with K more outputs (Q's head)."""
        c, dim, K = self.config, self.config.target.dim, self.categories
        MLP = engine(c.engine).MLP
        G = MLP([c.noise_dim + K, *c.g_hidden, dim], c.g_activation, rng=rng, dtype=self.dtype)
        D = MLP([dim, *c.d_hidden, 1 + K], c.d_activation, rng=rng, dtype=self.dtype)
        return G, D

    def generate(self, z, c):
        """x = G(z, c)."""
        code = one_hot(c, self.categories, self.dtype)
        return self.G.forward(np.concatenate([np.asarray(z, dtype=self.dtype), code], axis=1))

    def coded_fakes(self, m, rng):
        """m fakes G(z, c) and their codes c ~ Uniform{0..K-1} (the codes drawn first): the fake
        half of both updates' minibatches. D's update does not use `GAN.minibatch`, since its
        information loss needs the codes of the fakes."""
        c = sample_codes(self.categories, m, rng)
        return self.generate(self.sample_noise(m, rng), c), c

    def heads(self, x):
        """D's logit l (an array (n, 1)) and Q's logits q (n, K) at x: one pass through the body."""
        out = self.D.forward(np.asarray(x, dtype=self.dtype))
        return out[:, :1], out[:, 1:]

    def recover_codes(self, x):
        """argmax_c Q(c | x)."""
        return np.argmax(self.heads(x)[1], axis=1)

    def code_generators(self):
        """G with its code fixed, one per code value: the mixture's parts the measurer draws."""
        return [Conditioned(self.G, c, self.categories) for c in range(self.categories)]

    def discriminator_update(self, step, rng):
        """D and Q descend L_D + lambda L_I: D's head sees real and fake, Q's head the fakes only.

        Returns ``(L_D + lambda L_I, V estimate)``.
        """
        m, lam = self.config.batch_size, self.information_weight
        x_real = self.sample_real(m, rng)
        x_fake, c = self.coded_fakes(m, rng)
        logits, q = self.heads(np.concatenate([x_real, x_fake], axis=0))
        loss_d, grad_real, grad_fake = discriminator_loss(logits[:m], logits[m:])
        loss_i, grad_q = information_loss(q[m:], c)
        grad_heads = np.zeros((2 * m, 1 + self.categories), dtype=self.dtype)
        grad_heads[:m, :1] = grad_real                     # dL/dl on the real half
        grad_heads[m:, :1] = grad_fake                     # dL/dl on the fake half
        grad_heads[m:, 1:] = lam * grad_q                  # lambda dL_I/dq, fakes only
        self.D.backward(grad_heads, input_grad=False)      # body gets dL/dl w_D^T + dL/dq W_Q^T
        self.opt_d.step()
        return loss_d + lam * loss_i, value_estimate(logits[:m], logits[m:])

    def generator_update(self, step, rng):
        """G descends L_G + lambda L_I through both heads. Returns that loss."""
        m, lam = self.config.batch_size, self.information_weight
        x_fake, c = self.coded_fakes(m, rng)
        logits, q = self.heads(x_fake)
        loss_g, grad_logits = generator_loss(logits, self.config.g_loss)
        loss_i, grad_q = information_loss(q, c)
        grad_x = self.D.backward(np.concatenate([grad_logits, lam * grad_q], axis=1),
                                 param_grads=False)      # dL/dx, D and Q fixed
        self.G.backward(grad_x, input_grad=False)
        self.opt_g.step()
        return loss_g + lam * loss_i
