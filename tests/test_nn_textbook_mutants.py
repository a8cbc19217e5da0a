"""The textbook engine (nn) where a one-line slip in the mathematics once passed every other
test: the activations' f' and f'' against finite differences of f and f', the contracts of
Sequential (what backward returns, zero_grad, state_dict, copy) checked on textbook layers, and
the size of RMSProp's first step with PyTorch's defaults.

Each test here fails on the mutant it is written against (experiments/mutate.py finds them).
"""

import numpy as np
import pytest

import nn
import nn.optim

ACTIVATIONS = [
    ("identity", nn.Identity),
    ("relu", nn.ReLU),
    ("leaky_relu", lambda: nn.LeakyReLU(0.3)),
    ("tanh", nn.Tanh),
    ("sigmoid", nn.Sigmoid),
    ("softplus", nn.Softplus),
]
STEP = 1e-5     # central differences: truncation h^2 |f'''| / 6 ~ 1e-11, rounding eps / h ~ 1e-11


def _points():
    """Points across each activation's curved range, none within 0.05 of the kink at 0."""
    x = np.linspace(-6, 6, 241)
    return x[np.abs(x) > 0.05]


@pytest.mark.parametrize("name, build", ACTIVATIONS, ids=[case[0] for case in ACTIVATIONS])
def test_textbook_activation_first_derivative_is_the_slope_of_f(name, build):
    activation, x = build(), _points()
    f = lambda t: activation.derivatives(t)[0]
    _, slope, _ = activation.derivatives(x)
    central = (f(x + STEP) - f(x - STEP)) / (2 * STEP)
    np.testing.assert_allclose(slope, central, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name, build", ACTIVATIONS, ids=[case[0] for case in ACTIVATIONS])
def test_textbook_activation_second_derivative_is_the_slope_of_f_prime(name, build):
    activation, x = build(), _points()
    f_prime = lambda t: activation.derivatives(t)[1]
    _, _, curvature = activation.derivatives(x)
    central = (f_prime(x + STEP) - f_prime(x - STEP)) / (2 * STEP)
    if curvature is None:               # piecewise linear: f'' = 0 away from the kink
        np.testing.assert_array_equal(central, 0.0)
        return
    np.testing.assert_allclose(curvature, central, rtol=1e-6, atol=1e-9)


def test_textbook_activation_second_derivatives_match_their_closed_forms_at_zero():
    """Outside values: tanh''(0) = 0, sigma''(0) = 0, softplus''(0) = sigma'(0) = 1/4; and at
    x = 1, tanh'' = -2 tanh(1) (1 - tanh(1)^2)."""
    zero, one = np.zeros(1), np.ones(1)
    assert nn.Tanh().derivatives(zero)[2][0] == 0.0
    assert nn.Sigmoid().derivatives(zero)[2][0] == 0.0
    assert nn.Softplus().derivatives(zero)[2][0] == 0.25
    t = np.tanh(1.0)
    assert nn.Tanh().derivatives(one)[2][0] == pytest.approx(-2 * t * (1 - t * t), rel=1e-15)


# ---------------------------------------------------------------- Sequential's contracts
def _network(first_layer="tanh"):
    """A textbook Sequential whose first layer is an activation or a Linear."""
    rng = np.random.default_rng(3)
    head = {"tanh": [nn.Tanh()], "linear": []}[first_layer]
    return nn.Sequential(head + [nn.Linear(3, 4, rng), nn.Tanh(), nn.Linear(4, 2, rng)])


def _backward_once(network, seed=4):
    rng = np.random.default_rng(seed)
    network.forward(rng.normal(size=(5, 3)))
    return network.backward(rng.normal(size=(5, 2)))


@pytest.mark.parametrize("first_layer", ["tanh", "linear"])
def test_backward_without_input_grad_returns_none_whatever_the_first_layer(first_layer):
    network = _network(first_layer)
    rng = np.random.default_rng(5)
    network.forward(rng.normal(size=(5, 3)))
    assert network.backward(rng.normal(size=(5, 2)), input_grad=False) is None


def test_backward_without_input_grad_sets_the_same_parameter_gradients():
    with_input, without_input = _network(), _network()
    _backward_once(with_input)
    rng = np.random.default_rng(4)
    without_input.forward(rng.normal(size=(5, 3)))
    without_input.backward(rng.normal(size=(5, 2)), input_grad=False)
    for expected, got in zip(with_input.gradients(), without_input.gradients()):
        np.testing.assert_array_equal(got, expected)


def test_zero_grad_sets_every_gradient_to_zero():
    network = _network()
    _backward_once(network)
    assert all(np.any(g != 0) for g in network.gradients())
    network.zero_grad()
    for parameter, gradient in zip(network.parameters(), network.gradients()):
        assert gradient.shape == parameter.shape
        np.testing.assert_array_equal(gradient, 0.0)


def test_state_dict_is_a_snapshot_that_later_changes_do_not_reach():
    network = _network()
    before = [p.copy() for p in network.parameters()]
    state = network.state_dict()
    for array in state.values():
        array += 1.0                                   # editing the snapshot ...
    for parameter, original in zip(network.parameters(), before):
        np.testing.assert_array_equal(parameter, original)   # ... leaves the network alone
    state = network.state_dict()
    for parameter in network.parameters():
        parameter *= 2.0                               # and training the network ...
    for value, original in zip(state.values(), before):
        np.testing.assert_array_equal(value, original)       # ... leaves the snapshot alone


def test_copy_carries_parameters_and_gradients_and_shares_neither():
    network = _network()
    _backward_once(network)
    twin = network.copy()
    for ours, theirs in zip(network.parameters() + network.gradients(),
                            twin.parameters() + twin.gradients()):
        np.testing.assert_array_equal(theirs, ours)
        assert not np.shares_memory(theirs, ours)
    x = np.random.default_rng(6).normal(size=(5, 3))
    np.testing.assert_array_equal(twin.forward(x), network.forward(x))


def test_an_mlp_with_three_hidden_layers_gets_a_distinct_activation_for_each():
    network = nn.MLP([2, 3, 3, 3, 1], "tanh", rng=np.random.default_rng(0))
    activations = [layer for layer in network.layers if isinstance(layer, nn.Tanh)]
    assert len(activations) == 3 and len({id(layer) for layer in activations}) == 3


def test_flat_grads_assignment_writes_every_gradient_and_an_empty_network_has_none():
    network = _network("linear")
    vector = np.arange(network.flat_params.size, dtype=float)
    network.flat_grads = vector
    np.testing.assert_array_equal(np.concatenate([g.ravel() for g in network.gradients()]),
                                  vector)
    assert nn.Sequential([nn.Tanh()]).flat_params.shape == (0,)


# ---------------------------------------------------------------- optimisers' defaults
class _Parameters:
    """The least an optimiser reads: one parameter vector and its gradient."""

    def __init__(self, theta, g):
        self.theta, self.g = np.array(theta, dtype=float), np.array(g, dtype=float)

    def parameters(self):
        return [self.theta]

    def gradients(self):
        return [self.g]


def test_rmsprop_first_step_with_pytorch_defaults_is_lr_over_sqrt_one_minus_alpha():
    """From s = 0: s = (1 - alpha) g^2, so theta moves by lr g / (sqrt(1 - alpha) |g| + eps),
    i.e. lr / sqrt(1 - alpha) = 0.01 / 0.1 = 0.1 against the sign of g whatever |g| (PyTorch's
    defaults lr = 1e-2, alpha = 0.99, eps = 1e-8; eps shrinks the step by the relative amount
    eps / (sqrt(1 - alpha) |g|) <= 5e-6 for the smallest |g| = 0.02 here)."""
    g = np.array([3.0, -0.02, 0.5])
    parameters = _Parameters([1.0, 2.0, -1.0], g)
    nn.optim.RMSProp(parameters).step()
    np.testing.assert_allclose(parameters.theta - [1.0, 2.0, -1.0], -0.1 * np.sign(g),
                               rtol=1e-5)
