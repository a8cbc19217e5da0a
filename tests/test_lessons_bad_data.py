"""A digits lesson given a `--data` file with bad content stops at its arguments: exit code 2,
argparse's usage line, a message naming the file and what is wrong, no traceback, no work.

The content checks themselves (labels, pixel ranges, IDX sizes) are tested in
test_gan_digits_data.py and test_gan_readers_crafted_files.py; here only that a lesson reaches them at
argument time. Each case is one lesson process that stops after its imports (~2 s).
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gan.digits.datasets import write_idx

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def _good_split(n, seed):
    generator = np.random.default_rng(seed)
    images = (generator.random((n, 28, 28)) < 0.2).astype(np.uint8) * 200
    return images, generator.integers(0, 10, size=n).astype(np.uint8)


def _npz(folder, mutate):
    (train, train_labels), (test, test_labels) = _good_split(40, 0), _good_split(20, 1)
    arrays = dict(train_images=train, train_labels=train_labels, test_images=test,
                  test_labels=test_labels)
    mutate(arrays)
    path = folder / "digits.npz"
    np.savez(path, **arrays)
    return path


def label_ten(folder):
    def mutate(arrays):
        arrays["train_labels"] = arrays["train_labels"].copy()
        arrays["train_labels"][3] = 10
    return _npz(folder, mutate), "labels must be integers in 0..9"


def nan_pixels(folder):
    def mutate(arrays):
        arrays["test_images"] = arrays["test_images"].astype(np.float64) / 255
        arrays["test_images"][0, 5, 5] = np.nan
    return _npz(folder, mutate), "pixels"


def truncated_idx(folder):
    folder = folder / "mnist"
    folder.mkdir()
    names = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
    for seed, (split, (images_name, labels_name)) in enumerate(names.items()):
        images, labels = _good_split(30, seed)
        write_idx(folder / images_name, images)
        write_idx(folder / labels_name, labels)
    images_file = folder / names["train"][0]
    images_file.write_bytes(images_file.read_bytes()[:-100])   # the last images cut short
    return folder, names["train"][0]


@pytest.mark.parametrize("craft", [label_ten, nan_pixels, truncated_idx])
def test_a_lesson_refuses_bad_data_content_at_its_arguments(tmp_path, craft):
    path, named = craft(tmp_path)
    env = dict(os.environ, MPLBACKEND="Agg", NUMPY_GAN_CACHE=str(tmp_path / "cache"))
    completed = subprocess.run(
        [sys.executable, str(LESSONS / "17_digits_mlp_gan.py"), "--fast", "--data", str(path),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, env=env, cwd=LESSONS.parent)
    assert completed.returncode == 2, completed.stderr[-2000:]
    assert "Traceback" not in completed.stderr, completed.stderr[-2000:]
    assert "usage:" in completed.stderr and "--data" in completed.stderr
    assert str(path) in completed.stderr and named in completed.stderr, completed.stderr
    assert completed.stdout == ""                  # not even the lesson's opening text
    assert not (tmp_path / "out").exists()
