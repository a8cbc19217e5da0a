"""The figures of a run: Figure 1 of Goodfellow et al. (2014) from real training, its evolution
as an animation and as a player page of our own
(`gan.plots.player`), the losses, JSD(p_data || p_g), and D against D*.

The paper's conventions hold throughout: p_data black dotted, p_g green solid, D blue dashed.
Below a density panel, the noise line z and the data line x, with an arrow from each of a few
fixed noise points z_i to its image x_i = G(z_i): where the arrows converge G contracts (p_g is
high), where they spread it expands (p_g is low), since p_g(G(z)) = p_z(z) / |G'(z)|.

Every figure function accepts a `History` (or anything with its fields, e.g. a run's
``np.load("history.npz")``). Called without ``ax``, a function opens a new pyplot figure (so a
lesson run with ``--show`` can display it; the caller closes it); `write_run_figures` draws on
plain `matplotlib.figure.Figure` objects instead, which need no backend and no closing. No
function here shows a window.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from gan.plots.animation import MAX_FRAMES, evolution_animation, evolution_html
from gan.plots.common import (D_STYLE, DISCRIMINATOR_SIZE, JSD_SIZE, LOSSES_SIZE, P_DATA_STYLE,
                              P_G_STYLE, _as_history, _headless_axes, plot_densities,
                              plot_z_arrows)
from gan.plots.figures import discriminator_figure, figure1, jsd_figure, losses_figure
from gan.plots.plane import evolution_2d
from gan.plots.player import player_data, player_html, write_player

__all__ = ["plot_densities", "plot_z_arrows", "figure1", "evolution_animation", "evolution_html",
           "losses_figure", "jsd_figure", "discriminator_figure", "write_run_figures",
           "FIGURE_FORMATS", "save_figure",
           "player_data", "player_html", "write_player", "P_DATA_STYLE", "P_G_STYLE", "D_STYLE",
           "MAX_FRAMES"]


# ---------------------------------------------------------------- saving a figure

FIGURE_FORMATS = ("png", "svg", "pdf")

# What a vector file would otherwise carry that changes from run to run or from one matplotlib
# to the next: the date, and the program's name and version. None leaves the entry out.
_STABLE_METADATA = {
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}
_SVG_SALT = "numpy-gan"       # svg.hashsalt: the SVG's element ids; unset, they are random


def save_figure(figure, path, format="png", dpi=110):
    """Save ``figure`` to ``path`` in ``format`` (one of FIGURE_FORMATS), cropped to its contents.
    A PNG is saved as before; an SVG or a PDF carries no date, no program version and no random
    ids, so the same figure gives the same bytes on every run (for slides under version control).
    Returns the path."""
    if format not in FIGURE_FORMATS:
        raise ValueError(f"format must be one of {FIGURE_FORMATS}, got {format!r}")
    if format == "png":
        figure.savefig(path, format="png", dpi=dpi, bbox_inches="tight")
        return path
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT}):
        figure.savefig(path, format=format, dpi=dpi, bbox_inches="tight",
                       metadata=_STABLE_METADATA[format])
    return path


# ---------------------------------------------------------------- a run's folder


def write_run_figures(result, out, format="png"):
    """Write every figure the run's history supports to the folder ``out`` and return the file
    names: losses.<format> always; with snapshots also figure1.<format>, evolution.gif,
    evolution.html, jsd.<format> and discriminator.<format> (the arrows of Figure 1 only for 1D
    noise). ``format`` is one of FIGURE_FORMATS (svg and pdf for slides; `save_figure`); the
    animation stays a GIF and the player an HTML page."""
    if not hasattr(result, "history") or not hasattr(result, "config"):
        raise TypeError(f"result must be a TrainResult, got {type(result).__name__}")
    if format not in FIGURE_FORMATS:
        raise ValueError(f"format must be one of {FIGURE_FORMATS}, got {format!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    history = _as_history(result.history)
    written = []

    def save(figure, stem):
        name = f"{stem}.{format}"
        save_figure(figure, out / name, format)
        written.append(name)

    save(losses_figure(history, g_loss=result.config.g_loss, ax=_headless_axes(LOSSES_SIZE)),
         "losses")
    if history.snapshot_steps.size == 0:
        return written
    if getattr(result.config.target, "dim", 1) == 2:     # the plane: D's surface and p_g's samples
        save(evolution_2d(result.history, result.config.target), "plane")
        save(jsd_figure(history, ax=_headless_axes(JSD_SIZE)), "jsd")
        return written
    save(figure1(history, ax=Figure()), "figure1")
    evolution_animation(history, out / "evolution.gif")
    written.append("evolution.gif")
    evolution_html(history, out / "evolution.html")
    written.append("evolution.html")
    save(jsd_figure(history, ax=_headless_axes(JSD_SIZE)), "jsd")
    save(discriminator_figure(result, ax=_headless_axes(DISCRIMINATOR_SIZE)),
         "discriminator")
    return written
