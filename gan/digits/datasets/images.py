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
