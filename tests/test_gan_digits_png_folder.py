"""--data FOLDER of PNG images: grey 32 x 32 floats in [0, 1] with the labels of their subfolders,
the area resize checked against block means, and a corrupt PNG refusing the whole folder."""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt   # noqa: E402
import numpy as np                # noqa: E402
import pytest                     # noqa: E402

from gan.digits.data import data_source, load_digits_data   # noqa: E402
from gan.digits.datasets.images import area_resize, read_png   # noqa: E402

SIZES = [(20, 20), (28, 28), (40, 24), (64, 64), (17, 50)]    # (height, width)


def digit_image(label, height, width):
    """A bright bar whose column position codes the label, on black."""
    image = np.zeros((height, width))
    left = int(label * width / 10)
    image[:, left:left + max(1, width // 10)] = 1.0
    return image


def write_folder(root, per_class=5, colour=False):
    for label in range(10):
        (root / str(label)).mkdir(parents=True)
        for index in range(per_class):
            height, width = SIZES[(label + index) % len(SIZES)]
            image = digit_image(label, height, width)
            plt.imsave(root / str(label) / f"{index:03d}.png",
                       np.dstack([image] * 3) if colour else image, cmap="gray", vmin=0, vmax=1)
    return root


def test_area_resize_is_the_block_mean_when_the_sizes_divide():
    rng = np.random.default_rng(0)
    image = rng.random((64, 96))
    blocks = image.reshape(32, 2, 32, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(area_resize(image, 32), blocks, rtol=1e-12)
    assert area_resize(image, 32).mean() == pytest.approx(image.mean())    # mass kept


def test_area_resize_keeps_the_mean_for_any_sizes():
    image = np.random.default_rng(1).random((17, 50))
    assert area_resize(image, 32).mean() == pytest.approx(image.mean(), rel=1e-12)


def test_a_png_folder_loads_to_32_by_32_floats_in_0_1_with_its_labels(tmp_path):
    write_folder(tmp_path / "digits", per_class=5, colour=True)
    data = load_digits_data(tmp_path / "digits")
    for images, labels in ((data.train_images, data.train_labels),
                           (data.test_images, data.test_labels)):
        assert images.shape[1:] == (1, 32, 32) and images.dtype == np.float32
        assert images.min() >= 0 and images.max() <= 1
        assert sorted(set(labels.tolist())) == list(range(10))
        # the bar's column codes the label: its mean column across the image is at (label + .5)/10
        columns = images[:, 0].mean(axis=1)
        centre = (columns * np.arange(32)).sum(axis=1) / columns.sum(axis=1)
        np.testing.assert_allclose(centre, (labels + 0.05) * 3.2 - 0.5, atol=1.6)
    assert len(data.train_labels) == 40 and len(data.test_labels) == 10      # every fifth


def test_train_and_test_subfolders_are_kept_as_the_split(tmp_path):
    write_folder(tmp_path / "d" / "train", per_class=3)
    write_folder(tmp_path / "d" / "test", per_class=2)
    data = load_digits_data(tmp_path / "d")
    assert len(data.train_labels) == 30 and len(data.test_labels) == 20


def test_one_png_reads_grey_and_resized(tmp_path):
    image = np.random.default_rng(2).random((50, 70))
    plt.imsave(tmp_path / "x.png", image, cmap="gray", vmin=0, vmax=1)
    np.testing.assert_allclose(read_png(tmp_path / "x.png"), area_resize(image, 32), atol=0.01)


def test_a_corrupt_png_refuses_the_folder_naming_the_file(tmp_path):
    root = write_folder(tmp_path / "digits")
    bad = root / "3" / "002.png"
    bad.write_bytes(bad.read_bytes()[:60])                   # truncated after its header
    with pytest.raises(argparse.ArgumentTypeError, match=str(bad)):
        data_source(str(root))
    bad.write_bytes(b"not a png at all")
    with pytest.raises(ValueError, match=f"{bad}: not a PNG"):
        load_digits_data(root)


def test_other_files_are_skipped_with_a_warning_line(tmp_path, capsys):
    root = write_folder(tmp_path / "digits")
    (root / "3" / "notes.txt").write_text("hello")
    data = load_digits_data(root)
    assert len(data.train_labels) + len(data.test_labels) == 50
    assert "notes.txt" in capsys.readouterr().err


def test_a_folder_missing_a_class_is_refused_as_the_other_data_paths_are(tmp_path):
    root = write_folder(tmp_path / "digits")
    for file in (root / "7").iterdir():
        file.unlink()
    (root / "7").rmdir()
    with pytest.raises(ValueError, match=r"classes \[7\] are missing"):
        load_digits_data(root)


def test_a_folder_without_ink_is_refused(tmp_path):
    root = tmp_path / "digits"
    for label in range(10):
        (root / str(label)).mkdir(parents=True)
        for index in range(5):
            plt.imsave(root / str(label) / f"{index}.png", np.zeros((8, 8)), cmap="gray",
                       vmin=0, vmax=1)
    with pytest.raises(ValueError, match="no ink"):
        load_digits_data(root)


def test_colour_becomes_the_luminance_and_alpha_composites_over_black(tmp_path):
    for channel, weight in enumerate((0.299, 0.587, 0.114)):
        rgba = np.zeros((8, 8, 4))
        rgba[..., channel], rgba[..., 3] = 1.0, 1.0
        plt.imsave(tmp_path / "c.png", rgba)
        np.testing.assert_allclose(read_png(tmp_path / "c.png"), weight, atol=1 / 255)
    rgba = np.ones((8, 8, 4))
    rgba[..., 3] = 0.5
    plt.imsave(tmp_path / "a.png", rgba)
    np.testing.assert_allclose(read_png(tmp_path / "a.png"), 0.5, atol=1 / 255)
