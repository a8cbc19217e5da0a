"""Two-dimensional targets with many modes, the metrics that make mode collapse a number, and
how a game on them is measured.

The ring of 8 Gaussians (radius 2, sigma 0.02) is the mixture of Metz et al. (2017, "Unrolled
Generative Adversarial Networks", Section 3.1); it and the 5 x 5 grid (means (-4 + 2i, -4 + 2j))
are the 2D benchmarks of Srivastava et al. (2017, VEEGAN, Section 5.1) and Lin et al. (2018,
PacGAN, Section 5.1), whose grid has sigma 0.05.

The metrics are theirs: from N generated samples (2500 in those papers),

    high-quality share = (1/N) #{i : min_k ||x_i - mu_k|| <= 3 sigma},
    modes covered      = #{k : at least 20 high-quality samples have mu_k as nearest mode}

(PacGAN's rule, following VEEGAN: a mode with fewer than 20 of the 2500 samples is lost). In 2D
the radius 3 sigma holds P(chi_2 <= 3) = 1 - exp(-9/2) = 98.9% of a mode's own mass.

`Plane` measures any game on such a target in the plane instead of on the line (see its
methods); `gan.train.train` picks it for a 2D target, or takes it as ``measurer=Plane()``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as sigmoid
from scipy.special import ndtr

from gan.checks import positive_integer, positive_number
from gan.config import GANConfig
from gan.distributions import KDE, Mixture, Normal

RING_MODES, RING_RADIUS, RING_SIGMA = 8, 2.0, 0.02
GRID_SIDE, GRID_SPACING, GRID_SIGMA = 5, 2.0, 0.05
QUALITY_RADIUS = 3.0            # in units of sigma
MIN_SAMPLES = 20                # per mode, out of EVALUATION_SAMPLES (PacGAN, Section 5.1)
EVALUATION_SAMPLES = 2500
IMAGE_SIDE = 120                # D's heat map and p_g's histogram: IMAGE_SIDE^2 cells




def ring(modes=RING_MODES, radius=RING_RADIUS, sigma=RING_SIGMA):
    """Equal mixture of N(mu_k, sigma^2 I), mu_k = radius (cos 2 pi k / modes, sin 2 pi k / modes).

    The defaults are the ring of Metz et al. (2017): 8 modes, radius 2, sigma 0.02.
    """
    modes = positive_integer("modes", modes)
    radius, sigma = positive_number("radius", radius), positive_number("sigma", sigma)
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return Mixture([Normal(centre, sigma) for centre in centres])


def grid(side=GRID_SIDE, spacing=GRID_SPACING, sigma=GRID_SIGMA):
    """Equal mixture of N(mu_ij, sigma^2 I) on a side x side lattice centred on 0 with the given
    spacing; the defaults give PacGAN's 5 x 5 grid, mu_ij = (-4 + 2i, -4 + 2j), sigma 0.05."""
    side = positive_integer("side", side)
    spacing, sigma = positive_number("spacing", spacing), positive_number("sigma", sigma)
    axis = spacing * (np.arange(side) - (side - 1) / 2)
    first, second = np.meshgrid(axis, axis, indexing="ij")
    centres = np.stack([first.ravel(), second.ravel()], axis=1)
    return Mixture([Normal(centre, sigma) for centre in centres])


def plane_config(target=None, **changes):
    """The `GANConfig` under which the plain GAN learns the ring of 8 (``target`` defaults to
    `ring()`), with ``changes`` applied: 2D noise, G and D 64-64 LeakyReLU MLPs, m = 256,
    Adam lr 2e-3 (betas 0.5, 0.999) decayed to 0 along a half cosine, 5000 steps, no averaging
    of G's weights (the average of generators that hold different modes holds neither).

    Measured on seeds 0-9 (>= 7 of 8 modes and >= 50% high-quality samples): 8 of 10 at 5000
    steps (high-quality share 0.57-0.75), 2 of 5 at 3000, none of 2 at 1500; with a softplus G
    0 of 5 and with 16D noise 0 of 5 (collapsed onto 1-2 modes) at 5000; with averaging over the
    last 25% the same 4 of seeds 0-4. The 5 x 5 grid is not learnt under it (0 of 3 seeds, 0-2
    modes; 128-128 players no better in one seed).
    """
    settings = dict(target=ring() if target is None else target, noise_dim=2,
                    g_hidden=(64, 64), d_hidden=(64, 64), g_activation="leaky_relu",
                    d_activation="leaky_relu", batch_size=256, lr_g=2e-3, lr_d=2e-3,
                    lr_schedule="cosine", average_last=0.0, steps=5000)
    settings.update(changes)
    return GANConfig(**settings)


def mode_centres(target):
    """The means mu_k (an array (K, 2)) and the common sigma of a mixture of isotropic 2D normals
    such as `ring()` and `grid()`, or of a 2D kernel density estimate (`gan.distributions.KDE`:
    a normal of sd h at each sample, so every sample is a mode of its own)."""
    if isinstance(target, KDE) and target.dim == 2:
        return target.samples, target.h
    components = getattr(target, "components", None)
    if (not isinstance(target, Mixture) or target.dim != 2
            or not all(isinstance(c, Normal) for c in components)):
        raise ValueError(f"target must be a 2D Mixture of Normal components (e.g. ring(), grid()), "
                         f"got {target!r}")
    sigmas = {c.sigma for c in components}
    if len(sigmas) != 1:
        raise ValueError(f"target's components must share one sigma, got {sorted(sigmas)}")
    return np.array([c.mu_vector for c in components]), sigmas.pop()


def mode_coverage(x, centres, sigma, min_samples=MIN_SAMPLES):
    """The mode-coverage metrics of VEEGAN / PacGAN for samples x (an array (N, 2)).

    Each sample is assigned to its nearest mode mu_k; it is of high quality if
    ||x - mu_k|| <= 3 sigma. Returns a dict: ``high_quality`` (share of high-quality samples),
    ``counts`` (high-quality samples per mode), ``modes_covered`` (modes with at least
    ``min_samples`` of them) and ``modes`` (K).
    """
    x = np.asarray(x, dtype=np.float64)
    centres = np.asarray(centres, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty array of shape (N, 2), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite")
    if centres.ndim != 2 or centres.shape[1] != 2 or centres.shape[0] == 0:
        raise ValueError(f"centres must be an array of shape (K, 2), got shape {centres.shape}")
    sigma = positive_number("sigma", sigma)
    min_samples = positive_integer("min_samples", min_samples)
    squared = np.sum((x[:, None, :] - centres[None, :, :]) ** 2, axis=-1)     # (N, K)
    nearest = np.argmin(squared, axis=1)
    close = squared[np.arange(len(x)), nearest] <= (QUALITY_RADIUS * sigma) ** 2
    counts = np.bincount(nearest[close], minlength=len(centres))
    return {
        "high_quality": float(close.mean()),
        "counts": counts,
        "modes_covered": int(np.sum(counts >= min_samples)),
        "modes": len(centres),
    }


def cell_masses(target, edges):
    """P(x in cell ij) for a mixture of isotropic normals, exactly:

        sum_k w_k [Phi((e_(i+1) - mu_k1) / sigma) - Phi((e_i - mu_k1) / sigma)]
                  [Phi((e_(j+1) - mu_k2) / sigma) - Phi((e_j - mu_k2) / sigma)],

    on the square cells whose boundaries along both axes are ``edges``."""
    centres, sigma = mode_centres(target)
    weights = (np.full(len(centres), 1.0 / len(centres)) if isinstance(target, KDE)
               else target.weights)                  # a KDE weighs its samples equally
    along = np.diff(ndtr((edges[None, :, None] - centres[:, None, :]) / sigma), axis=1)  # (K, n, 2)
    return np.einsum("k,ki,kj->ij", weights, along[:, :, 0], along[:, :, 1])


def binned_jsd(p, q):
    """JSD(p || q) = 1/2 sum p log(p / m) + 1/2 sum q log(q / m), m = (p + q) / 2, in nats, of two
    distributions on the same cells (0 log 0 = 0)."""
    total = p + q                                    # > 0 wherever p > 0 or q > 0

    def half(a):                                     # 1/2 sum a log(2a / (p + q)) over a > 0
        there = a > 0
        return 0.5 * np.sum(a[there] * (np.log(2 * a[there]) - np.log(total[there])))

    return float(half(p) + half(q))


class Plane:
    """The measurements of a game on a 2D mixture of isotropic normals (`ring`, `grid`), a
    measurer for `gan.train.train` (see `gan.measure`). A snapshot records, in the fields of
    `gan.train.History`: ``D_grid`` D(x) on an IMAGE_SIDE x IMAGE_SIDE grid of the plane
    (``grid`` is its axis, the same for both coordinates), ``x_of_z`` the images G(z) of 2500
    fixed noise samples (``z_line``), ``p_g_grid`` their histogram density on the grid's cells,
    ``mean`` and ``std`` per coordinate, and ``jsd`` the JSD between the target's exact
    cell masses and that histogram (a binned estimate, biased upwards by the finite sample).
    The mode-coverage metrics of a snapshot follow from its ``x_of_z`` by `mode_coverage`.
    """

    def setup(self, game, rng):
        """The grid of the plane (the modes' box widened by a quarter of its size, at least 1)
        and EVALUATION_SAMPLES fixed noise samples."""
        centres, sigma = mode_centres(game.config.target)
        low, high = centres.min(), centres.max()
        pad = max(0.25 * (high - low), 1.0)
        axis = np.linspace(low - pad, high + pad, IMAGE_SIDE)
        step = axis[1] - axis[0]
        edges = np.concatenate([axis - step / 2, [axis[-1] + step / 2]])
        z = game.config.p_z.sample(EVALUATION_SAMPLES, rng).astype(game.dtype)
        return {
            "centres": centres,
            "sigma": sigma,
            "grid": axis,
            "edges": edges,
            "mesh": np.stack(np.meshgrid(axis, axis, indexing="xy"), axis=-1).reshape(-1, 2),
            "p_data_grid": game.config.target.pdf(
                np.stack(np.meshgrid(axis, axis, indexing="xy"), axis=-1)),
            "p_data_cells": cell_masses(game.config.target, edges),
            "z_line": z,
        }

    def snapshot(self, game, setup):
        """D on the grid, G(z) for the fixed noise, its histogram, moments and binned JSD."""
        axis = setup["grid"]
        D_grid = sigmoid(game.D.forward(setup["mesh"].astype(game.dtype)))[:, 0]
        x = np.asarray(game.G.forward(setup["z_line"]), dtype=np.float64)
        counts, _, _ = np.histogram2d(x[:, 1], x[:, 0], bins=[setup["edges"]] * 2)  # rows: x_2
        p_g_cells = counts / len(x)
        outside = 1.0 - p_g_cells.sum()
        p_data_cells = setup["p_data_cells"].T                   # rows: x_2, as in the mesh
        p_data_outside = max(1.0 - p_data_cells.sum(), 0.0)
        jsd = binned_jsd(np.append(p_data_cells.ravel(), p_data_outside),
                         np.append(p_g_cells.ravel(), outside))
        step = axis[1] - axis[0]
        return {
            "D_grid": D_grid.reshape(len(axis), len(axis)),
            "p_g_grid": p_g_cells / step**2,
            "mean": x.mean(axis=0),
            "std": x.std(axis=0),
            "jsd": jsd,
            "x_of_z": x,
        }

    def final_metrics(self, game, setup):
        """Mode coverage of G(z) for the 2500 evaluation samples, and the snapshot's JSD."""
        snap = self.snapshot(game, setup)
        coverage = mode_coverage(snap["x_of_z"], setup["centres"], setup["sigma"])
        return {
            "modes_covered": coverage["modes_covered"],
            "modes": coverage["modes"],
            "high_quality": coverage["high_quality"],
            "jsd": snap["jsd"],
            "mean": snap["mean"].tolist(),
            "std": snap["std"].tolist(),
        }
