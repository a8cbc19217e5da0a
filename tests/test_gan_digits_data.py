"""--data PATH: the digits code reads MNIST IDX folders and .npz archives the tests write
themselves, keeps their train/test split, pads 28 -> 32, and trains its referee on them."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gan.digits.datasets import write_idx
from gan.digits import data as data_module
from gan.digits.data import add_data_argument, load_digits_data, locate_data

MNIST_NAMES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
               "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def tiny_split(n, seed, size=28):
    """Images as MNIST stores them, uint8 (n, size, size) with about 80% black pixels and grey
    levels elsewhere, and uint8 labels 0..9 (random: the code under test only moves them)."""
    generator = np.random.default_rng(seed)
    ink = generator.random((n, size, size)) < 0.2
    images = (ink * generator.integers(1, 256, size=(n, size, size))).astype(np.uint8)
    return images, (np.arange(n) % 10).astype(np.uint8)


def write_mnist_folder(folder, n_train=60, n_test=30, gzipped=("test",)):
    """The four IDX files under their published names; the splits in `gzipped` as .gz."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for split, n, seed in (("train", n_train, 1), ("test", n_test, 2)):
        images, labels = tiny_split(n, seed)
        suffix = ".gz" if split in gzipped else ""
        write_idx(folder / (MNIST_NAMES[split][0] + suffix), images)
        write_idx(folder / (MNIST_NAMES[split][1] + suffix), labels)
        written[split] = (images, labels)
    return written


@pytest.fixture(scope="module")
def mnist_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mnist")
    return folder, write_mnist_folder(folder)


def test_mnist_folder_keeps_its_split_and_pads_28_to_32_with_two_zero_pixels(mnist_folder):
    folder, written = mnist_folder
    data = load_digits_data(folder, n_train=1000, n_test=1000)
    for images, labels, (pixels, expected_labels) in (
            (data.train_images, data.train_labels, written["train"]),
            (data.test_images, data.test_labels, written["test"])):
        assert images.shape == (len(pixels), 1, 32, 32) and images.dtype == np.float32
        # LeNet-5's 32 x 32 input: the 28 x 28 digit centred, a 2-pixel zero border
        np.testing.assert_array_equal(images[:, 0, 2:30, 2:30], pixels / np.float32(255))
        assert not images[:, :, :2].any() and not images[:, :, 30:].any()
        assert not images[:, :, :, :2].any() and not images[:, :, :, 30:].any()
        np.testing.assert_array_equal(labels, expected_labels)
        assert labels.dtype == np.int64
    assert not data.procedural and not data.binary


def test_npz_archive_with_the_documented_keys_loads_like_the_folder(tmp_path, mnist_folder):
    _, written = mnist_folder
    archive = tmp_path / "digits.npz"
    np.savez(archive, train_images=written["train"][0][:, None] / 255.0,  # floats, (n, 1, h, w)
             train_labels=written["train"][1].astype(np.int32),
             test_images=written["test"][0], test_labels=written["test"][1])
    from_npz = load_digits_data(archive)
    from_folder = load_digits_data(mnist_folder[0])
    np.testing.assert_allclose(from_npz.train_images, from_folder.train_images, atol=1e-7)
    np.testing.assert_array_equal(from_npz.test_images, from_folder.test_images)
    np.testing.assert_array_equal(from_npz.train_labels, from_folder.train_labels)


def test_a_smaller_request_is_a_subset_without_repeats_and_the_referee_sees_the_whole_split(
        mnist_folder):
    folder, written = mnist_folder
    data = load_digits_data(folder, n_train=25, n_test=10, seed=3)
    full = load_digits_data(folder)
    assert len(data.train_images) == 25 and len(data.test_images) == 10
    flat_full = full.train_images.reshape(len(full.train_images), -1)
    matches = (data.train_images.reshape(25, -1)[:, None] == flat_full[None]).all(axis=2)
    assert (matches.sum(axis=1) >= 1).all()                    # every image is a file image
    assert len(np.unique(matches.argmax(axis=1))) == 25          # drawn without replacement
    np.testing.assert_array_equal(data.referee_images, full.train_images)
    again = load_digits_data(folder, n_train=25, n_test=10, seed=3)
    np.testing.assert_array_equal(again.train_images, data.train_images)


def test_binarize_thresholds_at_one_half(mnist_folder):
    folder, _ = mnist_folder
    grey = load_digits_data(folder)
    binary = load_digits_data(folder, binarize=True)
    np.testing.assert_array_equal(binary.train_images, grey.train_images > 0.5)
    assert binary.binary


def test_without_a_path_the_data_are_the_procedural_set_of_the_given_sizes(monkeypatch):
    asked = {}

    def procedural(**arguments):
        asked.update(arguments)
        images = np.zeros((arguments["n_train"], 1, 32, 32), np.float32)
        labels = np.arange(arguments["n_train"]) % 10
        return (images, labels), (images[:arguments["n_test"]], labels[:arguments["n_test"]])

    monkeypatch.setattr(data_module, "load_digits", procedural)
    data = load_digits_data(n_train=20, n_test=10, seed=4)
    assert asked == {"n_train": 20, "n_test": 10, "seed": 4}
    assert data.procedural and data.referee_images is None and len(data.test_images) == 10


def test_user_data_referee_is_trained_on_that_data_not_the_procedural_reference(
        mnist_folder, tmp_path, monkeypatch):
    folder, _ = mnist_folder
    monkeypatch.setenv("NUMPY_GAN_CACHE", str(tmp_path))

    def forbidden(*args, **kwargs):
        raise AssertionError("the procedural reference classifier must not be used")

    monkeypatch.setattr(data_module, "cached_referee", forbidden)
    data = load_digits_data(folder)
    classifier, accuracy = data.referee(np.random.default_rng(0), quick=False)
    assert [path.name.startswith("user_digits-classifier-")
            for path in tmp_path.iterdir()] == [True]
    assert 0.0 <= accuracy <= 1.0


@pytest.mark.parametrize("make, fragment", [
    (lambda folder: folder / "absent", "no such file or folder"),
    (lambda folder: folder, "t10k-labels-idx1-ubyte[.gz]"),
    (lambda folder: folder / MNIST_NAMES["train"][0], "give their folder"),
])
def test_a_bad_path_names_the_files_expected(tmp_path, make, fragment):
    folder = tmp_path / "partial"
    write_mnist_folder(folder, n_train=10, n_test=10, gzipped=())
    (folder / MNIST_NAMES["test"][1]).unlink()
    with pytest.raises((FileNotFoundError, ValueError)) as error:
        locate_data(make(folder))
    assert fragment in str(error.value)
    assert "train-images-idx3-ubyte" in str(error.value)


@pytest.mark.parametrize("arrays, fragment", [
    ({"train_images": np.zeros((4, 28, 28), np.uint8)}, "lacks train_labels, test_images"),
    ({"train_images": np.zeros((4, 40, 40), np.uint8), "train_labels": np.zeros(4, np.int64),
      "test_images": np.zeros((4, 28, 28), np.uint8), "test_labels": np.zeros(4, np.int64)},
     "at most 32 x 32"),
    ({"train_images": np.zeros((4, 28, 28), np.uint8), "train_labels": np.full(4, 10),
      "test_images": np.zeros((4, 28, 28), np.uint8), "test_labels": np.zeros(4, np.int64)},
     "integers in 0..9"),
    ({"train_images": np.full((4, 28, 28), 2.0), "train_labels": np.zeros(4, np.int64),
      "test_images": np.zeros((4, 28, 28), np.uint8), "test_labels": np.zeros(4, np.int64)},
     "must lie in [0, 1]"),
])
def test_a_malformed_archive_is_rejected_with_the_reason(tmp_path, arrays, fragment):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="--data") as error:
        load_digits_data(tmp_path / "bad.npz")
    assert fragment in str(error.value)


def test_data_argument_parses_a_folder_and_defaults_to_the_procedural_set(mnist_folder):
    folder, _ = mnist_folder
    parser = add_data_argument(argparse.ArgumentParser(prog="lesson"))
    parser.add_argument("--fast", action="store_true")
    assert parser.parse_args(["--fast", "--data", str(folder)]).data == folder
    assert parser.parse_args(["--fast"]).data is None


def test_data_argument_exits_with_a_usage_error_naming_the_files_for_a_bad_path(tmp_path,
                                                                                 capsys):
    parser = add_data_argument(argparse.ArgumentParser(prog="lesson"))
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["--data", str(tmp_path / "absent")])
    assert stop.value.code == 2
    assert "t10k-images-idx3-ubyte" in capsys.readouterr().err


def test_a_lesson_runs_fast_on_mnist_files_given_by_data(tmp_path):
    folder = tmp_path / "mnist"
    write_mnist_folder(folder, n_train=120, n_test=40)
    env = dict(os.environ, MPLBACKEND="Agg", NUMPY_GAN_CACHE=str(tmp_path / "cache"))
    completed = subprocess.run(
        [sys.executable, str(LESSONS / "17_digits_mlp_gan.py"), "--fast", "--data", str(folder),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, env=env, cwd=LESSONS.parent)
    assert completed.returncode == 0, completed.stderr[-3000:]
    said = "".join(completed.stdout.split())        # the lesson wraps its text at any space
    assert "".join(f"120 training and 40 test digits (grey-level, 32 x 32) from {folder}".split()) \
        in said
    assert (tmp_path / "out" / "cgan_grids.png").stat().st_size > 0
    assert not (tmp_path / "cache").exists() or not any(
        path.name.startswith("digits-") for path in (tmp_path / "cache").iterdir())
