"""The figures of a run: Figure 1 of Goodfellow et al. (2014) from real training, its evolution
as an animation, the losses, JSD(p_data || p_g), and D against D*.

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

import base64
import io
import math
import re
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure, SubFigure
from PIL import Image

from gan.distributions import Tabulated
from gan.evaluate import discriminator_on
from gan.theory import optimal_discriminator

P_DATA_STYLE = {"color": "black", "linestyle": ":", "linewidth": 2.2}
P_G_STYLE = {"color": "tab:green", "linestyle": "-", "linewidth": 2.0}
D_STYLE = {"color": "tab:blue", "linestyle": "--", "linewidth": 1.8}
P_DATA_LABEL, P_G_LABEL, D_LABEL = r"$p_{\mathrm{data}}$", r"$p_g$", r"$D(x)$"

LOG_4 = math.log(4.0)
LOG_2 = math.log(2.0)
GENERATOR_IDEAL = {  # each generator loss at D = 1/2, the equilibrium of Theorem 1
    "non_saturating": (LOG_2, r"$\log 2$: G's loss $-\log D(G(z))$ when $D = 1/2$"),
    "minimax": (-LOG_2, r"$-\log 2$: G's loss $\log(1 - D(G(z)))$ when $D = 1/2$"),
}
MAX_FRAMES = 60
FIGURE1_FRACTIONS = (0.0, 0.1, 0.4, 1.0)  # of training, where figure1's panels go by default
LOSSES_SIZE, JSD_SIZE, DISCRIMINATOR_SIZE = (8.0, 4.2), (6.4, 4.0), (7.0, 4.0)
HISTORY_FIELDS = ("d_loss", "g_loss", "value", "grid", "p_data_grid", "z_line",
                  "snapshot_steps", "D_grid", "p_g_grid", "jsd", "x_of_z")


# ---------------------------------------------------------------- building blocks
def plot_densities(ax, grid, p_data, p_g, D, labels=True):
    """One panel of Figure 1 (Goodfellow et al. 2014): p_data(x) black dotted, p_g(x) green
    solid, D(x) blue dashed, all on ``grid``; with ``labels=False`` they stay out of legends
    (for the panels after the first). Returns the three Line2D objects."""
    grid, p_data, p_g, D = _curves(grid, p_data=p_data, p_g=p_g, D=D)
    names = (P_DATA_LABEL, P_G_LABEL, D_LABEL) if labels else ("_p_data", "_p_g", "_D")
    (line_data,) = ax.plot(grid, p_data, label=names[0], **P_DATA_STYLE)
    (line_g,) = ax.plot(grid, p_g, label=names[1], **P_G_STYLE)
    (line_d,) = ax.plot(grid, D, label=names[2], **D_STYLE)
    ax.set_xlabel("x")
    return line_data, line_g, line_d


def plot_z_arrows(ax, z_line, x_of_z):
    """The lower part of a Figure 1 panel: the noise line z (at height 0), the data line x (at
    height 1) and an arrow from each z_i to x_i = G(z_i), both lines in the same units as the
    panel's x axis. Arrows that converge show where G contracts and p_g is high, arrows that
    spread where it expands: p_g(G(z)) = p_z(z) / |G'(z)| for a monotone piece of G.
    Returns the quiver."""
    z_line, x_of_z = _vector("z_line", z_line), _vector("x_of_z", x_of_z)
    if z_line.size == 0 or z_line.shape != x_of_z.shape:
        raise ValueError(f"z_line and x_of_z must be non-empty and of one length, got "
                         f"{z_line.size} and {x_of_z.size} points")
    return _z_arrows(ax, z_line, x_of_z)[0]


def _z_arrows(ax, z_line, x_of_z):
    """`plot_z_arrows` on checked input; returns the quiver and the points on the x line."""
    ax.axhline(0.0, color="0.4", linewidth=1.0)
    ax.axhline(1.0, color="0.4", linewidth=1.0)
    ax.plot(z_line, np.zeros_like(z_line), "o", color="0.25", markersize=3)
    (x_points,) = ax.plot(x_of_z, np.ones_like(x_of_z), "o", color=P_G_STYLE["color"],
                          markersize=3)
    arrows = ax.quiver(z_line, np.zeros_like(z_line), x_of_z - z_line, np.ones_like(z_line),
                       angles="xy", scale_units="xy", scale=1.0, color="0.35", width=0.004,
                       headwidth=6, headlength=7, headaxislength=6)
    ax.set_ylim(-0.25, 1.25)
    ax.set_yticks([0.0, 1.0], ["z", "x"])
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return arrows, x_points


# ---------------------------------------------------------------- Figure 1
def figure1(history, steps=None, ax=None):
    """The paper's Figure 1 (Goodfellow et al. 2014) from a real run: at four snapshot steps,
    p_data, p_g and D over x, and below them the map x = G(z) as arrows from the noise line.

    ``steps``: the snapshot steps to draw (default: the first, and those nearest 10%, 40% and
    100% of training). ``ax``: None for a new figure, or a Figure or SubFigure to draw into.
    Returns the figure.
    """
    history = _as_history(history)
    snapshots = _snapshot_indices(history, steps)
    figure = _target_figure(ax, figsize=(3.1 * len(snapshots) + 0.6, 4.6))
    arrows = history.x_of_z.size > 0
    axes = figure.subplots(2 if arrows else 1, len(snapshots), sharex=True, squeeze=False,
                           gridspec_kw={"height_ratios": [3.4, 1.2] if arrows else [1],
                                        "hspace": 0.06, "wspace": 0.08})
    x_range = _view_range(history, snapshots)
    top = _density_top(history, snapshots)
    for column, i in enumerate(snapshots):
        ax_density = axes[0, column]
        plot_densities(ax_density, history.grid, history.p_data_grid, history.p_g_grid[i],
                       history.D_grid[i], labels=column == 0)
        ax_density.set_ylim(0.0, top)
        ax_density.set_xlim(*x_range)
        _mark_peak(ax_density, history.grid, history.p_g_grid[i], top)
        ax_density.set_title(f"({'abcdefgh'[column]}) step {history.snapshot_steps[i]}, "
                             f"JSD {history.jsd[i]:.3g} nats", fontsize=10)
        if column == 0:
            ax_density.set_ylabel("density;  D(x)")
        else:
            ax_density.tick_params(labelleft=False)
        if arrows:
            ax_density.tick_params(labelbottom=False)
            ax_density.set_xlabel("")
            plot_z_arrows(axes[1, column], history.z_line, history.x_of_z[i])
            axes[1, column].set_xlabel("")
            if column > 0:
                axes[1, column].tick_params(labelleft=False)
    figure.supxlabel("x" + ("   (the noise line z is drawn in the same units)" if arrows else ""),
                     fontsize=10, y=0.1)
    figure.legend(loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 0.01),
                  handles=axes[0, 0].get_lines()[:3])
    below = ("  Below, arrows z \u2192 x = G(z): where they bunch, G contracts and p_g is high."
             if arrows else "")
    figure.suptitle("Figure 1 of Goodfellow et al. (2014), from a real run: D (blue, dashed) "
                    "learns to tell p_data (black, dotted) from p_g (green);\nG follows D's "
                    f"gradient until p_g = p_data and D = 1/2.{below}", fontsize=10.5)
    figure.subplots_adjust(left=0.06, right=0.99, top=0.83, bottom=0.2)
    return figure


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


# ---------------------------------------------------------------- losses, JSD, D against D*
def losses_figure(history, g_loss="non_saturating", window=None, ax=None):
    """D's loss, G's loss and the minibatch estimate of V(D, G) (Goodfellow et al. 2014, Eq. 1)
    at every step, raw and as a moving average of ``window`` steps (default: 1/50 of the run).
    Reference levels: V = -log 4 at the equilibrium D = 1/2, p_g = p_data (Theorem 1), where
    D's loss -V is log 4, and G's loss at D = 1/2 (log 2 for "non_saturating", -log 2 for
    "minimax"). Returns the figure."""
    history = _as_history(history)
    if g_loss not in GENERATOR_IDEAL:
        raise ValueError(f"g_loss must be one of {tuple(GENERATOR_IDEAL)}, got {g_loss!r}")
    steps = history.d_loss.size
    window = max(1, steps // 50) if window is None else window
    if not isinstance(window, (int, np.integer)) or not 1 <= window <= steps:
        raise ValueError(f"window must be an integer in [1, {steps}], got {window!r}")
    figure, ax = _target_axes(ax, figsize=LOSSES_SIZE)
    step_numbers = np.arange(1, steps + 1)
    centres = np.arange(1, steps - window + 2) + (window - 1) / 2
    kernel = np.full(window, 1.0 / window)
    curves = (("D's loss  $-\\hat V$", history.d_loss, D_STYLE["color"]),
              ("G's loss", history.g_loss, P_G_STYLE["color"]),
              ("$\\hat V$, the minibatch estimate of V(D, G)", history.value, "black"))
    for label, values, color in curves:
        ax.plot(step_numbers, values, color=color, alpha=0.25, linewidth=0.7)
        ax.plot(centres, np.convolve(values, kernel, mode="valid"), color=color,
                linewidth=1.8, label=f"{label} ({window}-step mean)")
    ideal, ideal_label = GENERATOR_IDEAL[g_loss]
    ax.axhline(-LOG_4, color="0.3", linestyle="-.", linewidth=1.0,
               label=r"$-\log 4$: V at the equilibrium ($D$'s loss is $\log 4$ there)")
    ax.axhline(LOG_4, color="0.6", linestyle="-.", linewidth=1.0)
    ax.axhline(ideal, color=P_G_STYLE["color"], linestyle="-.", linewidth=1.0, alpha=0.7,
               label=ideal_label)
    ax.set_xlabel("step (generator updates)")
    ax.set_ylabel("loss  (nats)")
    ax.set_xlim(1, steps)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
              frameon=False)
    ax.set_title("The losses settle at the equilibrium levels when D can no longer tell "
                 "p_g from p_data", fontsize=10)
    return figure


def jsd_figure(history, ax=None):
    """JSD(p_data || p_g) in nats at each snapshot on a log axis; C(G) = -log 4 + 2 JSD
    (Goodfellow et al. 2014, Theorem 1), so this is how far G is from the game's minimum.
    Returns the figure."""
    history = _as_history(history)
    _require_snapshots(history)
    figure, ax = _target_axes(ax, figsize=JSD_SIZE)
    ax.semilogy(history.snapshot_steps, history.jsd, "o-", color=P_G_STYLE["color"],
                markersize=3.5, label=r"JSD$(p_{\mathrm{data}} \| p_g)$")
    ax.axhline(LOG_2, color="0.4", linestyle="-.", linewidth=1.0,
               label=r"$\log 2$: the largest JSD (disjoint supports)")
    ax.set_xlabel("step")
    ax.set_ylabel("JSD  (nats, log scale)")
    ax.legend(fontsize=8)
    ax.set_title("How far p_g is from p_data: C(G) = -log 4 + 2 JSD falls to its minimum",
                 fontsize=10)
    return figure


def discriminator_figure(result, ax=None):
    """The trained D(x) against D*(x) = p_data(x) / (p_data(x) + p_g(x)) for the final G
    (Goodfellow et al. 2014, Proposition 1), with p_g from the last snapshot as a `Tabulated`
    density; at the equilibrium both are 1/2. Returns the figure."""
    for name in ("D", "history", "config"):
        if not hasattr(result, name):
            raise TypeError(f"result must be a TrainResult, got {type(result).__name__}")
    history = _as_history(result.history)
    _require_snapshots(history)
    grid = history.grid
    p_g = Tabulated(grid, history.p_g_grid[-1])
    D_star = optimal_discriminator(result.config.target, p_g)(grid)
    figure, ax = _target_axes(ax, figsize=DISCRIMINATOR_SIZE)
    ax.axhline(0.5, color="0.5", linewidth=1.0, label="1/2: D at the equilibrium")
    ax.plot(grid, D_star, color="tab:purple", linewidth=2.0,
            label=r"$D^*(x) = p_{\mathrm{data}} / (p_{\mathrm{data}} + p_g)$")
    ax.plot(grid, discriminator_on(result.D, grid), label=r"trained $D(x)$", **D_STYLE)
    densities = ax.twinx()
    densities.plot(grid, history.p_data_grid, alpha=0.5, **P_DATA_STYLE)
    densities.plot(grid, p_g.pdf(grid), alpha=0.5, **P_G_STYLE)
    densities.set_ylabel("density (faint: p_data dotted, p_g solid)", color="0.4")
    densities.set_ylim(bottom=0.0)
    ax.set_xlim(*_view_range(history, [len(history.snapshot_steps) - 1]))
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("x")
    ax.set_ylabel("D(x)")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"After {history.snapshot_steps[-1]} steps: D against the best response D* "
                 f"to the final G", fontsize=10)
    return figure


# ---------------------------------------------------------------- a run's folder
def write_run_figures(result, out):
    """Write every figure the run's history supports to the folder ``out`` and return the file
    names: losses.png always; with snapshots also figure1.png, evolution.gif, evolution.html,
    jsd.png and discriminator.png (the arrows of Figure 1 only for 1D noise)."""
    if not hasattr(result, "history") or not hasattr(result, "config"):
        raise TypeError(f"result must be a TrainResult, got {type(result).__name__}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    history = _as_history(result.history)
    written = []

    def save(figure, name):
        figure.savefig(out / name, dpi=110, bbox_inches="tight")
        written.append(name)

    save(losses_figure(history, g_loss=result.config.g_loss, ax=_headless_axes(LOSSES_SIZE)),
         "losses.png")
    if history.snapshot_steps.size == 0:
        return written
    save(figure1(history, ax=Figure()), "figure1.png")
    evolution_animation(history, out / "evolution.gif")
    written.append("evolution.gif")
    evolution_html(history, out / "evolution.html")
    written.append("evolution.html")
    save(jsd_figure(history, ax=_headless_axes(JSD_SIZE)), "jsd.png")
    save(discriminator_figure(result, ax=_headless_axes(DISCRIMINATOR_SIZE)),
         "discriminator.png")
    return written


# ---------------------------------------------------------------- internals
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


def _as_history(history):
    """A History, or a mapping of its arrays (e.g. ``np.load("history.npz")``), as arrays."""
    if isinstance(history, Mapping):
        get = history.__getitem__
        missing = [name for name in HISTORY_FIELDS if name not in history]
    else:
        get = lambda name: getattr(history, name)  # noqa: E731
        missing = [name for name in HISTORY_FIELDS if not hasattr(history, name)]
    if missing:
        raise TypeError(f"history must be a gan.train.History or a mapping of its arrays; "
                        f"{type(history).__name__} lacks {missing}")
    arrays = {name: np.asarray(get(name)) for name in HISTORY_FIELDS}
    arrays["snapshot_steps"] = arrays["snapshot_steps"].astype(np.int64).reshape(-1)
    count = arrays["snapshot_steps"].size
    for name in ("D_grid", "p_g_grid"):
        arrays[name] = arrays[name].reshape(count, arrays["grid"].size)
    arrays["x_of_z"] = arrays["x_of_z"].reshape(count, -1) if count else arrays["x_of_z"]
    if arrays["z_line"].size == 0:
        arrays["x_of_z"] = np.empty((count, 0))
    return SimpleNamespace(**arrays)


def _require_snapshots(history):
    if history.snapshot_steps.size == 0:
        raise ValueError("history has no snapshots (the run had snapshot_every = 0); "
                         "this figure needs at least one")


def _snapshot_indices(history, steps):
    """Indices of the requested snapshot steps; by default the snapshots nearest 0%, 10%, 40%
    and 100% of training, moved apart where two would coincide."""
    _require_snapshots(history)
    recorded = history.snapshot_steps
    if steps is None:
        if recorded.size <= len(FIGURE1_FRACTIONS):
            return list(range(recorded.size))
        targets = np.array(FIGURE1_FRACTIONS) * recorded[-1]
        indices = np.abs(recorded[None, :] - targets[:, None]).argmin(axis=1)
        for k in range(1, indices.size):  # four distinct snapshots, in order
            indices[k] = max(indices[k], indices[k - 1] + 1)
        for k in range(indices.size - 2, -1, -1):
            indices[k] = min(indices[k], indices[k + 1] - 1)
        return indices.tolist()
    steps = list(steps)
    if not 1 <= len(steps) <= 8:
        raise ValueError(f"steps must list 1 to 8 snapshot steps, got {len(steps)}")
    unknown = [s for s in steps if s not in recorded]
    if unknown:
        raise ValueError(f"steps must be snapshot steps of the run {recorded.tolist()}, "
                         f"got {unknown}")
    return [int(np.flatnonzero(recorded == s)[0]) for s in steps]


def _view_range(history, snapshots):
    """The part of the grid where p_data or a shown p_g has density above 1/1000 of its peak,
    widened to hold the shown arrows, plus a margin of 5% on each side."""
    grid = history.grid
    densities = np.vstack([history.p_data_grid[None, :], history.p_g_grid[snapshots]])
    visible = (densities > 1e-3 * densities.max(axis=1, keepdims=True)).any(axis=0)
    low, high = grid[visible].min(), grid[visible].max()
    if history.x_of_z.size:
        points = np.concatenate([history.z_line, history.x_of_z[snapshots].ravel()])
        low, high = min(low, points.min()), max(high, points.max())
    margin = 0.05 * (high - low)
    return max(low - margin, grid[0]), min(high + margin, grid[-1])


def _density_top(history, snapshots):
    """The panels' common height: room for D (up to 1), p_data and p_g, except that a p_g
    peak above three times that is left to `_mark_peak` rather than squash the other curves."""
    base = max(1.0, history.p_data_grid.max())
    return 1.08 * max(base, min(history.p_g_grid[snapshots].max(), 3.0 * base))


def _mark_peak(ax, grid, p_g, top):
    """Say where p_g's peak runs off the top of the panel, and how high it is."""
    peak = int(np.argmax(p_g))
    if p_g[peak] > top:
        low, high = ax.get_xlim()
        on_the_right = grid[peak] > (low + high) / 2  # write the note towards the middle
        ax.annotate(f"p_g peaks at {p_g[peak]:.3g}", xy=(grid[peak], top),
                    xytext=(-6 if on_the_right else 6, -14), textcoords="offset points",
                    ha="right" if on_the_right else "left", fontsize=8, color=P_G_STYLE["color"])


def _curves(grid, **curves):
    grid = _vector("grid", grid)
    result = [grid]
    for name, values in curves.items():
        values = _vector(name, values)
        if values.shape != grid.shape:
            raise ValueError(f"{name} must have the grid's length {grid.size}, got "
                             f"{values.size}")
        result.append(values)
    return result


def _vector(name, values):
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a 1D array of finite numbers, got shape "
                         f"{values.shape}")
    return values


def _positive_number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _target_figure(ax, figsize):
    """A new pyplot figure, or the Figure/SubFigure given to draw into."""
    if ax is None:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    if isinstance(ax, (Figure, SubFigure)):
        if ax.axes:
            raise ValueError("ax must be an empty Figure or SubFigure, got one holding axes")
        if isinstance(ax, Figure):
            ax.set_size_inches(figsize)
        return ax
    raise TypeError(f"ax must be None, a Figure or a SubFigure, got {type(ax).__name__}")


def _target_axes(ax, figsize):
    """(figure, axes): a new pyplot figure with one axes, or the axes given."""
    if ax is None:
        import matplotlib.pyplot as plt

        figure, ax = plt.subplots(figsize=figsize)
        return figure, ax
    if not hasattr(ax, "plot") or not hasattr(ax, "get_figure"):
        raise TypeError(f"ax must be None or a matplotlib Axes, got {type(ax).__name__}")
    return ax.get_figure(), ax


def _headless_axes(figsize):
    """One axes on a plain Figure: drawn and saved without pyplot or a GUI backend."""
    return Figure(figsize=figsize).subplots()
