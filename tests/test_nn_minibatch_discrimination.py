"""Minibatch discrimination (Salimans et al. 2016, §3.2): finite differences, the paper's formula
written out pair by pair, the closed forms at the two extremes, batches kept apart, checkpoints."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nn.fast import LeakyReLU, Linear, Sequential
from nn.gradcheck import check_layer, check_network
from nn.fast.layers import LAYER_TYPES
from nn.fast.minibatch_discrimination import MinibatchDiscrimination

seeds = st.integers(0, 2**32 - 1)
shapes = st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))


def paper_features(x, T):
    """o(x_i)_b = sum_j exp(-sum_c |M_ibc - M_jbc|), M_i = x_i T: one pair at a time."""
    n = x.shape[0]
    M = np.einsum("ia,abc->ibc", x, T)
    o = np.zeros((n, T.shape[1]))
    for i in range(n):
        for j in range(n):
            for b in range(T.shape[1]):
                o[i, b] += np.exp(-np.sum(np.abs(M[i, b] - M[j, b])))
    return np.concatenate([x, o], axis=1)


def smallest_gap(x, T):
    """min over i != j, b, c of |M_ibc - M_jbc|: how close the batch comes to a kink of |.|."""
    M = np.einsum("ia,abc->ibc", x, T)
    gaps = np.abs(M[:, None] - M[None, :])
    off_diagonal = ~np.eye(len(x), dtype=bool)
    return gaps[off_diagonal].min()


@settings(max_examples=30)
@given(seed=seeds, shape=shapes, batch=st.integers(2, 6), share=st.booleans())
def test_minibatch_gradients_match_finite_differences(seed, shape, batch, share):
    # The stencil moves an entry of x or T by up to 2h = 4e-4, which moves a gap M_ibc - M_jbc
    # by about 4e-4 times an entry of T or x (order 1): gaps above 1e-2 never cross the kink of |.|.
    rng = np.random.default_rng(seed)
    _, A, B, C = shape
    layer = MinibatchDiscrimination(A, B, C, rng=rng, init=("normal", 0.5), share=share)
    x = rng.normal(size=(batch, A))
    assume(smallest_gap(x, layer.T) > 1e-2)
    assert check_layer(layer, x, rng).max_relative_error < 1e-6


@settings(max_examples=10)
@given(seed=seeds)
def test_minibatch_gradients_through_a_discriminator_match_finite_differences(seed):
    # Samples at least 0.5 apart and T of scale 1 keep |M_ib - M_jb| well beyond the stencil's
    # reach (see above); near-ties between two samples would put a kink of |.| inside it. Real
    # and fake batches are stacked on a leading axis.
    rng = np.random.default_rng(seed)
    D = Sequential([Linear(1, 4, rng), LeakyReLU(),
                    MinibatchDiscrimination(4, 3, 2, rng=rng, init=("normal", 1.0)),
                    Linear(7, 1, rng)])
    x = (0.5 * rng.permutation(10) - 2.25).reshape(2, 5, 1)   # no x at the LeakyReLU kink 0
    pre_activations = D.layers[0].forward(x)
    # the LeakyReLU kink: perturbing the first layer's weights and biases moves w x + b, so it
    # must stay out of the stencil's reach of 0 too, not only x
    assume(np.abs(pre_activations).min() > 1e-2)
    features = D.layers[1].forward(pre_activations)
    assume(min(smallest_gap(batch, D.layers[2].T) for batch in features) > 1e-2)
    R = rng.normal(size=(2, 5, 1))
    assert check_network(D, x, lambda y: (np.sum(R * y), R)).max_relative_error < 1e-6


@settings(max_examples=30)
@given(seed=seeds, shape=shapes, batch=st.integers(1, 5))
def test_forward_is_the_papers_sum_over_pairs(seed, shape, batch):
    rng = np.random.default_rng(seed)
    _, A, B, C = shape
    layer = MinibatchDiscrimination(A, B, C, rng=rng, init=("normal", 1.0))
    x = rng.normal(size=(batch, A))
    np.testing.assert_allclose(layer.forward(x), paper_features(x, layer.T), rtol=1e-12)


def test_collapsed_batch_counts_every_sample_and_a_lone_sample_counts_itself():
    # Identical rows: every distance is 0, so o = n exactly. Rows 1e3 apart with T of order 1:
    # every exp(-distance) for j != i underflows far below 1e-300, so o = 1 (the sample itself).
    rng = np.random.default_rng(0)
    layer = MinibatchDiscrimination(2, 4, 3, rng=rng, init=("normal", 1.0))
    n = 7
    collapsed = np.tile(rng.normal(size=(1, 2)), (n, 1))
    np.testing.assert_array_equal(layer.forward(collapsed)[:, 2:], np.full((n, 4), float(n)))
    layer.T[...] = np.abs(layer.T) + 0.1         # every kernel moves with the first feature
    apart = np.column_stack([1e3 * np.arange(n), np.zeros(n)])
    np.testing.assert_array_equal(layer.forward(apart)[:, 2:], np.ones((n, 4)))


@settings(max_examples=30)
@given(seed=seeds, shape=shapes, batch=st.integers(1, 5))
def test_share_is_the_papers_sum_without_j_equal_i_over_the_other_samples(seed, shape, batch):
    rng = np.random.default_rng(seed)
    _, A, B, C = shape
    layer = MinibatchDiscrimination(A, B, C, rng=rng, init=("normal", 1.0), share=True)
    x = rng.normal(size=(batch, A))
    expected = paper_features(x, layer.T)
    expected[:, A:] = (expected[:, A:] - 1) / max(batch - 1, 1)   # a batch of one has no others
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n", [2, 8, 64])
def test_feature_tells_a_collapsed_batch_from_two_clusters(n):
    # Hand-made batches of n one-dimensional samples: all at 3 (collapsed), or half at -1e3 and
    # half at 1e3 (two clusters). Every |T_bc| >= 0.1, so across the clusters ||M_ib - M_jb||_1
    # >= 2e3 * 0.2 = 400 and c <= exp(-400) ~ 1e-174, lost in rounding next to 1; inside a
    # cluster c = 1. Sum: n for the collapsed batch against n/2 for two clusters; share: 1
    # against (n/2 - 1)/(n - 1), the share of the others in one's own cluster.
    rng = np.random.default_rng(0)
    for share, collapsed_o, clustered_o in ((False, n, n / 2), (True, 1.0, (n / 2 - 1) / (n - 1))):
        layer = MinibatchDiscrimination(1, 4, 2, rng=rng, init=("normal", 1.0), share=share)
        layer.T[...] = np.abs(layer.T) + 0.1           # every kernel width at most 1 / 0.2
        collapsed = np.full((n, 1), 3.0)
        clusters = np.repeat([[-1e3], [1e3]], n // 2, axis=0)
        np.testing.assert_allclose(layer.forward(collapsed)[:, 1:], collapsed_o, rtol=1e-15)
        np.testing.assert_allclose(layer.forward(clusters)[:, 1:], clustered_o, rtol=1e-15)


@settings(max_examples=20)
@given(seed=seeds, batch=st.integers(1, 5))
def test_stacked_batches_never_see_each_other(seed, batch):
    rng = np.random.default_rng(seed)
    layer = MinibatchDiscrimination(3, 2, 2, rng=rng)
    real, fake = rng.normal(size=(batch, 3)), rng.normal(size=(batch, 3))
    stacked = layer.forward(np.stack([real, fake]))
    np.testing.assert_allclose(stacked[0], layer.forward(real), rtol=1e-13)
    np.testing.assert_allclose(stacked[1], layer.forward(fake), rtol=1e-13)


@settings(max_examples=20)
@given(seed=seeds, batch=st.integers(2, 6))
def test_permuting_the_batch_permutes_the_output(seed, batch):
    rng = np.random.default_rng(seed)
    layer = MinibatchDiscrimination(3, 4, 2, rng=rng)
    x = rng.normal(size=(batch, 3))
    order = rng.permutation(batch)
    np.testing.assert_allclose(layer.forward(x[order]), layer.forward(x)[order], rtol=1e-13)


def test_layer_is_registered_and_survives_a_checkpoint(tmp_path):
    assert LAYER_TYPES["MinibatchDiscrimination"] is MinibatchDiscrimination
    rng = np.random.default_rng(1)
    D = Sequential([Linear(1, 4, rng), MinibatchDiscrimination(4, 3, 2, rng=rng),
                    Linear(7, 1, rng)])
    x = rng.normal(size=(6, 1))
    path = D.save(tmp_path / "D")
    np.testing.assert_array_equal(Sequential.load(path).forward(x), D.forward(x))
    np.testing.assert_array_equal(D.copy().forward(x), D.forward(x))


@pytest.mark.parametrize("name, value", [("in_features", 0), ("kernels", -1),
                                         ("kernel_dim", 1.5), ("kernels", True)])
def test_bad_sizes_are_rejected_by_name(name, value):
    arguments = dict(in_features=2, kernels=3, kernel_dim=2)
    arguments[name] = value
    with pytest.raises(ValueError, match=name):
        MinibatchDiscrimination(**arguments, rng=np.random.default_rng(0))


def test_wrong_input_width_is_rejected():
    layer = MinibatchDiscrimination(3, 2, 2, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="batch, 3"):
        layer.forward(np.zeros((4, 2)))


def test_random_init_needs_a_generator():
    with pytest.raises(TypeError, match="rng"):
        MinibatchDiscrimination(3, 2, 2, init=("normal", 0.1))
