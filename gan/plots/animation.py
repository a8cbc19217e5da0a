"""The evolution of D(x) and p_g(x) over training: an animated GIF, and a self-contained HTML
page with a player that needs no network."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure
from PIL import Image

from gan.plots.common import (MAX_FRAMES, P_G_STYLE, _as_history, _density_top, _positive_number,
                              _require_snapshots, _view_range, _z_arrows, plot_densities)


# ---------------------------------------------------------------- evolution
def evolution_animation(history, path, fps=6, max_frames=MAX_FRAMES, dpi=80):
    """The evolution of D(x) and p_g(x) against p_data(x) over the snapshots, one frame per
    snapshot (at most ``max_frames``, evenly subsampled, first and last kept), written to
    ``path`` as an animated GIF. Returns the number of frames."""
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"path must end in .gif, got {str(path)!r}")
    _positive_number("fps", fps)
    _positive_number("dpi", dpi)
    animation, frames = _evolution(_as_history(history), fps, max_frames, dpi)
    animation.save(path, writer=PillowWriter(fps=fps), dpi=dpi)
    return frames


def evolution_html(history, path, fps=6, max_frames=MAX_FRAMES, dpi=80):
    """The same evolution as `evolution_animation`, as a self-contained HTML page with
    matplotlib's JavaScript player (play, pause, step, scrub): the frames are embedded as
    PNG data and the player's icon font, normally fetched from a CDN, is replaced by
    inline symbols, so the page opens without a network. Returns the number of frames."""
    _positive_number("fps", fps)
    _positive_number("dpi", dpi)
    history = _as_history(history)
    animation, frames = _evolution(history, fps, max_frames, dpi)
    player = _offline_player(animation.to_jshtml(fps=fps, embed_frames=True,
                                                 default_mode="loop"))
    final = history.snapshot_steps[-1]
    page = (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>numpy-gan: D(x) and p_g over training</title>\n{PLAYER_STYLE}</head>\n"
            f"<body>\n"
            f"<h2>D(x) and p<sub>g</sub> over {final} steps of Algorithm 1</h2>\n"
            f"<p>Black dotted: p<sub>data</sub>. Green: p<sub>g</sub>, the generator's density. "
            f"Blue dashed: the discriminator D(x). Watch D follow the difference between the "
            f"densities and flatten to 1/2 as p<sub>g</sub> reaches p<sub>data</sub>.</p>\n"
            f"{player}\n</body>\n</html>\n")
    Path(path).write_text(page, encoding="utf-8")
    return frames



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
    ax_density.set_ylabel("density;  D(x)")
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
        axes[1, 0].set_xlabel("x   (arrows: x = G(z) from the noise line)")

    def draw(i):
        lines[1].set_ydata(history.p_g_grid[i])
        lines[2].set_ydata(history.D_grid[i])
        title.set_text(f"step {history.snapshot_steps[i]} of {final}:  "
                       f"JSD(p_data || p_g) = {history.jsd[i]:.3g} nats")
        peak = history.p_g_grid[i].max()
        peak_note.set_text(f"p_g peaks above the frame, at {peak:.3g}" if peak > top else "")
        if arrows:
            quiver.set_UVC(history.x_of_z[i] - history.z_line, np.ones_like(history.z_line))
            x_points.set_xdata(history.x_of_z[i])
        return lines

    figure.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=0.12)
    animation = FuncAnimation(figure, draw, frames=frames, interval=1000.0 / fps, blit=False)
    return animation, len(frames)


# The player's buttons are Font Awesome icons, normally fetched from a CDN; these inline text
# symbols stand in for them (each button also has a title, shown on hover).
_PLAYER_ICONS = {"minus": "\\2212", "fast-backward": "\\23EE\\FE0E",
                 "step-backward": "|\\25C2", "play": "\\25B6\\FE0E", "pause": "\\23F8\\FE0E",
                 "step-forward": "\\25B8|", "fast-forward": "\\23ED\\FE0E", "plus": "+"}
PLAYER_STYLE = ("<style>\n.fa { font-style: normal; font-family: sans-serif; }\n"
                + "".join(f".fa-{name}::before {{ content: \"{glyph}\"; }}\n"
                          for name, glyph in _PLAYER_ICONS.items())
                + ".fa-flip-horizontal { display: inline-block; transform: scaleX(-1); }\n"
                "</style>\n")
_PNG_FRAME = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)")


def _offline_player(html):
    """matplotlib's player without its external stylesheet, its frames as palette PNGs."""
    html = re.sub(r"<link[^>]*href=[\"']https?://[^>]*>", "", html)
    return _PNG_FRAME.sub(_palette_frame, html)


def _palette_frame(match):
    """One embedded RGBA frame re-encoded with a 64-colour palette: a quarter of the bytes for
    line art in a handful of colours."""
    data = base64.b64decode(match.group(1).replace("\\\n", "").replace("\n", ""))
    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=64)
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
