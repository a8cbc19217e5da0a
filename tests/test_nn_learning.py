"""End to end: hand-written backprop plus Adam actually learns (XOR; a 1-D regression of sin)."""

import numpy as np
import pytest
from scipy.special import expit

from nn.fast import MLP
from nn.fast.losses import bce_with_logits, mse
from nn.fast.optim import Adam


@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
@pytest.mark.parametrize("seed", [0, 1])
def test_mlp_learns_xor(activation, seed):
    # XOR is not linearly separable, so this needs the hidden layer's gradients to be right.
    # Stated target: every probability within 0.05 of its label after 400 full-batch Adam steps.
    network = MLP([2, 8, 1], activation, rng=np.random.default_rng(seed))
    optimiser = Adam(network, lr=0.05)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([[0.0], [1.0], [1.0], [0.0]])
    for _ in range(400):
        _, grad_logits = bce_with_logits(network.forward(x), labels)
        network.backward(grad_logits)
        optimiser.step()
    assert np.abs(expit(network.forward(x)) - labels).max() < 0.05


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mlp_regresses_sin_on_held_out_points(dtype):
    # Stated target: held-out mean squared error < 1e-3 (sin has variance 1/2 on [-pi, pi], so
    # this explains > 99.8% of it) and no held-out point off by more than 0.1.
    rng = np.random.default_rng(0)
    network = MLP([1, 32, 32, 1], "tanh", rng=rng, dtype=dtype)
    optimiser = Adam(network, lr=3e-3)
    x = np.linspace(-np.pi, np.pi, 256, dtype=dtype)[:, None]
    for _ in range(1000):
        _, grad_y = mse(network.forward(x), np.sin(x))
        network.backward(grad_y)
        optimiser.step()
    x_test = rng.uniform(-np.pi, np.pi, size=(500, 1)).astype(dtype)
    error, _ = mse(network.forward(x_test), np.sin(x_test))
    assert error < 1e-3
    assert np.abs(network.forward(x_test) - np.sin(x_test)).max() < 0.1
