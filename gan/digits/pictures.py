"""Sample grids as image files at a fixed size a digit: every 32 x 32 digit drawn with
``scale`` x ``scale`` screen pixels per pixel (64 px a digit by default), grey gaps between
digits, no axes to shrink them: a PNG of one grid and an animated GIF of a grid over training.
"""

from __future__ import annotations

import numpy as np

from gan.digits.grids import tile

SCALE = 2


def grid_picture(grid, scale=SCALE):
    """The tiled grid (rows, columns, h, w) in [0, 1] as uint8 grey levels, each pixel
    repeated scale x scale times (nearest neighbour: no smoothing invents grey)."""
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    canvas = np.clip(tile(grid), 0.0, 1.0)
    canvas = np.repeat(np.repeat(canvas, scale, axis=0), scale, axis=1)
    return np.round(255 * canvas).astype(np.uint8)


def save_grid_png(grid, path, scale=SCALE):
    """Write grid_picture(grid, scale) as a greyscale PNG; returns the path."""
    from PIL import Image

    Image.fromarray(grid_picture(grid, scale), mode="L").save(path)
    return path


def save_grid_gif(grids, steps, path, scale=SCALE, milliseconds=400):
    """An animated GIF, one frame per snapshot grid (snapshots, rows, columns, h, w), with a
    band on top naming the training step; the last frame holds three times as long."""
    from PIL import Image, ImageDraw

    grids = np.asarray(grids)
    steps = np.asarray(steps)
    if grids.ndim != 5 or steps.shape != (len(grids),) or len(grids) < 1:
        raise ValueError(f"grids must be (snapshots, rows, columns, h, w) with one step each, "
                         f"got shapes {grids.shape} and {steps.shape}")
    frames = []
    for grid, step in zip(grids, steps):
        picture = grid_picture(grid, scale)
        frame = Image.new("L", (picture.shape[1], picture.shape[0] + 16), color=255)
        frame.paste(Image.fromarray(picture, mode="L"), (0, 16))
        ImageDraw.Draw(frame).text((4, 2), f"step {int(step)}", fill=0)
        frames.append(frame)
    durations = [milliseconds] * (len(frames) - 1) + [3 * milliseconds]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return path
