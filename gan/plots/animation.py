"""The evolution of D(x) and p_g(x) over training: an animated GIF, and a self-contained HTML
page with a player of our own that needs no network (`gan.plots.player`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure

from gan.checks import positive_number
from gan.language import figure_text as _t
from gan.plots.common import (MAX_FRAMES, P_G_STYLE, _as_history, _density_top,
                              _require_snapshots, _view_range, _z_arrows, plot_densities)
from gan.plots.player import write_player


# ---------------------------------------------------------------- evolution
def evolution_animation(history, path, fps=6, max_frames=MAX_FRAMES, dpi=80):
    """The evolution of D(x) and p_g(x) against p_data(x) over the snapshots, one frame per
    snapshot (at most ``max_frames``, evenly subsampled, first and last kept), written to
    ``path`` as an animated GIF. Returns the number of frames."""
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"path must end in .gif, got {str(path)!r}")
    positive_number("fps", fps)
    positive_number("dpi", dpi)
    animation, frames = _evolution(_as_history(history), fps, max_frames, dpi)
    animation.save(path, writer=PillowWriter(fps=fps), dpi=dpi)
    return frames


def evolution_html(history, path, fps=8):
    """The evolution as a self-contained HTML page with a player of our own (`gan.plots.player`):
    every snapshot a frame, D and D* on their own 0..1 axis beside the densities, the losses and
    JSD with a cursor linked to the frame, keyboard control; it fetches nothing. ``fps`` is the
    initial playing speed in frames per second. Returns the number of frames."""
    positive_number("fps", fps)
    return write_player(history, path, fps=fps)


def _evolution(history, fps, max_frames, dpi):
    """A FuncAnimation over evenly subsampled snapshots, on a figure of its own."""
    _require_snapshots(history)
    if not isinstance(max_frames, (int, np.integer)) or max_frames < 2:
        raise ValueError(f"max_frames must be an integer >= 2, got {max_frames!r}")
    count = len(history.snapshot_steps)
    frames = np.unique(np.round(np.linspace(0, count - 1, min(count, max_frames))).astype(int))
    arrows = history.x_of_z.size > 0
    figure = Figure(figsize=(7.2, 4.8 if arrows else 3.8), dpi=dpi)
    axes = figure.subplots(2 if arrows else 1, 1, sharex=True, squeeze=False,
                           gridspec_kw={"height_ratios": [3.4, 1.2] if arrows else [1],
                                        "hspace": 0.08})
    ax_density = axes[0, 0]
    lines = plot_densities(ax_density, history.grid, history.p_data_grid, history.p_g_grid[0],
                           history.D_grid[0])
    for line, label in zip(lines, ("p_data", "p_g", "D(x)")):
        line.set_label(label)  # plain text: mathtext would be laid out again for every frame
    ax_density.set_xlim(*_view_range(history, frames))
    ax_density.set_ylim(0.0, _density_top(history, frames))
    ax_density.set_ylabel(_t("density;  D(x)"))
    ax_density.legend(loc="upper right", fontsize=8)
    title = ax_density.set_title("", fontsize=10)
    top = ax_density.get_ylim()[1]
    peak_note = ax_density.text(0.01, 0.97, "", transform=ax_density.transAxes, va="top",
                                fontsize=8, color=P_G_STYLE["color"])
    final = history.snapshot_steps[-1]

    if arrows:
        ax_density.tick_params(labelbottom=False)
        ax_density.set_xlabel("")
        quiver, x_points = _z_arrows(axes[1, 0], history.z_line, history.x_of_z[0])
        axes[1, 0].set_xlabel(_t("x   (arrows: x = G(z) from the noise line)"))

    def draw(i):
        lines[1].set_ydata(history.p_g_grid[i])
        lines[2].set_ydata(history.D_grid[i])
        title.set_text(_t("step {step} of {final}:  JSD(p_data || p_g) = {jsd:.3g} nats")
                       .format(step=history.snapshot_steps[i], final=final, jsd=history.jsd[i]))
        peak = history.p_g_grid[i].max()
        peak_note.set_text(_t("p_g peaks above the frame, at {peak:.3g}").format(peak=peak)
                           if peak > top else "")
        if arrows:
            quiver.set_UVC(history.x_of_z[i] - history.z_line, np.ones_like(history.z_line))
            x_points.set_xdata(history.x_of_z[i])
        return lines

    figure.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=0.12)
    animation = FuncAnimation(figure, draw, frames=frames, interval=1000.0 / fps, blit=False)
    return animation, len(frames)
