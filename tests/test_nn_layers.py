"""Layers: every backward agrees with central finite differences; shapes, stacking and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.fast import Identity, LeakyReLU, Linear, ReLU, Sigmoid, Softplus, Tanh
from nn.gradcheck import check_layer

ACTIVATION_CLASSES = [ReLU, LeakyReLU, Tanh, Sigmoid, Softplus, Identity]
seeds = st.integers(0, 2**32 - 1)
widths = st.integers(1, 6)
leading_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple)


@settings(max_examples=40)
@given(seed=seeds, in_features=widths, out_features=widths, leading=leading_shapes,
       batch=st.integers(1, 5), init=st.sampled_from(["glorot", "he", ("normal", 0.5)]))
def test_linear_gradients_match_finite_differences_over_any_leading_axes(
        seed, in_features, out_features, leading, batch, init):
    rng = np.random.default_rng(seed)
    layer = Linear(in_features, out_features, rng, init=init)
    layer.b[...] = rng.normal(size=out_features)
    x = rng.normal(size=leading + (batch, in_features))
    assert check_layer(layer, x, rng).max_relative_error < 1e-6


@settings(max_examples=30)
@given(seed=seeds, members=st.integers(1, 4), in_features=widths, out_features=widths,
       batch=st.integers(1, 5))
def test_stacked_linear_gradients_match_finite_differences(seed, members, in_features, out_features,
                                                           batch):
    rng = np.random.default_rng(seed)
    layer = Linear(in_features, out_features, rng, stack=members)
    layer.b[...] = rng.normal(size=(members, out_features))
    x = rng.normal(size=(members, batch, in_features))
    assert check_layer(layer, x, rng).max_relative_error < 1e-6


@settings(max_examples=20)
@given(seed=seeds, members=st.integers(1, 4), batch=st.integers(1, 5))
def test_stacked_linear_member_equals_a_single_linear_with_its_weights(seed, members, batch):
    rng = np.random.default_rng(seed)
    stacked = Linear(3, 2, rng, stack=members)
    stacked.b[...] = rng.normal(size=(members, 2))
    x = rng.normal(size=(members, batch, 3))
    grad_y = rng.normal(size=(members, batch, 2))
    y = stacked.forward(x)
    grad_x = stacked.backward(grad_y)
    for member in range(members):
        single = Linear(3, 2, init="zeros")
        single.W[...] = stacked.W[member]
        single.b[...] = stacked.b[member]
        np.testing.assert_allclose(single.forward(x[member]), y[member], rtol=1e-12)
        np.testing.assert_allclose(single.backward(grad_y[member]), grad_x[member], rtol=1e-12)
        np.testing.assert_allclose(single.grad_W, stacked.grad_W[member], rtol=1e-12)
        np.testing.assert_allclose(single.grad_b, stacked.grad_b[member], rtol=1e-12)


@settings(max_examples=40)
@given(seed=seeds, activation=st.sampled_from(ACTIVATION_CLASSES), shape=st.lists(
    st.integers(1, 5), min_size=1, max_size=3).map(tuple), scale=st.sampled_from([0.5, 3.0]))
def test_activation_gradients_match_finite_differences(seed, activation, shape, scale):
    # Every input is moved 0.01 away from the kink at 0, far beyond the stencil's reach (2 * 2e-4).
    rng = np.random.default_rng(seed)
    x = scale * rng.normal(size=shape)
    x += np.copysign(0.01, x)
    assert check_layer(activation(), x, rng).max_relative_error < 1e-6


def test_activations_match_their_closed_forms():
    x = np.linspace(-5, 5, 41)
    np.testing.assert_array_equal(ReLU().forward(x), np.where(x > 0, x, 0))
    np.testing.assert_allclose(LeakyReLU().forward(x), np.where(x > 0, x, 0.2 * x), rtol=1e-15)
    np.testing.assert_allclose(Tanh().forward(x), np.tanh(x), rtol=1e-15)
    np.testing.assert_allclose(Sigmoid().forward(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(Softplus().forward(x), np.log1p(np.exp(x)), rtol=1e-14)
    np.testing.assert_array_equal(Identity().forward(x), x)


def test_sigmoid_and_softplus_are_finite_and_exact_in_the_tails():
    x = np.array([-1e4, -800.0, 800.0, 1e4])
    np.testing.assert_array_equal(Sigmoid().forward(x), [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(Softplus().forward(x), [0.0, 0.0, 800.0, 1e4])
    assert np.isclose(Sigmoid().forward(np.array([-700.0]))[0], np.exp(-700.0), rtol=1e-12)


def test_leaky_relu_slope_defaults_to_the_dcgan_value():
    assert LeakyReLU().slope == 0.2


def test_backward_with_param_grads_false_leaves_parameter_gradients_untouched():
    rng = np.random.default_rng(0)
    layer = Linear(3, 2, rng)
    layer.grad_W[...] = 7.0
    layer.grad_b[...] = 7.0
    layer.forward(rng.normal(size=(4, 3)))
    grad_x = layer.backward(np.ones((4, 2)), param_grads=False)
    assert np.all(layer.grad_W == 7.0) and np.all(layer.grad_b == 7.0)
    np.testing.assert_allclose(grad_x, np.ones((4, 2)) @ layer.W.T)


@pytest.mark.parametrize("activation", ACTIVATION_CLASSES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layers_keep_the_input_dtype(activation, dtype):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 3)).astype(dtype)
    for layer in (Linear(3, 3, rng, dtype=dtype), activation()):
        y = layer.forward(x)
        assert y.dtype == dtype
        assert layer.backward(np.ones_like(y)).dtype == dtype


def test_linear_names_expected_and_received_width():
    layer = Linear(3, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"3 features.*\(4, 5\)"):
        layer.forward(np.zeros((4, 5)))
    stacked = Linear(3, 2, np.random.default_rng(0), stack=4)
    with pytest.raises(ValueError, match="stack=4"):
        stacked.forward(np.zeros((5, 2, 3)))


@pytest.mark.parametrize("arguments, message", [
    ((0, 2), "in_features"), ((2, -1), "out_features"), ((2.5, 2), "in_features")])
def test_linear_rejects_non_positive_widths(arguments, message):
    with pytest.raises(ValueError, match=message):
        Linear(*arguments, rng=np.random.default_rng(0))


def test_linear_requires_a_generator_unless_zero_initialised():
    with pytest.raises(TypeError, match="rng"):
        Linear(2, 2)
    with pytest.raises(ValueError, match="init"):
        Linear(2, 2, np.random.default_rng(0), init="xavier")


@pytest.mark.parametrize("slope", [-0.1, 1.0, "0.2"])
def test_leaky_relu_rejects_slopes_outside_the_unit_interval(slope):
    with pytest.raises(ValueError, match="slope"):
        LeakyReLU(slope)


@pytest.mark.parametrize("make", [Identity, ReLU, lambda: LeakyReLU(0.3), Tanh, Sigmoid, Softplus],
                         ids=["identity", "relu", "leaky_relu", "tanh", "sigmoid", "softplus"])
def test_derivatives_are_the_layers_forward_and_central_differences_of_it(make):
    # y must be the layer's own forward bit for bit; f' and f'' against central differences of
    # forward, h = 1e-4 (truncation ~h^2 |f'''| ~ 1e-8, rounding ~eps / h ~ 1e-12 for f', and
    # ~h^2 and ~eps / h^2 ~ 1e-8 for f''), points kept 0.01 away from the kink at 0.
    layer = make()
    x = np.random.default_rng(5).uniform(-3, 3, size=(7, 4))
    x[np.abs(x) < 0.01] = 0.5
    y, slope, curvature = layer.derivatives(x)
    np.testing.assert_array_equal(y, make().forward(x.copy()))
    h = 1e-4
    forward = lambda u: make().forward(u)  # noqa: E731  (a fresh layer: no cached outputs)
    np.testing.assert_allclose(slope, (forward(x + h) - forward(x - h)) / (2 * h),
                               rtol=1e-7, atol=1e-9)
    second = (forward(x + h) - 2 * forward(x) + forward(x - h)) / h**2
    if curvature is None:
        np.testing.assert_allclose(second, 0.0, atol=1e-6)
    else:
        np.testing.assert_allclose(curvature, second, rtol=1e-4, atol=1e-6)
    assert not np.shares_memory(y, x)
