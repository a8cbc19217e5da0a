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

The templates come from `gan.digits.datasets.glyphs`, the distortions from `gan.digits.datasets.distortions`;
this module draws the random choices, and caches train and test sets on disk.
"""

import hashlib
import json
import os
import sys
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import matplotlib
import numpy as np

from gan.checks import integer_in, real_in, real_sequence_in
from gan.digits.datasets.distortions import (MAX_DISPLACEMENT_FRACTION, affine_matrices,
                                      elastic_displacements, resample)
from gan.digits.datasets.images import NpzArchive
from gan.digits.datasets.glyphs import DEFAULT_FONTS, SUPPORTED_FONTS, check_fonts, digit_templates

__all__ = ["DEFAULT_FONTS", "SUPPORTED_FONTS", "make_digits", "load_digits"]

CHUNK_SIZE = 1024          # samples per vectorised resampling step (bounds the memory)


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
    n = integer_in("n", n, 1, None)
    rng = _generator(seed, rng)
    size = integer_in("size", size, 16, 256)
    if not isinstance(binarize, (bool, np.bool_)):
        raise TypeError(f"binarize must be a bool, got {binarize!r}")
    fonts = check_fonts(fonts)
    if stroke_widths is None:
        stroke_widths = tuple(width * size / 32 for width in (2.0, 2.5, 3.0, 3.5))
    stroke_widths = real_sequence_in("stroke_widths", stroke_widths, 0.5, size / 8)
    max_rotation_degrees = real_in("max_rotation_degrees", max_rotation_degrees, 0.0, 45.0)
    scale_range = real_sequence_in("scale_range", scale_range, 0.5, 1.5)
    if len(scale_range) != 2 or scale_range[0] > scale_range[1]:
        raise ValueError(f"scale_range must be a pair (low, high) with low <= high, "
                         f"got {scale_range}")
    max_shear = real_in("max_shear", max_shear, 0.0, 1.0)
    if elastic_alpha is None:
        elastic_alpha = 34.0 * (size / 28) ** 2
    if elastic_sigma is None:
        elastic_sigma = 4.0 * size / 28
    elastic_alpha = real_in("elastic_alpha", elastic_alpha, 0.0, None)
    elastic_sigma = real_in("elastic_sigma", elastic_sigma, 0.5, float(size))

    templates, boxes = digit_templates(size, fonts, stroke_widths)
    labels = (np.arange(n) % 10)[rng.permutation(n)].astype(np.int64)
    font = rng.integers(0, len(fonts), size=n)
    width = rng.integers(0, len(stroke_widths), size=n)
    template = (font * 10 + labels) * len(stroke_widths) + width
    theta = np.deg2rad(rng.uniform(-max_rotation_degrees, max_rotation_degrees, size=n))
    scale = rng.uniform(scale_range[0], scale_range[1], size=n)
    shear = rng.uniform(-max_shear, max_shear, size=n)
    placement = rng.uniform(0.0, 1.0, size=(n, 2))
    M = affine_matrices(scale, theta, shear)

    images = np.empty((n, 1, size, size), dtype=np.float32)
    for start in range(0, n, CHUNK_SIZE):
        batch = slice(start, min(start + CHUNK_SIZE, n))
        d = elastic_displacements(rng, batch.stop - batch.start, size, elastic_alpha,
                                   elastic_sigma, MAX_DISPLACEMENT_FRACTION * size)
        images[batch, 0] = resample(templates, template[batch], boxes[template[batch]],
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
    n_train = integer_in("n_train", n_train, 1, None)
    n_test = integer_in("n_test", n_test, 1, None)
    seed = integer_in("seed", seed, 0, None)
    size = integer_in("size", size, 16, 256)
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
    if not path.is_file():
        return None
    try:       # read on its real size (nn.files), up to deflate's 1032 x: binary digits ~80 x
        with NpzArchive(path, expansion=1032) as archive:
            if sorted(archive.files) != sorted(CACHE_KEYS):
                return None
            arrays = {key: archive[key] for key in CACHE_KEYS}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as error:
        print(f"could not read the digits cache ({str(error)[:300]}); building it again",
              file=sys.stderr)
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


def _generator(seed, rng):
    if (seed is None) == (rng is None):
        raise TypeError(f"give exactly one of seed and rng, got seed={seed!r}, rng={rng!r}")
    if rng is None:
        return np.random.default_rng(integer_in("seed", seed, 0, None))
    missing = [name for name in ("integers", "uniform", "permutation")
               if not callable(getattr(rng, name, None))]
    if missing:
        raise TypeError(f"rng must have numpy.random.Generator's methods; "
                        f"{type(rng).__name__} lacks {', '.join(missing)}")
    return rng
