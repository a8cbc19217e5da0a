"""Crafted files: bombs, truncations, huge declared sizes and NaN weights are refused
with an error naming the file, in a fresh process whose address space is limited to 1 GiB, and
whose peak resident memory (imports included) stays under 200 MB."""

import numpy as np
import pytest

from crafted_files import CHECKPOINT, CRAFTED, IDX, _mlp, _mlp_state, checkpoint_of, \
    npz_bomb, run_under_limit

PEAK_MB = 200


@pytest.mark.parametrize("builder, loader, error, fragment", CRAFTED,
                         ids=[f"{b.__name__}-{loader.split()[3].rstrip(';')}"
                              for b, loader, _, _ in CRAFTED])
def test_a_crafted_file_is_refused_clearly_within_the_memory_limit(
        builder, loader, error, fragment, tmp_path):
    path = builder(tmp_path)
    outcome = run_under_limit(loader, path)
    assert outcome["error"] == error, outcome
    assert fragment in outcome["message"] and str(path) in outcome["message"]
    assert "pickle" not in outcome["message"]
    assert outcome["peak_mb"] < PEAK_MB


def test_a_valid_checkpoint_and_idx_file_load_under_the_same_limit(tmp_path):
    # The limit is not what makes the crafted files fail: sound files of the same kinds load.
    from gan.digits.datasets.idx import write_idx

    good = checkpoint_of(tmp_path, "good.npz", _mlp([1, 4, 1]), _mlp_state(0.5))
    assert run_under_limit(CHECKPOINT, good)["error"] is None
    write_idx(tmp_path / "good-idx3-ubyte.gz", np.zeros((50, 28, 28), np.uint8))
    assert run_under_limit(IDX, tmp_path / "good-idx3-ubyte.gz")["error"] is None


def test_the_memory_limit_bites_a_reader_that_trusts_the_file(tmp_path):
    # Control: numpy's own np.load decompresses the bomb and runs out of the 1 GiB address space
    # (a 2 GiB bomb), so the limit is tight enough to expose a reader that trusts declared sizes.
    path = npz_bomb(tmp_path, expands_to=2 << 30)
    outcome = run_under_limit("import numpy as np; np.load({path!r})['W']", path)
    assert outcome["error"] == "MemoryError", outcome


# ---- the safe reader reads what numpy wrote, exactly -----------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from nn.checkpoint import CheckpointError, read_npz  # noqa: E402

dtypes = st.sampled_from(["<f8", ">f8", "<f4", ">i4", "|u1", "<i8", "|b1", "<U3", "<c16"])


@settings(max_examples=40)
@given(st.data(), st.booleans(), st.booleans())
def test_read_npz_returns_what_np_load_returns(tmp_path_factory, data, compressed, fortran):
    folder = tmp_path_factory.mktemp("npz")
    arrays = {f"a{i}": data.draw(hnp.arrays(data.draw(dtypes), hnp.array_shapes(
        min_dims=0, max_dims=3, min_side=0, max_side=4))) for i in range(data.draw(
            st.integers(1, 3)))}
    if fortran:
        arrays = {name: np.asfortranarray(array) for name, array in arrays.items()}
    path = folder / "a.npz"
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    read = read_npz(path)
    with np.load(path, allow_pickle=False) as expected:
        assert sorted(read) == sorted(expected.files)
        for name in read:
            assert read[name].dtype == expected[name].dtype
            np.testing.assert_array_equal(read[name], expected[name])


def test_non_finite_weights_load_only_when_asked(tmp_path):
    from nn.fast import MLP

    path = checkpoint_of(tmp_path, "nan.npz", _mlp([1, 4, 1]), _mlp_state(np.nan))
    with pytest.raises(CheckpointError, match="allow_non_finite=True"):
        MLP.load(path)
    assert np.isnan(MLP.load(path, allow_non_finite=True).flat_params).sum() == 4
    target = MLP([1, 4, 1], rng=np.random.default_rng(0), dtype=np.float32)
    big = checkpoint_of(tmp_path, "big.npz", _mlp([1, 4, 1]), _mlp_state(1e300))
    with pytest.raises(CheckpointError, match="not finite in float32"):
        target.load(big)                 # a float64 file into a float32 network: 1e300 -> inf


def test_a_saved_network_still_round_trips(tmp_path):
    from nn.fast import MLP

    net = MLP([2, 5, 3], rng=np.random.default_rng(1))
    path = net.save(tmp_path / "net")
    np.testing.assert_array_equal(MLP.load(path).flat_params, net.flat_params)
