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
"""

from __future__ import annotations

import numpy as np

from gan.evaluate import final_metrics, snapshot, z_line
from gan.limits import EVALUATION_SAMPLES


class Line:
    """The 1D game's measurements: D and p_g on a grid over p_data's bulk, the moments of G(z),
    JSD(p_data || p_g), and G on a line of z (`gan.evaluate.snapshot`, `final_metrics`)."""

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
        """mean, std, jsd, d_max_dev (see `gan.evaluate.final_metrics`)."""
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
        from gan.targets2d import Plane     # targets2d builds on gan.config, which imports us not
        return Plane()
    return Line()


def line_grid(p_data, size):
    """A regular grid over p_data's bulk, widened by half its width on each side."""
    low, high = p_data.interval(1 - 1e-6)
    pad = 0.5 * (high - low)
    return np.linspace(low - pad, high + pad, size)
