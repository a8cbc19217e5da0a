"""GANs on the 32 x 32 digits: an MLP GAN and a conditional MLP GAN (the DCGAN is in
`gan.digits.dcgan`), all trained by `gan.train.train`'s Algorithm 1 (Goodfellow et al. 2014);
only the players, the data and what a snapshot measures change. Every game builds its players
with ``config.engine`` (nn.fast or the textbook nn; tests/test_gan_engine_games.py holds them equal).

- `Digits`: p_data as a set of images, rescaled from {0, 1} to x = 2 p - 1 in {-1, 1} (the range
  of G's Tanh output, Radford et al. 2016, section 3), drawn with replacement;
- `DigitsConfig`: a `GANConfig` whose target is `Digits` (GANConfig itself only takes 1D and 2D
  targets) plus the DCGAN width and the sample grid's size;
- `DigitsGAN`: G: R^noise_dim -> R^1024 and D: R^1024 -> logit, multilayer perceptrons;
- `ConditionalDigitsGAN`: G(z, c), D(x, c) with one-hot c (Mirza & Osindero 2014), the
  conditioning of `gan.variants.conditional.ConditionalGAN`;
- `DigitsSnapshots`: their measurer (`gan.measure`). Snapshots record, in History's ``x_of_z``,
  G's images of a fixed set of noise vectors (and labels): a grid of samples at every snapshot,
  which `gan.digits.grids` turns into a picture and an animation.

The MLP players and the D step that keeps real and fake batches apart are in
`gan.digits.players`.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, fields

import numpy as np
from scipy.special import expit

from gan.config import GANConfig
from gan.distributions import Normal
from gan.digits.players import (image_discriminator_step, mlp_discriminator, mlp_generator,
                                without_buffer_changes)
from gan.game import GAN
from gan.variants.conditional import ConditionalGAN, one_hot, sample_labels

IMAGE_SHAPE = (1, 32, 32)
CLASSES = 10


class Digits:
    """p_data: the empirical distribution of a set of digit images, x = 2 p - 1 in [-1, 1].

    ``images``: (n, 1, 32, 32) pixel values p in [0, 1] (as `gan.digits.datasets.load_digits` returns);
    ``labels``: (n,) integers in [0, 10). ``flat=True`` serves x as vectors of dim = 1024 (the MLP
    players), ``flat=False`` as images of shape dim = (1, 32, 32) (the convolutional players).
    ``weights`` are the class frequencies, the p(c) a conditional game draws its labels from.
    """

    def __init__(self, images, labels, flat=True):
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim != 4 or images.shape[1:] != IMAGE_SHAPE or len(images) < 1:
            raise ValueError(f"images must have shape (n, 1, 32, 32) with n >= 1, got "
                             f"{images.shape}")
        if not np.issubdtype(images.dtype, np.floating) or not (
                np.isfinite(images).all() and images.min() >= 0 and images.max() <= 1):
            raise ValueError("images must hold finite floats in [0, 1]")
        if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be {len(images)} integers, got shape {labels.shape} "
                             f"of dtype {labels.dtype}")
        if labels.min() < 0 or labels.max() >= CLASSES:
            raise ValueError(f"labels must lie in [0, {CLASSES}), got values in "
                             f"[{labels.min()}, {labels.max()}]")
        if not isinstance(flat, bool):
            raise TypeError(f"flat must be a bool, got {flat!r}")
        self.flat = flat
        self.dim = int(np.prod(IMAGE_SHAPE)) if flat else IMAGE_SHAPE
        self.x = to_data_range(images).reshape((len(images),) + self.shape)
        self.labels = labels.astype(np.int64)
        self.weights = np.bincount(self.labels, minlength=CLASSES) / len(self.labels)

    @property
    def shape(self):
        """The shape of one sample x."""
        return (self.dim,) if self.flat else self.dim

    def __len__(self):
        return len(self.x)

    def sample(self, n, rng):
        """n images x_i = x_{j_i}, j_i ~ Uniform{0, ..., N - 1} (with replacement)."""
        return self.x[rng.integers(0, len(self.x), size=n)]

    def sample_labelled(self, n, rng):
        """n pairs (x, c) drawn together, so x ~ p_data(x | c) and c ~ p(c) = ``weights``."""
        index = rng.integers(0, len(self.x), size=n)
        return self.x[index], self.labels[index]


def to_data_range(pixels):
    """x = 2 p - 1: pixel values p in [0, 1] to the range [-1, 1] of G's Tanh output."""
    return 2 * np.asarray(pixels) - 1


def to_pixels(x):
    """p = (x + 1) / 2, images (n, 1, 32, 32) in [0, 1], the classifier's input."""
    x = np.asarray(x)
    return ((x + 1) / 2).reshape((len(x),) + IMAGE_SHAPE)


def _stand_in_target():
    return Normal(0.0, 1.0)


@dataclass(frozen=True)
class DigitsConfig(GANConfig):
    """A `GANConfig` for the digits: ``target`` is a `Digits`, ``width`` the number of feature
    maps of the DCGAN's first D layer (and last G layer), ``grid_columns`` the samples per row of
    the snapshot grid, ``label_scale`` s the height of a conditional game's one-hot label
    [x, s e_c] (s = 8 lets the label weigh in D's first layer next to 1024 pixels). The defaults
    are the Adam settings of Radford et al. (2016, section 4): lr = 2e-4 for both players,
    beta_1 = 0.5, minibatches of 64, a constant rate and no weight averaging.
    """

    target: object = None
    noise_dim: int = 64
    g_hidden: tuple = (256, 512)
    d_hidden: tuple = (512, 256)
    g_activation: str = "relu"
    batch_size: int = 64
    steps: int = 1000
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    lr_schedule: str = "constant"
    average_last: float = 0.0
    snapshot_every: int = 100
    width: int = 16
    grid_columns: int = 8
    label_scale: float = 1.0
    engine: str = "fast"    # images: the fast engine (nn.fast), where speed is the point

    def _validate(self):
        if not isinstance(self.target, Digits):
            raise TypeError(f"target must be a gan.digits.gans.Digits, got {self.target!r}")
        for name in ("width", "grid_columns"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(self.label_scale, bool) or not isinstance(self.label_scale, (int, float)) \
                or not (np.isfinite(self.label_scale) and self.label_scale > 0):
            raise ValueError(f"label_scale must be a positive finite number, got "
                             f"{self.label_scale!r}")
        # every other field is checked by GANConfig's own rules; GANConfig accepts only 1D and
        # 2D targets, so it sees a 1D stand-in in place of the images
        others = {f.name: getattr(self, f.name) for f in fields(GANConfig)}
        GANConfig._validate(types.SimpleNamespace(**{**others, "target": _stand_in_target()}))


class DigitsSnapshots:
    """The digits games' measurer (see `gan.measure`): G's images of fixed noise (and labels),
    the mean D(x) on fixed real and fake images, and the pixel statistics of the samples."""

    def setup(self, game, rng):
        """Fixed noise z for a grid of CLASSES rows of ``grid_columns`` samples (row c asks for
        class c in a conditional game) and as many fixed real images. The History fields of the
        1D game hold: ``grid`` the row labels, ``p_data_grid`` the real images (pixels),
        ``z_line`` the fixed noise."""
        columns = game.config.grid_columns
        count = CLASSES * columns
        labels = np.repeat(np.arange(CLASSES), columns)
        x_real, real_labels = game.config.target.sample_labelled(count, rng)
        order = np.argsort(real_labels, kind="stable")
        return {
            "grid": labels,
            "p_data_grid": to_pixels(x_real[order]),
            "z_line": game.sample_noise(count, rng),
            "x_real": x_real[order],
            "real_labels": real_labels[order],
        }

    def snapshot(self, game, setup):
        """``x_of_z``: the sample grid (rows, columns, 32, 32) in pixels; ``D_grid``: mean D on the
        fixed real and on the fake images; ``p_g_grid``: the mean fake image; ``mean``, ``std``:
        pixel statistics of the fakes. ``jsd`` is None: no density of p_g in 1024 dimensions."""
        x_fake = game._generate(setup["z_line"], setup["grid"])
        # real and fake in batches of their own, as D sees them in training
        d_real = float(np.mean(expit(game._discriminate(setup["x_real"], setup["real_labels"]))))
        d_fake = float(np.mean(expit(game._discriminate(x_fake, setup["grid"]))))
        pixels = to_pixels(x_fake)
        rows = pixels.reshape(CLASSES, game.config.grid_columns, *IMAGE_SHAPE[1:])
        return {"x_of_z": rows, "D_grid": np.array([d_real, d_fake]),
                "p_g_grid": pixels.mean(axis=0)[0], "mean": float(pixels.mean()),
                "std": float(pixels.std()), "jsd": None}

    def final_metrics(self, game, setup):
        """The last snapshot's mean D on real and fake images and pixel statistics."""
        snap = self.snapshot(game, setup)
        return {"D_real": float(snap["D_grid"][0]), "D_fake": float(snap["D_grid"][1]),
                "pixel_mean": snap["mean"], "pixel_std": snap["std"]}


class _DigitsSamples:
    """What every digits game generates with: images in pixels, from fresh or given noise (and
    labels), BatchNorm's statistics left unchanged; measured by `DigitsSnapshots`."""

    conditional = False
    measurer = DigitsSnapshots()

    def generate_pixels(self, z, labels):
        """Images G(z) (or G(z, c)) as pixels in [0, 1], (n, 1, 32, 32)."""
        return to_pixels(self._generate(z, labels))

    def sample(self, n, rng, labels=None):
        """n images in pixels, from fresh noise z ~ p_z (and the given labels, conditional)."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"n must be an integer >= 2 (BatchNorm needs a batch), got {n!r}")
        if self.conditional:
            labels = np.asarray(labels)
            if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer) \
                    or labels.min() < 0 or labels.max() >= CLASSES:
                raise ValueError(f"labels must be {n} integers in [0, {CLASSES}), got {labels!r}")
        return self.generate_pixels(self.sample_noise(int(n), rng), labels)

    # ---- the players' forward passes, without side effects on BatchNorm's statistics ----------
    def _generate(self, z, labels):
        return without_buffer_changes(self.G, np.asarray(z, dtype=self.dtype))

    def _discriminate(self, x, labels):
        return without_buffer_changes(self.D, np.asarray(x, dtype=self.dtype))


class DigitsGAN(_DigitsSamples, GAN):
    """The 2014 game on flattened digits: G: R^noise_dim -> [-1, 1]^1024 (Tanh output) and
    D: R^1024 -> logit, multilayer perceptrons of widths ``g_hidden`` and ``d_hidden``."""

    def __init__(self, config, rng):
        if not isinstance(config, DigitsConfig):
            raise TypeError(f"config must be a DigitsConfig, got {type(config).__name__}")
        super().__init__(config, rng)

    def build_players(self, rng):
        """G then D (see `mlp_generator`, `mlp_discriminator`), drawn from ``rng``."""
        c = self.config
        if not c.target.flat:
            raise ValueError("DigitsGAN needs a flat target: Digits(images, labels, flat=True)")
        G = mlp_generator([c.noise_dim, *c.g_hidden, c.target.dim], c.g_activation, rng,
                          self.dtype, c.engine)
        D = mlp_discriminator([c.target.dim, *c.d_hidden, 1], rng, self.dtype, c.engine)
        return G, D

    def discriminator_update(self, step, rng):
        """Update D on `minibatch`'s real and fake images, each batch through D on its own
        (`image_discriminator_step`)."""
        return image_discriminator_step(self.D, self.opt_d, *self.minibatch(step, rng))


class ConditionalDigitsGAN(_DigitsSamples, ConditionalGAN):
    """G(z, c) and D(x, c) on flattened digits, c one-hot over the ten classes (Mirza & Osindero
    2014): the inputs [z, s e_c] and [x, s e_c] (s = ``label_scale``) and the G update of
    `ConditionalGAN`; D sees real
    pairs (x, c) drawn together from the data set and fake pairs (G(z, c), c), c ~ p(c)."""

    conditional = True

    def __init__(self, config, rng):
        if not isinstance(config, DigitsConfig):
            raise TypeError(f"config must be a DigitsConfig, got {type(config).__name__}")
        if not config.target.flat:
            raise ValueError("ConditionalDigitsGAN needs a flat target: Digits(..., flat=True)")
        self.classes = CLASSES
        GAN.__init__(self, config, rng)

    @classmethod
    def from_players(cls, config, G, D, opt_d=None, opt_g=None):
        """The game around trained players, to generate with."""
        game = GAN.from_players.__func__(cls, config, G, D, opt_d, opt_g)
        game.classes = CLASSES
        return game

    def build_players(self, rng):
        """G: [z, e_c] -> [-1, 1]^1024 and D: [x, e_c] -> logit, drawn from ``rng`` (G first)."""
        c, K = self.config, self.classes
        G = mlp_generator([c.noise_dim + K, *c.g_hidden, c.target.dim], c.g_activation, rng,
                          self.dtype, c.engine)
        D = mlp_discriminator([c.target.dim + K, *c.d_hidden, 1], rng, self.dtype, c.engine)
        return G, D

    def minibatch(self, step, rng):
        """m real pairs [x, s e_c] drawn together from the data set and m fake pairs
        [G(z, c'), s e_c'], c' ~ p(c)."""
        m = self.config.batch_size
        x_real, c_real = self.config.target.sample_labelled(m, rng)
        c_fake = sample_labels(self.config.target.weights, m, rng)
        x_fake = self.generate(self.sample_noise(m, rng), c_fake)
        return self.joined(x_real, c_real), self.joined(x_fake, c_fake)

    discriminator_update = DigitsGAN.discriminator_update     # real and fake batches apart

    def joined(self, u, c):
        """[u, s e_c]: an input with its one-hot label appended, scaled by s = ``label_scale``."""
        return np.concatenate([u, self.config.label_scale * one_hot(c, self.classes, self.dtype)],
                              axis=1)

    def _generate(self, z, labels):
        return without_buffer_changes(self.G, self.joined(np.asarray(z, dtype=self.dtype), labels))

    def _discriminate(self, x, labels):
        return without_buffer_changes(self.D, self.joined(np.asarray(x, dtype=self.dtype), labels))
