"""Wasserstein GAN (Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN", Algorithm 1).

The critic f (D's MLP with its logit output used as is, no sigmoid) estimates the earth mover's
distance through the Kantorovich-Rubinstein duality (the paper's eq. 2):

    W1(p_data, p_g) = sup_{||f||_L <= 1}  E_{x ~ p_data} f(x) - E_{z ~ p_z} f(G(z)).

Clipping every weight of f to [-c, c] after each critic update confines f to a compact set of
functions that are all K-Lipschitz for some K fixed by c and the architecture, so the critic's
maximum is K W1 rather than W1 (the paper's eq. 3): the estimate is W1 up to a scale.

    critic:     descend  L_f = -(1/m sum_i f(x_i) - 1/m sum_i f(G(z_i))),   then clip to [-c, c]
    generator:  descend  L_G = -1/m sum_i f(G(z_i))

n_critic critic updates per generator update are the game's ``config.k``. The paper's defaults
(its Algorithm 1): RMSProp, learning rate 5e-5, c = 0.01, n_critic = 5 -- `PAPER_SETTINGS`.

WGAN-GP (Gulrajani et al. 2017) replaces the clipping by a penalty (||grad_x f|| - 1)^2, whose
gradient with respect to the weights is a double backward derived by hand in
`gan.variants.wgan_gp`.
"""

from __future__ import annotations

import numpy as np

from gan.game import GAN, backward_on_both
from nn.threads import blas_threads

PAPER_SETTINGS = {"optimizer": "rmsprop", "lr_d": 5e-5, "lr_g": 5e-5, "k": 5}
PAPER_CLIP = 0.01


def critic_loss(f_real, f_fake):
    """L_f = -(mean f(x) - mean f(G(z))) and its gradients, -1/m and +1/m for each sample.

    Returns ``(L_f, dL_f/df_real, dL_f/df_fake)``; -L_f is the critic's estimate of K W1.
    """
    m_real, m_fake = f_real.shape[-2], f_fake.shape[-2]
    loss = -(f_real.mean() - f_fake.mean())
    return loss, np.full_like(f_real, -1.0 / m_real), np.full_like(f_fake, 1.0 / m_fake)


def critic_generator_loss(f_fake):
    """L_G = -mean f(G(z)) and dL_G/df = -1/m for each sample."""
    return -f_fake.mean(), np.full_like(f_fake, -1.0 / f_fake.shape[-2])


def clip_weights(network, c):
    """Every parameter of ``network`` clipped to [-c, c], in place (the paper's line 7)."""
    for theta in network.parameters():           # in place, on either engine
        np.clip(theta, -c, c, out=theta)


def critic_step(f, optimizer, x_real, x_fake, c):
    """One critic update: descend L_f on a minibatch, then clip. Returns the W1 estimate -L_f."""
    loss = backward_on_both(f, x_real, x_fake, critic_loss)
    optimizer.step()
    clip_weights(f, c)
    return -loss


def fit_critic(f, p_data, p_g, steps, batch_size, rng, optimizer, c=PAPER_CLIP):
    """The critic trained alone between two fixed distributions (anything with sample(n, rng)).

    Returns the per-step minibatch estimates of K W1(p_data, p_g) (see the module docstring).
    """
    _check_clip(c)
    return train_critic_alone(
        lambda x_real, x_fake: critic_step(f, optimizer, x_real, x_fake, c),
        f, p_data, p_g, steps, batch_size, rng)


def train_critic_alone(update, f, p_data, p_g, steps, batch_size, rng):
    """``steps`` critic updates between two fixed distributions: each draws a minibatch x ~
    p_data and x~ ~ p_g and calls ``update(x, x~)``, which returns the step's estimate of
    W1 (or K W1); returns those estimates. The loop that WGAN and WGAN-GP share."""
    for name, value in (("steps", steps), ("batch_size", batch_size)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    dtype = f.flat_params.dtype
    estimates = np.empty(steps)
    with blas_threads(1):         # small matrices: one thread is faster than several
        for step in range(steps):
            x_real = p_data.sample(batch_size, rng).astype(dtype, copy=False)
            x_fake = p_g.sample(batch_size, rng).astype(dtype, copy=False)
            estimates[step] = update(x_real, x_fake)
    return estimates


def lipschitz_constant_1d(f, low, high, points=20_001):
    """max |f(x') - f(x)| / |x' - x| over neighbouring points of a grid on [low, high].

    For a piecewise-linear f (LeakyReLU layers) with every kink inside [low, high] this is f's
    Lipschitz constant exactly (up to the pieces narrower than the grid step).
    """
    x = np.linspace(low, high, points)
    values = f.forward(x.reshape(-1, 1).astype(f.flat_params.dtype))[:, 0]
    return float(np.max(np.abs(np.diff(values)) / np.diff(x)))


class WGAN(GAN):
    """The Wasserstein GAN game: D is the critic f, weights clipped to [-c, c] (default 0.01).

    The critic's estimate of K W1, mean f(x) - mean f(G(z)) on the last critic minibatch, is what
    the loop records as ``value`` each step. Use ``config.replace(**PAPER_SETTINGS)`` for the
    paper's optimiser, learning rates and n_critic = k.
    """

    def __init__(self, config, rng, c=PAPER_CLIP):
        _check_clip(c)
        super().__init__(config, rng)
        self.c = float(c)
        clip_weights(self.D, self.c)

    def discriminator_update(self, step, rng):
        """One critic update; returns ``(L_f, W1 estimate)``."""
        estimate = critic_step(self.D, self.opt_d, *self.minibatch(step, rng), self.c)
        return -estimate, estimate

    def generator_update(self, step, rng):
        """Descend L_G = -mean f(G(z)) through the critic. Returns L_G."""
        z = self.sample_noise(self.config.batch_size, rng)
        loss, grad_f = critic_generator_loss(self.D.forward(self.G.forward(z)))
        self.G.backward(self.D.backward(grad_f, param_grads=False), input_grad=False)
        self.opt_g.step()
        return loss


def _check_clip(c):
    if isinstance(c, bool) or not isinstance(c, (int, float)) or not (np.isfinite(c) and c > 0):
        raise ValueError(f"c must be a positive finite number, got {c!r}")
