"""The rule for reused output arrays (nn.layers module notes): layers write into arrays they own
only while a Sequential runs them, and nothing a caller holds is ever overwritten."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import MLP
from nn.layers import OUTPUT_REUSE_LIMIT, LeakyReLU, Linear

seeds = st.integers(0, 2**32 - 1)
activations = st.sampled_from(["leaky_relu", "relu", "tanh", "softplus"])


def _network(seed, activation, dtype=np.float64):
    return MLP([1, 8, 8, 1], activation, rng=np.random.default_rng(seed), dtype=dtype)


@settings(max_examples=20)
@given(seed=seeds, activation=activations)
def test_results_a_caller_holds_survive_later_calls_on_the_same_shape(seed, activation):
    network, rng = _network(seed, activation), np.random.default_rng(seed)
    x1, x2 = rng.normal(size=(2, 16, 1))
    y1 = network.forward(x1)
    grad_x1 = network.backward(np.ones_like(y1))
    kept_y1, kept_grad_x1 = y1.copy(), grad_x1.copy()
    network.forward(x2)
    network.backward(rng.normal(size=(16, 1)))
    np.testing.assert_array_equal(y1, kept_y1)
    np.testing.assert_array_equal(grad_x1, kept_grad_x1)


@settings(max_examples=20)
@given(seed=seeds, activation=activations)
def test_backward_depends_only_on_the_latest_forward(seed, activation):
    # Training alternates shapes (D sees 2m samples, then m): a forward on another shape in between
    # must not disturb the arrays that the latest forward's backward reads.
    network, rng = _network(seed, activation), np.random.default_rng(seed)
    twin = network.copy()
    x_large, x_small = rng.normal(size=(32, 1)), rng.normal(size=(16, 1))
    grad_y = rng.normal(size=(16, 1))
    network.forward(x_small)
    network.forward(x_large)
    network.forward(x_small)
    grad_x = network.backward(grad_y)
    twin.forward(x_small)
    np.testing.assert_array_equal(grad_x, twin.backward(grad_y))
    np.testing.assert_array_equal(network.flat_grads, twin.flat_grads)


def test_a_layer_called_directly_returns_fresh_arrays():
    rng = np.random.default_rng(0)
    for layer in (Linear(3, 4, rng), LeakyReLU()):
        x = rng.normal(size=(5, 3 if isinstance(layer, Linear) else 4))
        first, second = layer.forward(x), layer.forward(2 * x)
        assert not np.shares_memory(first, second)
        grad_first = layer.backward(np.ones_like(first))
        assert not np.shares_memory(grad_first, layer.backward(np.ones_like(first)))


def test_inputs_beyond_the_reuse_limit_get_fresh_arrays_and_are_not_kept():
    network = _network(0, "leaky_relu", np.float32)
    x = np.zeros((OUTPUT_REUSE_LIMIT // 8 + 1, 1), np.float32)      # 8 hidden units: over the limit
    network.forward(x)
    for layer in network.layers:
        assert all(key[1] != (len(x), 8) for key in layer.__dict__.get("_reused_outputs", {}))


@settings(max_examples=30)
@given(seed=seeds, slope=st.floats(0, 0.99), shape=st.sampled_from([(7,), (5, 3), (2, 4, 3)]))
def test_leaky_relu_is_its_definition_with_derivative_one_or_slope(seed, slope, shape):
    # Outside truth: f(x) = x for x > 0, slope x otherwise; f'(x) = 1 or slope
    # (0 counted as x <= 0).
    x = np.random.default_rng(seed).normal(size=shape)
    x.flat[0] = 0.0
    layer = LeakyReLU(slope)
    np.testing.assert_array_equal(layer.forward(x), np.where(x > 0, x, slope * x))
    grad_y = np.random.default_rng(seed + 1).normal(size=shape)
    np.testing.assert_array_equal(layer.backward(grad_y), np.where(x > 0, grad_y, slope * grad_y))
