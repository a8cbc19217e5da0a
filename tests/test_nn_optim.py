"""Optimisers against their published update rules, written out independently here, on a
quadratic."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.fast import MLP
from nn.fast.optim import SGD, Adam, RMSProp


class Quadratic:
    """f(theta) = 1/2 sum a_i theta_i^2 - c_i theta_i, exposing the flat buffers an optimiser
    uses."""

    def __init__(self, a, c, theta, dtype=np.float64):
        self.a, self.c = np.asarray(a, dtype=dtype), np.asarray(c, dtype=dtype)
        self.flat_params = np.array(theta, dtype=dtype)
        self.flat_grads = np.zeros_like(self.flat_params)

    def compute_gradient(self):
        self.flat_grads[...] = self.a * self.flat_params - self.c


def _problem(seed, size=4):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 3.0, size), rng.normal(size=size), rng.normal(size=size)


def _run(optimiser, problem, learning_rates):
    trajectory = []
    for lr in learning_rates:
        optimiser.lr = lr
        problem.compute_gradient()
        optimiser.step()
        trajectory.append(problem.flat_params.copy())
    return np.array(trajectory)


learning_rates = st.lists(st.floats(0.0, 0.3), min_size=1, max_size=15)


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), lrs=learning_rates, momentum=st.floats(0.0, 0.95),
       nesterov=st.booleans())
def test_sgd_follows_the_pytorch_momentum_rule(seed, lrs, momentum, nesterov):
    nesterov = nesterov and momentum > 0
    a, c, theta = _problem(seed)
    optimiser = SGD(Quadratic(a, c, theta), lr=0.1, momentum=momentum, nesterov=nesterov)
    trajectory = _run(optimiser, optimiser.network, lrs)
    theta, v = list(theta), [0.0] * len(theta)
    for step, lr in enumerate(lrs):
        for i in range(len(theta)):
            g = a[i] * theta[i] - c[i]
            v[i] = momentum * v[i] + g
            update = g + momentum * v[i] if nesterov else v[i]
            theta[i] = theta[i] - lr * update
        np.testing.assert_allclose(trajectory[step], theta, rtol=1e-12, atol=1e-14)


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), lrs=learning_rates, beta1=st.floats(0.0, 0.99),
       beta2=st.floats(0.0, 0.9999), eps=st.sampled_from([1e-8, 1e-3]))
def test_adam_follows_kingma_and_ba_algorithm_1(seed, lrs, beta1, beta2, eps):
    a, c, theta = _problem(seed)
    optimiser = Adam(Quadratic(a, c, theta), lr=0.1, betas=(beta1, beta2), eps=eps)
    trajectory = _run(optimiser, optimiser.network, lrs)
    theta, m, v = list(theta), [0.0] * len(theta), [0.0] * len(theta)
    for t, lr in enumerate(lrs, start=1):
        for i in range(len(theta)):
            g = a[i] * theta[i] - c[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            m_hat = m[i] / (1 - beta1**t)
            v_hat = v[i] / (1 - beta2**t)
            theta[i] = theta[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        np.testing.assert_allclose(trajectory[t - 1], theta, rtol=1e-10, atol=1e-12)


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), lrs=learning_rates, alpha=st.floats(0.0, 0.999))
def test_rmsprop_follows_the_tieleman_hinton_rule(seed, lrs, alpha):
    a, c, theta = _problem(seed)
    optimiser = RMSProp(Quadratic(a, c, theta), lr=0.1, alpha=alpha)
    trajectory = _run(optimiser, optimiser.network, lrs)
    theta, s = list(theta), [0.0] * len(theta)
    for step, lr in enumerate(lrs):
        for i in range(len(theta)):
            g = a[i] * theta[i] - c[i]
            s[i] = alpha * s[i] + (1 - alpha) * g * g
            theta[i] = theta[i] - lr * g / (math.sqrt(s[i]) + 1e-8)
        np.testing.assert_allclose(trajectory[step], theta, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True), lambda p: Adam(p, lr=0.05),
    lambda p: RMSProp(p, lr=0.01)])
def test_optimisers_reach_the_minimum_of_a_quadratic(make):
    # The minimiser of 1/2 a theta^2 - c theta is c / a. Adam and RMSProp hover within ~lr of it
    # at the end, and learning-rate decay (set from outside) brings them in.
    a, c, theta = _problem(0)
    problem = Quadratic(a, c, theta)
    optimiser = make(problem)
    initial_lr = optimiser.lr
    for step in range(2000):
        optimiser.lr = initial_lr * 0.998**step
        problem.compute_gradient()
        optimiser.step()
    np.testing.assert_allclose(problem.flat_params, c / a, atol=1e-3)


@pytest.mark.parametrize("make", [lambda n: SGD(n, 0.1, momentum=0.9), lambda n: Adam(n, 0.1),
                                  lambda n: RMSProp(n, 0.1)])
def test_optimiser_state_stays_float32(make):
    network = MLP([1, 4, 1], rng=np.random.default_rng(0), dtype=np.float32)
    network.flat_grads[...] = np.linspace(-1, 1, network.flat_grads.size)
    optimiser = make(network)
    optimiser.step()
    state = [value for value in vars(optimiser).values() if isinstance(value, np.ndarray)]
    assert state and all(array.dtype == np.float32 for array in state)
    assert network.flat_params.dtype == np.float32


def test_zero_learning_rate_freezes_the_parameters():
    problem = Quadratic(*_problem(1))
    before = problem.flat_params.copy()
    _run(Adam(problem, lr=0.0), problem, [0.0] * 3)
    np.testing.assert_array_equal(problem.flat_params, before)


@pytest.mark.parametrize("build, message", [
    (lambda p: SGD(p, lr=-0.1), "lr must be a number >= 0"),
    (lambda p: SGD(p, lr=0.1, momentum=1.0), "momentum"),
    (lambda p: SGD(p, lr=0.1, nesterov=True), "nesterov"),
    (lambda p: Adam(p, lr=0.1, betas=(1.0, 0.999)), r"betas\[0\]"),
    (lambda p: Adam(p, lr=0.1, betas=(0.9, -0.1)), r"betas\[1\]"),
    (lambda p: Adam(p, lr=0.1, eps=0.0), "eps"),
    (lambda p: RMSProp(p, lr=0.1, alpha=1.5), "alpha"),
    (lambda p: Adam(p, lr=float("nan")), "lr"),
])
def test_optimisers_reject_bad_hyperparameters(build, message):
    with pytest.raises(ValueError, match=message):
        build(Quadratic(*_problem(0)))


def test_learning_rate_set_from_outside_is_validated():
    optimiser = Adam(Quadratic(*_problem(0)), lr=0.1)
    optimiser.lr = 5e-4
    assert optimiser.lr == 5e-4
    with pytest.raises(ValueError, match="lr"):
        optimiser.lr = -1.0


def test_optimiser_needs_flat_buffers():
    with pytest.raises(TypeError, match="flat_params"):
        Adam(object(), lr=0.1)
