"""The rule for reused output arrays (nn.fast.layers module notes): layers write into arrays they
own only while a Sequential runs them, and nothing a caller holds is ever overwritten."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.fast import MLP, Sequential
from nn.fast.activations import LeakyReLU, ReLU
from nn.fast.layers import OUTPUT_REUSE_LIMIT, Linear

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
@given(seed=seeds, slope=st.floats(0, 0.99), shape=st.sampled_from([(7,), (5, 3), (2, 4, 3)]),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_leaky_relu_is_its_definition_with_derivative_one_or_slope(seed, slope, shape, dtype):
    # Outside truth: f(x) = x for x > 0, slope x otherwise; f'(x) = 1 or slope exactly (the slope
    # rounded to the dtype; 0 counted as x <= 0).
    x = np.random.default_rng(seed).normal(size=shape).astype(dtype)
    x.flat[0] = 0.0
    layer, s = LeakyReLU(slope), dtype(slope)
    np.testing.assert_array_equal(layer.forward(x), np.where(x > 0, x, s * x))
    assert set(np.unique(layer.local_slope)) <= {dtype(1), s}
    grad_y = np.random.default_rng(seed + 1).normal(size=shape).astype(dtype)
    np.testing.assert_array_equal(layer.backward(grad_y), np.where(x > 0, grad_y, s * grad_y))


# ---- in-place work (nn.fast.layers module notes) -------------------------------------------------
@settings(max_examples=25)
@given(seed=seeds, activation=st.sampled_from(["leaky_relu", "relu", "tanh", "softplus"]),
       output_activation=st.sampled_from([None, "sigmoid", "leaky_relu"]),
       dtype=st.sampled_from([np.float64, np.float32]), stack=st.sampled_from([None, 3]))
def test_a_sequential_computes_what_its_layers_compute_one_by_one(seed, activation,
                                                                   output_activation, dtype, stack):
    # Inside a Sequential the activations after a Linear work in place; called one by one (each
    # returning fresh arrays) the same layers must give bitwise the same y, dL/dx and gradients.
    network = MLP([2, 5, 4, 1], activation, output_activation, rng=np.random.default_rng(seed),
                  dtype=dtype, stack=stack)
    twin, rng = network.copy(), np.random.default_rng(seed + 1)
    leading = () if stack is None else (stack,)
    x, grad_y = rng.normal(size=leading + (6, 2)), rng.normal(size=leading + (6, 1))
    y = network.forward(x)
    grad_x = network.backward(grad_y)
    h, g = x.astype(dtype), grad_y.astype(dtype)
    for layer in twin.layers:
        h = layer.forward(h)
    for layer in reversed(twin.layers):
        g = layer.backward(g)
    np.testing.assert_array_equal(y, h)
    np.testing.assert_array_equal(grad_x, g)
    np.testing.assert_array_equal(network.flat_grads, twin.flat_grads)


def test_a_callers_arrays_are_never_written_even_by_activations_at_either_end():
    # The first layer sees the caller's x and the last one the caller's dL/dy: neither has a
    # Linear beside it on that side, so neither may work in place.
    rng = np.random.default_rng(3)
    network = Sequential([LeakyReLU(), Linear(3, 4, rng), ReLU()])
    x, grad_y = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    kept_x, kept_grad_y = x.copy(), grad_y.copy()
    network.forward(x)
    network.backward(grad_y)
    np.testing.assert_array_equal(x, kept_x)
    np.testing.assert_array_equal(grad_y, kept_grad_y)


def test_activations_between_linears_keep_no_arrays_for_y_or_their_gradient():
    # The memory claim itself: LeakyReLU writes y over its input and dL/dx over dL/dy.
    network = _network(0, "leaky_relu")
    network.forward(np.ones((16, 1)))
    network.backward(np.ones((16, 1)))
    for layer in network.layers:
        if isinstance(layer, LeakyReLU):
            assert {key[0] for key in layer._reused_outputs} == {"local_slope", "positive"}
