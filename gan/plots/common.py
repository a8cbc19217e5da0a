"""What every figure of a run shares: the paper's styles, the density panel and the z -> x arrows of
Figure 1, and the checks that turn a History (or its saved arrays) into plain arrays."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np
from matplotlib.figure import Figure, SubFigure

from gan.language import figure_text as _t


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
    plane = arrays["D_grid"].ndim == 3          # the plane's snapshots: a side x side image each
    for name in ("D_grid", "p_g_grid"):
        if not plane:
            arrays[name] = arrays[name].reshape(count, arrays["grid"].size)
    if not plane:
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
    peak above 1.25 times that is left to `_mark_peak` rather than squash D and p_data into the
    bottom of the panel (a fresh G's narrow spike would otherwise set the scale of every frame)."""
    base = max(1.0, history.p_data_grid.max())
    return 1.08 * max(base, min(history.p_g_grid[snapshots].max(), 1.25 * base))


def _mark_peak(ax, grid, p_g, top):
    """Say where p_g's peak runs off the top of the panel, and how high it is."""
    peak = int(np.argmax(p_g))
    if p_g[peak] > top:
        low, high = ax.get_xlim()
        on_the_right = grid[peak] > (low + high) / 2  # write the note towards the middle
        note = _t("p_g peaks at {peak:.3g}").format(peak=p_g[peak])
        ax.annotate(note, xy=(grid[peak], top),
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
