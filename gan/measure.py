"""What a run measures, kept out of the games: a measurer is passed to `gan.train.train` beside
the game, so any game can be measured any way (WGAN-GP on a 2D target with the plane's
measurements, say) without a class that joins the two.

A measurer has three methods, each given the game (its players G, D and its config):

    setup(game, rng)            fixed things every measurement reuses (grids, evaluation noise);
                                must hold "grid", "p_data_grid" and "z_line" (History's fields)
    snapshot(game, setup)       a dict with History.SNAPSHOT_FIELDS, recorded during training
    final_metrics(game, setup)  the numbers a run is judged by

`Line` measures the 1D game, `gan.targets2d.Plane` the 2D one; a variant whose measurements
differ (the conditional GAN per class, InfoGAN per code, ...) names its own measurer in its
class attribute ``measurer``, which `measurer_for` returns when train is given none.

The measurements themselves are functions of plain players (`snapshot`, `final_metrics`).
p_g is computed exactly as the pushforward of p_z through G when the noise is 1D (a
LeakyReLU MLP maps a line to a line piecewise linearly, so the density is exact up to the
z-grid resolution), and estimated by a fine histogram of many samples otherwise.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as sigmoid

from gan.pushforward import DEFAULT_N_Z, pushforward_density
from gan.targets2d import Plane
from gan.theory import jsd_grid
from gan.limits import EVALUATION_SAMPLES

SNAPSHOT_SAMPLES = 10_000
# 2000 z cells move the JSD of a trained 32-32 generator by ~2e-6 against 400k cells:
# plenty for snapshots, ten times cheaper than the 20k used for the final metrics.
SNAPSHOT_N_Z = 2_000


def discriminator_on(D, x):
    """D(x) = sigmoid(logit) for a 1-D array of points x."""
    return sigmoid(D.forward(_column(x, D)))[:, 0]


def generator_density(G, p_z, grid, z_samples, n_z=DEFAULT_N_Z):
    """p_g on ``grid`` and the mass p_g puts outside it.

    1D noise: the exact pushforward of p_z through G, on ``n_z`` cells of z. Otherwise: a
    histogram of G(z) for the given noise samples, with bins centred on the grid points.
    """
    if p_z.dim == 1:
        G_column = lambda z: G.forward(_column(z[:, 0], G))  # noqa: E731
        result = pushforward_density(G_column, p_z, grid, n_z=n_z)
        return result.density, result.mass_outside
    x = G.forward(z_samples)[:, 0]
    step = grid[1] - grid[0]
    edges = np.concatenate([grid - step / 2, [grid[-1] + step / 2]])
    counts, _ = np.histogram(x, bins=edges)
    return counts / (len(x) * step), 1.0 - counts.sum() / len(x)


def jsd_with_outside_mass(grid, p_data_grid, p_g_grid, mass_outside):
    """JSD(p_data || p_g) in nats from densities on a grid that holds all of p_data's mass.

    Where p_data = 0, p_g's mass q contributes (1/2) q log(q / (q/2)) = (q/2) log 2 to the
    JSD, whatever its shape, so mass beyond the grid is counted exactly.
    """
    return float(jsd_grid(grid, p_data_grid, p_g_grid) + 0.5 * np.log(2.0) * mass_outside)


def z_line(p_z, points=21):
    """Evenly spaced points of 1D noise over the central 98% of p_z (empty for noise_dim > 1)."""
    if p_z.dim != 1:
        return np.empty(0)
    low, high = p_z.interval(0.98)
    return np.linspace(low, high, points)


def snapshot(G, D, p_data, p_z, grid, z_eval, z_points):
    """D(x) and p_g(x) on the grid, mean and std of G(z), JSD(p_data || p_g), G(z_points)."""
    p_g_grid, mass_outside = generator_density(G, p_z, grid, z_eval, n_z=SNAPSHOT_N_Z)
    x = G.forward(z_eval[:SNAPSHOT_SAMPLES])[:, 0]
    x_of_z = G.forward(_column(z_points, G))[:, 0] if len(z_points) else np.empty(0)
    return {
        "x_of_z": x_of_z,
        "D_grid": discriminator_on(D, grid),
        "p_g_grid": p_g_grid,
        "mean": float(x.mean()),
        "std": float(x.std()),
        "jsd": jsd_with_outside_mass(grid, p_data.pdf(grid), p_g_grid, mass_outside),
    }


def final_metrics(G, D, p_data, p_z, grid, z_eval):
    """The numbers a run is judged by.

    mean, std: of G(z) for all the evaluation noise (100k samples); jsd: JSD(p_data || p_g)
    in nats on a fine grid; d_max_dev: max |D(x) - 1/2| over the central 95% of p_data.
    """
    x = G.forward(z_eval)[:, 0]
    fine = np.linspace(grid[0], grid[-1], 4 * (len(grid) - 1) + 1)
    p_g_fine, mass_outside = generator_density(G, p_z, fine, z_eval)
    low, high = p_data.interval(0.95)
    central = np.linspace(low, high, 1001)
    return {
        "mean": float(x.mean()),
        "std": float(x.std()),
        "jsd": jsd_with_outside_mass(fine, p_data.pdf(fine), p_g_fine, mass_outside),
        "d_max_dev": float(np.abs(discriminator_on(D, central) - 0.5).max()),
    }


def _column(x, net):
    return np.asarray(x, dtype=net.flat_params.dtype).reshape(-1, 1)

class Line:
    """The 1D game's measurements: D and p_g on a grid over p_data's bulk, the moments of G(z),
    JSD(p_data || p_g), and G on a line of z (`gan.measure.snapshot`, `final_metrics`)."""

    def setup(self, game, rng):
        """The x grid, EVALUATION_SAMPLES (100k) noise samples, and the z-line."""
        p_data, p_z = game.config.target, game.config.p_z
        if p_data.dim != 1:
            raise ValueError(f"Line measures 1D targets only, got a target of dim {p_data.dim}; "
                             f"measure 2D targets with measurer=gan.targets2d.Plane()")
        grid = line_grid(p_data, game.config.grid_size)
        return {
            "grid": grid,
            "p_data_grid": p_data.pdf(grid),
            "z_eval": p_z.sample(EVALUATION_SAMPLES, rng).astype(game.dtype),
            "z_line": z_line(p_z),
        }

    def snapshot(self, game, setup):
        """D(x) and p_g on the grid, moments of G(z), JSD, and G on the z-line."""
        c = game.config
        return snapshot(game.G, game.D, c.target, c.p_z, setup["grid"], setup["z_eval"],
                        setup["z_line"])

    def final_metrics(self, game, setup):
        """mean, std, jsd, d_max_dev (see `gan.measure.final_metrics`)."""
        c = game.config
        return final_metrics(game.G, game.D, c.target, c.p_z, setup["grid"], setup["z_eval"])


class Unmeasured:
    """No measurements during or after training (a harness that measures every game the same
    way afterwards): empty History grids, no snapshots, no final metrics."""

    def setup(self, game, rng):
        empty = np.empty(0)
        return {"grid": empty, "p_data_grid": empty, "z_line": empty}

    def snapshot(self, game, setup):
        raise ValueError("Unmeasured takes no snapshots; use snapshot_every=0")

    def final_metrics(self, game, setup):
        return {}


def measurer_for(game):
    """The measurer a game is judged by when train is given none: the one its class names in
    ``measurer``, else `Line` for a 1D target and `gan.targets2d.Plane` for a 2D one."""
    own = getattr(game, "measurer", None)
    if own is not None:
        return own
    if getattr(game.config.target, "dim", 1) == 2:
        return Plane()
    return Line()


def line_grid(p_data, size):
    """A regular grid over p_data's bulk, widened by half its width on each side."""
    low, high = p_data.interval(1 - 1e-6)
    pad = 0.5 * (high - low)
    return np.linspace(low - pad, high + pad, size)
