"""Sample grids over training: one row per class, one column per fixed noise vector z.

A digits game's snapshots (`gan.digits.gans`) keep G's images of the same z (and, for a
conditional G, the same labels: row c asks for class c) in History's ``x_of_z``, an array
(snapshots, rows, columns, 32, 32) of pixels in [0, 1]. Because z is fixed, a column follows one
z through training: the picture shows the grids side by side, the animation one grid per frame;
side_by_side_figure puts the grids of several models next to each other.
"""

from __future__ import annotations

import numpy as np

from gan.language import figure_text as _t

DIGIT_INCHES = 0.55       # the size of one digit in the figures: 60 px at 110 dpi
DPI = 110                 # the lessons' dpi (lessons/_lesson.py's save)
MIN_DIGIT_PIXELS = 48     # the least a digit may get in a saved grid, to show its strokes


def tile(grid, gap=2, background=0.5):
    """One image of a (rows, columns, height, width) grid of images, ``gap`` pixels between them.

    The gaps are grey (``background``), so black digits on black keep visible borders.
    """
    grid = _check_grid(grid)
    if isinstance(gap, bool) or not isinstance(gap, (int, np.integer)) or gap < 0:
        raise ValueError(f"gap must be a non-negative integer, got {gap!r}")
    rows, columns, height, width = grid.shape
    framed = np.full((rows, height + gap, columns, width + gap), float(background))
    framed[:, :height, :, :width] = grid.transpose(0, 2, 1, 3)     # (row, y, column, x)
    canvas = framed.reshape(rows * (height + gap), columns * (width + gap))
    return canvas[:canvas.shape[0] - gap, :canvas.shape[1] - gap]


def _check_grid(grid):
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 4 or min(grid.shape) < 1:
        raise ValueError(f"grid must have shape (rows, columns, height, width), got {grid.shape}")
    if not np.isfinite(grid).all():
        raise ValueError("grid must hold finite pixel values")
    return grid


def _check_history(grids, steps):
    grids = np.asarray(grids, dtype=np.float64)
    if grids.ndim != 5 or len(grids) < 1:
        raise ValueError(f"grids must have shape (snapshots, rows, columns, height, width), got "
                         f"{grids.shape}")
    steps = np.asarray(steps)
    if steps.shape != (len(grids),):
        raise ValueError(f"steps must hold one step per snapshot ({len(grids)}), got shape "
                         f"{steps.shape}")
    return grids, steps


def grid_evolution_figure(grids, steps, title, row_labels=None, columns_shown=4):
    """A figure of the grids at every snapshot side by side, the first ``columns_shown`` columns
    of each, titled with the training step; rows labelled by ``row_labels`` (e.g. the class)."""
    import matplotlib.pyplot as plt

    grids, steps = _check_history(grids, steps)
    if isinstance(columns_shown, bool) or not isinstance(columns_shown, (int, np.integer)) \
            or columns_shown < 1:
        raise ValueError(f"columns_shown must be a positive integer, got {columns_shown!r}")
    shown = grids[:, :, :columns_shown]
    rows, columns = shown.shape[1:3]
    # DIGIT_INCHES a digit: at the lessons' 110 dpi every digit gets about 60 px; the
    # constrained layout keeps the title next to the panels (no empty band between them)
    fig, axes = plt.subplots(1, len(grids), squeeze=False, layout="constrained",
                             figsize=(len(grids) * (DIGIT_INCHES * columns + 0.35),
                                      DIGIT_INCHES * rows + 0.6))
    for ax, grid, step in zip(axes[0], shown, steps):
        ax.imshow(tile(grid), cmap="gray", vmin=0, vmax=1)
        ax.set_title(_t("step {step}").format(step=int(step)), fontsize=8)
        ax.set_xticks([])
        height = grid.shape[2] + 2
        ax.set_yticks(np.arange(rows) * height + grid.shape[2] / 2)
        ax.set_yticklabels(row_labels if row_labels is not None else [""] * rows, fontsize=7)
    fig.suptitle(title, fontsize=10)
    return fig


def save_grid_animation(grids, steps, path, title="", fps=3):
    """An animated GIF (matplotlib's Pillow writer) with one frame per snapshot: the whole grid
    at that step, DIGIT_INCHES a digit at DPI (about 58 px). Returns the path."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    grids, steps = _check_history(grids, steps)
    if isinstance(fps, bool) or not isinstance(fps, (int, np.integer)) or fps < 1:
        raise ValueError(f"fps must be a positive integer, got {fps!r}")
    fig, image, heading = animation_figure(grids)

    def draw(frame):
        image.set_data(tile(grids[frame]))
        heading.set_text(f"{title} step {int(steps[frame])}".strip())
        return image, heading

    animation = FuncAnimation(fig, draw, frames=len(grids), blit=False)
    animation.save(path, writer=PillowWriter(fps=fps), dpi=DPI)
    plt.close(fig)
    return path


def animation_figure(grids):
    """The figure save_grid_animation draws its frames on: (figure, image, title), the first
    snapshot's grid shown DIGIT_INCHES a digit."""
    import matplotlib.pyplot as plt

    rows, columns = grids.shape[1:3]
    fig, ax = plt.subplots(figsize=(DIGIT_INCHES * columns + 0.3, DIGIT_INCHES * rows + 0.45),
                           layout="constrained")
    image = ax.imshow(tile(grids[0]), cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([]), ax.set_yticks([])
    return fig, image, ax.set_title(" ", fontsize=9)


def digit_pixels(fig, dpi=None):
    """The smallest width, in pixels of the saved file, that a 32-pixel digit gets in any grid
    panel of ``fig`` (an axes showing a `tile` image), saved at ``dpi`` (default DPI, the
    lessons' dpi): the panel's width on the canvas, scaled to ``dpi``, times 32 / the tiled
    image's width. For the tests, which hold every grid to MIN_DIGIT_PIXELS."""
    dpi = DPI if dpi is None else dpi
    fig.canvas.draw()
    sizes = []
    for ax in fig.axes:
        for image in ax.images:
            height, width = image.get_array().shape[:2]
            box = ax.get_window_extent()
            scale = dpi / fig.dpi
            sizes.append(min(box.width * scale * 32 / width, box.height * scale * 32 / height))
    if not sizes:
        raise ValueError("the figure shows no image")
    return min(sizes)


def side_by_side_figure(grids, title, row_labels=None):
    """A figure of several (rows, columns, height, width) grids next to each other, one panel
    per entry of the dict ``grids`` (name -> grid), titled with its name."""
    import matplotlib.pyplot as plt

    if not isinstance(grids, dict) or not grids:
        raise ValueError(f"grids must be a non-empty dict of name -> grid, got {grids!r}")
    checked = {name: _check_grid(grid) for name, grid in grids.items()}
    rows, columns = next(iter(checked.values())).shape[:2]
    fig, axes = plt.subplots(1, len(checked), squeeze=False, layout="constrained",
                             figsize=(len(checked) * (DIGIT_INCHES * columns + 0.5),
                                      DIGIT_INCHES * rows + 0.9))
    for ax, (name, grid) in zip(axes[0], checked.items()):
        ax.imshow(tile(grid), cmap="gray", vmin=0, vmax=1)
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        height = grid.shape[2] + 2
        ax.set_yticks(np.arange(grid.shape[0]) * height + grid.shape[2] / 2)
        ax.set_yticklabels(row_labels if row_labels is not None else [""] * grid.shape[0],
                           fontsize=7)
    fig.suptitle(title, fontsize=10)
    return fig
