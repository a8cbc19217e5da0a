"""An autoencoder and a variational autoencoder on binary digit images, by hand-written
gradients: the course's contrast to the GAN, a generator trained on reconstruction error.

Both decoders output logits l(z) of independent Bernoulli pixels, p(x | z) = prod_j
sigma(l_j)^x_j (1 - sigma(l_j))^(1 - x_j), so the reconstruction term is the binary
cross-entropy summed over the d pixels, -log p(x | z) = sum_j BCE(l_j, x_j), and what the
decoder shows as "the image" is its mean sigma(l(z)).  Under uncertainty about x given z
that mean is an average of the digits z could stand for: grey where they disagree.

- Autoencoder: z = f(x), minimise -log p(x | z).  Samples: z from a Gaussian fitted to the
  training codes (an autoencoder has no prior of its own).
- VariationalAutoencoder (Kingma and Welling 2014, "Auto-encoding variational Bayes", ICLR):
  encoder heads mu(x) and log sigma^2(x), z = mu + sigma * eps with eps ~ N(0, I) (the
  reparameterisation, their section 2.4), and the negative ELBO (their eq. 10)
      L(x) = -log p(x | z) + KL(N(mu, sigma^2) || N(0, I)),
      KL = 1/2 sum_k (mu_k^2 + sigma_k^2 - 1 - log sigma_k^2)   (their appendix B).
  Samples: the decoder's mean at z ~ N(0, I).
"""

import numpy as np
from scipy.special import expit

from gan.checks import positive_integer
from nn.fast import MLP
from nn.fast.losses import bce_with_logits
from nn.fast.optim import Adam
from nn.threads import blas_threads


def kl_standard_normal(mu, log_variance):
    """KL(N(mu, diag sigma^2) || N(0, I)) = 1/2 sum_k (mu_k^2 + sigma_k^2 - 1 - log sigma_k^2)
    per row (Kingma and Welling 2014, appendix B), averaged over the m rows, with its
    gradients dKL/dmu = mu / m and dKL/dlog sigma^2 = (sigma^2 - 1) / (2 m).

    Returns (KL, dKL/dmu, dKL/dlog_variance)."""
    mu, log_variance = np.asarray(mu), np.asarray(log_variance)
    if mu.ndim != 2 or mu.shape != log_variance.shape or mu.size == 0:
        raise ValueError(f"mu and log_variance must have one shape (batch, latent), got "
                         f"{mu.shape} and {log_variance.shape}")
    count = mu.shape[0]
    variance = np.exp(log_variance)
    value = 0.5 * np.sum(mu * mu + variance - 1 - log_variance) / count
    return value, mu / count, (variance - 1) / (2 * count)


def reparameterise(mu, log_variance, epsilon):
    """z = mu + sigma * eps with sigma = exp(log sigma^2 / 2): for eps ~ N(0, I), z ~
    N(mu, diag sigma^2), written as a differentiable function of mu and log sigma^2 (Kingma
    and Welling 2014, section 2.4).  Returns (z, sigma)."""
    sigma = np.exp(0.5 * np.asarray(log_variance))
    return mu + sigma * epsilon, sigma


def _check_sizes(image_shape, hidden_sizes, latent_size):
    if not isinstance(image_shape, (tuple, list)) or not image_shape:
        raise ValueError(f"image_shape must be a non-empty tuple of positive integers, "
                         f"got {image_shape!r}")
    image_shape = tuple(positive_integer("image_shape[i]", n) for n in image_shape)
    if not isinstance(hidden_sizes, (tuple, list)):
        raise ValueError(f"hidden_sizes must be a tuple of positive integers, "
                         f"got {hidden_sizes!r}")
    hidden_sizes = [positive_integer("hidden_sizes[i]", n) for n in hidden_sizes]
    return image_shape, hidden_sizes, positive_integer("latent_size", latent_size)


class _Coder:
    """What both models share: an encoder and a decoder MLP, binary data in and decoder
    means out, the Adam loop, interpolation."""

    def __init__(self, rng, image_shape, hidden_sizes, latent_size, code_outputs):
        image_shape, hidden_sizes, latent_size = _check_sizes(image_shape, hidden_sizes,
                                                              latent_size)
        self.image_shape, self.latent_size = image_shape, latent_size
        self.input_size = int(np.prod(image_shape))
        self.encoder = MLP([self.input_size, *hidden_sizes, code_outputs], activation="relu",
                           rng=rng)
        self.decoder = MLP([latent_size, *reversed(hidden_sizes), self.input_size],
                           activation="relu", rng=rng)

    def _flat(self, images, name="images"):
        images = np.asarray(images)
        if images.ndim < 1 or images.shape[1:] != self.image_shape or images.shape[0] < 1:
            raise ValueError(f"{name} must have shape (n, {', '.join(map(str, self.image_shape))})"
                             f" with n >= 1, got shape {images.shape}")
        if not np.issubdtype(images.dtype, np.floating) or np.any((images < 0) | (images > 1)):
            raise ValueError(f"{name} must hold floats in [0, 1]")
        return images.reshape(len(images), self.input_size).astype(np.float64)

    def _reconstruction(self, z, x, gradients):
        """-log p(x | z) = sum over pixels of BCE(l(z), x), mean over the batch, and
        (when gradients) dL/dz after setting the decoder's parameter gradients."""
        logits = self.decoder.forward(z)
        value, grad_logits = bce_with_logits(logits, x)     # mean over n * d elements
        value, grad_logits = value * self.input_size, grad_logits * self.input_size
        return value, (self.decoder.backward(grad_logits) if gradients else None)

    def decode(self, z):
        """The decoder's mean image E[x | z] = sigma(l(z)), shape (n, *image_shape)."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != self.latent_size:
            raise ValueError(f"z must have shape (n, {self.latent_size}), got shape {z.shape}")
        return expit(self.decoder.forward(z)).reshape((len(z),) + self.image_shape)

    def reconstruct(self, images):
        """decode(encode(x)): the mean image of x's code."""
        return self.decode(self.encode(images))

    def interpolate(self, image_a, image_b, count):
        """Decoder means along the straight line between two codes,
        z(t) = (1 - t) z_a + t z_b for count values of t from 0 to 1."""
        count = positive_integer("count", count)
        codes = self.encode(np.stack([np.asarray(image_a), np.asarray(image_b)]))
        t = np.linspace(0.0, 1.0, count)[:, None]
        return self.decode((1 - t) * codes[0] + t * codes[1])

    def fit(self, images, rng, *, steps=2000, batch_size=128, lr=1e-3, callback=None):
        """Adam on minibatches drawn uniformly from `images` by `rng`, one optimiser per
        network; returns the loss of every step.  ``callback(step, loss)``, if given, is
        called after every step (step counts from 1); it must not draw from `rng`."""
        x = self._flat(images)
        steps = positive_integer("steps", steps)
        batch_size = positive_integer("batch_size", batch_size)
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
            raise ValueError(f"lr must be a number > 0, got {lr!r}")
        optimisers = [Adam(self.encoder, lr=lr), Adam(self.decoder, lr=lr)]
        losses = np.empty(steps)
        with blas_threads(1):
            for step in range(steps):
                index, noise = self._step_draws(rng, len(x), batch_size)
                losses[step] = self._step_loss(x[index], noise)
                for optimiser in optimisers:
                    optimiser.step()
                if callback is not None:
                    callback(step + 1, float(losses[step]))
        self._after_fit(x)
        return losses

    def advance_past_fit(self, rng, count, *, steps=2000, batch_size=128):
        """Draw from `rng` exactly what fit(images, rng, steps=steps, batch_size=batch_size)
        draws for `count` images, without training: afterwards `rng` is where the fit would
        leave it, so that the next user of `rng` can start before this coder is trained (two
        coders trained from one generator, one after the other, on two processes)."""
        count = positive_integer("count", count)
        steps = positive_integer("steps", steps)
        batch_size = positive_integer("batch_size", batch_size)
        for _ in range(steps):
            self._step_draws(rng, count, batch_size)

    def _step_draws(self, rng, count, batch_size):
        """What one step of fit draws: the minibatch's indices, uniform over the `count`
        images (with replacement), and the step's noise (None: an autoencoder has none)."""
        return rng.integers(0, count, size=min(batch_size, count)), None

    def _after_fit(self, x):
        pass


class Autoencoder(_Coder):
    """Deterministic autoencoder: z = f(x) (encoder MLP), l = g(z) (decoder MLP, logits),
    trained on L(x) = -log p(x | z) = sum_j BCE(l_j, x_j)."""

    def __init__(self, rng, image_shape=(1, 32, 32), hidden_sizes=(256,), latent_size=16):
        super().__init__(rng, image_shape, hidden_sizes, latent_size, code_outputs=latent_size)
        self.code_mean = np.zeros(self.latent_size)
        self.code_covariance = np.eye(self.latent_size)

    def encode(self, images):
        """z = f(x)."""
        return self.encoder.forward(self._flat(images))

    def loss(self, images, gradients=True):
        """L = mean over the batch of -log p(x | f(x)); with gradients, SETS both networks'
        parameter gradients."""
        return self._loss(self._flat(images), gradients)

    def _loss(self, x, gradients):
        value, grad_z = self._reconstruction(self.encoder.forward(x), x, gradients)
        if gradients:
            self.encoder.backward(grad_z, input_grad=False)      # no dL/dx of the images
        return value

    def _step_loss(self, x, noise):
        return self._loss(x, gradients=True)

    def _after_fit(self, x):
        codes = self.encoder.forward(x)
        self.code_mean = codes.mean(axis=0)
        self.code_covariance = np.cov(codes, rowvar=False).reshape(self.latent_size, -1)

    def sample(self, n, rng):
        """Decoder means at z ~ N(mean, covariance of the training codes), the Gaussian
        fitted after fit() (an autoencoder has no prior; before fit, N(0, I))."""
        n = positive_integer("n", n)
        return self.decode(self._correlated_normal(n, rng))

    def _correlated_normal(self, n, rng):
        """z = mean + eps F^T with F F^T = covariance, F = V diag(sqrt(lambda)) from eigh
        (valid when the covariance is singular; rounding can leave a zero eigenvalue at
        -1e-17, which is zero)."""
        eigenvalues, eigenvectors = np.linalg.eigh(self.code_covariance)
        factor = eigenvectors * np.sqrt(np.maximum(eigenvalues, 0.0))
        return self.code_mean + rng.standard_normal(size=(n, self.latent_size)) @ factor.T


class VariationalAutoencoder(_Coder):
    """VAE (Kingma and Welling 2014): encoder heads (mu, log sigma^2) = f(x), the last layer's
    2 latent outputs split in two; z = mu + sigma * eps; decoder logits l = g(z); trained on
    the negative ELBO  L = -log p(x | z) + KL(N(mu, sigma^2) || N(0, I))."""

    def __init__(self, rng, image_shape=(1, 32, 32), hidden_sizes=(256,), latent_size=16):
        super().__init__(rng, image_shape, hidden_sizes, latent_size,
                         code_outputs=2 * latent_size)

    def heads(self, images):
        """The encoder's two heads: mu(x) and log sigma^2(x), each (n, latent_size)."""
        out = self.encoder.forward(self._flat(images))
        return out[:, :self.latent_size], out[:, self.latent_size:]

    def encode(self, images):
        """The posterior mean mu(x), the code used for reconstructions and interpolations."""
        return self.heads(images)[0]

    def negative_elbo(self, images, epsilon, gradients=True):
        """L = mean over the batch of  -log p(x | z) + KL(N(mu, sigma^2) || N(0, I)),
        z = mu + sigma eps for the given eps (n, latent_size).  With gradients, SETS both
        networks' parameter gradients by the chain rule through the reparameterisation:
            dL/dmu = dL/dz + dKL/dmu,
            dL/dlog sigma^2 = dL/dz * eps * sigma / 2 + dKL/dlog sigma^2
        (dz/dlog sigma^2 = eps d exp(log sigma^2 / 2)/dlog sigma^2 = eps sigma / 2).
        Returns (L, reconstruction term, KL term)."""
        x = self._flat(images)
        epsilon = np.asarray(epsilon, dtype=np.float64)
        if epsilon.shape != (len(x), self.latent_size):
            raise ValueError(f"epsilon must have shape ({len(x)}, {self.latent_size}), got "
                             f"shape {epsilon.shape}")
        return self._negative_elbo(x, epsilon, gradients)

    def _negative_elbo(self, x, epsilon, gradients):
        out = self.encoder.forward(x)
        mu, log_variance = out[:, :self.latent_size], out[:, self.latent_size:]
        z, sigma = reparameterise(mu, log_variance, epsilon)
        reconstruction, grad_z = self._reconstruction(z, x, gradients)
        kl, grad_kl_mu, grad_kl_log_variance = kl_standard_normal(mu, log_variance)
        if gradients:
            grad_mu = grad_z + grad_kl_mu                            # dz/dmu = 1
            grad_log_variance = grad_z * epsilon * sigma / 2 + grad_kl_log_variance
            self.encoder.backward(np.concatenate([grad_mu, grad_log_variance], axis=1),
                                  input_grad=False)
        return reconstruction + kl, reconstruction, kl

    def _step_draws(self, rng, count, batch_size):
        """The minibatch's indices, then its eps ~ N(0, I) for the reparameterisation."""
        index, _ = super()._step_draws(rng, count, batch_size)
        return index, rng.standard_normal(size=(len(index), self.latent_size))

    def _step_loss(self, x, epsilon):
        return self._negative_elbo(x, epsilon, gradients=True)[0]

    def sample(self, n, rng):
        """Decoder means E[x | z] at z ~ N(0, I), the prior."""
        n = positive_integer("n", n)
        return self.decode(rng.standard_normal(size=(n, self.latent_size)))
