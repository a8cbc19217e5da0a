"""Figures of a game in the plane.

`decision_surface`: D(x) as a heat map over the plane with samples of p_g on top and the target's
modes marked, the view of GAN Lab (Kahng et al. 2018, "GAN Lab: Understanding Complex Deep
Generative Models using Interactive Visual Experimentation"). `generator_transformation`: how G
bends the noise plane, drawn as the images of lines of constant z_1 and of constant z_2.
`evolution_2d`: decision surfaces at a few snapshots of a 2D run's history (measured by
`gan.targets2d.Plane`).

Colours follow the house conventions where they apply: p_data black, p_g green.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from gan.distributions import Normal, Uniform
from gan.language import figure_text as _t
from gan.targets2d import mode_centres

D_COLOURMAP = "RdBu_r"                  # blue where D says "fake", red where it says "real"


def decision_surface(ax, grid, D_grid, x_fake, centres=None, title=None):
    """Heat map of D(x) on the square ``grid`` (its axis; ``D_grid`` rows follow x_2), the
    samples ``x_fake`` of p_g as green dots and the modes ``centres`` of p_data as black
    crosses. Returns the image (for a colour bar)."""
    grid, D_grid = np.asarray(grid), np.asarray(D_grid)
    if D_grid.shape != (len(grid), len(grid)):
        raise ValueError(f"D_grid must have shape {(len(grid), len(grid))}, got {D_grid.shape}")
    step = grid[1] - grid[0]
    extent = (grid[0] - step / 2, grid[-1] + step / 2, grid[0] - step / 2, grid[-1] + step / 2)
    image = ax.imshow(D_grid, origin="lower", extent=extent, cmap=D_COLOURMAP, vmin=0.0,
                      vmax=1.0, interpolation="bilinear")
    x_fake = np.asarray(x_fake)
    ax.scatter(x_fake[:, 0], x_fake[:, 1], s=3, color="tab:green", alpha=0.6,
               label=r"$G(z)$, samples of $p_g$")
    if centres is not None:
        ax.scatter(centres[:, 0], centres[:, 1], marker="x", s=30, color="black",
                   label=_t(r"modes of $p_{data}$"))
    ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    if title:
        ax.set_title(title, fontsize=9)
    return image


def evolution_2d(history, target, panels=4):
    """D's decision surface and p_g's samples at ``panels`` snapshots spread over the run."""
    steps = list(history.snapshot_steps)
    if not steps:
        raise ValueError("history has no snapshots (train with snapshot_every > 0)")
    chosen = np.unique(np.linspace(0, len(steps) - 1, min(panels, len(steps))).round().astype(int))
    centres, _ = mode_centres(target)
    figure = Figure(figsize=(3.2 * len(chosen) + 0.8, 3.6), layout="constrained")
    axes = figure.subplots(1, len(chosen), squeeze=False)[0]
    for ax, index in zip(axes, chosen):
        image = decision_surface(ax, history.grid, history.D_grid[index], history.x_of_z[index],
                                 centres, title=_t("step {step}").format(step=steps[index]))
    axes[0].legend(loc="upper left", fontsize=7)
    figure.colorbar(image, ax=list(axes), label="$D(x)$", shrink=0.8)
    figure.suptitle(_t("D's decision surface (heat map) with $p_g$'s samples: where are the "
                       "green dots, and where does D still say 'real'?"), fontsize=10)
    return figure


def _noise_range(p_z):
    """Per-coordinate range of the noise: the central 98% of a normal prior, a uniform's box."""
    if isinstance(p_z, Normal):
        half = 2.326 * p_z.sigma                # Phi^-1(0.99) = 2.326
        return p_z.mu_vector[:2] - half, p_z.mu_vector[:2] + half
    if isinstance(p_z, Uniform):
        return p_z.low_vector[:2], p_z.high_vector[:2]
    raise TypeError(f"p_z must be a Normal or Uniform prior, got {type(p_z).__name__}")


def generator_transformation(G, p_z, target=None, lines=11, points=201):
    """Two panels: a grid of lines of constant z_1 and of constant z_2 over the noise plane
    (further coordinates, if any, at the prior's mean), and their images x = G(z) in the data
    plane with the target's modes. Where images of neighbouring lines crowd together G
    contracts (p_g is high); where they spread apart it stretches (p_g is low)."""
    if p_z.dim < 2:
        raise ValueError(f"p_z must be at least two-dimensional, got dim {p_z.dim}")
    for name, value in (("lines", lines), ("points", points)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise ValueError(f"{name} must be an integer >= 2, got {value!r}")
    low, high = _noise_range(p_z)
    levels = [np.linspace(low[i], high[i], lines) for i in (0, 1)]
    along = [np.linspace(low[i], high[i], points) for i in (0, 1)]
    base = np.asarray(p_z.mean, dtype=np.float64)
    # lines of constant z_1 (vary z_2), then of constant z_2 (vary z_1): (2, lines, points, dim)
    z = np.broadcast_to(base, (2, lines, points, p_z.dim)).copy()
    z[0, :, :, 0], z[0, :, :, 1] = levels[0][:, None], along[1][None, :]
    z[1, :, :, 1], z[1, :, :, 0] = levels[1][:, None], along[0][None, :]
    x = np.asarray(G.forward(z.reshape(-1, p_z.dim).astype(G.flat_params.dtype)),
                   dtype=np.float64).reshape(2, lines, points, -1)
    figure = Figure(figsize=(9.0, 4.3), layout="constrained")
    left, right = figure.subplots(1, 2)
    colours = ("tab:purple", "tab:orange")
    for family, (colour, name) in enumerate(zip(colours, ("$z_1$", "$z_2$"))):
        for line in range(lines):
            label = f"constant {name}" if line == 0 else None
            left.plot(z[family, line, :, 0], z[family, line, :, 1], color=colour, lw=0.8,
                      label=label)
            right.plot(x[family, line, :, 0], x[family, line, :, 1], color=colour, lw=0.8)
    left.set(xlabel="$z_1$", ylabel="$z_2$", aspect="equal", title=_t("the noise plane"))
    left.legend(fontsize=7, loc="upper right")
    if target is not None:
        centres, _ = mode_centres(target)
        right.scatter(centres[:, 0], centres[:, 1], marker="x", s=30, color="black", zorder=3,
                      label=_t(r"modes of $p_{data}$"))
        right.legend(fontsize=7, loc="upper right")
    right.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
              title=_t("its image under G: where the lines crowd, $p_g$ is dense"))
    return figure
