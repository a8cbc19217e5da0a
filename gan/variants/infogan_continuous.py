"""InfoGAN's continuous codes (Chen et al. 2016, section 6): c ~ U(-1, 1) fed to G beside z, and a
Q head that reads it back as the mean of a fixed-variance Gaussian Q(c | x) = N(c; mu(x), sigma^2).

The categorical game, its Q head shared with D's body and the bound I(c; G(z, c)) >= H(c) - L_I
are in `gan.variants.infogan`; here L_I is `gaussian_information_loss`, a squared error, and the
game `ContinuousInfoGAN` changes only what the continuous code changes (the players' sizes, the
sampling of c, both updates' L_I term, the measurer).
"""

from __future__ import annotations

import numbers

import numpy as np

from gan.engine import engine
from gan.measure import SNAPSHOT_SAMPLES
from gan.objectives import discriminator_loss, generator_loss, value_estimate
from gan.variants.infogan import CodeMixtureLine, InfoGAN


def sample_continuous_codes(d, m, rng):
    """m continuous codes c ~ U(-1, 1)^d (Chen et al. 2016, section 6): c = 2 u - 1, u ~ U[0, 1)."""
    return 2 * np.asarray(rng.random((m, d)), dtype=np.float64).reshape(m, d) - 1


def gaussian_information_loss(q_means, c, sigma=1.0):
    """L_I for continuous codes, Q(c | x) = N(c; mu(x), sigma^2 I) with a fixed sigma.

    log Q(c | x) = -||c - mu(x)||^2 / (2 sigma^2) - (d / 2) log(2 pi sigma^2), so

        L_I = -1/m sum_i log Q(c_i | x_i) = 1/m sum_i ||c_i - mu_i||^2 / (2 sigma^2) + (d / 2)
              log(2 pi sigma^2),   dL_I/dmu_i = (mu_i - c_i) / (sigma^2 m):

    the squared error of Q's mean against the code, and its gradient, plus a constant that no
    parameter moves (Chen et al. treat a continuous code "as a factored Gaussian"). The bound
    I(c; G(z, c)) >= H(c) - L_I holds with H(c) = d log 2 for c ~ U(-1, 1)^d.

    q_means: (m, d) Q's means; c: (m, d) the codes. Returns (L_I, dL_I/dq_means).
    """
    q_means, c = np.asarray(q_means), np.asarray(c)
    if q_means.ndim != 2 or q_means.shape != c.shape or q_means.shape[0] < 1:
        raise ValueError(f"q_means and c must have the same shape (m, d) with m >= 1, got "
                         f"{q_means.shape} and {c.shape}")
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or \
            not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a positive finite number, got {sigma!r}")
    m, d = q_means.shape
    residual = q_means - c                                          # mu - c
    loss = (np.sum(residual ** 2) / (2 * sigma ** 2 * m)
            + 0.5 * d * np.log(2 * np.pi * sigma ** 2))
    return float(loss), residual / (sigma ** 2 * m)


class ContinuousCodeLine(CodeMixtureLine):
    """ContinuousInfoGAN's measurer: the mixture's measurements over the code values, and at the
    end the correlations of c with G(z, c) (``code_correlation``) and with Q's mean
    (``q_correlation``) in place of Q's categorical accuracy."""

    def final_metrics(self, game, setup):
        """The mixture's JSD, G(z, c)'s mean per code value, and the correlations of c with
        G(z, c) and with Q's mean, on 10k samples per code value."""
        metrics = {key: value for key, value in super().final_metrics(game, setup).items()
                   if key != "q_accuracy"}
        z = setup["z_eval"][:SNAPSHOT_SAMPLES]
        generators = game.code_generators()
        c = np.repeat([G_c.c for G_c in generators], len(z))
        x = np.concatenate([G_c.forward(z)[:, 0] for G_c in generators])
        mu = game.recover_codes(x[:, None])[:, 0]
        metrics["code_correlation"] = float(np.corrcoef(c, x)[0, 1])
        metrics["q_correlation"] = float(np.corrcoef(c, mu)[0, 1])
        return metrics


class ContinuousCode:
    """G with its continuous code fixed at the value c: forward(z) = G([z, c])."""

    def __init__(self, G, c):
        self.G, self.c = G, float(c)
        self.flat_params = G.flat_params

    def forward(self, z):
        z = np.asarray(z, dtype=self.flat_params.dtype)
        return self.G.forward(np.concatenate([z, np.full((len(z), 1), self.c, z.dtype)], axis=1))


class ContinuousInfoGAN(InfoGAN):
    """InfoGAN with one continuous code c ~ U(-1, 1) and the fixed-variance Gaussian Q head:
    G(z, c): R^(noise_dim + 1) -> R^dim, D's last layer [l, mu] (D's logit and Q's mean).

    L_I is `gaussian_information_loss` (the squared error of mu(G(z, c)) against c, over
    2 sigma^2), so Q learns to read c back and G to keep it readable. Measurements treat p_g
    as the mixture over ``code_points`` equally spaced values of c (midpoints of equal bins of
    [-1, 1]); ``code_correlation`` is the Pearson correlation of c and G(z, c), and
    ``q_correlation`` that of c and Q's mean. Settings: ``information_weight`` lambda (> 0) and
    ``sigma`` (> 0, Chen et al. use lambda small for continuous codes).
    """

    code_points = 8
    measurer = ContinuousCodeLine()

    def __init__(self, config, rng, information_weight=1.0, sigma=1.0):
        if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or \
                not (np.isfinite(sigma) and sigma > 0):
            raise ValueError(f"sigma must be a positive finite number, got {sigma!r}")
        self.sigma = float(sigma)
        super().__init__(config, rng, categories=2, information_weight=information_weight)
        self.categories = 1                                # one continuous code

    def build_players(self, rng):
        """G then D: G with one more input (c), D with one more output (Q's mean)."""
        c, dim = self.config, self.config.target.dim
        MLP = engine(c.engine).MLP
        G = MLP([c.noise_dim + 1, *c.g_hidden, dim], c.g_activation, rng=rng, dtype=self.dtype)
        D = MLP([dim, *c.d_hidden, 2], c.d_activation, rng=rng, dtype=self.dtype)
        return G, D

    def generate(self, z, c):
        """x = G(z, c) for codes c of shape (m, 1)."""
        z = np.asarray(z, dtype=self.dtype)
        return self.G.forward(np.concatenate([z, np.asarray(c, dtype=self.dtype)], axis=1))

    def recover_codes(self, x):
        """Q's mean mu(x), (n, 1)."""
        return self.heads(x)[1]

    def _sample(self, m, rng):
        c = sample_continuous_codes(1, m, rng).astype(self.dtype)
        return c, self.generate(self.sample_noise(m, rng), c)

    def discriminator_update(self, step, rng):
        """D and Q descend L_D + lambda L_I (Q on the fakes only). Returns (loss, V estimate)."""
        m, lam = self.config.batch_size, self.information_weight
        x_real = self.sample_real(m, rng)
        c, x_fake = self._sample(m, rng)
        logits, mu = self.heads(np.concatenate([x_real, x_fake], axis=0))
        loss_d, grad_real, grad_fake = discriminator_loss(logits[:m], logits[m:])
        loss_i, grad_mu = gaussian_information_loss(mu[m:], c, self.sigma)
        grad_heads = np.zeros((2 * m, 2), dtype=self.dtype)
        grad_heads[:m, :1], grad_heads[m:, :1] = grad_real, grad_fake
        grad_heads[m:, 1:] = lam * grad_mu                 # lambda (mu - c) / (sigma^2 m)
        self.D.backward(grad_heads, input_grad=False)      # D's gradients only
        self.opt_d.step()
        return loss_d + lam * loss_i, value_estimate(logits[:m], logits[m:])

    def generator_update(self, step, rng):
        """G descends L_G + lambda L_I through both heads. Returns that loss."""
        lam = self.information_weight
        c, x_fake = self._sample(self.config.batch_size, rng)
        logits, mu = self.heads(x_fake)
        loss_g, grad_logits = generator_loss(logits, self.config.g_loss)
        loss_i, grad_mu = gaussian_information_loss(mu, c, self.sigma)
        grad_x = self.D.backward(np.concatenate([grad_logits, lam * grad_mu], axis=1),
                                 param_grads=False)
        self.G.backward(grad_x, input_grad=False)
        self.opt_g.step()
        return loss_g + lam * loss_i

    def code_generators(self):
        """G with c fixed at ``code_points`` values, the midpoints of equal bins of [-1, 1]."""
        points = -1 + (2 * np.arange(self.code_points) + 1) / self.code_points
        return [ContinuousCode(self.G, c) for c in points]

