"""Every reader, fed files a fuzzer would make: headers claiming more than the file holds,
sparse files claiming huge sizes, wrong shapes, dtypes and names, truncations, huge or nested
JSON. Each is refused with an error naming the file, before it allocates what the header
claims (the huge claims run in a process whose address space is limited to 1 GiB, as
tests/crafted_files.py's run_under_limit does); valid files of each kind still load."""

import json
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crafted_files import _mlp, _npy_header, checkpoint_of, run_under_limit
from gan.digits.datasets.idx import DataFileError, read_idx, write_idx
from gan.digits.datasets.images import image_set, load_images
from nn.checkpoint import CheckpointError
from nn.files import read_json, read_npz

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SIDES = st.integers(1, 2**31 - 1)


def sparse_idx(path, shape, code=0x08, itemsize=1):
    """An uncompressed IDX file whose size matches its header but whose data is one hole."""
    with open(path, "wb") as file:
        file.write(bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}i", *shape))
        file.truncate(4 + 4 * len(shape) + int(np.prod(shape, dtype=object)) * itemsize)
    return path


# ---- IDX ---------------------------------------------------------------------------------------
@FUZZ
@given(shape=st.lists(SIDES, min_size=1, max_size=4), extra=st.integers(-3, 3))
def test_an_idx_header_claiming_more_than_its_bytes_is_refused(tmp_path, shape, extra):
    path = tmp_path / "claim-idx-ubyte"
    path.write_bytes(bytes([0, 0, 0x08, len(shape)]) + struct.pack(f">{len(shape)}i", *shape)
                     + bytes(max(0, 16 + extra)))
    if int(np.prod(shape, dtype=object)) == 16 + extra:
        return                                           # the rare honest file: not a claim
    with pytest.raises(DataFileError, match=str(path).replace("/", ".")):
        read_idx(path)


@FUZZ
@given(data=st.binary(max_size=64))
def test_an_idx_file_of_random_bytes_loads_or_is_refused_naming_it(tmp_path, data):
    path = tmp_path / "random-idx-ubyte"
    path.write_bytes(data)
    try:
        read_idx(path)
    except DataFileError as error:
        assert str(path) in str(error)


@pytest.mark.parametrize("shape, gigabytes", [((1_000_000, 1000, 932), 932),
                                              ((748_000, 28, 28), 0.586)])
def test_a_sparse_idx_file_honest_about_a_huge_size_is_refused_unread(tmp_path, shape,
                                                                       gigabytes):
    path = sparse_idx(tmp_path / "sparse-idx3-ubyte", shape)
    assert path.stat().st_size > gigabytes * 1e9 * 0.99
    for loader in ("from gan.digits.datasets.idx import read_idx; read_idx({path!r})",
                   "from gan.digits.datasets.images import load_images; load_images({path!r})"):
        outcome = run_under_limit(loader, path)
        assert outcome["error"] == "DataFileError", outcome
        assert str(path) in outcome["message"] and "really holds" in outcome["message"]
        assert outcome["peak_mb"] < 200


def test_a_valid_idx_file_still_loads(tmp_path):
    images = np.arange(3 * 5 * 4, dtype=np.uint8).reshape(3, 5, 4)
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        write_idx(tmp_path / name, images)
        np.testing.assert_array_equal(read_idx(tmp_path / name), images)


# ---- .npz members and checkpoints --------------------------------------------------------------
@FUZZ
@given(shape=st.lists(st.integers(1, 10**6), min_size=1, max_size=3),
       dtype=st.sampled_from(["<f8", ">f4", "|u1", "<i8"]), compress=st.booleans())
def test_an_npz_member_claiming_more_than_its_bytes_is_refused(tmp_path, shape, dtype, compress):
    needed = int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize
    if needed <= 64:
        return
    path = tmp_path / "claim.npz"
    kind = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", kind) as archive:
        archive.writestr("x.npy", _npy_header(shape, dtype) + bytes(64))
    with pytest.raises(ValueError) as error:
        read_npz(path)
    assert str(path) in str(error.value)


def test_a_1_kb_npz_claiming_a_terabyte_costs_no_memory(tmp_path):
    path = tmp_path / "codes.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mean.npy", _npy_header((10**6, 10**6)) + bytes(800))
    outcome = run_under_limit("from nn.files import read_npz; read_npz({path!r})", path)
    assert outcome["error"] == "ArchiveError" and str(path) in outcome["message"], outcome


NAMES = st.sampled_from(["0.W", "0.b", "2.W", "2.b", "1.W", "0.gamma", "x"])


@FUZZ
@given(names=st.lists(NAMES, unique=True, max_size=5),
       dtype=st.sampled_from(["<f8", ">f8", "<f4", "<i8", "<c16", "<f2"]),
       shape=st.lists(st.integers(0, 5), max_size=3))
def test_a_checkpoint_whose_arrays_differ_from_its_architecture_is_refused(
        tmp_path, names, dtype, shape):
    from nn import MLP
    from nn.fast import MLP as FastMLP

    state = {name: np.zeros(shape, dtype) for name in names}
    path = checkpoint_of(tmp_path, "fuzz.npz", _mlp([1, 4, 1]), state)
    for network_class in (MLP, FastMLP):
        with pytest.raises(CheckpointError) as error:
            network_class.load(path)
        assert str(path) in str(error.value)


@pytest.mark.parametrize("sizes", [[1, 5000, 6000, 1], [10**9, 1]])
def test_a_small_checkpoint_of_a_huge_architecture_is_refused_before_building(tmp_path, sizes):
    # ~60 KB: 31 M float16 zeros under a wrong name, compressed. They hold more numbers than the
    # architecture's 30 M parameters, so counting floats is not enough: names and shapes are.
    path = tmp_path / "huge.npz"
    np.savez_compressed(path, __architecture__=np.array(json.dumps({**_mlp(sizes), "format": 1})),
                        junk=np.zeros(31_000_000, np.float16))
    assert path.stat().st_size < 100_000
    for engine in ("nn", "nn.fast"):
        outcome = run_under_limit(f"from {engine} import MLP; MLP.load({{path!r}})", path)
        assert outcome["error"] == "CheckpointError", outcome
        assert str(path) in outcome["message"] and outcome["peak_mb"] < 200, outcome


def test_a_shape_error_names_the_checkpoint(tmp_path):
    from nn import MLP

    state = {"0.W": np.zeros((1, 3)), "0.b": np.zeros(4), "2.W": np.zeros((4, 1)),
             "2.b": np.zeros(1)}
    path = checkpoint_of(tmp_path, "shape.npz", _mlp([1, 4, 1]), state)
    with pytest.raises(CheckpointError, match="0.W.*needs \\(1, 4\\)") as error:
        MLP.load(path)
    assert str(path) in str(error.value)
    target = MLP([1, 4, 1], rng=np.random.default_rng(0))
    with pytest.raises(CheckpointError) as error:
        target.load(path)
    assert str(path) in str(error.value)


def test_valid_checkpoints_of_both_engines_still_load(tmp_path):
    from nn import MLP
    from nn.fast import MLP as FastMLP

    for network_class in (MLP, FastMLP):
        net = network_class([3, 5, 2], rng=np.random.default_rng(0), dtype=np.float32)
        path = net.save(tmp_path / network_class.__module__)
        for reader in (MLP, FastMLP):
            np.testing.assert_array_equal(reader.load(path).flat_params, net.flat_params)


# ---- JSON and the digits' sampler --------------------------------------------------------------
@FUZZ
@given(text=st.one_of(st.text(max_size=50), st.integers(1, 100_000).map(lambda n: "[" * n)))
def test_json_is_read_or_refused_naming_the_file(tmp_path, text):
    path = tmp_path / "model.json"
    path.write_text(text)
    try:
        read_json(path)
    except ValueError as error:
        assert str(path) in str(error)


def test_a_huge_json_file_is_refused_unread(tmp_path):
    path = tmp_path / "model.json"
    with open(path, "wb") as file:
        file.truncate(300 * 2**20)                        # 300 MB, sparse
    outcome = run_under_limit("from nn.files import read_json; read_json({path!r})", path)
    assert outcome["error"] == "ArchiveError" and str(path) in outcome["message"], outcome
    assert outcome["peak_mb"] < 100


def _sampler_folder(folder, meta, codes=None):
    from nn.fast import MLP

    folder.mkdir(exist_ok=True)
    MLP([3, 8, 1024], rng=np.random.default_rng(0)).save(folder / "decoder.npz")
    (folder / "model.json").write_text(json.dumps(meta))
    np.savez(folder / "codes.npz", **(codes or {"mean": np.zeros(3),
                                                "covariance": np.eye(3)}))
    return folder


BASE = {"format": "numpy-gan digits model, version 1", "name": "AE", "conditional": False,
        "kind": "Autoencoder", "latent_size": 3}


@pytest.mark.parametrize("change, codes", [
    ({"latent_size": 10**9}, None), ({"latent_size": "3"}, None), ({"kind": None}, None),
    ({"latent_size": None}, None), ({}, {"mean": np.zeros(3), "covariance": np.eye(4)}),
    ({"kind": "gan", "noise_dim": 10**9, "prior": "normal", "label_scale": 1.0}, None)])
def test_the_digits_sampler_refuses_settings_that_do_not_fit_naming_the_file(
        tmp_path, change, codes):
    from gan.digits.checkpoint import load_sampler

    meta = {key: value for key, value in {**BASE, **change}.items() if value is not None}
    folder = _sampler_folder(tmp_path / "model", meta, codes)
    with pytest.raises(ValueError) as error:
        load_sampler(folder)
    assert str(folder) in str(error.value)


def test_the_digits_sampler_refuses_a_1_kb_codes_file_claiming_a_terabyte(tmp_path):
    folder = _sampler_folder(tmp_path / "model", BASE)
    with zipfile.ZipFile(folder / "codes.npz", "w") as archive:
        archive.writestr("mean.npy", _npy_header((10**6, 10**6)) + bytes(800))
        archive.writestr("covariance.npy", _npy_header((10**6, 10**6)) + bytes(800))
    outcome = run_under_limit("from gan.digits.checkpoint import load_sampler; "
                              "load_sampler({path!r})", folder)
    assert outcome["error"] == "CheckpointError", outcome
    assert "codes.npz" in outcome["message"] and outcome["peak_mb"] < 200


def test_a_valid_digits_sampler_still_loads(tmp_path):
    from gan.digits.checkpoint import load_sampler

    sampler = load_sampler(_sampler_folder(tmp_path / "model", BASE))
    pixels = sampler(4, None, np.random.default_rng(0))
    assert pixels.shape == (4, 1, 32, 32) and np.all((pixels >= 0) & (pixels <= 1))


# ---- caches ------------------------------------------------------------------------------------
def test_an_unreadable_classifier_cache_is_rebuilt_with_one_line(tmp_path, capsys):
    from gan.digits.classifier import load_classifier

    images = np.random.default_rng(0).random((20, 1, 4, 4))
    labels = np.arange(20) % 10
    first = load_classifier(images, labels, cache_dir=tmp_path, epochs=1, hidden_sizes=(4,))
    (cached,) = tmp_path.glob("*.npz")
    with zipfile.ZipFile(cached, "w") as archive:           # small, claiming a terabyte
        archive.writestr("0.W.npy", _npy_header((10**6, 10**6)) + bytes(800))
    again = load_classifier(images, labels, cache_dir=tmp_path, epochs=1, hidden_sizes=(4,))
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "training it again" in said[0] and str(cached) in said[0]
    np.testing.assert_array_equal(again.flat_params, first.flat_params)


def test_an_unreadable_digits_cache_is_rebuilt_with_one_line(tmp_path, capsys):
    from gan.digits.datasets import load_digits

    first = load_digits(n_train=20, n_test=10, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("digits-*.npz")
    with zipfile.ZipFile(cached, "w") as archive:
        archive.writestr("train_images.npy", _npy_header((10**6, 10**6)) + bytes(800))
    again = load_digits(n_train=20, n_test=10, cache_dir=tmp_path)
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "building it again" in said[0] and str(cached) in said[0]
    np.testing.assert_array_equal(again[0][0], first[0][0])


# ---- data the scores cannot use ----------------------------------------------------------------
def _archive(tmp_path, train, test=None):
    path = tmp_path / "digits.npz"
    np.savez(path, train_images=train[0], train_labels=train[1],
             test_images=(test or train)[0], test_labels=(test or train)[1])
    return path


def _good(n=20):
    images = np.zeros((n, 28, 28), np.uint8)
    images[:, 10:18, 12:16] = 255
    return images, (np.arange(n) % 10).astype(np.uint8)


@pytest.mark.parametrize("train, fragment", [
    ((_good()[0][:2], _good()[1][:2]), "at least 10 images"),
    ((np.zeros((20, 28, 28), np.uint8), _good()[1]), "no ink"),
    ((_good()[0], np.zeros(20, np.uint8)), "every class"),
    ((np.zeros((20, 0, 0), np.uint8), _good()[1]), "at least 1 x 1"),
    ((np.full((20, 28, 28), np.nan, ">f8"), _good()[1]), "finite"),
    ((_good()[0], np.full(20, 2**64 - 1, np.uint64)), "uint64"),
    ((_good()[0].astype(np.int16), _good()[1]), "int16"),
])
def test_data_the_scores_cannot_use_is_refused_at_load_naming_the_file(tmp_path, train,
                                                                       fragment):
    from gan.digits.data import load_digits_data

    path = _archive(tmp_path, train, _good())
    with pytest.raises(ValueError) as error:
        load_digits_data(path)
    assert str(path) in str(error.value) and fragment in str(error.value), error.value


def test_big_endian_float_pixels_are_converted_and_valid_data_loads(tmp_path):
    from gan.digits.data import load_digits_data

    images, labels = _good()
    data = load_digits_data(_archive(tmp_path, ((images / 255).astype(">f4"), labels)))
    assert data.train_images.dtype == np.float32 and data.train_images.max() == 1
    np.testing.assert_array_equal(image_set((images / 255).astype(">f8"))[0],
                                  image_set(images)[0])
