"""Digit templates drawn from the fonts that ship inside matplotlib: the c in p(x | c) before any
distortion (`gan.digits.datasets.procedural_digits` distorts them into samples).

Each glyph's outline polygons are filled without a screen, at RENDER_OVERSAMPLING times the output
resolution, by the even-odd rule; its stroke is then thickened or thinned to each requested width
by thresholding the signed distance to its edge, and the result kept as grey ink coverage at
TEMPLATE_OVERSAMPLING times the output resolution, for the affine resampling that follows.
"""

import functools
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path as OutlinePath
from matplotlib.textpath import TextPath
from scipy import ndimage

FONT_DIRECTORY = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

# Proportional fonts with plain figures; DejaVu Sans Mono is left out of the default
# set because its zero carries a dot, which no hand writes.
DEFAULT_FONTS = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf", "STIXGeneral.ttf",
    "STIXGeneralBol.ttf", "STIXGeneralItalic.ttf", "STIXGeneralBolIta.ttf",
    "cmr10.ttf", "cmss10.ttf", "cmtt10.ttf",
)
SUPPORTED_FONTS = DEFAULT_FONTS + (
    "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-Oblique.ttf",
    "DejaVuSansMono-BoldOblique.ttf",
)

# MNIST fits each digit in a 20x20 box inside 28x28, and LeNet-5 sees it at the centre
# of a 32x32 frame (LeCun et al. 1998, "Gradient-based learning applied to document
# recognition", section II.A), so the glyph box is 20/32 of the frame.
GLYPH_BOX_FRACTION = 20 / 32
RENDER_OVERSAMPLING = 4    # glyph outlines are filled at 4x the output resolution ...
TEMPLATE_OVERSAMPLING = 2  # ... and kept at 2x for the affine resampling


@functools.lru_cache(maxsize=8)
def _glyph_masks(size, font):
    """Ink masks (10, 4 size, 4 size) of the digits of one font, each fitted in the glyph
    box with its aspect ratio kept, filled by the even-odd rule, and the font's stroke
    width in output pixels, estimated as 2 area / perimeter (a long stroke of width w
    and length L has area w L and perimeter about 2 L)."""
    canvas = RENDER_OVERSAMPLING * size
    box = GLYPH_BOX_FRACTION * canvas
    centres = np.arange(canvas) + 0.5
    rows, columns = np.meshgrid(centres, centres, indexing="ij")
    properties = FontProperties(fname=str(FONT_DIRECTORY / font))
    masks = np.zeros((10, canvas, canvas), dtype=bool)
    for digit in range(10):
        outline = TextPath((0, 0), str(digit), size=1, prop=properties)
        extents = outline.get_extents()
        scale = box / max(extents.height, extents.width)
        glyph_points = np.column_stack([
            ((columns - canvas / 2) / scale + (extents.x0 + extents.x1) / 2).ravel(),
            (-(rows - canvas / 2) / scale + (extents.y0 + extents.y1) / 2).ravel(),
        ])
        for polygon in outline.to_polygons():
            masks[digit] ^= OutlinePath(polygon).contains_points(glyph_points).reshape(
                canvas, canvas)
    area = masks.sum()
    perimeter = (masks & ~ndimage.binary_erosion(masks, structure=_planar_cross())).sum()
    return masks, 2 * area / perimeter / RENDER_OVERSAMPLING


def _planar_cross():
    """4-neighbourhood structuring element acting within each image of a stack."""
    return ndimage.generate_binary_structure(2, 1)[None]


@functools.lru_cache(maxsize=8)
def digit_templates(size, fonts, stroke_widths):
    """Grey templates (len(fonts) * 10 * len(stroke_widths), 2 size, 2 size), indexed by
    (font, digit, width) in C order, and the bounding box of each template's nonzero
    pixels as (row_min, row_max, column_min, column_max).

    A stroke of width w0 becomes width w by moving its edge (w - w0)/2 outwards: a
    dilation (or erosion, when negative) read off the signed distance to the edge.
    Each template pixel holds the ink coverage of an output-pixel-sized square around it.
    """
    per_font = []
    for font in fonts:
        masks, font_width = _glyph_masks(size, font)
        outside = np.stack([ndimage.distance_transform_edt(~mask) for mask in masks])
        inside = np.stack([ndimage.distance_transform_edt(mask) for mask in masks])
        signed_distance = np.where(masks, 0.5 - inside, outside - 0.5)
        per_width = []
        for width in stroke_widths:
            edge_shift = (width - font_width) / 2 * RENDER_OVERSAMPLING
            ink = (signed_distance <= edge_shift).astype(np.float32)
            # a 4-wide box filter read at every second pixel: the ink coverage of a
            # square one output pixel wide around each 2x-resolution pixel centre
            coverage = ndimage.uniform_filter(ink, size=(1, 4, 4))[:, 1::2, 1::2]
            per_width.append(np.clip(coverage, 0.0, 1.0))
        per_font.append(np.stack(per_width, axis=1))
    side = TEMPLATE_OVERSAMPLING * size
    templates = np.stack(per_font).reshape(-1, side, side)
    nonzero_rows = templates.any(axis=2)
    nonzero_columns = templates.any(axis=1)
    boxes = np.stack([
        nonzero_rows.argmax(axis=1), side - 1 - nonzero_rows[:, ::-1].argmax(axis=1),
        nonzero_columns.argmax(axis=1), side - 1 - nonzero_columns[:, ::-1].argmax(axis=1),
    ], axis=1).astype(np.float64)
    templates.setflags(write=False)
    boxes.setflags(write=False)
    return templates, boxes


def check_fonts(fonts):
    if isinstance(fonts, str):
        fonts = (fonts,)
    try:
        fonts = tuple(fonts)
    except TypeError:
        raise TypeError(f"fonts must be a sequence of font file names, got {fonts!r}") from None
    unknown = [font for font in fonts if font not in SUPPORTED_FONTS]
    if not fonts or unknown:
        raise ValueError(f"fonts must be a non-empty sequence of names from "
                         f"SUPPORTED_FONTS {SUPPORTED_FONTS}, got {fonts!r}")
    return fonts
