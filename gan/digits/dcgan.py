"""The DCGAN on the 32 x 32 digits (Radford, Metz and Chintala 2016): convolutional players built
by the paper's five rules (section 3), trained by `gan.train.train`'s Algorithm 1 as the MLP
digits GANs of `gan.digits.gans` are, with their data, configuration and measurements. The
players are of ``config.engine`` (nn.fast or the textbook nn).
"""

from __future__ import annotations

import numpy as np

from gan.digits.gans import DigitsGAN
from gan.engine import engine as engine_classes

DCGAN_INIT = ("normal", 0.02)       # Radford et al. 2016, section 4: weights from N(0, 0.02^2)


def dcgan_players(noise_dim, width, rng, dtype=np.float32, engine="fast"):
    """G and D of a DCGAN for 32 x 32 images, by the five rules of Radford et al. (2016, sec. 3):

    1. D downsamples with strided convolutions (Conv2d, kernel 4, stride 2, padding 1: 32 -> 16
       -> 8 -> 4), G upsamples with fractional-strided ones (ConvTranspose2d: 4 -> 8 -> 16 -> 32);
       no pooling.
    2. BatchNorm2d in both players, except on G's output and D's input.
    3. No fully connected hidden layers; the two allowed exceptions, as in the paper: G's first
       layer is a Linear projection of z to 4w x 4 x 4 maps, and D's last is Flatten -> Linear
       to one logit.
    4. ReLU in G, Tanh on its output (the data live in [-1, 1]).
    5. LeakyReLU with slope 0.2 in D.
    Weights are drawn from N(0, 0.02^2) (section 4). ``width`` w is the number of maps of D's
    first layer and G's last hidden one (the paper's 64 -> w here). Layers of ``engine``.
    """
    w, nn = width, engine_classes(engine)
    G = nn.Sequential([
        nn.Linear(noise_dim, 4 * w * 4 * 4, rng, init=DCGAN_INIT, dtype=dtype),
        nn.Reshape((4 * w, 4, 4)),
        nn.BatchNorm2d(4 * w, dtype=dtype), nn.ReLU(),
        nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1, rng=rng, init=DCGAN_INIT, dtype=dtype),
        nn.BatchNorm2d(2 * w, dtype=dtype), nn.ReLU(),
        nn.ConvTranspose2d(2 * w, w, 4, 2, 1, rng=rng, init=DCGAN_INIT, dtype=dtype),
        nn.BatchNorm2d(w, dtype=dtype), nn.ReLU(),
        nn.ConvTranspose2d(w, 1, 4, 2, 1, rng=rng, init=DCGAN_INIT, dtype=dtype),
        nn.Tanh(),
    ])
    D = nn.Sequential([
        nn.Conv2d(1, w, 4, 2, 1, rng=rng, init=DCGAN_INIT, dtype=dtype), nn.LeakyReLU(0.2),
        nn.Conv2d(w, 2 * w, 4, 2, 1, rng=rng, init=DCGAN_INIT, dtype=dtype),
        nn.BatchNorm2d(2 * w, dtype=dtype), nn.LeakyReLU(0.2),
        nn.Conv2d(2 * w, 4 * w, 4, 2, 1, rng=rng, init=DCGAN_INIT, dtype=dtype),
        nn.BatchNorm2d(4 * w, dtype=dtype), nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(4 * w * 4 * 4, 1, rng, init=DCGAN_INIT, dtype=dtype),
    ])
    return G, D


class DCGAN(DigitsGAN):
    """The 2014 game with the convolutional players of `dcgan_players` (Radford et al. 2016) on
    images (1, 32, 32); everything else is `DigitsGAN`'s."""

    def build_players(self, rng):
        """G then D of `dcgan_players`, of width ``config.width``, drawn from ``rng``."""
        c = self.config
        if c.target.flat:
            raise ValueError("DCGAN needs an image target: Digits(images, labels, flat=False)")
        return dcgan_players(c.noise_dim, c.width, rng, self.dtype, c.engine)


# ---- walks and arithmetic in z (Radford et al. 2016, sections 6.1 and 6.3) -----------------
COMPANIONS = 200       # fresh z ~ p_z generated beside chosen z, for G's BatchNorm statistics


def generate_among(game, z, rng, companions=COMPANIONS):
    """G(z) as pixels (n, 32, 32) for chosen noise vectors z, generated in one batch with
    ``companions`` fresh z ~ p_z drawn from ``rng``.

    G's BatchNorm normalises with the statistics of the batch it is given (as in training), so
    G of a few chosen z alone -- the points of a walk, the sums of section 6.3 -- would be
    normalised by their own mean and spread; among many samples of p_z the batch's statistics
    are nearly those G was trained with."""
    z = np.asarray(z, dtype=game.dtype)
    batch = np.concatenate([z, game.sample_noise(int(companions), rng)])
    return game.generate_pixels(batch, None)[:len(z), 0]


def walk_noise(z_a, z_b, count):
    """The straight lines z(t) = (1 - t) z_a + t z_b, t = 0, 1/(count - 1), ..., 1, between
    the rows of z_a and z_b: (walks, count, noise_dim)."""
    t = np.linspace(0.0, 1.0, int(count))[None, :, None]
    return (1 - t) * np.asarray(z_a)[:, None] + t * np.asarray(z_b)[:, None]


def largest_step_share(walks):
    """For walks of images (walks, count, h, w): max_i d_i / sum_i d_i, with d_i the pixel
    distance ||x_(i+1) - x_i|| between neighbours, one value per walk. It is 1/(count - 1) when
    every step changes the image equally and 1 when the whole change happens at one step (a
    G that jumps from one stored image to the next)."""
    walks = np.asarray(walks, dtype=np.float64)
    steps = np.sqrt(((walks[:, 1:] - walks[:, :-1]) ** 2).sum(axis=(2, 3)))
    return steps.max(axis=1) / np.maximum(steps.sum(axis=1), np.finfo(float).tiny)


def ink(images):
    """The ink of each image: its mean pixel value in [0, 1] (the strokes are the bright
    pixels, so a thicker stroke of the same digit has more ink)."""
    images = np.asarray(images, dtype=np.float64)
    return images.reshape(len(images), -1).mean(axis=1)


def thickness_arithmetic(z, images, labels, a, b, rows, group=3):
    """Section 6.3's vector arithmetic, with stroke width for the paper's smile: for each of
    ``rows`` disjoint groups of ``group`` samples (the paper averages three),

        z_r = mean z(thick a's) - mean z(thin a's) + mean z(thin b's),

    where, among the pool's samples the referee read as class a (``labels``), the thick ones
    are the inkiest and the thin ones the faintest, and the thin b's are the faintest read as
    b. Returns a dict of index arrays (rows, group) into the pool -- "thick a", "thin a",
    "thin b" -- the three means of z (rows, 3, noise_dim) and ``result`` (rows, noise_dim);
    None when the pool holds fewer than 2 * rows * group samples of a or of b."""
    z, labels, amount = np.asarray(z), np.asarray(labels), ink(images)
    need = rows * group
    members = {c: np.flatnonzero(labels == c) for c in (a, b)}
    if a == b or any(len(found) < 2 * need for found in members.values()):
        return None
    by_ink = {c: found[np.argsort(amount[found], kind="stable")] for c, found in members.items()}
    chosen = {"thick a": by_ink[a][-need:][::-1], "thin a": by_ink[a][:need],
              "thin b": by_ink[b][:need]}
    chosen = {name: index.reshape(rows, group) for name, index in chosen.items()}
    means = np.stack([z[chosen[name]].mean(axis=1) for name in ("thick a", "thin a", "thin b")],
                     axis=1)
    return {**chosen, "means": means, "result": means[:, 0] - means[:, 1] + means[:, 2]}
