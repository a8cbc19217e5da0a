"""A run's evolution as a player of our own: one self-contained HTML page (inline JS and SVG, no
network, no fonts needed by its controls) showing every snapshot of the History.

Each frame is one snapshot: p_data, p_g and D(x) (D on its own 0..1 scale, the right axis), D* =
p_data / (p_data + p_g) (Proposition 1, computed here from the History's unrounded densities,
wherever their sum is a positive number; the rounded curves the page draws would make D* jagged
in the tails and 0 where p_data rounds to 0) and
the noise line z -> G(z); below, the losses of every step and JSD(p_data || p_g) at every
snapshot, with a cursor at the frame's step (click or drag on the curves to seek). Keys: space
plays and pauses, the arrows step, Home and End jump to the first and last frame. The 1D drawing
is the live playground's (`gan/play/draw1d.js`), inlined.

Size bound. The run's numbers are embedded as JSON: the density curves on at most
`GRID_POINTS` points of the grid (every k-th point over the part of the grid where a density is
visible), fewer when there are many snapshots, so that all curves together (p_g, D and D* of
every snapshot) hold at most `CURVE_NUMBERS` numbers (the floor of `MIN_GRID_POINTS` a curve
lifts that bound only past about 1600 snapshots); densities, D and D* rounded to 5 decimals,
G's arrows to 4; the losses at
most `LOSS_POINTS` steps each (every k-th step, the last kept). A number costs at most ~9
bytes, so the page is at most about 30 KB + 9 bytes x (CURVE_NUMBERS + 3 LOSS_POINTS +
snapshots x (len(z_line) + 2)).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from gan.play.assets import read
from gan.play.history import json_numbers
from gan.plots.common import _as_history, _require_snapshots, _view_range

GRID_POINTS = 201
MIN_GRID_POINTS = 41
CURVE_NUMBERS = 200_000       # p_g, D and D* over all snapshots together
LOSS_POINTS = 1000
TITLE = "numpy-gan: D(x) and p_g over training"


def player_data(history):
    """The numbers the page draws, as a JSON-ready dict (see the module's size bound)."""
    history = _as_history(history)
    _require_snapshots(history)
    count = history.snapshot_steps.size
    low, high = _view_range(history, np.arange(count))
    inside = np.flatnonzero((history.grid >= low) & (history.grid <= high))
    points = min(GRID_POINTS, max(MIN_GRID_POINTS, CURVE_NUMBERS // (3 * count)))
    keep = inside[:: max(1, math.ceil(inside.size / points))]
    p_data_full = np.asarray(history.p_data_grid, dtype=np.float64)
    p_data = p_data_full[keep]
    peaks = history.p_g_grid[:, keep].max(axis=1)
    # Densities on the left axis, fixed over the frames: room for p_data and for p_g in most
    # frames; a p_g spike above 2.5 x p_data's peak runs off the top, and the page says so.
    top = 1.1 * max(p_data.max(), min(np.quantile(peaks, 0.75), 2.5 * p_data.max()))
    steps = np.arange(1, history.d_loss.size + 1)
    every = np.unique(np.append(np.arange(0, steps.size, max(1, math.ceil(
        steps.size / LOSS_POINTS))), steps.size - 1)) if steps.size else np.arange(0)
    return {
        "x": json_numbers(history.grid[keep], 5),
        "p_data": json_numbers(p_data, 5),
        "ymax": float(top),
        "z_line": json_numbers(history.z_line, 4),
        "snapshots": {
            "step": history.snapshot_steps.tolist(),
            "p_g": [json_numbers(row, 5) for row in history.p_g_grid[:, keep]],
            "D": [json_numbers(row, 5) for row in history.D_grid[:, keep]],
            "D_star": [json_numbers(optimal_discriminator(p_data_full[keep], row), 5)
                       for row in history.p_g_grid[:, keep]],
            "jsd": json_numbers(history.jsd, 12),
            "x_of_z": [json_numbers(row, 4) for row in history.x_of_z],
        },
        "losses": {"step": steps[every].tolist(),
                   "d_loss": json_numbers(history.d_loss[every], 5),
                   "g_loss": json_numbers(history.g_loss[every], 5),
                   "value": json_numbers(history.value[every], 5)},
    }


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Proposition 1) from unrounded densities; NaN
    (not drawn) where the sum is 0 or not finite, where no ratio is defined."""
    p_data, p_g = np.asarray(p_data, dtype=np.float64), np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    defined = np.isfinite(total) & (total > 0)
    return np.divide(p_data, total, out=np.full(total.shape, np.nan), where=defined)


def player_html(history, title=TITLE, fps=8):
    """The player's page as a string; ``fps``: the initial frames per second."""
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 1 <= fps <= 60:
        raise ValueError(f"fps must be a number in [1, 60], got {fps!r}")
    data = json.dumps({**player_data(history), "fps": fps}, separators=(",", ":"),
                      allow_nan=False)
    page = read("player.html", "gan.plots")
    # "</" never occurs inside the JSON (numbers and plain keys only), so the script stays closed
    return (page.replace("{{TITLE}}", _escape(title))
            .replace("{{DRAW1D}}", read("draw1d.js"))
            .replace("{{DATA}}", data))


def write_player(history, path, title=TITLE, fps=8):
    """Write the player to ``path`` (.html); returns the number of frames (every snapshot)."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"path must end in .html, got {str(path)!r}")
    page = player_html(history, title, fps)
    path.write_text(page, encoding="utf-8")
    return int(np.asarray(_as_history(history).snapshot_steps).size)


def _escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
