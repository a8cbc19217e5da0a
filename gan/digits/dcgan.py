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
