"""Image sets from disk in the project's layout: images float32 (n, 1, h, w) in [0, 1],
labels int64 (n,).

Two file kinds are read:
- IDX files (the MNIST distribution, optionally .gz): an image file of shape (n, h, w)
  and, separately, a label file of shape (n,);
- .npz archives (read with allow_pickle=False) with the key "images", shape (n, h, w) or
  (n, 1, h, w), and optionally "labels", shape (n,) of integers.

uint8 pixels are mapped to x = value / 255; float pixels must already lie in [0, 1].
"""

import os
from pathlib import Path

import numpy as np

from gan.digits.datasets.idx import DataFileError, read_idx
from nn.checkpoint import read_npz

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


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
    images = _to_unit_interval(name, np.asarray(pixels))
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
    """The arrays of an .npz file read on their real size (`nn.checkpoint.read_npz`: the zip's
    declared sizes checked before any entry is read, decompressed bytes bounded, no pickle),
    with np.load's `files`, `[name]` and context-manager protocol; errors are DataFileError
    naming the file."""

    def __init__(self, path, max_bytes=None):
        self.arrays = read_npz(path, max_bytes=max_bytes, error=DataFileError)
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


def _to_unit_interval(path, pixels):
    if pixels.ndim == 4 and pixels.shape[1] == 1:
        pixels = pixels[:, 0]
    if pixels.ndim != 3:
        raise DataFileError(f"{path}: images must have shape (n, h, w) or (n, 1, h, w), "
                         f"got {pixels.shape}")
    if pixels.dtype == np.uint8:
        return (pixels[:, None] / np.float32(255)).astype(np.float32, copy=False)
    if pixels.dtype in (np.float32, np.float64):
        outside = ~((pixels >= 0) & (pixels <= 1))  # NaN included
        if np.any(outside):
            raise DataFileError(f"{path}: float pixels must lie in [0, 1], got "
                             f"{np.count_nonzero(outside)} outside, e.g. {pixels[outside][0]}")
        return pixels[:, None].astype(np.float32)
    raise DataFileError(f"{path}: pixels must be uint8 (0..255) or float in [0, 1], "
                        f"got {pixels.dtype}")


def _check_labels(path, labels, n):
    if labels.ndim != 1 or labels.shape[0] != n or not np.issubdtype(labels.dtype, np.integer):
        raise DataFileError(f"labels for {path} must be {n} integers in one dimension, got "
                         f"shape {labels.shape} of {labels.dtype}")
    if n and labels.min() < 0:
        raise DataFileError(f"labels for {path} must be non-negative, got minimum {labels.min()}")
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
