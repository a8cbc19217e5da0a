"""One comparison of the digit generators: the MLP GAN and conditional GAN of lesson 17, the
DCGAN of lesson 18 and the autoencoder and VAE of lesson 16, trained on the same digits from
the same seed with those lessons' settings, and scored by the same referee.

- gan_config / CODER_SETTINGS: the lessons' settings in one place, as presets: "full" (the
  default runs of lessons 16-18) and "fast" (their --fast); the lessons read them from here,
  so the comparison trains exactly what they train.  (A shorter preset, 600 steps each and a
  DCGAN of width 8, was tried for lesson 22 and dropped: its GANs were far from trained --
  Frechet 86 to 421 against the AE's 23 -- so it taught the opposite of the full run);
- train_models: the five trainings, timed; each gives a sampler (n, labels, rng) -> pixels
  (gan.digits.parallel.train_seeds runs them for several seeds on worker processes);
- comparison_rows: the table of gan.digits.fidelity, with the real held-out digits first;
- sample_grid: the pictures, ten rows per model (row c: class c for a conditional model, else
  the samples the referee reads as c).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from gan.digits.autoencoder import Autoencoder, VariationalAutoencoder
from gan.digits.classifier import predict
from gan.digits.dcgan import DCGAN
from gan.digits.gans import ConditionalDigitsGAN, Digits, DigitsConfig, DigitsGAN
from gan.digits.fidelity import Yardstick, comparison_row, real_data_row
from gan.digits.scores import classifier_accuracy_score
from gan.train import train

MODELS = ("MLP GAN", "cGAN (MLP)", "DCGAN", "AE", "VAE")
GAMES = {"MLP GAN": DigitsGAN, "cGAN (MLP)": ConditionalDigitsGAN, "DCGAN": DCGAN}

# Lesson 17: Adam rates with D twice G's for both MLP games; the conditional game's one-hot
# label scaled by 8 so it weighs in D's first layer next to 1024 pixels.  Lesson 18: width 16,
# D at the paper's 2e-4 and G at 1e-3 (at 2e-4 for both, D won at once in our runs).
GAN_SETTINGS = {
    "MLP GAN": {"full": dict(steps=1500, g_hidden=(256, 512), d_hidden=(512, 256)),
                "compare": dict(steps=1000, g_hidden=(256, 512), d_hidden=(512, 256)),
                "fast": dict(steps=40, g_hidden=(32,), d_hidden=(32,)),
                "common": dict(lr_g=5e-4, lr_d=1e-3)},
    "cGAN (MLP)": {"full": dict(steps=1500, g_hidden=(256, 512), d_hidden=(512, 256)),
                   "compare": dict(steps=1000, g_hidden=(256, 512), d_hidden=(512, 256)),
                   "fast": dict(steps=40, g_hidden=(32,), d_hidden=(32,)),
                   "common": dict(lr_g=5e-4, lr_d=1e-3, label_scale=8.0)},
    "DCGAN": {"full": dict(steps=1500, width=16), "compare": dict(steps=1000, width=16),
              "fast": dict(steps=20, width=4),
              "common": dict(noise_dim=64, batch_size=64, lr_d=2e-4, lr_g=1e-3)},
}
# Lesson 16: encoder 1024-hidden-code, decoder code-hidden-1024, Adam on minibatches of 128.
CODER_SETTINGS = {"full": dict(steps=1500, hidden_sizes=(256,), latent_size=16),
                  "compare": dict(steps=500, hidden_sizes=(256,), latent_size=16),
                  "fast": dict(steps=30, hidden_sizes=(32,), latent_size=16)}
# "compare": lesson 22's preset, the full runs' networks with fewer steps, so that three seeds of
# five models fit in minutes.  Measured on real MNIST (3 seeds): with 500 DCGAN steps (800 for the
# MLP GANs) the DCGAN's Frechet distance was 58.9 +- 16.0, far from the 7.5 of one 1500-step run,
# so the GANs keep 1000 steps.  Half the MLP GANs' width and DCGAN width 8 (about half the
# arithmetic per step) were tried too and dropped: the blur verdict held (grey share DCGAN
# 6.4% +- 0.5%, AE 12.0% +- 0.2%, VAE 24.1% +- 1.9%), but the GANs fell behind in Frechet
# distance (DCGAN 38.3 +- 7.2, MLP GAN 42.7 +- 4.0 against the AE's 13.3 +- 2.4, floor 2.1),
# so the table would have taught that the GANs lose to the autoencoder, which their full runs
# do not.
PRESETS = ("full", "compare", "fast")
COMPANIONS = 200            # fresh samples generated with an interpolation path (BatchNorm)
CODER_BATCH_SIZE = 128


def gan_config(model, train_images, train_labels, preset="full", seed=0):
    """The DigitsConfig the lessons train `model` ("MLP GAN", "cGAN (MLP)" or "DCGAN") with:
    GAN_SETTINGS[model][preset], float32, ten snapshots of a 10 x 10 sample grid."""
    if model not in GAN_SETTINGS:
        raise ValueError(f"model must be one of {tuple(GAN_SETTINGS)}, got {model!r}")
    _check_preset(preset)
    settings = {**GAN_SETTINGS[model]["common"], **GAN_SETTINGS[model][preset]}
    target = Digits(train_images, train_labels, flat=model != "DCGAN")
    return DigitsConfig(target=target, dtype="float32", grid_columns=10, seed=seed,
                        snapshot_every=max(settings["steps"] // 10, 1), **settings)


@dataclass
class TrainedModel:
    """A trained generator as the comparison sees it."""

    name: str
    sampler: object            # (n, labels, rng) -> pixels (n, 1, 32, 32) in [0, 1]
    conditional: bool
    seconds: float             # training time (a GAN's includes its ten snapshots)
    model: object              # the TrainResult of a GAN, the Autoencoder or VAE
    interpolator: object = None  # (image_a, image_b, label, count, rng) -> pixels
    grids: object = None       # (snapshots, 10, 10, 32, 32) samples of fixed noise over training
    grid_steps: object = None  # the step of each snapshot
    game: object = None        # a GAN's game around the trained players (None for the coders)


def _check_preset(preset):
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {PRESETS}, got {preset!r}")


def train_models(train_images, train_labels, preset="full", seed=0, models=MODELS, report=None):
    """Train each of `models` with the settings `preset` on the same digits, every one from
    numpy.random.default_rng(seed)
    (the GANs through their config's seed), and time it.  ``report(name, seconds)``, if
    given, is called after each training.  Returns a list of TrainedModel."""
    _check_preset(preset)
    unknown = [name for name in models if name not in MODELS]
    if unknown or not models:
        raise ValueError(f"models must be a non-empty selection of {MODELS}, got {models!r}")
    trained = []
    for name in models:
        entry = train_model(name, train_images, train_labels, preset, seed)
        trained.append(entry)
        if report is not None:
            report(name, entry.seconds)
    return trained


def train_model(name, train_images, train_labels, preset="full", seed=0, steps=None,
                callback=None):
    """Train one of MODELS with the settings `preset` (``steps`` in place of the preset's,
    when given) from numpy.random.default_rng(seed), keeping ten snapshots of a 10 x 10 grid
    of samples of fixed noise; ``callback(step, losses)`` after every step.  The players are
    built in one place per model: the games' build_players and the coders' constructors."""
    _check_preset(preset)
    if name not in MODELS:
        raise ValueError(f"name must be one of {MODELS}, got {name!r}")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer))
                              or steps < 1):
        raise ValueError(f"steps must be a positive integer or None, got {steps!r}")
    if name not in GAMES:
        return _train_coder(name, train_images, preset, seed, steps, callback)
    config = gan_config(name, train_images, train_labels, preset, seed)
    if steps is not None:
        config = config.replace(steps=int(steps), snapshot_every=max(int(steps) // 10, 1))
    result = train(config, callback=callback, game=GAMES[name])
    game = GAMES[name].from_players(config, result.G, result.D, None, None)
    conditional = GAMES[name] is ConditionalDigitsGAN
    return TrainedModel(name, _GanSampler(game, conditional), conditional,
                        result.metrics["seconds"], result, _GanInterpolator(game, conditional),
                        np.asarray(result.history.x_of_z),
                        np.asarray(result.history.snapshot_steps), game)


class _GanSampler:
    """(n, labels, rng) -> G's pixels from fresh noise (a class, not a closure, so that a
    TrainedModel pickles to and from a worker process)."""

    def __init__(self, game, conditional):
        self.game, self.conditional = game, conditional

    def __call__(self, n, labels, rng):
        if self.conditional:
            return self.game.sample(n, rng, labels)
        return self.game.sample(n, rng)


class _GanInterpolator(_GanSampler):
    """G along the straight line between two noise vectors, z(t) = (1 - t) z_a + t z_b (the
    two real images are not used: a GAN has no encoder to find their codes)."""

    def __call__(self, image_a, image_b, label, count, rng):
        z_a, z_b = self.game.sample_noise(2, rng)
        t = np.linspace(0.0, 1.0, count)[:, None]
        # the path in a batch with COMPANIONS fresh samples: G's BatchNorm normalises with the
        # batch's statistics, which a batch of one path alone would distort
        z = np.concatenate([(1 - t) * z_a + t * z_b, self.game.sample_noise(COMPANIONS, rng)])
        labels = np.full(len(z), label) if self.conditional else None
        return self.game.generate_pixels(z, labels)[:count]


class _CoderSampler:
    """(n, labels, rng) -> a coder's samples from its prior (labels unused)."""

    def __init__(self, coder):
        self.coder = coder

    def __call__(self, n, labels, rng):
        return self.coder.sample(n, rng)


class _CoderInterpolator(_CoderSampler):
    """The decoded straight line between the codes of two images."""

    def __call__(self, image_a, image_b, label, count, rng):
        return self.coder.interpolate(image_a, image_b, count)


def interpolations(trained, image_a, image_b, label, rng, count=10):
    """One row of ``count`` images per trained model, (models, count, 32, 32) in [0, 1]: the
    AE and VAE decode the straight line between the codes of ``image_a`` and ``image_b``;
    the GANs generate along the line between two noise vectors drawn from ``rng`` (the cGAN
    with class ``label`` held fixed)."""
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 2:
        raise ValueError(f"count must be an integer >= 2, got {count!r}")
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < 10:
        raise ValueError(f"label must be an integer in [0, 10), got {label!r}")
    rows = [model.interpolator(image_a, image_b, int(label), int(count), rng)
            for model in trained]
    return np.stack([np.asarray(row).reshape(count, 32, 32) for row in rows])


def _train_coder(name, train_images, preset, seed, steps=None, callback=None):
    settings = dict(CODER_SETTINGS[preset])
    steps = settings.pop("steps") if steps is None else int(steps)
    settings.pop("steps", None)
    generator = np.random.default_rng(seed)
    kind = Autoencoder if name == "AE" else VariationalAutoencoder
    snapshot_every = max(steps // 10, 1)
    fixed = train_images[:500]                      # the AE's codes of these give its prior
    grids, grid_steps = [], []

    def snapshot(step):
        # samples of the same noise at every snapshot, from a generator of their own so that
        # taking them never changes the training draws (and, for the AE, from the Gaussian
        # of the current codes of 500 fixed training digits)
        coder._after_fit(coder._flat(fixed))
        grids.append(coder.sample(100, np.random.default_rng(seed + 1)).reshape(10, 10, 32, 32))
        grid_steps.append(step)

    def after_step(step, loss):
        if step % snapshot_every == 0 or step == steps:
            snapshot(step)
        if callback is not None:
            callback(step, {"loss": loss})

    started = time.perf_counter()
    coder = kind(generator, **settings)
    snapshot(0)
    coder.fit(train_images, generator, steps=steps, batch_size=CODER_BATCH_SIZE,
              callback=after_step)
    seconds = time.perf_counter() - started
    return TrainedModel(name, _CoderSampler(coder), False, seconds, coder,
                        _CoderInterpolator(coder),
                        np.stack(grids), np.asarray(grid_steps))


def comparison_rows(trained, classifier, train_images, test_images, test_labels, n, rng,
                    train_labels=None, yardstick=None):
    """The comparison table's rows: the real held-out digits (the floor, see
    quality.real_data_row), then one comparison_row of n samples per trained model, each
    measured against all of test_images, with its training seconds.  With train_labels,
    the conditional models and the real row get a classifier accuracy score too
    (add_classifier_accuracy_scores).  ``yardstick``: Yardstick.build(classifier,
    train_images, test_images) when None; pass it to score several seeds against one."""
    if yardstick is None:
        yardstick = Yardstick.build(classifier, train_images, test_images)
    rows = [real_data_row("real digits (floor)", yardstick, test_images, test_labels,
                          min(int(n), len(train_images)), rng)]
    for model in trained:
        row = comparison_row(model.name, model.sampler, yardstick, n, rng, model.conditional)
        row["seconds"] = model.seconds
        rows.append(row)
    if train_labels is not None:
        add_classifier_accuracy_scores(rows, trained, train_images, train_labels, test_images,
                                       test_labels, rng)
    return rows


def add_classifier_accuracy_scores(rows, trained, train_images, train_labels, test_images,
                                   test_labels, rng):
    """Set rows[0]["cas"] (a classifier trained on the real training digits: the ceiling)
    and, for each conditional model, rows[1 + i]["cas"] (one trained on as many generated
    digits, labels balanced over the classes), all tested on the real test digits
    (Ravuri and Vinyals 2019)."""
    rows[0]["cas"] = classifier_accuracy_score(train_images, train_labels, test_images,
                                               test_labels, rng)
    labels = np.arange(len(train_images)) % 10
    for row, model in zip(rows[1:], trained):
        if model.conditional:
            generated = model.sampler(len(labels), labels, rng)
            row["cas"] = classifier_accuracy_score(generated, labels, test_images, test_labels,
                                                   rng)


def sample_grid(model, classifier, rng, columns=8, pool=400):
    """Ten rows of `columns` samples, (10, columns, 32, 32): row c asks for class c when the
    model is conditional; otherwise row c holds samples of a pool the referee reads as c,
    left-aligned, the rest of the row blank (grey 0.5) when fewer were read as c."""
    if not model.conditional:
        images = model.sampler(pool, None, rng)[:, 0]
        read = predict(classifier, images[:, None])
        grid = np.full((10, columns) + images.shape[1:], 0.5)
        order = np.argsort(read, kind="stable")
        first = np.searchsorted(read[order], np.arange(10))
        rank = np.arange(pool) - first[read[order]]
        kept = rank < columns
        grid[read[order][kept], rank[kept]] = images[order][kept]
        return grid
    labels = np.repeat(np.arange(10), columns)
    return model.sampler(10 * columns, labels, rng)[:, 0].reshape(10, columns, 32, 32)
