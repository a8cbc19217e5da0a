"""Batch normalisation: finite differences in both modes, the normalised statistics, the running
averages, dtypes, and a DCGAN-shaped Sequential whose checkpoints keep the running buffers."""

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from nn.fast import (BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Flatten, LeakyReLU, Linear, ReLU,
                Reshape, Sequential, Tanh)
from nn.gradcheck import check_layer, check_network
from nn.fast.losses import mse
from nn.fast.optim import Adam

seeds = st.integers(0, 2**32 - 1)
image_shapes = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(1, 4))
image_shapes = image_shapes.filter(lambda shape: shape[0] * shape[2] * shape[3] >= 2)  # a variance


def _randomise_affine(layer, rng):
    layer.gamma[...] = rng.normal(size=layer.num_features)
    layer.beta[...] = rng.normal(size=layer.num_features)


# ---- gradients ---------------------------------------------------------------------------------
@settings(max_examples=40)
@given(seed=seeds, shape=image_shapes, scale=st.sampled_from([0.1, 1.0, 10.0]))
@example(seed=29, shape=(1, 1, 1, 2), scale=0.1)
def test_batchnorm2d_training_gradients_match_finite_differences(seed, shape, scale):
    rng = np.random.default_rng(seed)
    layer = BatchNorm2d(shape[1])
    _randomise_affine(layer, rng)
    x = 3.0 + scale * rng.normal(size=shape)
    # A channel whose values nearly coincide has a variance far below the stencil's reach: seed 29
    # drew two values 2.8e-4 apart, and the step 2e-4 missed by 1.4e-6 relative while smaller
    # steps converged to the analytic gradient. Keep every channel's spread above 100 steps.
    assume(x.std(axis=(0, 2, 3)).min() > 0.02)
    assert check_layer(layer, x, rng).max_relative_error < 1e-6


@settings(max_examples=20)
@given(seed=seeds, shape=image_shapes)
def test_batchnorm2d_evaluation_gradients_match_finite_differences(seed, shape):
    rng = np.random.default_rng(seed)
    layer = BatchNorm2d(shape[1])
    _randomise_affine(layer, rng)
    layer.running_mean[...] = rng.normal(size=shape[1])
    layer.running_var[...] = rng.uniform(0.5, 2.0, size=shape[1])
    network = Sequential([layer]).eval()
    x = rng.normal(size=shape)
    R = rng.normal(size=shape)
    assert check_network(network, x, lambda y: (np.sum(R * y), R)).max_relative_error < 1e-6


@settings(max_examples=20)
@given(seed=seeds, leading=st.lists(st.integers(1, 3), max_size=1).map(tuple),
       batch=st.integers(2, 5), features=st.integers(1, 4))
def test_batchnorm1d_training_gradients_match_finite_differences(seed, leading, batch, features):
    rng = np.random.default_rng(seed)
    layer = BatchNorm1d(features)
    _randomise_affine(layer, rng)
    x = rng.normal(size=leading + (batch, features))
    assert check_layer(layer, x, rng).max_relative_error < 1e-6


def test_a_small_dcgan_generator_gradients_match_finite_differences():
    # The whole chain Linear -> Reshape -> BatchNorm2d -> ConvTranspose2d -> BatchNorm2d -> Tanh
    # -> Conv2d -> Flatten, in training mode (smooth activations: no kink for the stencil to cross).
    rng = np.random.default_rng(11)
    network = Sequential([Linear(3, 2 * 2 * 2, rng), Reshape((2, 2, 2)), BatchNorm2d(2),
                          ConvTranspose2d(2, 2, 4, stride=2, padding=1, rng=rng), BatchNorm2d(2),
                          Tanh(), Conv2d(2, 1, 3, stride=2, padding=1, rng=rng), Flatten()])
    network.flat_params[...] += 0.3 * rng.normal(size=network.flat_params.size)
    x = rng.normal(size=(3, 3))
    target = rng.normal(size=(3, 4))
    assert check_network(network, x, lambda y: mse(y, target)).max_relative_error < 1e-6


# ---- what the layer computes ---------------------------------------------------------------------
@settings(max_examples=30)
@given(seed=seeds, shape=image_shapes, location=st.sampled_from([-5.0, 0.0, 100.0]),
       scale=st.sampled_from([1e-2, 1.0, 30.0]))
def test_training_outputs_have_per_channel_mean_beta_and_variance_gamma_squared(
        seed, shape, location, scale):
    # Before gamma and beta, x^ has mean 0 and variance sigma^2 / (sigma^2 + eps) per channel
    # (eps = 1e-5 keeps it a little below 1), sigma^2 numpy's biased variance of the channel.
    rng = np.random.default_rng(seed)
    layer = BatchNorm2d(shape[1])
    x = location + scale * rng.normal(size=shape)
    y = layer.forward(x)
    variance = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), variance / (variance + 1e-5),
                               rtol=1e-9, atol=1e-12)
    _randomise_affine(layer, rng)
    y = layer.forward(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), layer.beta, atol=1e-9)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), layer.gamma**2 * variance / (variance + 1e-5),
                               rtol=1e-9, atol=1e-12)


def test_one_training_step_moves_the_running_statistics_by_the_momentum_rule():
    # running <- 0.9 running + 0.1 batch statistic, with the unbiased variance (Ioffe & Szegedy
    # 2015, Algorithm 2), starting from mean 0 and variance 1.
    rng = np.random.default_rng(2)
    layer = BatchNorm2d(3, momentum=0.1)
    x = 2.0 + 3.0 * rng.normal(size=(4, 3, 5, 5))
    layer.forward(x)
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-12)
    per_channel = np.moveaxis(x, 1, 0).reshape(3, -1)
    np.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * per_channel.var(axis=1, ddof=1),
                               rtol=1e-12)


def test_evaluation_mode_normalises_with_the_running_statistics_sample_by_sample():
    rng = np.random.default_rng(4)
    layer = BatchNorm2d(2)
    _randomise_affine(layer, rng)
    layer.running_mean[...] = [1.0, -2.0]
    layer.running_var[...] = [4.0, 0.25]
    layer.training = False
    x = rng.normal(size=(5, 2, 3, 3))
    y = layer.forward(x)
    expected = (layer.gamma[:, None, None] * (x - layer.running_mean[:, None, None])
                / np.sqrt(layer.running_var[:, None, None] + 1e-5) + layer.beta[:, None, None])
    np.testing.assert_allclose(y, expected, rtol=1e-13)
    np.testing.assert_allclose(layer.forward(x[2:3]), y[2:3], rtol=1e-13)   # no batch dependence
    np.testing.assert_array_equal(layer.running_var, [4.0, 0.25])          # and no update


def test_running_statistics_converge_to_the_data_statistics():
    # Channels drawn from N(mu_c, s_c^2), m = 16 * 4 * 4 = 256 values per channel and step. After
    # T = 300 steps the start's weight 0.9^300 ~ 2e-14 is gone, and the moving average of i.i.d.
    # batch statistics has variance momentum / (2 - momentum) = 0.0526 times theirs: for the mean
    # sd = s sqrt(0.0526 / 256) = 0.014 s, for the unbiased variance (variance 2 s^4 / (m - 1))
    # sd = s^2 sqrt(0.0526 * 2 / 255) = 0.020 s^2. Tolerances of 5 sd: 0.07 s and 10% of s^2.
    rng = np.random.default_rng(12345)
    mu, s = np.array([-3.0, 0.0, 5.0]), np.array([0.5, 1.0, 4.0])
    layer = BatchNorm2d(3)
    for _ in range(300):
        layer.forward(mu[:, None, None] + s[:, None, None] * rng.normal(size=(16, 3, 4, 4)))
    np.testing.assert_array_less(np.abs(layer.running_mean - mu), 0.07 * s)
    np.testing.assert_allclose(layer.running_var, s**2, rtol=0.10)


@pytest.mark.parametrize("layer, shape", [(BatchNorm2d, (4, 3, 2, 2)), (BatchNorm1d, (2, 4, 3))])
@pytest.mark.parametrize("training", [True, False])
def test_float32_stays_float32(layer, shape, training):
    rng = np.random.default_rng(0)
    norm = layer(3, dtype=np.float32)
    norm.training = training
    x = rng.normal(size=shape).astype(np.float32)
    y = norm.forward(x)
    grad_x = norm.backward(np.ones_like(y))
    arrays = [y, grad_x, norm.gamma, norm.beta, norm.grad_gamma, norm.grad_beta, norm.running_mean,
              norm.running_var, norm.x_hat, norm.inverse_std]
    assert {array.dtype for array in arrays} == {np.dtype(np.float32)}


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_working_in_place_inside_a_network_changes_no_number(training):
    # In a Sequential, BatchNorm2d writes x^ over the fresh output of the Conv2d before it and the
    # ReLU after it writes over BatchNorm's fresh output (nn.fast.layers, "In-place work"); called
    # one by one, the same layers allocate. The arithmetic is the same: bitwise equal.
    def layers():
        rng = np.random.default_rng(3)
        return [Conv2d(2, 3, 3, padding=1, rng=rng), BatchNorm2d(3), ReLU()]
    x = np.random.default_rng(4).normal(size=(4, 2, 5, 5))
    network, alone = Sequential(layers()).train(training), layers()
    for layer in alone:
        layer.training = training
    y = x
    for layer in alone:
        y = layer.forward(y)
    grad_y = np.random.default_rng(5).normal(size=y.shape)
    grad = grad_y
    for layer in reversed(alone):
        grad = layer.backward(grad)
    np.testing.assert_array_equal(network.forward(x), y)
    np.testing.assert_array_equal(network.backward(grad_y), grad)
    for layer, twin in zip(network.layers, alone):
        for name in layer.parameter_names + layer.buffer_names:
            np.testing.assert_array_equal(getattr(layer, name), getattr(twin, name))
            if name in layer.parameter_names:
                np.testing.assert_array_equal(getattr(layer, "grad_" + name),
                                              getattr(twin, "grad_" + name))


# ---- networks: modes, buffers, checkpoints -------------------------------------------------------
def _dcgan_pair(rng, dtype=np.float64):
    """A tiny G (Linear, Reshape, BN, ConvT ..., Tanh) and D (Conv ..., Flatten, Linear, BN1d)."""
    G = Sequential([Linear(4, 3 * 2 * 2, rng, dtype=dtype), Reshape((3, 2, 2)),
                    BatchNorm2d(3, dtype=dtype), ReLU(),
                    ConvTranspose2d(3, 2, 4, 2, 1, rng=rng, dtype=dtype),
                    BatchNorm2d(2, dtype=dtype), ReLU(),
                    ConvTranspose2d(2, 1, 4, 2, 1, rng=rng, dtype=dtype), Tanh()])
    D = Sequential([Conv2d(1, 2, 4, 2, 1, rng=rng, dtype=dtype), LeakyReLU(),
                    Conv2d(2, 3, 4, 2, 1, rng=rng, dtype=dtype), BatchNorm2d(3, dtype=dtype),
                    LeakyReLU(), Flatten(), Linear(3 * 2 * 2, 1, rng, dtype=dtype),
                    BatchNorm1d(1, dtype=dtype)])
    return G, D


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_network_of_every_layer_saves_and_loads_bitwise_with_its_running_buffers(tmp_path, dtype):
    rng = np.random.default_rng(8)
    G, D = _dcgan_pair(rng, dtype)
    for _ in range(3):                                     # move the running statistics off 0 and 1
        D.forward(G.forward(rng.normal(size=(6, 4))))
    for network, name in ((G, "G"), (D, "D")):
        loaded = Sequential.load(network.save(tmp_path / name))
        assert loaded.architecture() == network.architecture()
        assert list(loaded.state_dict()) == list(network.state_dict())
        for key, value in network.state_dict().items():
            assert loaded.state_dict()[key].dtype == dtype
            assert loaded.state_dict()[key].tobytes() == value.tobytes(), key
        into = network.copy()
        into.flat_params[...] = 0
        into.load(tmp_path / f"{name}.npz")
        assert all(into.state_dict()[key].tobytes() == value.tobytes()
                   for key, value in network.state_dict().items())
    z = rng.normal(size=(5, 4)).astype(dtype)
    loaded_G = Sequential.load(tmp_path / "G.npz").eval()
    loaded_D = Sequential.load(tmp_path / "D.npz").eval()
    x = G.eval().forward(z)
    assert x.shape == (5, 1, 8, 8) and x.dtype == dtype
    assert loaded_G.forward(z).tobytes() == x.tobytes()
    assert loaded_D.forward(x).tobytes() == D.eval().forward(x).tobytes()


def test_running_buffers_are_in_the_state_but_not_in_the_optimised_parameters():
    rng = np.random.default_rng(9)
    G, _ = _dcgan_pair(rng)
    names = list(G.state_dict())
    assert names[-4:] == ["2.running_mean", "2.running_var", "5.running_mean", "5.running_var"]
    assert all(name not in G.parameter_names() for name in names[-4:])
    norm = G.layers[2]
    assert not np.shares_memory(norm.running_mean, G.flat_params)
    assert np.shares_memory(norm.gamma, G.flat_params)
    G.eval()                                               # no running update during this step
    y = G.forward(rng.normal(size=(6, 4)))
    G.backward(np.ones_like(y))
    before = {name: value for name, value in G.state_dict().items() if "running" in name}
    Adam(G, lr=0.1).step()
    after = G.state_dict()
    assert all(np.array_equal(after[name], value) for name, value in before.items())
    assert not np.array_equal(after["2.gamma"], np.ones(3))


def test_train_and_eval_switch_every_layer_and_copies_keep_mode_and_buffers():
    rng = np.random.default_rng(10)
    G, _ = _dcgan_pair(rng)
    assert G.training and all(layer.training for layer in G.layers)
    G.forward(rng.normal(size=(6, 4)))
    assert G.eval() is G and not any(layer.training for layer in G.layers)
    twin = G.copy()
    assert not twin.training and not any(layer.training for layer in twin.layers)
    state = twin.state_dict()
    assert all(np.array_equal(state[key], value) for key, value in G.state_dict().items())
    z = rng.normal(size=(3, 4))
    np.testing.assert_array_equal(twin.forward(z), G.forward(z))
    assert G.train().training and G.layers[2].training


def test_loading_a_state_without_the_running_buffers_fails_clearly():
    G, _ = _dcgan_pair(np.random.default_rng(0))
    state = G.state_dict()
    del state["5.running_var"]
    with pytest.raises(ValueError, match=r"missing \['5.running_var'\]"):
        G.load_state_dict(state)


# ---- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("arguments, message", [
    ({"num_features": 0}, "num_features"), ({"num_features": 2.0}, "num_features"),
    ({"eps": 0.0}, "eps"), ({"eps": -1e-5}, "eps"), ({"momentum": 1.5}, "momentum"),
    ({"momentum": -0.1}, "momentum")])
def test_batchnorm_rejects_bad_arguments_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message):
        BatchNorm2d(**{"num_features": 2, **arguments})


def test_batchnorm_names_expected_and_received_input_shapes():
    with pytest.raises(ValueError, match=r"\(batch, 3, height, width\).*\(2, 4, 5, 5\)"):
        BatchNorm2d(3).forward(np.zeros((2, 4, 5, 5)))
    with pytest.raises(ValueError, match=r"\(\.\.\., batch, 3\).*\(2, 4\)"):
        BatchNorm1d(3).forward(np.zeros((2, 4)))


def test_training_mode_needs_two_values_per_feature_but_evaluation_does_not():
    layer = BatchNorm2d(2)
    with pytest.raises(ValueError, match="more than one value"):
        layer.forward(np.ones((1, 2, 1, 1)))
    layer.training = False
    assert layer.forward(np.ones((1, 2, 1, 1))).shape == (1, 2, 1, 1)
