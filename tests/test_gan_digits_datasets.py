"""Tests of gan.digits.datasets: the procedural digits, its cache, the IDX format and the loaders."""

import gzip
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rng
from gan.digits.datasets import procedural_digits
from gan.digits.datasets import (SUPPORTED_FONTS, load_digits, load_images, load_mnist,
                          make_digits, read_idx, write_idx)


@pytest.fixture(scope="module")
def sample():
    """2000 binarised digits (200 a class), shared by the statistical tests below."""
    return make_digits(2000, seed=11)


# ---------------------------------------------------------------- make_digits: contract


def test_same_seed_gives_bitwise_identical_digits():
    first, second = make_digits(40, seed=3), make_digits(40, seed=3)
    assert first[0].tobytes() == second[0].tobytes()
    assert first[1].tobytes() == second[1].tobytes()


def test_different_seeds_give_different_digits():
    assert not np.array_equal(make_digits(40, seed=3)[0], make_digits(40, seed=4)[0])


def test_project_generator_drives_the_digits_reproducibly():
    first = make_digits(30, rng=rng.Generator(7), binarize=False)
    second = make_digits(30, rng=rng.Generator(7), binarize=False)
    assert first[0].tobytes() == second[0].tobytes()
    assert np.array_equal(first[1], second[1])


@pytest.mark.parametrize("size", [16, 24, 32])
def test_binarised_digits_have_promised_shape_type_and_values(size):
    images, labels = make_digits(25, seed=0, size=size)
    assert images.shape == (25, 1, size, size) and images.dtype == np.float32
    assert labels.shape == (25,) and labels.dtype == np.int64
    assert set(np.unique(images)) <= {0.0, 1.0}
    assert set(np.unique(labels)) <= set(range(10))
    assert np.all(images.sum(axis=(1, 2, 3)) > 0), "every digit has some ink"


def test_grey_digits_lie_in_unit_interval_with_grey_edges():
    images, _ = make_digits(25, seed=0, binarize=False)
    assert images.dtype == np.float32
    assert np.all((images >= 0) & (images <= 1))
    # anti-aliased edges: a grey image is not secretly binary
    assert np.any((images > 0.05) & (images < 0.95))


@given(n=st.integers(1, 45))
def test_classes_are_balanced_with_the_remainder_on_the_lowest_classes(n):
    _, labels = make_digits(n, seed=n, size=16)
    expected = [n // 10 + (c < n % 10) for c in range(10)]
    assert np.bincount(labels, minlength=10).tolist() == expected


@pytest.mark.parametrize("size", [16, 32])
@pytest.mark.parametrize("max_rotation_degrees, max_shear", [(0.0, 0.0), (45.0, 1.0)])
def test_ink_never_reaches_the_outermost_pixels_even_under_strong_distortion(
        size, max_rotation_degrees, max_shear):
    # the largest scale makes every digit too big, so it is shrunk to the frame and its
    # straight edges (upright, unsheared) touch the allowed box: the tightest case
    images, _ = make_digits(300, seed=5, size=size, binarize=False,
                            max_rotation_degrees=max_rotation_degrees, max_shear=max_shear,
                            scale_range=(1.5, 1.5), elastic_alpha=20 * size,
                            elastic_sigma=size / 8)
    frame = images[:, 0]
    border = np.concatenate([frame[:, 0], frame[:, -1], frame[:, :, 0], frame[:, :, -1]], 1)
    assert np.all(border == 0)


# --------------------------------------------------- make_digits: structural outside truths


def test_every_class_mean_image_differs_from_every_other(sample):
    images, labels = sample
    counts = np.bincount(labels)
    means = np.stack([images[labels == c, 0].mean(axis=0) for c in range(10)])
    variances = np.stack([images[labels == c, 0].var(axis=0) for c in range(10)])
    for a in range(10):
        for b in range(a + 1, 10):
            distance_squared = ((means[a] - means[b]) ** 2).sum()
            # If classes a and b had the same p(x), E|mean_a - mean_b|^2 would be
            # sum over pixels of var_a/n_a + var_b/n_b.  Neighbouring pixels are
            # correlated, so the ratio below has few effective degrees of freedom
            # (halves of one class give 1 to 1.5 at this size); 3 leaves room for that
            # while distinct digits give 8 or more at 200 images a class.
            null_expectation = (variances[a] / counts[a] + variances[b] / counts[b]).sum()
            assert distance_squared > 3 * null_expectation, (a, b)


def test_a_one_carries_less_ink_than_an_eight(sample):
    images, labels = sample
    ink = images.sum(axis=(1, 2, 3))
    ones, eights = ink[labels == 1], ink[labels == 8]
    # a difference of means beyond 5 standard errors (200 images a class)
    standard_error = np.sqrt(ones.var() / ones.size + eights.var() / eights.size)
    assert eights.mean() - ones.mean() > 5 * standard_error


def test_a_zero_has_a_hole_at_its_centre_of_mass_and_a_one_has_ink_there(sample):
    images, labels = sample

    def ink_at_centre_of_mass(c):
        frames = images[labels == c, 0]
        mass = frames.sum(axis=(1, 2))
        positions = np.arange(frames.shape[1])
        rows = np.rint((frames.sum(axis=2) * positions).sum(axis=1) / mass).astype(int)
        columns = np.rint((frames.sum(axis=1) * positions).sum(axis=1) / mass).astype(int)
        return frames[np.arange(len(frames)), rows, columns]

    # a ring's centre of mass lies in its hole, a bar's on the bar: the fractions are
    # asserted with wide margins (observed: about 1% and 98%)
    assert ink_at_centre_of_mass(0).mean() < 0.1
    assert ink_at_centre_of_mass(1).mean() > 0.9


def test_mean_zero_is_darker_on_its_ring_than_in_its_middle(sample):
    images, labels = sample
    mean_zero = images[labels == 0, 0].mean(axis=0)
    middle = mean_zero[14:18, 14:18].mean()
    assert middle < 0.5 * mean_zero.max()


# --------------------------------------------------------------- make_digits: validation


@pytest.mark.parametrize("arguments, error, fragment", [
    (dict(n=0, seed=0), ValueError, "n must"),
    (dict(n=2.5, seed=0), TypeError, "n must"),
    (dict(n=10), TypeError, "seed and rng"),
    (dict(n=10, seed=1, rng=np.random.default_rng(1)), TypeError, "seed and rng"),
    (dict(n=10, seed=-1), ValueError, "seed must"),
    (dict(n=10, rng=object()), TypeError, "rng must"),
    (dict(n=10, seed=0, size=8), ValueError, "size must"),
    (dict(n=10, seed=0, binarize=1), TypeError, "binarize must"),
    (dict(n=10, seed=0, fonts=("Arial.ttf",)), ValueError, "fonts must"),
    (dict(n=10, seed=0, fonts=()), ValueError, "fonts must"),
    (dict(n=10, seed=0, stroke_widths=(0.1,)), ValueError, "stroke_widths must"),
    (dict(n=10, seed=0, max_rotation_degrees=90), ValueError, "max_rotation_degrees must"),
    (dict(n=10, seed=0, scale_range=(1.2, 0.9)), ValueError, "scale_range must"),
    (dict(n=10, seed=0, max_shear=float("nan")), ValueError, "max_shear must"),
    (dict(n=10, seed=0, elastic_alpha=-1), ValueError, "elastic_alpha must"),
    (dict(n=10, seed=0, elastic_sigma=0), ValueError, "elastic_sigma must"),
])
def test_bad_arguments_are_named_in_the_error(arguments, error, fragment):
    with pytest.raises(error, match=fragment):
        make_digits(**arguments)


def test_every_supported_font_has_ten_distinct_digits():
    for font in SUPPORTED_FONTS:
        images, labels = make_digits(10, seed=0, fonts=(font,), size=16, elastic_alpha=0.0)
        flat = images.reshape(10, -1)
        assert len({row.tobytes() for row in flat}) == 10, font


# -------------------------------------------------------------------- load_digits (cache)


def test_cache_hit_returns_identical_arrays_without_rebuilding(tmp_path, monkeypatch):
    first = load_digits(30, 20, seed=2, cache_dir=tmp_path)

    def refuse(*arguments, **options):
        raise AssertionError("make_digits called although the cache holds the sets")

    monkeypatch.setattr(procedural_digits, "make_digits", refuse)
    second = load_digits(30, 20, seed=2, cache_dir=tmp_path)
    for built, cached in zip(first, second):
        assert built[0].tobytes() == cached[0].tobytes()
        assert built[1].tobytes() == cached[1].tobytes()


def test_corrupt_cache_file_is_rebuilt(tmp_path):
    built = load_digits(30, 20, seed=2, cache_dir=tmp_path)
    (path,) = tmp_path.glob("*.npz")
    path.write_bytes(path.read_bytes()[:200])
    rebuilt = load_digits(30, 20, seed=2, cache_dir=tmp_path)
    assert rebuilt[0][0].tobytes() == built[0][0].tobytes()
    with np.load(path, allow_pickle=False) as archive:  # and the file was rewritten whole
        assert archive["train_images"].shape == (30, 1, 32, 32)


def test_cache_file_with_tampered_contents_is_not_trusted(tmp_path):
    built = load_digits(30, 20, seed=2, cache_dir=tmp_path)
    (path,) = tmp_path.glob("*.npz")
    with np.load(path, allow_pickle=False) as archive:
        arrays = dict(archive)
    arrays["train_labels"] = np.zeros(30, dtype=np.int64)  # unbalanced classes
    np.savez(path, **arrays)
    rebuilt = load_digits(30, 20, seed=2, cache_dir=tmp_path)
    assert np.array_equal(rebuilt[0][1], built[0][1])


def test_train_and_test_sets_come_from_different_streams(tmp_path):
    (train_images, _), (test_images, _) = load_digits(20, 20, seed=2, cache_dir=tmp_path)
    assert not np.array_equal(train_images, test_images)


def test_cache_folder_defaults_to_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMPY_GAN_CACHE", str(tmp_path / "cache"))
    load_digits(10, 10, seed=1, size=16)
    (path,) = (tmp_path / "cache").glob("*.npz")
    for part in ("v1", "train10", "test10", "seed1", "size16", "binary"):
        assert part in path.name


def test_different_options_use_different_cache_files(tmp_path):
    load_digits(10, 10, seed=1, size=16, cache_dir=tmp_path)
    load_digits(10, 10, seed=1, size=16, cache_dir=tmp_path, max_shear=0.0)
    assert len(list(tmp_path.glob("*.npz"))) == 2


# ------------------------------------------------------------------------------ IDX format

IDX_TYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@given(array=st.sampled_from(IDX_TYPES).flatmap(lambda dtype: hnp.arrays(
           dtype, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5))),
       compressed=st.booleans(), big_endian_input=st.booleans())
def test_idx_round_trip_preserves_every_bit(tmp_path_factory, array, compressed,
                                            big_endian_input):
    path = tmp_path_factory.mktemp("idx") / ("array.idx.gz" if compressed else "array.idx")
    if big_endian_input:
        array = array.astype(array.dtype.newbyteorder(">"))
    write_idx(path, array)
    back = read_idx(path)
    assert back.shape == array.shape
    assert back.dtype == array.dtype.newbyteorder("=")
    assert back.tobytes() == array.astype(back.dtype).tobytes()  # NaN and -0.0 included


def test_idx_header_and_data_follow_the_published_layout(tmp_path):
    # From the MNIST page's "file formats": 0x00 0x00, type code, number of dimensions,
    # then each size as a big-endian 32-bit integer, then big-endian data.
    write_idx(tmp_path / "u8", np.array([[1, 2, 3], [4, 5, 255]], dtype=np.uint8))
    assert (tmp_path / "u8").read_bytes() == (
        b"\x00\x00\x08\x02" b"\x00\x00\x00\x02" b"\x00\x00\x00\x03"
        b"\x01\x02\x03\x04\x05\xff")
    write_idx(tmp_path / "i16", np.array([0x0102, -2], dtype=np.int16))
    assert (tmp_path / "i16").read_bytes() == (
        b"\x00\x00\x0b\x01" b"\x00\x00\x00\x02" b"\x01\x02\xff\xfe")
    write_idx(tmp_path / "i32", np.array([[[70000]]], dtype=np.int32))
    assert (tmp_path / "i32").read_bytes() == (
        b"\x00\x00\x0c\x03" + b"\x00\x00\x00\x01" * 3 + b"\x00\x01\x11\x70")
    write_idx(tmp_path / "f32", np.array([1.0, -2.0], dtype=np.float32))
    # IEEE 754 single precision: 1.0 = 0x3F800000, -2.0 = 0xC0000000
    assert (tmp_path / "f32").read_bytes() == (
        b"\x00\x00\x0d\x01" b"\x00\x00\x00\x02" b"\x3f\x80\x00\x00\xc0\x00\x00\x00")
    write_idx(tmp_path / "f64", np.array([0.5], dtype=np.float64))
    assert (tmp_path / "f64").read_bytes() == (
        b"\x00\x00\x0e\x01" b"\x00\x00\x00\x01" + struct.pack(">d", 0.5))
    write_idx(tmp_path / "i8", np.array([-1], dtype=np.int8))
    assert (tmp_path / "i8").read_bytes() == b"\x00\x00\x09\x01\x00\x00\x00\x01\xff"


def test_idx_gz_file_is_plain_gzip_of_the_idx_bytes(tmp_path):
    array = np.arange(12, dtype=np.int32).reshape(3, 4)
    write_idx(tmp_path / "plain", array)
    write_idx(tmp_path / "packed.gz", array)
    assert gzip.decompress((tmp_path / "packed.gz").read_bytes()) == (
        tmp_path / "plain").read_bytes()


def test_idx_reader_accepts_a_hand_written_file(tmp_path):
    (tmp_path / "hand").write_bytes(b"\x00\x00\x0b\x02\x00\x00\x00\x01\x00\x00\x00\x02"
                                    b"\x7f\xff\x80\x00")
    assert read_idx(tmp_path / "hand").tolist() == [[32767, -32768]]


@pytest.mark.parametrize("content, fragment", [
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "magic"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "type code"),
    (b"\x00\x00", "truncated"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x01", "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x03\x05\x06", "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x05\x06", "trailing"),
    (gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x03\x05", mtime=0)[:-6], "gzip"),
])
def test_malformed_idx_files_are_rejected_with_a_reason(tmp_path, content, fragment):
    (tmp_path / "bad").write_bytes(content)
    with pytest.raises(ValueError, match=fragment):
        read_idx(tmp_path / "bad")


@pytest.mark.parametrize("array, error, fragment", [
    (np.zeros(3, dtype=np.int64), TypeError, "dtype"),
    (np.zeros(3, dtype=bool), TypeError, "dtype"),
    (np.float64(1.0), TypeError, "ndarray"),
    (np.zeros((), dtype=np.uint8), ValueError, "dimensions"),
])
def test_idx_writer_refuses_what_the_format_cannot_hold(tmp_path, array, error, fragment):
    with pytest.raises(error, match=fragment):
        write_idx(tmp_path / "out", array)


# ---------------------------------------------------------------------------- load_images


def test_idx_images_become_unit_interval_floats_with_labels(tmp_path):
    pixels = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    write_idx(tmp_path / "images.gz", pixels)
    write_idx(tmp_path / "labels", np.array([7], dtype=np.uint8))
    images, labels = load_images(tmp_path / "images.gz", tmp_path / "labels")
    assert images.dtype == np.float32 and images.shape == (1, 1, 2, 2)
    assert images[0, 0].tolist() == [[0.0, 1.0], [np.float32(0.2), np.float32(0.4)]]
    assert labels.dtype == np.int64 and labels.tolist() == [7]


def test_pad_to_32_centres_mnist_digits_with_two_zero_pixels_each_side(tmp_path):
    pixels = np.random.default_rng(0).integers(1, 256, size=(3, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "images", pixels)
    images, labels = load_images(tmp_path / "images", pad_to=32)
    assert labels is None and images.shape == (3, 1, 32, 32)
    assert np.array_equal(images[:, 0, 2:30, 2:30] * 255, pixels.astype(np.float32))
    inside = np.zeros((32, 32), dtype=bool)
    inside[2:30, 2:30] = True
    assert np.all(images[:, :, ~inside] == 0)


@pytest.mark.parametrize("shape", [(4, 5, 6), (4, 1, 5, 6)])
def test_npz_image_sets_load_under_the_documented_keys(tmp_path, shape):
    pixels = np.random.default_rng(1).random(shape)
    labels = np.arange(4, dtype=np.int32)
    np.savez(tmp_path / "set.npz", images=pixels, labels=labels)
    images, loaded_labels = load_images(tmp_path / "set.npz")
    assert images.shape == (4, 1, 5, 6) and images.dtype == np.float32
    assert np.array_equal(images.reshape(4, 5, 6), pixels.reshape(4, 5, 6).astype(np.float32))
    assert loaded_labels.dtype == np.int64 and loaded_labels.tolist() == [0, 1, 2, 3]


def test_digits_cache_round_trips_through_the_npz_loader(tmp_path):
    images, labels = make_digits(20, seed=1)
    np.savez(tmp_path / "digits.npz", images=images, labels=labels)
    loaded = load_images(tmp_path / "digits.npz")
    assert loaded[0].tobytes() == images.tobytes() and np.array_equal(loaded[1], labels)


@pytest.mark.parametrize("arrays, fragment", [
    (dict(pixels=np.zeros((2, 3, 3))), "'images'"),
    (dict(images=np.full((2, 3, 3), 1.5)), r"\[0, 1\]"),
    (dict(images=np.full((2, 3, 3), np.nan)), r"\[0, 1\]"),
    (dict(images=np.zeros((2, 3, 3), dtype=np.int32)), "uint8"),
    (dict(images=np.zeros((2, 3))), "shape"),
    (dict(images=np.zeros((2, 3, 3)), labels=np.zeros(3, dtype=int)), "labels"),
    (dict(images=np.zeros((2, 3, 3)), labels=np.zeros(2)), "labels"),
    (dict(images=np.zeros((2, 3, 3)), labels=np.array([0, -1])), "non-negative"),
])
def test_malformed_image_sets_are_rejected_with_a_reason(tmp_path, arrays, fragment):
    np.savez(tmp_path / "set.npz", **arrays)
    with pytest.raises((ValueError, TypeError), match=fragment):
        load_images(tmp_path / "set.npz")


def test_load_images_checks_its_arguments(tmp_path):
    np.savez(tmp_path / "set.npz", images=np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="labels_path"):
        load_images(tmp_path / "set.npz", tmp_path / "labels")
    with pytest.raises(ValueError, match="pad_to"):
        load_images(tmp_path / "set.npz", pad_to=3)
    with pytest.raises(TypeError, match="pad_to"):
        load_images(tmp_path / "set.npz", pad_to=32.0)
    with pytest.raises(TypeError, match="path"):
        load_images(3)


def test_load_mnist_finds_the_published_file_names_compressed_or_not(tmp_path):
    pixels = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28) % 256
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", pixels.astype(np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([4, 2], dtype=np.uint8))
    images, labels = load_mnist(tmp_path, "test", pad_to=32)
    assert images.shape == (2, 1, 32, 32) and labels.tolist() == [4, 2]
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path, "train")
    with pytest.raises(ValueError, match="split"):
        load_mnist(tmp_path, "validation")
