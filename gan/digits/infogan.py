"""InfoGAN on the digits (Chen et al. 2016, "InfoGAN: interpretable representation learning by
information maximizing generative adversarial nets", section 5 and their MNIST experiment): G
gets, besides its noise z, a categorical code c ~ Uniform{0..9} and continuous codes
u ~ U(-1, 1)^L; D has one more head Q on its body that reads the codes back from G(z, c, u).
No label is ever used.  The mutual information I((c, u); G(z, c, u)) has the lower bound
H(c, u) - L_I with

    L_I = (1/m) sum_i [ -log Q(c_i | x_i) + 1/2 |u_i - mu(x_i)|^2 ]

(Q's categorical logits and, for u, a unit-variance Gaussian with mean mu(x): the factored
Gaussian of their section 6, its constant dropped), added with weight lambda to D's loss on
the fakes and to G's loss.  Gradients: dL_I/dq = (softmax(q) - onehot(c)) / m and
dL_I/dmu = (mu - u) / m.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from gan.digits.classifier import softmax_cross_entropy
from gan.digits.gans import CLASSES, DigitsConfig, _DigitsSamples
from gan.digits.players import mlp_discriminator, mlp_generator, without_buffer_changes
from gan.engine import add_to_gradients
from gan.game import GAN
from gan.objectives import generator_loss, softplus
from gan.variants.conditional import one_hot, sample_labels

UNIFORM_CODES = np.full(CLASSES, 1 / CLASSES)


def information_loss(q, c, u):
    """L_I = mean over the batch of -log softmax(q_cat)[c] + 1/2 |u - mu|^2, q = [q_cat, mu],
    and dL_I/dq.  q: (m, 10 + L); c: (m,) integers; u: (m, L)."""
    categorical, mu = q[:, :CLASSES], q[:, CLASSES:]
    value, grad_categorical = softmax_cross_entropy(categorical, c)
    difference = mu - u
    value += 0.5 * np.sum(difference * difference) / len(q)
    return float(value), np.concatenate([grad_categorical, difference / len(q)], axis=1)


class DigitsInfoGAN(_DigitsSamples, GAN):
    """G(z, c, u): [z, e_c, u] -> [-1, 1]^1024 and D: x -> [logit, Q's 10 logits, Q's L means],
    the MLP players of `DigitsGAN` (of ``config.engine``).  ``continuous`` L codes,
    ``information_weight`` lambda.
    The grid's row r shows code c = r with u = 0 (the measurements of the digits games)."""

    conditional = True

    def __init__(self, config, rng, continuous=2, information_weight=1.0):
        if not isinstance(config, DigitsConfig):
            raise TypeError(f"config must be a DigitsConfig, got {type(config).__name__}")
        if isinstance(continuous, bool) or not isinstance(continuous, (int, np.integer)) \
                or not 0 <= continuous <= 8:
            raise ValueError(f"continuous must be an integer in [0, 8], got {continuous!r}")
        if isinstance(information_weight, bool) or not isinstance(information_weight,
                                                                  (int, float)) \
                or not (np.isfinite(information_weight) and information_weight > 0):
            raise ValueError(f"information_weight must be a positive finite number, got "
                             f"{information_weight!r}")
        self.continuous, self.information_weight = int(continuous), float(information_weight)
        GAN.__init__(self, config, rng)

    @classmethod
    def from_players(cls, config, G, D, opt_d=None, opt_g=None, information_weight=1.0):
        """The game around trained players (L read from D's 1 + 10 + L outputs)."""
        game = GAN.from_players.__func__(cls, config, G, D, opt_d, opt_g)
        game.continuous = D.layers[-1].out_features - 1 - CLASSES
        game.information_weight = float(information_weight)
        return game

    def build_players(self, rng):
        """G then D, drawn from ``rng``: the one place the InfoGAN's players are made."""
        c, codes = self.config, CLASSES + self.continuous
        G = mlp_generator([c.noise_dim + codes, *c.g_hidden, c.target.dim], c.g_activation,
                          rng, self.dtype, c.engine)
        D = mlp_discriminator([c.target.dim, *c.d_hidden, 1 + codes], rng, self.dtype, c.engine)
        return G, D

    def codes(self, m, rng):
        """c ~ Uniform{0..9} and u ~ U(-1, 1)^L, the codes of m fakes."""
        c = sample_labels(UNIFORM_CODES, m, rng)
        return c, rng.uniform(-1.0, 1.0, size=(m, self.continuous)).astype(self.dtype)

    def coded_fakes(self, m, rng):
        """m fakes G(z, c, u) with their codes (c, u) (the codes drawn first): the fake half of
        both updates' minibatches (D's update needs the codes, so not `GAN.minibatch`)."""
        c, u = self.codes(m, rng)
        return self.G.forward(self.inputs(self.sample_noise(m, rng), c, u)), c, u

    def inputs(self, z, c, u):
        """[z, e_c, u]: G's input."""
        return np.concatenate([np.asarray(z, dtype=self.dtype), one_hot(c, CLASSES, self.dtype),
                               np.asarray(u, dtype=self.dtype)], axis=1)

    def discriminator_update(self, step, rng):
        """D descends L_D on a real and a fake batch, and Q lambda L_I on the fakes."""
        m, lam = self.config.batch_size, self.information_weight
        x_real = self.sample_real(m, rng)
        x_fake, c, u = self.coded_fakes(m, rng)
        out = self.D.forward(x_real)
        grad = np.zeros_like(out)
        loss = softplus(-out[:, :1]).sum() / m            # -mean log D(x)
        grad[:, :1] = -expit(-out[:, :1]) / m
        self.D.backward(grad, input_grad=False)          # D's parameter gradients only
        grad_from_real = self.D.flat_grads.copy()
        out = self.D.forward(x_fake)
        grad = np.zeros_like(out)
        loss += softplus(out[:, :1]).sum() / m            # -mean log(1 - D(G(z, c, u)))
        grad[:, :1] = expit(out[:, :1]) / m
        loss_i, grad_q = information_loss(out[:, 1:], c, u)
        grad[:, 1:] = lam * grad_q
        self.D.backward(grad, input_grad=False)
        add_to_gradients(self.D, grad_from_real)
        self.opt_d.step()
        return float(loss + lam * loss_i), -float(loss)

    def generator_update(self, step, rng):
        """G descends L_G + lambda L_I through D's and Q's heads. Returns that loss."""
        m, lam = self.config.batch_size, self.information_weight
        x_fake, c, u = self.coded_fakes(m, rng)
        out = self.D.forward(x_fake)
        loss_g, grad_logits = generator_loss(out[:, :1], self.config.g_loss)
        loss_i, grad_q = information_loss(out[:, 1:], c, u)
        grad_x = self.D.backward(np.concatenate([grad_logits, lam * grad_q], axis=1),
                                 param_grads=False)
        self.G.backward(grad_x, input_grad=False)
        self.opt_g.step()
        return float(loss_g + lam * loss_i)

    def generate_codes(self, z, c, u):
        """Pixels of G(z, c, u) in [0, 1], BatchNorm's statistics left unchanged."""
        x = without_buffer_changes(self.G, self.inputs(z, c, u))
        return ((x + 1) / 2).reshape(len(x), 1, 32, 32)

    def read_codes(self, x):
        """Q's reading of images x in [-1, 1]: (argmax of the categorical head, mu(x))."""
        out = without_buffer_changes(self.D, np.asarray(x, dtype=self.dtype))
        return out[:, 1:1 + CLASSES].argmax(axis=1), out[:, 1 + CLASSES:]

    def _generate(self, z, labels):
        u = np.zeros((len(z), self.continuous), dtype=self.dtype)
        return without_buffer_changes(self.G, self.inputs(z, labels, u))

    def _discriminate(self, x, labels):
        return without_buffer_changes(self.D, np.asarray(x, dtype=self.dtype))[:, :1]
