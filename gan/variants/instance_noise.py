"""Instance noise: blur both distributions D sees, so their supports overlap.

When p_data and p_g live on disjoint supports (early in training, or on a low-dimensional
manifold), a discriminator can separate them perfectly, D* is 0 or 1 wherever either has mass,
and G's gradient through it vanishes (Arjovsky & Bottou 2017, "Towards Principled Methods for
Training Generative Adversarial Networks", Theorem 2.4 and §3.1). Adding the same noise to
every input of D replaces both by their convolutions with N(0, sigma^2),

    p_data * N(0, sigma^2)   against   p_g * N(0, sigma^2),

which overlap everywhere, so D* stays strictly between 0 and 1 and G keeps a gradient
(Sønderby et al. 2017, "Amortised MAP Inference for Image Super-resolution", §3.1 and App. C;
Arjovsky & Bottou 2017, §3.2). sigma is annealed to 0, where the game is the original one.

Here x~ = x + eps, eps ~ N(0, sigma_t^2), in the D update (real and fake inputs) and in the G
update (the fake input), where dx~/dG(z) = 1: the gradient passes through the noise unchanged.

Schedule (linear, as Sønderby et al. anneal their noise): sigma_t = sigma * max(0, 1 - t / T_a),
T_a = ``anneal_fraction`` * steps, so the last 1 - anneal_fraction of the run is the plain game.

Random numbers: eps is drawn from a stream of its own (``noise_rng``), never from the training
stream, and when sigma_t = 0 nothing is drawn or added. So the minibatches and z of a run do not
depend on sigma, and at sigma = 0 the run is the plain GAN's bit for bit.
"""

from __future__ import annotations

import numpy as np

import rng as project_rng
from gan.game import GAN
from gan.objectives import generator_loss


def noise_stream(seed):
    """The instance-noise stream of the run with ``seed``: the third child of
    ``rng.Generator(seed)``, after the training and evaluation streams `gan.train.train` spawns."""
    return project_rng.Generator(seed).spawn(3)[2]


def linear_anneal(step, steps, sigma, anneal_fraction):
    """sigma_t = sigma * max(0, 1 - t / (anneal_fraction * steps)) at step t (1-based)."""
    return sigma * max(0.0, 1.0 - step / (anneal_fraction * steps))


class InstanceNoiseGAN(GAN):
    """The game of Goodfellow et al. (2014) with N(0, sigma_t^2) added to every input of D.

    ``sigma`` (>= 0) is the noise scale at the start, annealed linearly to 0 over the first
    ``anneal_fraction`` (in (0, 1]) of ``config.steps``. ``noise_rng`` is the generator of the
    noise (default: `noise_stream(config.seed)`). ``generator_gradient_norms`` records
    ||dL_G/dtheta_g|| at every G update, ``sigmas`` the sigma_t used.
    """

    def __init__(self, config, rng, sigma=1.0, anneal_fraction=0.5, noise_rng=None):
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or not (
                np.isfinite(sigma) and sigma >= 0):
            raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
        if isinstance(anneal_fraction, bool) or not isinstance(anneal_fraction, (int, float)) or (
                not 0 < anneal_fraction <= 1):
            raise ValueError(f"anneal_fraction must be a number in (0, 1], got {anneal_fraction!r}")
        if noise_rng is not None and not callable(getattr(noise_rng, "normal", None)):
            raise TypeError(f"noise_rng must have numpy.random.Generator's normal(), "
                            f"got {type(noise_rng).__name__}")
        super().__init__(config, rng)
        self.sigma, self.anneal_fraction = float(sigma), float(anneal_fraction)
        self.noise_rng = noise_rng if noise_rng is not None else noise_stream(config.seed)
        self.generator_gradient_norms, self.sigmas = [], []

    def sigma_at(self, step):
        """sigma_t of the linear schedule (see `linear_anneal`)."""
        return linear_anneal(step, self.config.steps, self.sigma, self.anneal_fraction)

    def blur(self, x, sigma):
        """x + eps, eps ~ N(0, sigma^2) from the noise stream; x itself when sigma = 0."""
        if sigma == 0:
            return x
        return x + self.noise_rng.normal(0.0, sigma, size=x.shape).astype(x.dtype, copy=False)

    def minibatch(self, step, rng):
        """(x + eps, G(z) + eps'): real and fake inputs both blurred; D descends L_D on them
        (the plain game's `discriminator_update`)."""
        x_real, x_fake = super().minibatch(step, rng)
        sigma = self.sigma_at(step)
        return self.blur(x_real, sigma), self.blur(x_fake, sigma)

    def generator_update(self, step, rng):
        """Descend L_G(D(G(z) + eps)); dL_G/dG(z) = dL_G/dx~ since x~ = G(z) + eps."""
        sigma = self.sigma_at(step)
        z = self.sample_noise(self.config.batch_size, rng)
        x_fake = self.G.forward(z)
        logits = self.D.forward(self.blur(x_fake, sigma))
        loss, grad_logits = generator_loss(logits, self.config.g_loss)
        grad_x = self.D.backward(grad_logits, param_grads=False)      # dL/dx~ = dL/dG(z)
        self.G.backward(grad_x, input_grad=False)
        self.generator_gradient_norms.append(float(np.linalg.norm(self.G.flat_grads)))
        self.sigmas.append(sigma)
        self.opt_g.step()
        return loss
