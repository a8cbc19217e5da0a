"""Conditional GAN (Mirza & Osindero 2014, "Conditional Generative Adversarial Nets").

Both players see a label c, one-hot encoded and concatenated to their inputs:

    min_G max_D  E_{c, x ~ p_data(x|c)} log D(x, c) + E_{c, z ~ p_z} log(1 - D(G(z, c), c)),

so G learns p_g(x|c) = p_data(x|c) for every class instead of the marginal p_data(x) alone
(the paper's eq. 2). Here the target is a `Mixture` and its components are the classes:
c ~ Categorical(w) with the mixture's weights, and p_data(x|c) is component c. Only the players'
inputs and the two updates change; Algorithm 1's loop is `gan.train.train`'s.
"""

from __future__ import annotations

import numpy as np

from gan.distributions import Mixture
from gan.measure import final_metrics, snapshot
from gan.game import GAN
from gan.measure import Line
from gan.objectives import generator_loss
from gan.engine import engine


def one_hot(c, classes, dtype=np.float64):
    """e_c: row i has a 1 in column c_i and 0 elsewhere, an array (len(c), classes)."""
    return np.eye(classes, dtype=dtype)[np.asarray(c)]


def sample_labels(weights, m, rng):
    """m labels c ~ Categorical(weights): c = #{k : w_0 + ... + w_k <= u}, u ~ U[0, 1)."""
    u = np.asarray(rng.random(m), dtype=np.float64).reshape(m)
    c = np.searchsorted(np.cumsum(weights), u, side="right")
    return np.minimum(c, len(weights) - 1)                      # cumsum may end just below 1


def sample_labelled(mixture, m, rng):
    """m pairs (x, c) with c ~ Categorical(w) and x ~ p_c, the mixture's component c.

    The draws are those of `Mixture.sample` (labels first, then each component's samples), so
    the x are distributed as the mixture and the labels say which component gave each one.
    """
    c = sample_labels(mixture.weights, m, rng)
    x = np.empty((m, mixture.dim))
    for k, component in enumerate(mixture.components):    # one draw per class, not per sample
        chosen = c == k
        x[chosen] = component.sample(int(chosen.sum()), rng)
    return x, c


class Conditioned:
    """A player with its label fixed to class c: forward(u) = net([u, e_c]).

    What `gan.measure` measures per class: G(., c) is a generator of p_g(x|c), D(., c) a
    discriminator of p_data(x|c) against it.
    """

    def __init__(self, net, c, classes):
        self.net, self.c, self.classes = net, c, classes
        self.flat_params = net.flat_params

    def forward(self, u):
        u = np.asarray(u, dtype=self.flat_params.dtype)
        label = one_hot(np.full(len(u), self.c), self.classes, u.dtype)
        return self.net.forward(np.concatenate([u, label], axis=1))


class PerClassLine(Line):
    """The line's measurements (`gan.measure.Line`) of G(., c) and D(., c) against p_data(.|c),
    class by class: the conditional game's measurer."""

    @staticmethod
    def _per_class(game, measure, setup):
        target = game.config.target
        return [measure(Conditioned(game.G, c, game.classes), Conditioned(game.D, c, game.classes),
                        component, game.config.p_z, setup)
                for c, component in enumerate(target.components)]

    def snapshot(self, game, setup):
        """`gan.measure.snapshot` of G(., c) and D(., c) against p_data(.|c), class by class."""
        rows = self._per_class(game, lambda G, D, p, p_z, s: snapshot(
            G, D, p, p_z, s["grid"], s["z_eval"], s["z_line"]), setup)
        snap = {name: np.array([row[name] for row in rows]) for name in rows[0]}
        snap["jsd"] = float(game.config.target.weights @ snap["jsd"])
        return snap

    def final_metrics(self, game, setup):
        """Per class c: mean and std of G(z, c), JSD(p_data(.|c) || p_g(.|c)), max |D(x, c) - 1/2|
        (`gan.measure.final_metrics`); ``jsd`` is their w-weighted sum."""
        rows = self._per_class(game, lambda G, D, p, p_z, s: final_metrics(
            G, D, p, p_z, s["grid"], s["z_eval"]), setup)
        metrics = {f"class_{name}": [row[name] for row in rows] for name in rows[0]}
        metrics["jsd"] = float(game.config.target.weights @ np.array(metrics["class_jsd"]))
        return metrics


class ConditionalGAN(GAN):
    """G(z, c): R^(noise_dim + K) -> R^dim and D(x, c): R^(dim + K) -> logit, K the number of
    components of the target mixture (Mirza & Osindero 2014).

    Each update draws its own labels: real pairs (x, c) from the mixture, fake pairs
    (G(z, c), c) with c ~ Categorical(w). Snapshots hold one row per class (D(x, c), p_g(x|c),
    moments, G(z_line, c)); their ``jsd`` is sum_c w_c JSD(p_data(.|c) || p_g(.|c)) (measured
    by `PerClassLine`).
    """

    measurer = PerClassLine()

    def __init__(self, config, rng):
        if not isinstance(config.target, Mixture):
            raise TypeError(f"config.target must be a Mixture (its components are the classes), "
                            f"got {type(config.target).__name__}")
        self.classes = len(config.target.components)
        super().__init__(config, rng)

    @classmethod
    def from_players(cls, config, G, D, opt_d=None, opt_g=None):
        """The game around trained players (e.g. a `TrainResult`'s G and D), to generate with."""
        game = super().from_players(config, G, D, opt_d, opt_g)
        game.classes = len(config.target.components)
        return game

    def build_players(self, rng):
        """G then D, each with K more inputs than the plain GAN's for the one-hot label."""
        c, dim, K = self.config, self.config.target.dim, self.classes
        MLP = engine(c.engine).MLP
        G = MLP([c.noise_dim + K, *c.g_hidden, dim], c.g_activation, rng=rng, dtype=self.dtype)
        D = MLP([dim + K, *c.d_hidden, 1], c.d_activation, rng=rng, dtype=self.dtype)
        return G, D

    def joined(self, u, c):
        """[u, e_c]: an input with its one-hot label appended."""
        return np.concatenate([u, one_hot(c, self.classes, self.dtype)], axis=1)

    def generate(self, z, c):
        """x = G(z, c)."""
        return self.G.forward(self.joined(np.asarray(z, dtype=self.dtype), c))

    def minibatch(self, step, rng):
        """m real pairs [x, e_c] drawn together and m fake pairs [G(z, c'), e_c'], c' ~ p(c):
        D ascends log D(x, c) + log(1 - D(G(z, c'), c')) on them (the plain game's update)."""
        m = self.config.batch_size
        x_real, c_real = sample_labelled(self.config.target, m, rng)
        c_fake = sample_labels(self.config.target.weights, m, rng)
        x_fake = self.generate(self.sample_noise(m, rng), c_fake)
        return self.joined(x_real.astype(self.dtype), c_real), self.joined(x_fake, c_fake)

    def generator_update(self, step, rng):
        """G descends L_G(D(G(z, c), c)); dL/dx is the x-part of D's input gradient, since the
        label c does not depend on G's parameters."""
        m, dim = self.config.batch_size, self.config.target.dim
        c = sample_labels(self.config.target.weights, m, rng)
        x_fake = self.generate(self.sample_noise(m, rng), c)
        loss, grad_logits = generator_loss(self.D.forward(self.joined(x_fake, c)),
                                           self.config.g_loss)
        grad_input = self.D.backward(grad_logits, param_grads=False)    # dL/d[x, e_c]
        self.G.backward(grad_input[:, :dim], input_grad=False)          # dL/dx -> theta_g
        self.opt_g.step()
        return loss
