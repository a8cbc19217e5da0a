"""Minibatch discrimination against mode collapse (Salimans et al. 2016, §3.2).

A collapsed G puts every G(z) at one point, and a D that judges samples one at a time sees
nothing wrong as long as that point looks real. The `MinibatchDiscrimination` layer
(nn.minibatch_discrimination, nn.fast.minibatch_discrimination) lets D see, for each sample, how
much of its batch lies close to it, o(x_i)_b: all of it for a collapsed fake batch, about half
for a real batch from two equal modes.

    on="input"  (default): D: x -> MinibatchDiscrimination(dim, B, C) -> [Linear, activation]
                          x len(d_hidden) -> Linear(., 1), so D is an MLP of [x, o(x)]
    on="hidden" (the paper's CIFAR placement): D: x -> [Linear, activation] x len(d_hidden)
                          -> MinibatchDiscrimination(h, B, C) -> Linear(h + B, 1)

Why the input by default, on a low-dimensional target: on D's last hidden features the kernels
measure distances in a space D reshapes for its own purpose, and in our runs on two modes at
±3 it shrank until a real batch and a wide-spread fake one had the same o (o ~ 0.5 for both after
~300 steps), while a linear head can only reward o one way (more crowded = more fake, or the
reverse), so G first over-spread and then lost the signal. On x itself the kernel widths
1/||T_b||_1 are in units of x: with ``init_std`` 0.2 and C = 1 they are of the order of the
gap between the modes, and D's hidden layers can treat o and x jointly.

Real and fake minibatches go through D stacked on a leading axis, (2, m, dim), so each batch's
minibatch features are computed within that batch only (the layer's distances run along the
batch axis): a mixed batch would tell D which half is which. G's update sends its fake batch
alone through D and receives dL/dx through o as well as through x.

Runs on either engine (``config.engine``); measuring D(x) inside a batch uses the fast layer's
`against` (p + m rows of work) and, on the textbook engine, the definition itself: D on p
batches [x_i, G(z_1), ..., G(z_{m-1})] (p m rows). tests/test_gan_engine_games.py holds them equal.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
from scipy.special import expit as sigmoid

from gan.distributions import Mixture, Normal
from gan.measure import _column, generator_density, jsd_with_outside_mass
from gan.engine import engine
from gan.game import GAN
from gan.measure import Line
from gan.objectives import discriminator_loss, value_estimate

# The two-mode setting where the plain game collapses and this one recovers both modes, with the
# same G, seeds and steps: GANConfig(target=BIMODAL_TARGET, **BIMODAL_SETTINGS), the library's
# other defaults (non-saturating G loss, Adam 2e-3, cosine decay) and this game's defaults.
# G is a deeper softplus MLP, so it can split z's line across the gap; the default (32, 32) G
# cannot, with or without the layer, and a tanh G already covers both modes without it.
# Measured by `python -m experiments.mbd_modes` (seeds 0-7; share of p_g within 1 of -3 | +3,
# "covered" when both >= 0.25):
#  plain,            G softplus (64, 64, 64)  0 / 8 (every seed 1.00 on one mode, 0.00 on the other)
#  minibatch discr., G softplus (64, 64, 64)  8 / 8 (shares 0.42-0.52, 0.06-0.08 in between)
#  plain,            G softplus (32, 32)      0 / 8 (1.00 | 0.00)
#  minibatch discr., G softplus (32, 32)      0 / 8 (0.04-0.11 on the second mode)
#  plain,            G tanh (32, 32)          8 / 8 (0.44-0.53)
#  minibatch discr., G tanh (32, 32)          8 / 8 (0.45-0.51)
BIMODAL_TARGET = Mixture([Normal(-3.0, 0.25), Normal(3.0, 0.25)])
BIMODAL_SETTINGS = MappingProxyType(dict(g_hidden=(64, 64, 64), g_activation="softplus",
                                         batch_size=64, steps=1500))


class InBatchLine(Line):
    """The line's measurements (`gan.measure.Line`) with D(x) judged inside a fake minibatch
    (`MinibatchDiscriminationGAN.discriminator_in_batch`): this game's measurer."""

    def snapshot(self, game, setup):
        """As the plain game's, with D(x) for each grid point judged inside a fake minibatch."""
        snap = super().snapshot(game, setup)
        snap["D_grid"] = game.discriminator_in_batch(setup["grid"], setup["z_eval"])
        return snap

    def final_metrics(self, game, setup):
        """mean, std, jsd as the plain game's; d_max_dev with D judged inside a fake minibatch."""
        c = game.config
        x = game.G.forward(setup["z_eval"])[:, 0]
        grid = setup["grid"]
        fine = np.linspace(grid[0], grid[-1], 4 * (len(grid) - 1) + 1)
        p_g_fine, outside = generator_density(game.G, c.p_z, fine, setup["z_eval"])
        low, high = c.target.interval(0.95)
        central = np.linspace(low, high, 201)
        D = game.discriminator_in_batch(central, setup["z_eval"])
        return {"mean": float(x.mean()), "std": float(x.std()),
                "jsd": jsd_with_outside_mass(fine, c.target.pdf(fine), p_g_fine, outside),
                "d_max_dev": float(np.abs(D - 0.5).max())}


class MinibatchDiscriminationGAN(GAN):
    """The plain game with a minibatch-discrimination layer of ``kernels`` = B kernels of
    dimension ``kernel_dim`` = C in D (Salimans et al. 2016, §3.2), ``on`` its "input" or its
    last "hidden" layer (see the module's note), T drawn from N(0, init_std^2), the layer's o the
    ``share`` of the other samples close to x_i (True) or the paper's sum over the batch.
    Measured by `InBatchLine`."""

    measurer = InBatchLine()

    def __init__(self, config, rng, kernels=5, kernel_dim=1, on="input", share=True,
                 init_std=0.2):
        for name, size in (("kernels", kernels), ("kernel_dim", kernel_dim)):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"{name} must be a positive integer, got {size!r}")
        if on not in ("input", "hidden"):
            raise ValueError(f"on must be 'input' or 'hidden', got {on!r}")
        if not isinstance(share, (bool, np.bool_)):
            raise TypeError(f"share must be True or False, got {share!r}")
        if isinstance(init_std, bool) or not isinstance(init_std, (int, float)) or not (
                np.isfinite(init_std) and init_std > 0):
            raise ValueError(f"init_std must be a positive finite number, got {init_std!r}")
        self.kernels, self.kernel_dim = int(kernels), int(kernel_dim)
        self.on, self.share, self.init_std = on, bool(share), float(init_std)
        super().__init__(config, rng)

    def build_players(self, rng):
        """G as in the plain game, then D with the minibatch layer (drawn from rng in that
        order)."""
        c, dtype, classes = self.config, np.dtype(self.config.dtype), engine(self.config.engine)
        G = classes.MLP([c.noise_dim, *c.g_hidden, c.target.dim], c.g_activation, rng=rng,
                        dtype=dtype)
        widths = [c.target.dim, *c.d_hidden]
        activation = classes.ACTIVATIONS[c.d_activation]
        slope = 0.2 if activation is classes.LeakyReLU else 0.0
        init = "he" if c.d_activation in ("relu", "leaky_relu") else "glorot"
        layers = []
        if self.on == "input":
            layers.append(self._minibatch_layer(classes, widths[0], rng, dtype))
            widths[0] += self.kernels
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            layers += [classes.Linear(fan_in, fan_out, rng, init, dtype, negative_slope=slope),
                       activation()]
        if self.on == "hidden":
            layers.append(self._minibatch_layer(classes, widths[-1], rng, dtype))
            widths[-1] += self.kernels
        layers.append(classes.Linear(widths[-1], 1, rng, "glorot", dtype))
        return G, classes.Sequential(layers, dtype=dtype)

    def _minibatch_layer(self, classes, in_features, rng, dtype):
        return classes.MinibatchDiscrimination(in_features, self.kernels, self.kernel_dim, rng=rng,
                                       init=("normal", self.init_std), dtype=dtype,
                                       share=self.share)

    def discriminator_update(self, step, rng):
        """Real and fake minibatches through D as two stacked batches; descend L_D."""
        logits = self.D.forward(np.stack(self.minibatch(step, rng)))
        loss, grad_real, grad_fake = discriminator_loss(logits[0], logits[1])
        self.D.backward(np.stack([grad_real, grad_fake]), input_grad=False)
        self.opt_d.step()
        return loss, value_estimate(logits[0], logits[1])

    # G's update is the plain one: its fake minibatch alone goes through D, as in D's update.

    def discriminator_in_batch(self, points, z):
        """D(x) for each point x joined alone to a fixed fake minibatch G(z_1), ..., G(z_{m-1}).

        D's output depends on the batch, so D(x) alone is undefined; this is what D says of x
        arriving among the generator's samples. The fast layer computes it with `against`; the
        textbook engine runs D on each batch [x_i, G(z_1), ..., G(z_{m-1})], the definition.
        """
        fakes = self.G.forward(z[: self.config.batch_size - 1])
        position = next(i for i, layer in enumerate(self.D.layers)
                        if type(layer).__name__ == "MinibatchDiscrimination")
        if not hasattr(self.D.layers[position], "against"):
            return self._discriminator_in_batches(_column(points, self.D), fakes)
        body, minibatch, head = (self.D.layers[:position], self.D.layers[position],
                                 self.D.layers[position + 1:])
        h_points, h_fakes = _column(points, self.D), fakes
        for layer in body:
            h_points, h_fakes = layer.forward(h_points), layer.forward(h_fakes)
        h = minibatch.against(h_points, h_fakes)
        for layer in head:
            h = layer.forward(h)
        return sigmoid(h)[:, 0]

    def _discriminator_in_batches(self, x, fakes, chunk=32):
        """sigma(D([x_i, fakes]))_0 for each row x_i, ``chunk`` batches of m at a time."""
        judged = []
        for start in range(0, len(x), chunk):
            rows = x[start:start + chunk]
            batches = np.concatenate([rows[:, None, :],
                                      np.broadcast_to(fakes, (len(rows),) + fakes.shape)], axis=1)
            judged.append(sigmoid(self.D.forward(batches)[:, 0, 0]))
        return np.concatenate(judged)
