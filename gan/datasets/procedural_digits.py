"""A procedural handwriting-like digits data set: p(x | c) for c = 0..9 at 32x32.

Each image starts from a digit glyph of one of the fonts that ship inside matplotlib
(so the data are identical on every machine with the same matplotlib and need no
network), rendered without a screen by filling the glyph's outline polygons.  A random
stroke width, affine map and elastic distortion then make every sample different:

    x(u) = T_c,f,w( c_box + 2 M^-1 (u + d(u) - t) )

where T_c,f,w is the template of digit c in font f with stroke width w, M = s R(theta) S(h)
(scale, rotation, shear) and t a translation chosen so the digit stays inside the frame,
and d = alpha (G_sigma * U) is the elastic displacement field of Simard, Steinkraus and
Platt (2003), "Best practices for convolutional neural networks applied to visual
document analysis", ICDAR, section 2: U uniform on [-1, 1] per pixel and coordinate,
smoothed by a Gaussian of width sigma and scaled by alpha.
"""

import functools
import hashlib
import json
import os
import tempfile
import warnings
import zipfile
import zlib
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
BORDER_PIXELS = 1          # rows and columns at each edge that never receive ink
MAX_DISPLACEMENT_FRACTION = 0.1  # an elastic field is rescaled so no pixel moves further
CHUNK_SIZE = 1024          # samples per vectorised resampling step (bounds the memory)


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
def _digit_templates(size, fonts, stroke_widths):
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


def make_digits(n, seed=None, *, rng=None, size=32, binarize=True, fonts=DEFAULT_FONTS,
                stroke_widths=None, max_rotation_degrees=12.0, scale_range=(0.85, 1.1),
                max_shear=0.3, elastic_alpha=None, elastic_sigma=None):
    """Draw n digit images x ~ p(x | c) with balanced classes c.

    x(u) = T_c,f,w( c_box + 2 M^-1 (u + d(u) - t) ), sampled bilinearly, where the font f
    and stroke width w (output pixels) are uniform over their lists, M = s R(theta) S(h)
    with s ~ U(scale_range), theta ~ U(+-max_rotation_degrees), h ~ U(+-max_shear), and
    d = alpha (G_sigma * U), U ~ U[-1, 1] per pixel (Simard et al. 2003, section 2; their
    alpha = 34, sigma = 4 for 28-pixel MNIST, scaled here to alpha = 34 (size/28)^2 and
    sigma = 4 size/28 by default so the displacement keeps its size relative to the frame).
    The translation t is uniform over the positions that keep every inked pixel at least
    one pixel from the edge; a digit too large to fit is shrunk, and an elastic field whose
    largest displacement exceeds size/10 is scaled down to that.  Binarised images are
    x > 1/2; otherwise x is the grey ink coverage in [0, 1].

    Class c gets n // 10 images, plus one for c < n % 10; the order is shuffled.
    Randomness comes from `seed` (numpy.random.default_rng(seed)) or from `rng`, any object
    with numpy.random.Generator's integers, uniform and permutation; the same seed gives
    bitwise the same images.

    Returns images float32 (n, 1, size, size) and labels int64 (n,).

    >>> images, labels = make_digits(20, seed=0)
    >>> images.shape, labels.dtype.name
    ((20, 1, 32, 32), 'int64')
    """
    n = _check_integer("n", n, 1, None)
    rng = _generator(seed, rng)
    size = _check_integer("size", size, 16, 256)
    if not isinstance(binarize, (bool, np.bool_)):
        raise TypeError(f"binarize must be a bool, got {binarize!r}")
    fonts = _check_fonts(fonts)
    if stroke_widths is None:
        stroke_widths = tuple(width * size / 32 for width in (2.0, 2.5, 3.0, 3.5))
    stroke_widths = _check_real_sequence("stroke_widths", stroke_widths, 0.5, size / 8)
    max_rotation_degrees = _check_real("max_rotation_degrees", max_rotation_degrees, 0.0, 45.0)
    scale_range = _check_real_sequence("scale_range", scale_range, 0.5, 1.5)
    if len(scale_range) != 2 or scale_range[0] > scale_range[1]:
        raise ValueError(f"scale_range must be a pair (low, high) with low <= high, "
                         f"got {scale_range}")
    max_shear = _check_real("max_shear", max_shear, 0.0, 1.0)
    if elastic_alpha is None:
        elastic_alpha = 34.0 * (size / 28) ** 2
    if elastic_sigma is None:
        elastic_sigma = 4.0 * size / 28
    elastic_alpha = _check_real("elastic_alpha", elastic_alpha, 0.0, None)
    elastic_sigma = _check_real("elastic_sigma", elastic_sigma, 0.5, float(size))

    templates, boxes = _digit_templates(size, fonts, stroke_widths)
    labels = (np.arange(n) % 10)[rng.permutation(n)].astype(np.int64)
    font = rng.integers(0, len(fonts), size=n)
    width = rng.integers(0, len(stroke_widths), size=n)
    template = (font * 10 + labels) * len(stroke_widths) + width
    theta = np.deg2rad(rng.uniform(-max_rotation_degrees, max_rotation_degrees, size=n))
    scale = rng.uniform(scale_range[0], scale_range[1], size=n)
    shear = rng.uniform(-max_shear, max_shear, size=n)
    placement = rng.uniform(0.0, 1.0, size=(n, 2))
    M = _affine_matrices(scale, theta, shear)

    images = np.empty((n, 1, size, size), dtype=np.float32)
    for start in range(0, n, CHUNK_SIZE):
        batch = slice(start, min(start + CHUNK_SIZE, n))
        d = _elastic_displacements(rng, batch.stop - batch.start, size, elastic_alpha,
                                   elastic_sigma, MAX_DISPLACEMENT_FRACTION * size)
        images[batch, 0] = _resample(templates, template[batch], boxes[template[batch]],
                                     M[batch], placement[batch], d)
    if binarize:
        return (images > 0.5).astype(np.float32), labels
    return np.clip(images, 0.0, 1.0, out=images), labels


CACHE_FORMAT_VERSION = 1
CACHE_KEYS = ("train_images", "train_labels", "test_images", "test_labels",
              "format_version", "parameters")


def load_digits(n_train=10_000, n_test=2_000, seed=0, *, size=32, binarize=True,
                cache_dir=None, **options):
    """Train and test sets of make_digits, built once and then read from an .npz cache.

    The two sets come from independent streams, numpy.random.SeedSequence(seed).spawn(2),
    so no test image shares random draws with a training image.  The cache folder is
    cache_dir, else the environment variable NUMPY_GAN_CACHE, else ~/.cache/numpy-gan;
    the file name spells out the sizes, seed and format version and ends in a digest of
    every parameter (the make_digits `options` and matplotlib's version included, since
    the glyphs come from its fonts).  A cached file is used only if it opens without
    pickles, holds exactly the expected arrays with the expected shapes, types, ranges,
    class counts and recorded parameters; anything else is rebuilt and rewritten.

    Returns ((train_images, train_labels), (test_images, test_labels)) in make_digits'
    layout.
    """
    n_train = _check_integer("n_train", n_train, 1, None)
    n_test = _check_integer("n_test", n_test, 1, None)
    seed = _check_integer("seed", seed, 0, None)
    size = _check_integer("size", size, 16, 256)
    if not isinstance(binarize, (bool, np.bool_)):
        raise TypeError(f"binarize must be a bool, got {binarize!r}")
    binarize = bool(binarize)
    unknown = sorted(set(options) - _AUGMENTATION_OPTIONS)
    if unknown:
        raise TypeError(f"unknown make_digits option(s) {unknown}; "
                        f"allowed: {sorted(_AUGMENTATION_OPTIONS)}")
    parameters = json.dumps({
        "n_train": n_train, "n_test": n_test, "seed": seed, "size": size,
        "binarize": binarize, "options": options, "matplotlib": matplotlib.__version__,
    }, sort_keys=True, default=_json_value)
    path = _cache_folder(cache_dir) / (
        f"digits-v{CACHE_FORMAT_VERSION}-train{n_train}-test{n_test}-seed{seed}-size{size}-"
        f"{'binary' if binarize else 'grey'}-"
        f"{hashlib.sha256(parameters.encode()).hexdigest()[:12]}.npz")

    cached = _read_cache(path, parameters, n_train, n_test, size, binarize)
    if cached is not None:
        return cached
    train_stream, test_stream = np.random.SeedSequence(seed).spawn(2)
    train = make_digits(n_train, rng=np.random.default_rng(train_stream), size=size,
                        binarize=binarize, **options)
    test = make_digits(n_test, rng=np.random.default_rng(test_stream), size=size,
                       binarize=binarize, **options)
    _write_cache(path, parameters, train, test)
    return train, test


_AUGMENTATION_OPTIONS = {"fonts", "stroke_widths", "max_rotation_degrees", "scale_range",
                         "max_shear", "elastic_alpha", "elastic_sigma"}


def _json_value(value):
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"make_digits options must be numbers, strings or sequences of them, "
                    f"got {value!r}")


def _cache_folder(cache_dir):
    if cache_dir is None:
        cache_dir = os.environ.get("NUMPY_GAN_CACHE") or Path.home() / ".cache" / "numpy-gan"
    if not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(f"cache_dir must be a path or None, got {cache_dir!r}")
    return Path(cache_dir).expanduser()


def _read_cache(path, parameters, n_train, n_test, size, binarize):
    """The cached sets if the file passes every check, else None."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if sorted(archive.files) != sorted(CACHE_KEYS):
                return None
            arrays = {key: archive[key] for key in CACHE_KEYS}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error):
        return None
    if (arrays["format_version"].shape != () or arrays["format_version"] != CACHE_FORMAT_VERSION
            or arrays["parameters"].shape != () or str(arrays["parameters"]) != parameters):
        return None
    sets = []
    for name, n in (("train", n_train), ("test", n_test)):
        images, labels = arrays[f"{name}_images"], arrays[f"{name}_labels"]
        if (images.dtype != np.float32 or images.shape != (n, 1, size, size)
                or labels.dtype != np.int64 or labels.shape != (n,)):
            return None
        in_range = np.all((images == 0) | (images == 1)) if binarize else np.all(
            (images >= 0) & (images <= 1))
        expected_counts = n // 10 + (np.arange(10) < n % 10)
        if (not in_range or labels.min() < 0 or labels.max() > 9
                or not np.array_equal(np.bincount(labels, minlength=10), expected_counts)):
            return None
        sets.append((images, labels))
    return tuple(sets)


def _write_cache(path, parameters, train, test):
    """Write atomically (a temporary file renamed into place), so a crash mid-write never
    leaves a half file under the final name; an unwritable folder only costs a warning."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as file:
            temporary = Path(file.name)
            np.savez_compressed(
                file, train_images=train[0], train_labels=train[1], test_images=test[0],
                test_labels=test[1], format_version=np.int64(CACHE_FORMAT_VERSION),
                parameters=np.str_(parameters))
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        warnings.warn(f"could not write the digits cache {path}: {error}", stacklevel=3)


def _affine_matrices(scale, theta, shear):
    """M = s R(theta) S(h) in (row, column) coordinates, shape (n, 2, 2); S slants the
    top of the digit to the right for h > 0 (rows grow downwards)."""
    cos, sin = np.cos(theta), np.sin(theta)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    slant = np.zeros_like(rotation)
    slant[:, 0, 0] = slant[:, 1, 1] = 1.0
    slant[:, 1, 0] = -shear
    return scale[:, None, None] * rotation @ slant


def _elastic_displacements(rng, count, size, alpha, sigma, max_displacement):
    """d = alpha (G_sigma * U), U ~ U[-1, 1], shape (count, 2, size, size) in (row,
    column) order (Simard et al. 2003), each field scaled down if its largest
    displacement |d(u)| exceeds max_displacement."""
    U = rng.uniform(-1.0, 1.0, size=(count, 2, size, size))
    # the kernel cut at 3 sigma keeps 99.7% of its mass per axis and costs 3/4 of the
    # default 4-sigma cut
    d = alpha * ndimage.gaussian_filter(U, sigma=(0, 0, sigma, sigma), truncate=3.0)
    largest = np.sqrt((d ** 2).sum(axis=1)).max(axis=(1, 2))
    shrink = np.ones_like(largest)
    np.divide(max_displacement, largest, out=shrink, where=largest > max_displacement)
    return d * shrink[:, None, None, None]


def _resample(templates, template, box, M, placement, d):
    """Images x(u) = T( c_box + 2 M^-1 (u + d(u) - t) ) for one chunk of samples.

    The template's nonzero box has corners c_box + e0 (bilinear reads are nonzero up to one
    template pixel beyond it); its image under M spans e_min..e_max around t.  Requiring
    t + e_min >= border + max|d| and t + e_max <= size - 1 - border - max|d| keeps the ink
    inside the frame: an inked pixel u has u + d(u) inside the mapped box.
    """
    count, size = d.shape[0], d.shape[-1]
    box_centre = np.stack([box[:, 0] + box[:, 1], box[:, 2] + box[:, 3]], axis=1) / 2
    half_extent = np.stack([box[:, 1] - box[:, 0], box[:, 3] - box[:, 2]], axis=1) / 2 + 1
    corners = half_extent[:, None, :] * np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]])
    mapped = np.einsum("nij,ncj->nci", M, corners / TEMPLATE_OVERSAMPLING)
    low, high = mapped.min(axis=1), mapped.max(axis=1)
    largest = np.sqrt((d ** 2).sum(axis=1)).max(axis=(1, 2))[:, None]
    room = size - 1 - 2 * BORDER_PIXELS - 2 * largest
    fit = np.minimum(1.0, (room / (high - low)).min(axis=1))
    M, low, high = M * fit[:, None, None], low * fit[:, None], high * fit[:, None]
    t_low = BORDER_PIXELS + largest - low
    t_high = size - 1 - BORDER_PIXELS - largest - high
    t = t_low + placement * np.maximum(t_high - t_low, 0.0)

    grid = np.stack(np.meshgrid(np.arange(size), np.arange(size), indexing="ij"))
    source = grid[None] + d - t[:, :, None, None]
    M_inverse = np.linalg.inv(M)
    p = (box_centre[:, :, None, None]
         + TEMPLATE_OVERSAMPLING * np.einsum("nij,njhw->nihw", M_inverse, source))
    coordinates = np.concatenate([
        np.broadcast_to(template[None, :, None, None], (1, count, size, size)),
        p.transpose(1, 0, 2, 3)])
    return ndimage.map_coordinates(templates, coordinates, order=1, mode="constant",
                                   cval=0.0, output=np.float32)


def _generator(seed, rng):
    if (seed is None) == (rng is None):
        raise TypeError(f"give exactly one of seed and rng, got seed={seed!r}, rng={rng!r}")
    if rng is None:
        return np.random.default_rng(_check_integer("seed", seed, 0, None))
    missing = [name for name in ("integers", "uniform", "permutation")
               if not callable(getattr(rng, name, None))]
    if missing:
        raise TypeError(f"rng must have numpy.random.Generator's methods; "
                        f"{type(rng).__name__} lacks {', '.join(missing)}")
    return rng


def _check_integer(name, value, low, high):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {allowed}, got {value}")
    return int(value)


def _check_real(name, value, low, high):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be a finite number {allowed}, got {value}")
    return value


def _check_real_sequence(name, values, low, high):
    try:
        items = tuple(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not items:
        raise ValueError(f"{name} must not be empty, got {values!r}")
    for item in items:
        if (isinstance(item, (bool, np.bool_))
                or not isinstance(item, (int, float, np.number))
                or not np.isfinite(item) or not low <= item <= high):
            raise ValueError(f"{name} must hold finite numbers in [{low}, {high}], "
                             f"got {values!r}")
    return tuple(float(item) for item in items)


def _check_fonts(fonts):
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
