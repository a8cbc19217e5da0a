"""A trained digit generator on disk and back, without pickle: its networks as nn checkpoints
(.npz, `Sequential.save`), and what sampling needs besides (the noise size and prior, the
label scale, an autoencoder's code Gaussian) as JSON and plain arrays.

    save_model(trained, folder)        # trained: a gan.digits.comparison.TrainedModel
    sampler = load_sampler(folder)     # sampler(n, labels, rng) -> pixels (n, 1, 32, 32)

A GAN's G generates as in training, with BatchNorm on the batch's own statistics, so a loaded
G fed the same noise gives the same images.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from scipy.special import expit

from gan.config import GANConfig
from gan.limits import MAX_WIDTH
from gan.variants.conditional import one_hot
from nn.checkpoint import CheckpointError, checkpoint_errors
from nn.fast import MLP, Sequential
from nn.files import read_json, read_npz

FORMAT = "numpy-gan digits model, version 1"
PIXELS = 32 * 32


def save_model(trained, folder):
    """Write trained's networks and sampling settings under folder; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT, "name": trained.name, "conditional": trained.conditional}
    if trained.game is not None:
        config = trained.game.config
        trained.game.G.save(folder / "G.npz")
        trained.game.D.save(folder / "D.npz")
        meta.update(kind="gan", noise_dim=int(config.noise_dim), prior=config.prior,
                    label_scale=float(config.label_scale))
    else:
        coder = trained.model
        coder.encoder.save(folder / "encoder.npz")
        coder.decoder.save(folder / "decoder.npz")
        meta.update(kind=type(coder).__name__, latent_size=int(coder.latent_size))
        if hasattr(coder, "code_mean"):
            np.savez(folder / "codes.npz", mean=coder.code_mean, covariance=coder.code_covariance)
    (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
    return folder


def load_sampler(folder):
    """sampler(n, labels, rng) -> pixels (n, 1, 32, 32) in [0, 1] of the model saved under
    folder (labels: n class indices for a conditional model, else ignored).

    Every file goes through the safe readers (nn.files.read_json, nn.checkpoint's networks,
    nn.files.read_npz) and is checked against the others before a sampler is made: model.json
    must hold each setting with its type, G's input must take noise_dim (+ 10 labels), the
    decoder must map latent_size numbers to 32 x 32 pixels, codes.npz must hold a mean of
    latent_size and a latent_size x latent_size covariance. CheckpointError (a ValueError)
    naming the file otherwise."""
    folder = Path(folder)
    settings = folder / "model.json"
    meta = read_json(settings, error=CheckpointError)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise CheckpointError(f"{settings} holds no digits model of format {FORMAT!r}, got "
                              f"{found!r}"[:300])
    kind = _setting(settings, meta, "kind", str)
    conditional = _setting(settings, meta, "conditional", bool)
    if kind == "gan":
        prior = _setting(settings, meta, "prior", str)
        noise_dim = _setting(settings, meta, "noise_dim", int)
        scale = _setting(settings, meta, "label_scale", (int, float))
        if not (1 <= noise_dim <= MAX_WIDTH and math.isfinite(scale)):
            raise CheckpointError(f"{settings}: noise_dim must be in 1..{MAX_WIDTH} and "
                                  f"label_scale finite, got {noise_dim} and {scale}")
        G = Sequential.load(folder / "G.npz")
        _check_input(folder / "G.npz", G, noise_dim + (10 if conditional else 0))
        with checkpoint_errors(settings):
            p_z = GANConfig(prior=prior, noise_dim=noise_dim).p_z    # the game's prior
        return _gan_sampler(G, p_z, conditional, float(scale))
    if kind not in ("Autoencoder", "VariationalAutoencoder"):
        raise CheckpointError(f"{settings}: kind must be 'gan', 'Autoencoder' or "
                              f"'VariationalAutoencoder', got {kind!r}"[:300])
    latent = _setting(settings, meta, "latent_size", int)
    decoder = MLP.load(folder / "decoder.npz")
    _check_input(folder / "decoder.npz", decoder, latent)
    if decoder.sizes[-1] != PIXELS:
        raise CheckpointError(f"{folder / 'decoder.npz'}: the decoder must output {PIXELS} "
                              f"pixels, its sizes are {decoder.sizes}")
    if kind == "Autoencoder":
        mean, covariance = _code_gaussian(folder / "codes.npz", latent)
        eigenvalues, eigenvectors = np.linalg.eigh(covariance)
        factor = eigenvectors * np.sqrt(np.maximum(eigenvalues, 0.0))

        def codes_of(n, rng):
            return mean + rng.standard_normal(size=(n, latent)) @ factor.T
    else:
        def codes_of(n, rng):
            return rng.standard_normal(size=(n, latent))
    return lambda n, labels, rng: expit(decoder.forward(codes_of(n, rng))).reshape(n, 1, 32, 32)


def _setting(path, meta, key, kind):
    """meta[key], CheckpointError naming the file if it is missing or not of `kind`."""
    if key not in meta:
        raise CheckpointError(f"{path}: the setting {key!r} is missing")
    value = meta[key]
    wrong_bool = isinstance(value, bool) and kind is not bool
    if wrong_bool or not isinstance(value, kind):
        raise CheckpointError(f"{path}: the setting {key!r} must be a "
                              f"{getattr(kind, '__name__', 'number')}, got {value!r}"[:300])
    return value


def _check_input(path, network, size):
    first = network.layers[0] if network.layers else None
    found = getattr(first, "in_features", None)
    if found != size:
        raise CheckpointError(f"{path}: the network's first layer takes {found} inputs, "
                              f"model.json says {size}")


def _code_gaussian(path, latent):
    arrays = read_npz(path, error=CheckpointError)
    shapes = {"mean": (latent,), "covariance": (latent, latent)}
    for name, shape in shapes.items():
        array = arrays.get(name)
        if array is None or array.shape != shape or array.dtype.kind != "f" \
                or not np.isfinite(array).all():
            raise CheckpointError(f"{path}: {name!r} must be finite floats of shape {shape}, "
                                  f"got {None if array is None else (array.shape, array.dtype)}")
    return arrays["mean"].astype(np.float64), arrays["covariance"].astype(np.float64)


def _gan_sampler(G, p_z, conditional, label_scale):
    dtype = G.flat_params.dtype

    def sample(n, labels, rng):
        z = p_z.sample(n, rng).astype(dtype)
        if conditional:
            z = np.concatenate([z, label_scale * one_hot(np.asarray(labels), 10, dtype)],
                               axis=1)
        return ((G.forward(z) + 1) / 2).reshape(n, 1, 32, 32)
    return sample
