"""The textbook engine (nn) on its own: every layer's backward against central finite
differences, Adam against the paper's first step, and the arguments it refuses."""

import numpy as np
import pytest

import nn
from nn.gradcheck import check_layer, check_network
from nn.layers import LAYER_TYPES, layer_from_config
from nn.losses import bce_with_logits
from nn.minibatch_discrimination import MinibatchDiscrimination
from nn.optim import Adam

LAYERS = [
    ("linear", lambda r: nn.Linear(3, 4, r), (2, 5, 3)),
    ("relu", lambda r: nn.ReLU(), (6, 3)),
    ("leaky", lambda r: nn.LeakyReLU(0.3), (6, 3)),
    ("tanh", lambda r: nn.Tanh(), (6, 3)),
    ("sigmoid", lambda r: nn.Sigmoid(), (6, 3)),
    ("softplus", lambda r: nn.Softplus(), (6, 3)),
    ("identity", lambda r: nn.Identity(), (6, 3)),
    ("batchnorm1d", lambda r: nn.BatchNorm1d(3), (6, 3)),
    ("batchnorm2d", lambda r: nn.BatchNorm2d(2), (3, 2, 3, 3)),
    ("conv2d", lambda r: nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=1, rng=r), (2, 2, 5, 4)),
    ("conv-transpose2d", lambda r: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1,
                                                      output_padding=1, rng=r), (2, 2, 3, 3)),
    ("minibatch", lambda r: MinibatchDiscrimination(3, 2, 2, rng=r, init=("normal", 0.3)),
     (2, 5, 3)),
    ("minibatch-share", lambda r: MinibatchDiscrimination(3, 2, 2, rng=r, share=True), (5, 3)),
    ("reshape", lambda r: nn.Reshape((2, 3)), (4, 6)),
    ("flatten", lambda r: nn.Flatten(), (4, 2, 3)),
]


@pytest.mark.parametrize("name, build, shape", LAYERS, ids=[case[0] for case in LAYERS])
def test_every_textbook_layer_backward_matches_finite_differences(name, build, shape):
    rng = np.random.default_rng(11)
    layer = build(rng)
    x = rng.normal(size=shape)
    x[np.abs(x) < 1e-2] += 0.1          # away from the kinks of ReLU and LeakyReLU
    assert check_layer(layer, x, rng).max_relative_error < 1e-6


def test_mlp_gradients_match_finite_differences_for_a_logit_loss():
    rng = np.random.default_rng(12)
    network = nn.MLP([2, 6, 6, 1], "tanh", rng=rng)
    x, targets = rng.normal(size=(8, 2)), rng.random(size=(8, 1))
    result = check_network(network, x, lambda logits: bce_with_logits(logits, targets))
    assert result.max_relative_error < 1e-6


def test_adam_first_step_moves_every_parameter_by_lr_against_its_gradient_sign():
    # Kingma & Ba (2015), section 2.1: at t = 1, m_hat = g and v_hat = g^2, so the step is
    # lr g / (|g| + eps) = lr sign(g) up to eps / |g|
    network = nn.MLP([3, 4, 1], rng=np.random.default_rng(13))
    before = network.flat_params.copy()
    network.backward(np.ones_like(network.forward(np.ones((2, 3)))))
    g = network.flat_grads
    Adam(network, lr=0.01).step()
    moved = network.flat_params - before
    large = np.abs(g) > 1e-3
    np.testing.assert_allclose(moved[large], -0.01 * np.sign(g[large]), rtol=1e-4)


def test_every_layer_class_registers_itself_and_rebuilds_from_its_config():
    rng = np.random.default_rng(14)
    for name, build, _ in LAYERS:
        layer = build(rng)
        assert LAYER_TYPES[type(layer).__name__] is type(layer)
        assert layer_from_config(layer.config()).config() == layer.config()
    assert "_Activation" not in LAYER_TYPES and "_Convolution" not in LAYER_TYPES


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Linear(0, 3, np.random.default_rng(0)), "in_features"),
    (lambda: nn.LeakyReLU(1.5), "slope"),
    (lambda: Adam(nn.MLP([1, 1], rng=np.random.default_rng(0)), betas=(1.0, 0.9)), "betas"),
    (lambda: Adam(nn.MLP([1, 1], rng=np.random.default_rng(0)), lr=-1), "lr"),
])
def test_bad_arguments_are_refused_by_name(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_flat_params_is_a_read_only_copy_and_assignment_writes_through():
    network = nn.MLP([1, 3, 1], rng=np.random.default_rng(15))
    with pytest.raises(ValueError):
        network.flat_params[0] = 1.0          # writing into the copy would be lost: refused
    network.flat_params = np.arange(network.flat_params.size, dtype=float)
    assert network.layers[0].W[0, 1] == 1.0 and network.parameters()[-1][0] == 9.0
