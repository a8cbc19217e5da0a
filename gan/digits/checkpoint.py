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
from pathlib import Path

import numpy as np
from scipy.special import expit

from gan.config import GANConfig
from gan.variants.conditional import one_hot
from nn.fast import MLP, Sequential

FORMAT = "numpy-gan digits model, version 1"


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
    folder (labels: n class indices for a conditional model, else ignored)."""
    folder = Path(folder)
    meta = json.loads((folder / "model.json").read_text())
    if meta.get("format") != FORMAT:
        raise ValueError(f"{folder} holds no digits model of format {FORMAT!r}, got "
                         f"{meta.get('format')!r}")
    if meta["kind"] == "gan":
        return _gan_sampler(Sequential.load(folder / "G.npz"), meta)
    decoder = MLP.load(folder / "decoder.npz")
    latent = meta["latent_size"]
    if meta["kind"] == "Autoencoder":
        with np.load(folder / "codes.npz", allow_pickle=False) as codes:
            mean, covariance = codes["mean"], codes["covariance"]
        eigenvalues, eigenvectors = np.linalg.eigh(covariance)
        factor = eigenvectors * np.sqrt(np.maximum(eigenvalues, 0.0))

        def codes_of(n, rng):
            return mean + rng.standard_normal(size=(n, latent)) @ factor.T
    else:
        def codes_of(n, rng):
            return rng.standard_normal(size=(n, latent))
    return lambda n, labels, rng: expit(decoder.forward(codes_of(n, rng))).reshape(n, 1, 32, 32)


def _gan_sampler(G, meta):
    dtype = G.flat_params.dtype

    p_z = GANConfig(prior=meta["prior"], noise_dim=meta["noise_dim"]).p_z   # the game's prior

    def sample(n, labels, rng):
        z = p_z.sample(n, rng).astype(dtype)
        if meta["conditional"]:
            z = np.concatenate([z, meta["label_scale"] * one_hot(np.asarray(labels), 10, dtype)],
                               axis=1)
        return ((G.forward(z) + 1) / 2).reshape(n, 1, 32, 32)
    return sample
