"""Networks: whole-MLP gradient checks, the shared flat buffer, copies, checkpoints, dtypes,
errors."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nn.fast import MLP, LeakyReLU, Linear, ReLU, Sequential, Tanh
from nn.fast.norm import BatchNorm1d
from nn.fast.shape import Flatten
from nn.gradcheck import check_network
from nn.fast.losses import bce_with_logits, mse
from nn.fast.optim import Adam

ACTIVATION_NAMES = ["relu", "leaky_relu", "tanh", "sigmoid", "softplus", "identity"]
seeds = st.integers(0, 2**32 - 1)


def _jitter(network, rng):
    """Random biases too, so no pre-activation sits on a kink by construction."""
    network.flat_params[...] += rng.normal(scale=0.1, size=network.flat_params.size)


def _kink_margin(network, x):
    """Smallest |pre-activation| entering a (leaky) ReLU: a finite difference must not straddle
    0."""
    margin, y = np.inf, x
    for layer, following in zip(network.layers, network.layers[1:] + [None]):
        y = layer.forward(y)
        if isinstance(following, (ReLU, LeakyReLU)):
            margin = min(margin, float(np.abs(y).min()))
    return margin


def _eps_for(network, x):
    """For rectifier networks: a step of 2e-5 (four-point reach 4e-5 times |x|, |W| <~ 5, ~2e-4)
    and reject draws with a pre-activation within 2e-3 of the kink (probability ~1e-3 per unit).
    Smooth networks use gradcheck's default step."""
    if not any(isinstance(layer, (ReLU, LeakyReLU)) for layer in network.layers):
        return 2e-4
    assume(_kink_margin(network, x) > 2e-3)
    return 2e-5


@settings(max_examples=40)
@given(seed=seeds, sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       activation=st.sampled_from(ACTIVATION_NAMES),
       output_activation=st.sampled_from([None, "sigmoid", "tanh"]),
       leading=st.lists(st.integers(1, 3), max_size=1).map(tuple), batch=st.integers(1, 5),
       loss_name=st.sampled_from(["bce", "mse"]))
def test_mlp_gradients_match_finite_differences_in_float64(
        seed, sizes, activation, output_activation, leading, batch, loss_name):
    rng = np.random.default_rng(seed)
    network = MLP(sizes, activation, output_activation, rng=rng)
    _jitter(network, rng)
    x = rng.normal(size=leading + (batch, sizes[0]))
    target = rng.uniform(size=leading + (batch, sizes[-1]))
    loss = bce_with_logits if loss_name == "bce" else mse
    result = check_network(network, x, lambda y: loss(y, target), eps=_eps_for(network, x))
    assert result.max_relative_error < 1e-6, str(result)


@settings(max_examples=20)
@given(seed=seeds, members=st.integers(1, 3), activation=st.sampled_from(ACTIVATION_NAMES),
       inputs=st.sampled_from([1, 2]))   # 1: the first layer's bias is folded into its product
def test_stacked_mlp_gradients_match_finite_differences(seed, members, activation, inputs):
    rng = np.random.default_rng(seed)
    network = MLP([inputs, 4, 3, 1], activation, rng=rng, stack=members)
    _jitter(network, rng)
    x = rng.normal(size=(members, 5, inputs))
    target = rng.uniform(size=(members, 5, 1))
    result = check_network(network, x, lambda y: bce_with_logits(y, target),
                           eps=_eps_for(network, x))
    assert result.max_relative_error < 1e-6, str(result)


@settings(max_examples=15)
@given(seed=seeds, activation=st.sampled_from(ACTIVATION_NAMES))
def test_float32_mlp_gradients_match_float64_finite_differences_to_float32_precision(seed,
                                                                                   activation):
    # Float32 rounds each of the ~10 operations on a path at 6e-8 relative; after the
    # cancellations of a backward pass 1e-3 (relative to the floor of 1e-3 of the largest entry)
    # is a generous yet still bug-revealing bound: a wrong factor gives errors of order 1.
    rng = np.random.default_rng(seed)
    network = MLP([3, 5, 4, 2], activation, rng=rng, dtype=np.float32)
    _jitter(network, rng)
    x = rng.normal(size=(6, 3)).astype(np.float32)
    target = rng.uniform(size=(6, 2)).astype(np.float32)
    result = check_network(network, x, lambda y: bce_with_logits(y, target),
                           eps=_eps_for(network, x.astype(np.float64)))
    assert result.max_relative_error < 1e-3, str(result)


def test_layer_parameters_are_views_of_the_flat_buffers():
    network = MLP([2, 3, 1], rng=np.random.default_rng(0))
    for layer in network.layers:
        if isinstance(layer, Linear):
            for array in (layer.W, layer.b):
                assert np.shares_memory(array, network.flat_params)
            for array in (layer.grad_W, layer.grad_b):
                assert np.shares_memory(array, network.flat_grads)
    assert network.flat_params.size == 2 * 3 + 3 + 3 * 1 + 1


def test_an_optimiser_step_changes_the_layer_weights():
    rng = np.random.default_rng(0)
    network = MLP([2, 3, 1], rng=rng)
    first = network.layers[0]
    before = first.W.copy()
    _, grad_y = mse(network.forward(rng.normal(size=(8, 2))), 1.0)
    network.backward(grad_y)
    Adam(network, lr=0.1).step()
    assert not np.array_equal(first.W, before)
    assert np.array_equal(first.W, network.flat_params[:6].reshape(2, 3))


def test_parameters_come_in_layer_order_w_then_b():
    network = MLP([2, 3, 4, 1], rng=np.random.default_rng(0))
    assert network.parameter_names() == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    shapes = [p.shape for p in network.parameters()]
    assert shapes == [(2, 3), (3,), (3, 4), (4,), (4, 1), (1,)]
    assert [g.shape for g in network.gradients()] == shapes


def test_backward_sets_gradients_instead_of_accumulating():
    rng = np.random.default_rng(0)
    network = MLP([2, 4, 1], rng=rng)
    x = rng.normal(size=(5, 2))
    _, grad_y = mse(network.forward(x), 0.0)
    network.backward(grad_y)
    once = network.flat_grads.copy()
    network.forward(x)
    network.backward(grad_y)
    assert once.any()
    np.testing.assert_array_equal(network.flat_grads, once)
    network.flat_grads[...] = 3.0
    network.forward(x)
    network.backward(grad_y, param_grads=False)
    assert np.all(network.flat_grads == 3.0)
    network.zero_grad()
    assert not network.flat_grads.any()


@settings(max_examples=20)
@given(seed=seeds, in_features=st.sampled_from([1, 3]), stack=st.sampled_from([None, 2]),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_backward_without_input_grad_sets_the_same_gradients_and_skips_the_first_product(
        seed, in_features, stack, dtype):
    # input_grad=False (G's noise, D's data): the parameter gradients are bitwise those of a full
    # backward, None is returned, and the first Linear makes no dL/dx (it would be its "grad_x").
    rng = np.random.default_rng(seed)
    network = MLP([in_features, 6, 1], "leaky_relu", rng=rng, dtype=dtype, stack=stack)
    twin = network.copy()
    leading = () if stack is None else (stack,)
    x, grad_y = rng.normal(size=leading + (5, in_features)), rng.normal(size=leading + (5, 1))
    network.forward(x)
    assert network.backward(grad_y, input_grad=False) is None
    twin.forward(x)
    twin.backward(grad_y)
    assert twin.flat_grads.any()
    np.testing.assert_array_equal(network.flat_grads, twin.flat_grads)
    assert all(key[0] != "grad_x" for key in network.layers[0]._reused_outputs or {})
    assert any(key[0] == "grad_x" for key in twin.layers[0]._reused_outputs)


def test_backward_without_input_grad_stops_at_the_first_layer_with_parameters(monkeypatch):
    # A classifier's Flatten -> Linear: without input_grad the Flatten (no gradients to set) is
    # not run and the Linear makes no dL/dx, the largest product of the backward; the gradients
    # are bitwise those of a full backward.
    rng = np.random.default_rng(1)
    network = Sequential([Flatten(), Linear(6, 4, rng), Tanh(), Linear(4, 2, rng)])
    twin = network.copy()
    x, grad_y = rng.normal(size=(5, 2, 3)), rng.normal(size=(5, 2))
    network.forward(x)
    twin.forward(x)
    twin.backward(grad_y)
    monkeypatch.setattr(network.layers[0], "backward", lambda *args, **kwargs: pytest.fail(
        "the Flatten in front of the first Linear was run"))
    assert network.backward(grad_y, input_grad=False) is None
    np.testing.assert_array_equal(network.flat_grads, twin.flat_grads)
    assert all(key[0] != "grad_x" for key in network.layers[1]._reused_outputs or {})
    assert any(key[0] == "grad_x" for key in twin.layers[1]._reused_outputs)


def test_backward_without_input_grad_runs_a_first_layer_with_parameters_that_cannot_skip_it():
    rng = np.random.default_rng(1)
    network = Sequential([BatchNorm1d(3), Tanh(), Linear(3, 2, rng)])
    network.layers[0].gamma[...] = rng.normal(size=3)
    twin = network.copy()
    x, grad_y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    network.forward(x)
    twin.forward(x)
    assert network.backward(grad_y, input_grad=False) is None
    twin.backward(grad_y)
    assert network.layers[0].grad_gamma.any()
    np.testing.assert_array_equal(network.flat_grads, twin.flat_grads)
    assert Sequential([]).backward(grad_y, input_grad=False) is None      # no layers to skip in


def test_input_gradient_of_a_linear_network_is_the_product_of_its_weights():
    # For y = x W1 W2 (+ biases) with L = sum(y), dL/dx = 1 (W1 W2)^T: a closed form.
    rng = np.random.default_rng(3)
    network = MLP([3, 4, 2], activation="identity", rng=rng)
    network.forward(rng.normal(size=(5, 3)))
    grad_x = network.backward(np.ones((5, 2)))
    W1, W2 = network.layers[0].W, network.layers[2].W
    np.testing.assert_allclose(grad_x, np.ones((5, 2)) @ (W1 @ W2).T, rtol=1e-13)


def test_copy_is_independent_and_equal():
    network = MLP([2, 3, 1], rng=np.random.default_rng(0))
    twin = network.copy()
    np.testing.assert_array_equal(twin.flat_params, network.flat_params)
    twin.flat_params += 1.0
    assert not np.array_equal(twin.flat_params, network.flat_params)
    assert np.shares_memory(twin.layers[0].W, twin.flat_params)
    assert twin.copy(dtype=np.float32).layers[0].W.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stack", [None, 3])
def test_save_and_load_round_trip_bitwise(tmp_path, dtype, stack):
    rng = np.random.default_rng(5)
    network = MLP([2, 4, 1], activation=LeakyReLU(0.1), output_activation="sigmoid", rng=rng,
                  dtype=dtype, stack=stack)
    path = network.save(tmp_path / "D")
    loaded = MLP.load(path)
    assert isinstance(loaded, MLP) and loaded.architecture() == network.architecture()
    assert loaded.flat_params.dtype == dtype
    assert loaded.flat_params.tobytes() == network.flat_params.tobytes()
    assert loaded.layers[1].slope == 0.1
    x = rng.normal(size=(() if stack is None else (stack,)) + (7, 2))
    assert loaded.forward(x).tobytes() == network.forward(x).tobytes()
    other = MLP([2, 4, 1], activation=LeakyReLU(0.1), output_activation="sigmoid",
                rng=np.random.default_rng(9), dtype=dtype, stack=stack)
    assert other.load(path) is other
    assert other.flat_params.tobytes() == network.flat_params.tobytes()


def test_checkpoints_hold_no_pickled_objects(tmp_path):
    path = MLP([1, 2, 1], rng=np.random.default_rng(0)).save(tmp_path / "net.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


def test_sequential_round_trips_through_a_checkpoint(tmp_path):
    rng = np.random.default_rng(0)
    network = Sequential([Linear(2, 3, rng), Tanh(), Linear(3, 1, rng)])
    loaded = Sequential.load(network.save(tmp_path / "seq.npz"))
    assert type(loaded) is Sequential
    assert loaded.flat_params.tobytes() == network.flat_params.tobytes()


def test_loading_mismatched_shapes_or_names_fails_clearly(tmp_path):
    network = MLP([2, 3, 1], rng=np.random.default_rng(0))
    wider = MLP([2, 5, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"0.W.*\(2, 5\).*\(2, 3\)"):
        network.load_state_dict(wider.state_dict())
    with pytest.raises(ValueError, match="missing.*4.W"):
        MLP([2, 3, 3, 1], rng=np.random.default_rng(0)).load_state_dict(network.state_dict())
    with pytest.raises(ValueError, match="architecture"):
        network.load(wider.save(tmp_path / "wider"))


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_float32_stays_float32_end_to_end(activation):
    rng = np.random.default_rng(0)
    network = MLP([2, 8, 1], activation, "sigmoid", rng=rng, dtype=np.float32)
    optimiser = Adam(network, lr=1e-3)
    # float64 input is converted at the boundary
    y = network.forward(rng.normal(size=(16, 2)))
    value, grad_y = bce_with_logits(y, 1.0)
    grad_x = network.backward(grad_y)
    optimiser.step()
    arrays = [y, value, grad_y, grad_x, network.flat_params, network.flat_grads, optimiser.m,
              optimiser.v]
    arrays += [getattr(layer, name) for layer in network.layers for name in vars(layer)
               if isinstance(getattr(layer, name), np.ndarray)
               and getattr(layer, name).dtype.kind == "f"]
    assert all(np.asarray(array).dtype == np.float32 for array in arrays)


def test_default_init_is_he_for_rectifiers_and_glorot_otherwise():
    # Sample variance of n = 200 * 300 = 60000 normal weights has relative standard error
    # sqrt(2 / n) ~ 0.6%; 4% is more than 6 standard errors. Glorot's uniform has variance a^2 / 3.
    sizes = [200, 300, 1]
    relu = MLP(sizes, "relu", rng=np.random.default_rng(0)).layers[0].W
    leaky = MLP(sizes, "leaky_relu", rng=np.random.default_rng(0)).layers[0].W
    tanh = MLP(sizes, "tanh", rng=np.random.default_rng(0)).layers[0].W
    assert relu.var() == pytest.approx(2 / 200, rel=0.04)
    assert leaky.var() == pytest.approx(2 / (1.04 * 200), rel=0.04)
    assert tanh.var() == pytest.approx(6 / 500 / 3, rel=0.04)
    assert np.abs(tanh).max() <= math.sqrt(6 / 500)
    normal = MLP(sizes, init=("normal", 0.02), rng=np.random.default_rng(0)).layers[0].W
    assert normal.std() == pytest.approx(0.02, rel=0.02)


def test_construction_is_reproducible_from_the_generator():
    first = MLP([1, 8, 1], rng=np.random.default_rng(42))
    second = MLP([1, 8, 1], rng=np.random.default_rng(42))
    assert first.flat_params.tobytes() == second.flat_params.tobytes()


@pytest.mark.parametrize("sizes", [[3], [], [2, 0, 1], [2, -3], [2.0, 1], "21"])
def test_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes"):
        MLP(sizes, rng=np.random.default_rng(0))


def test_mlp_rejects_unknown_activations_listing_the_valid_ones():
    with pytest.raises(ValueError, match="leaky_relu"):
        MLP([1, 2, 1], activation="swish", rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="output_activation"):
        MLP([1, 2, 1], output_activation="softmax", rng=np.random.default_rng(0))


def test_mlp_accepts_a_layer_class_as_activation():
    network = MLP([1, 3, 3, 1], activation=ReLU, rng=np.random.default_rng(0))
    hidden = [layer for layer in network.layers if isinstance(layer, ReLU)]
    assert len(hidden) == 2 and hidden[0] is not hidden[1]


def test_wrong_input_width_names_expected_and_received():
    network = MLP([1, 4, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"1 features.*\(8, 2\)"):
        network.forward(np.zeros((8, 2)))


def test_finite_check_rejects_non_finite_inputs_only_when_enabled():
    network = MLP([2, 4, 1], rng=np.random.default_rng(0))
    x = np.zeros((3, 2))
    x[1, 0] = np.nan
    network.forward(x)                                   # off by default: no cost, no check
    network.check_finite = True
    with pytest.raises(ValueError, match=r"x must be finite.*\(1, 0\)"):
        network.forward(x)
    with pytest.raises(ValueError, match="grad_y must be finite"):
        network.backward(np.full((3, 1), np.inf))
