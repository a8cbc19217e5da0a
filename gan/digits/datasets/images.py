"""Image sets from disk in the project's layout: images float32 (n, 1, h, w) in [0, 1],
labels int64 (n,).

Two file kinds are read:
- IDX files (the MNIST distribution, optionally .gz): an image file of shape (n, h, w)
  and, separately, a label file of shape (n,);
- .npz archives (read with allow_pickle=False) with the key "images", shape (n, h, w) or
  (n, 1, h, w), and optionally "labels", shape (n,) of integers.

uint8 pixels are mapped to x = value / 255; float32 or float64 pixels (either byte order:
big-endian ones are converted) must already lie in [0, 1]. Every file is read on its real
size (nn.files), and the float32 images it becomes must fit in IMAGE_MEMORY, half of
gan.limits.memory_limit(), checked from the IDX header before the pixels are read.
"""

import os
import struct
from pathlib import Path

import numpy as np

from gan.digits.datasets.idx import DataFileError, idx_header, read_idx
from gan.limits import memory_limit
from nn.files import EXPANSION_LIMIT, read_npz

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IMAGE_MEMORY = memory_limit() // 2    # bytes the float32 images of one file may take


def load_images(path, labels_path=None, *, pad_to=None):
    """Images x in [0, 1] of shape (n, 1, h, w) and labels (int64, or None) from an IDX
    file (with an optional IDX label file) or an .npz archive.

    uint8 pixels become x = value / 255.  pad_to=32 surrounds 28x28 MNIST digits with
    zeros to 32x32, the input LeNet-5 was given (LeCun et al. 1998, "Gradient-based
    learning applied to document recognition", section II.A); an odd difference puts the
    extra row or column at the bottom or right.
    """
    path = _check_path("path", path)
    if pad_to is not None and (isinstance(pad_to, (bool, np.bool_))
                               or not isinstance(pad_to, (int, np.integer))):
        raise TypeError(f"pad_to must be an integer or None, got {pad_to!r}")
    if path.suffix == ".npz":
        if labels_path is not None:
            raise ValueError(f"labels_path must be None for an .npz archive, whose labels "
                             f"are its 'labels' array, got {labels_path!r}")
        pixels, labels = _read_npz(path)
    else:
        shape, dtype = idx_header(path)
        if len(shape) in (3, 4):
            _check_budget(path, shape[0], shape[-2:], pad_to)
        pixels = read_idx(path)
        labels = None if labels_path is None else read_idx(_check_path("labels_path",
                                                                       labels_path))
    return image_set(pixels, labels, pad_to=pad_to, name=str(path))


def image_set(pixels, labels=None, *, pad_to=None, name="images"):
    """Arrays already in memory in the layout of load_images: pixels (n, h, w) or
    (n, 1, h, w), uint8 mapped to x = value / 255 or floats in [0, 1], as float32
    (n, 1, h, w); labels (n,) non-negative integers as int64, or None; pad_to as in
    load_images.  Errors name the set as `name`."""
    if pad_to is not None and (isinstance(pad_to, (bool, np.bool_))
                               or not isinstance(pad_to, (int, np.integer))):
        raise TypeError(f"pad_to must be an integer or None, got {pad_to!r}")
    pixels = np.asarray(pixels)
    if pixels.ndim in (3, 4):
        _check_budget(name, pixels.shape[0], pixels.shape[-2:], pad_to)
    images = _to_unit_interval(name, pixels)
    if labels is not None:
        labels = _check_labels(name, np.asarray(labels), images.shape[0])
    if pad_to is not None:
        images = _pad(images, int(pad_to))
    return images, labels


def load_mnist(directory, split="train", *, pad_to=None):
    """The MNIST `split` ("train" or "test") from a folder holding the four files under
    their published names (train-images-idx3-ubyte, ..., t10k-labels-idx1-ubyte), each
    optionally ending in .gz; see load_images for the layout and pad_to."""
    directory = _check_path("directory", directory)
    if split not in MNIST_FILES:
        raise ValueError(f"split must be one of {sorted(MNIST_FILES)}, got {split!r}")
    found = []
    for name in MNIST_FILES[split]:
        candidates = [directory / name, directory / f"{name}.gz"]
        existing = [candidate for candidate in candidates if candidate.is_file()]
        if not existing:
            raise FileNotFoundError(f"no {name} or {name}.gz in {directory}")
        found.append(existing[0])
    return load_images(found[0], found[1], pad_to=pad_to)


class NpzArchive:
    """The arrays of an .npz file read on their real size (`nn.files.read_npz`: the zip's
    declared sizes checked before any entry is read, decompressed bytes bounded, no pickle),
    with np.load's `files`, `[name]` and context-manager protocol; errors are DataFileError
    naming the file."""

    def __init__(self, path, max_bytes=None, expansion=EXPANSION_LIMIT):
        self.arrays = read_npz(path, max_bytes=max_bytes, expansion=expansion,
                               error=DataFileError)
        self.files = list(self.arrays)

    def __getitem__(self, name):
        return self.arrays[name]

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def _read_npz(path):
    with NpzArchive(path) as archive:
        if "images" not in archive.files:
            raise DataFileError(f"{path}: an image archive needs an 'images' array; "
                                f"found {sorted(archive.files)}")
        images = archive["images"]
        labels = archive["labels"] if "labels" in archive.files else None
    return images, labels


def _check_budget(name, count, sides, pad_to):
    """DataFileError unless `count` float32 images of sides (h, w), padded to pad_to, fit in
    IMAGE_MEMORY (the pixels' own bytes come on top, at most a quarter of that)."""
    side_squared = max(int(sides[0]) * int(sides[1]), int(pad_to or 0) ** 2)
    needed = 4 * int(count) * side_squared
    if needed > IMAGE_MEMORY:
        raise DataFileError(f"{name}: {count} images of {sides[0]} x {sides[1]} pixels need "
                            f"{needed} bytes as float32, more than the {IMAGE_MEMORY} bytes "
                            f"allowed (IMAGE_MEMORY, half of gan.limits.memory_limit())")


def _dtype_words(dtype):
    order = {"<": "little-endian", ">": "big-endian", "=": "native", "|": ""}[dtype.byteorder]
    return f"{dtype.name} ({order})" if order else dtype.name


def _to_unit_interval(path, pixels):
    if pixels.ndim == 4 and pixels.shape[1] == 1:
        pixels = pixels[:, 0]
    if pixels.ndim != 3:
        raise DataFileError(f"{path}: images must have shape (n, h, w) or (n, 1, h, w), "
                            f"got {pixels.shape}")
    if 0 in pixels.shape[1:]:
        raise DataFileError(f"{path}: images must be at least 1 x 1 pixel, got shape "
                            f"{pixels.shape}")
    if pixels.dtype == np.uint8:
        return (pixels[:, None] / np.float32(255)).astype(np.float32, copy=False)
    if pixels.dtype.kind == "f" and pixels.dtype.itemsize in (4, 8):
        pixels = pixels.astype(pixels.dtype.newbyteorder("="), copy=False)  # big-endian too
        finite = np.isfinite(pixels)
        if not finite.all():
            raise DataFileError(f"{path}: float pixels must be finite numbers in [0, 1], got "
                                f"{np.count_nonzero(~finite)} NaN or infinite values")
        outside = (pixels < 0) | (pixels > 1)
        if np.any(outside):
            raise DataFileError(f"{path}: float pixels must lie in [0, 1], got "
                                f"{np.count_nonzero(outside)} outside, e.g. {pixels[outside][0]}")
        return pixels[:, None].astype(np.float32)
    raise DataFileError(f"{path}: pixels must be uint8 (0..255) or float32 or float64 in "
                        f"[0, 1], got {_dtype_words(pixels.dtype)}")


def _check_labels(path, labels, n):
    if labels.ndim != 1 or labels.shape[0] != n or labels.dtype.kind not in "iu":
        raise DataFileError(f"labels for {path} must be {n} integers in one dimension, got "
                            f"shape {labels.shape} of {_dtype_words(labels.dtype)}")
    if n:
        low, high = int(labels.min()), int(labels.max())   # Python integers: no wrap-around
        if low < 0 or high > np.iinfo(np.int64).max:
            raise DataFileError(f"labels for {path} must be non-negative integers, got "
                                f"{_dtype_words(labels.dtype)} values in [{low}, {high}]")
    return labels.astype(np.int64)


def _pad(images, pad_to):
    height, width = images.shape[2:]
    if pad_to < max(height, width):
        raise ValueError(f"pad_to must be at least the image size {height}x{width}, "
                         f"got {pad_to}")
    top, left = (pad_to - height) // 2, (pad_to - width) // 2
    padded = np.zeros(images.shape[:2] + (pad_to, pad_to), dtype=np.float32)
    padded[:, :, top:top + height, left:left + width] = images
    return padded


def _check_path(name, path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


# ---- folders of PNG images ----------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 8 << 20          # one image file
MAX_PNG_PIXELS = 4096 * 4096     # one image's width x height, read from its header first


def area_resize(image, size):
    """An (h, w) image averaged onto a size x size grid: output cell (i, j) is the mean of the
    image over the cell's area, input pixels weighted by how much of them it covers,

        y = R_h x R_w^T,  R[i, k] = |[i n/size, (i+1) n/size] & [k, k+1]| / (n/size),

    each row of R summing to 1 (for size > n it copies pixels into the cells they cover)."""
    height, width = image.shape
    return _area_weights(height, size) @ image @ _area_weights(width, size).T


def _area_weights(n, size):
    edges = np.arange(size + 1) * (n / size)
    low, high = edges[:-1, None], edges[1:, None]
    pixel = np.arange(n)[None, :]
    overlap = np.clip(np.minimum(high, pixel + 1) - np.maximum(low, pixel), 0.0, None)
    return overlap / (n / size)


def png_header(path):
    """(width, height) from a PNG file's IHDR chunk, read from its first 24 bytes; DataFileError
    naming the file if it is too large on disk, not a PNG, or claims too many pixels."""
    size = os.path.getsize(path)
    if size > MAX_PNG_BYTES:
        raise DataFileError(f"{path}: {size} bytes, more than the {MAX_PNG_BYTES} bytes an image "
                            f"file may hold; refused unread")
    with open(path, "rb") as file:
        head = file.read(24)
    if len(head) < 24 or head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        raise DataFileError(f"{path}: not a PNG file (no PNG signature and IHDR header)")
    width, height = struct.unpack(">II", head[16:24])
    if not 0 < width * height <= MAX_PNG_PIXELS:
        raise DataFileError(f"{path}: a PNG of {width} x {height} pixels; at most "
                            f"{MAX_PNG_PIXELS} pixels and at least 1 are read")
    return width, height


def read_png(path, size=32):
    """One PNG as a grey size x size float32 image in [0, 1]: its header checked first
    (`png_header`), decoded by matplotlib.image.imread (Pillow underneath, a dependency of
    matplotlib), made grey by the luminance y = 0.299 R + 0.587 G + 0.114 B, an alpha channel
    composited over black (y a), then `area_resize`d. Ink is bright, as in MNIST: dark digits on
    white paper should be inverted first (1 - y)."""
    from matplotlib import image as mpimg           # matplotlib loads only when PNGs are read

    png_header(path)
    try:
        pixels = np.asarray(mpimg.imread(path, format="png"), dtype=np.float64)
    except Exception as reason:                     # Pillow raises several kinds on bad bytes
        raise DataFileError(f"{path}: not a readable PNG ({type(reason).__name__}: "
                            f"{str(reason)[:200]})") from None
    if pixels.dtype.kind != "f" or pixels.max(initial=0.0) > 1.0:
        pixels = pixels / 255.0
    if pixels.ndim == 3:
        grey = pixels[..., :3] @ np.array([0.299, 0.587, 0.114]) if pixels.shape[2] >= 3 \
            else pixels[..., 0]
        if pixels.shape[2] in (2, 4):
            grey = grey * pixels[..., -1]
        pixels = grey
    if pixels.ndim != 2 or not np.all(np.isfinite(pixels)):
        raise DataFileError(f"{path}: not a readable PNG image (decoded shape {pixels.shape})")
    return np.clip(area_resize(pixels, size), 0.0, 1.0).astype(np.float32)


def load_png_folder(folder, size=32, warn=None):
    """Images (n, 1, size, size) float32 in [0, 1] and labels (n,) int64 from the PNG files of
    `folder`'s subfolders named 0..9 (the label), sorted by name. The rule for bad files: any
    file ending in .png that does not read refuses the whole folder, naming the file (a set is
    never half-read); other files and subfolders are skipped, with one warning line naming
    them passed to `warn` (e.g. print to stderr)."""
    folder = _check_path("folder", folder)
    paths, labels, skipped = [], [], []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name in {str(digit) for digit in range(10)}:
            for file in sorted(entry.iterdir()):
                if file.is_file() and file.suffix.lower() == ".png":
                    paths.append(file)
                    labels.append(int(entry.name))
                else:
                    skipped.append(file)
        else:
            skipped.append(entry)
    if skipped and warn is not None:
        names = ", ".join(str(path) for path in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        warn(f"warning: {folder}: skipped {len(skipped)} entries that are not PNG files in "
             f"subfolders 0..9: {names}{more}")
    _check_budget(str(folder), len(paths), (size, size), None)
    images = np.zeros((len(paths), 1, size, size), dtype=np.float32)
    for index, path in enumerate(paths):     # one file at a time: each is its own decode
        images[index, 0] = read_png(path, size)
    return images, np.array(labels, dtype=np.int64)
