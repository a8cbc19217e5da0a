"""The fast engine (nn.fast) is held equal to the textbook engine (nn): for every layer type, loss
and optimiser, forward, backward and step agree, bitwise where the two compute the same
arithmetic, otherwise within a tolerance written next to its reason. Checkpoints move both ways.

Tolerances are normwise: max |fast - reference| <= tol * max |reference|. Where an optimisation
reorders a sum of n terms, the rounding error of either order is at most about n eps sum |terms|
(Higham 2002, "Accuracy and Stability of Numerical Algorithms", section 4.2); with the sizes used
here (n <= 64 terms of one sign-mixed scale) that is below 64 eps times a few, so REORDERED is
2^9 eps: tight enough that a wrong kernel (an error of order 1) is far outside it.
"""

import numpy as np
import pytest

import nn
import nn.fast
from nn import losses as reference_losses
from nn import optim as reference_optim
from nn.fast import losses as fast_losses
from nn.fast import optim as fast_optim
from nn.fast.minibatch_discrimination import MinibatchDiscrimination as FastMinibatchDiscrimination
from nn.minibatch_discrimination import MinibatchDiscrimination

DTYPES = [np.float64, np.float32]
BITWISE = 0.0


def reordered(dtype):
    """Tolerance for a sum taken in another order (see the module docstring)."""
    return 2**9 * float(np.finfo(dtype).eps)


def classes(engine):
    """The layer classes of one engine, by name."""
    names = ["Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "Identity", "Conv2d",
             "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d", "Flatten", "Reshape"]
    found = {name: getattr(engine, name) for name in names}
    found["MinibatchDiscrimination"] = (MinibatchDiscrimination if engine is nn
                                        else FastMinibatchDiscrimination)
    return type("Classes", (), found)


def mismatches(name, reference, fast, tolerance):
    """[] if fast equals reference within `tolerance` (0: bitwise), else one line saying how not."""
    reference, fast = np.asarray(reference), np.asarray(fast)
    if reference.shape != fast.shape or reference.dtype != fast.dtype:
        return [f"{name}: {reference.shape} {reference.dtype} vs {fast.shape} {fast.dtype}"]
    if tolerance == BITWISE:
        return [] if np.array_equal(reference, fast) else [
            f"{name}: not bitwise equal (max difference {np.abs(reference - fast).max():.3g})"]
    difference = float(np.abs(reference.astype(np.float64) - fast).max(initial=0.0))
    scale = float(np.abs(reference).max(initial=0.0))
    return [] if difference <= tolerance * scale else [
        f"{name}: max difference {difference:.3g} above {tolerance:.3g} x {scale:.3g}"]


# (id, layers built from an engine's classes C and a generator, input shape, tolerances)
# tolerances: y (forward), grad_x (backward), grads (parameter gradients): BITWISE or "reordered"
LINEAR_SUMS = {"y": BITWISE, "grad_x": BITWISE, "grads": "reordered"}
# Linear's dL/db: nn sums dL/dy's rows, nn.fast takes 1^T dL/dy in one BLAS call (and with one
# input feature [dL/dW; dL/db] = [x 1]^T dL/dy, the joined bias): the same sum, other order.
# y = x W + b stays bitwise: with the joined bias the product [x 1][W; b] adds b exactly as
# x W + b does (one product and one sum per entry, no fused multiply-add in this BLAS).
SAME = {"y": BITWISE, "grad_x": BITWISE, "grads": BITWISE}
# Convolutions: nn sums over kernel offsets window by window, nn.fast in one im2col product;
# minibatch discrimination: nn contracts M = x T with einsum, nn.fast with a matmul.
ALL_REORDERED = {"y": "reordered", "grad_x": "reordered", "grads": "reordered"}
# Softplus: nn computes log(1 + e^x) as logaddexp(0, x) and sigma(x) with expit; nn.fast as
# max(x, 0) + log1p(e), e = exp(-|x|), and sigma = 1 / (1 + e) or e / (1 + e) from the forward's e
# (vectorised exp and log1p, for speed): the same function by another formula, a few ulps apart
# (tests/test_nn_fast_activations.py bounds the two at 4 eps), well inside the normwise 2^9 eps.
OTHER_FORMULA = ALL_REORDERED

CASES = [
    ("linear-1-in", lambda C, r, d: [C.Linear(1, 5, r, dtype=d)], (32, 1), LINEAR_SUMS),
    ("linear", lambda C, r, d: [C.Linear(4, 3, r, dtype=d)], (32, 4), LINEAR_SUMS),
    ("linear-leading-axes", lambda C, r, d: [C.Linear(4, 3, r, dtype=d)], (2, 16, 4), LINEAR_SUMS),
    ("mlp-leaky", lambda C, r, d: [C.Linear(3, 8, r, dtype=d), C.LeakyReLU(0.2),
                                   C.Linear(8, 2, r, dtype=d)], (32, 3), LINEAR_SUMS),
    *[(f"activation-{name}", lambda C, r, d, name=name: [C.Linear(3, 6, r, dtype=d),
                                                         getattr(C, name)()], (32, 3), LINEAR_SUMS)
      for name in ["ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Identity"]],
    ("activation-Softplus", lambda C, r, d: [C.Linear(3, 6, r, dtype=d), C.Softplus()], (32, 3),
     {**LINEAR_SUMS, "y": OTHER_FORMULA["y"], "grad_x": OTHER_FORMULA["grad_x"]}),
    ("activation-alone", lambda C, r, d: [C.Tanh(), C.Sigmoid(), C.ReLU(), C.LeakyReLU(0.1),
                                          C.Identity()], (32, 3), SAME),
    ("softplus-alone", lambda C, r, d: [C.Tanh(), C.Softplus()], (32, 3), OTHER_FORMULA),
    ("batchnorm1d", lambda C, r, d: [C.BatchNorm1d(3, dtype=d)], (32, 3), SAME),
    ("batchnorm2d", lambda C, r, d: [C.BatchNorm2d(2, dtype=d)], (4, 2, 3, 3), SAME),
    ("flatten-reshape", lambda C, r, d: [C.Flatten(), C.Reshape((3, 4))], (5, 2, 6), SAME),
    ("conv2d", lambda C, r, d: [C.Conv2d(2, 3, 3, stride=2, padding=1, rng=r, dtype=d)],
     (2, 2, 7, 6), ALL_REORDERED),
    ("conv-transpose2d", lambda C, r, d: [C.ConvTranspose2d(3, 2, 4, stride=2, padding=1,
                                                            output_padding=1, rng=r, dtype=d)],
     (2, 3, 4, 3), ALL_REORDERED),
    # nn.fast's blocked layout (t^2 * 8 = 32 channels per block of Z, nn.fast.im2col), with an
    # activation working in place on the convolution's fresh output and gradient
    ("conv2d-blocked", lambda C, r, d: [C.Conv2d(8, 3, 4, stride=2, padding=1, rng=r, dtype=d),
                                        C.LeakyReLU(0.2)], (2, 8, 7, 6), ALL_REORDERED),
    ("conv-transpose2d-blocked", lambda C, r, d: [
        C.ReLU(), C.ConvTranspose2d(3, 8, 4, stride=2, padding=1, output_padding=1, rng=r,
                                    dtype=d), C.ReLU()], (2, 3, 3, 4), ALL_REORDERED),
    ("minibatch", lambda C, r, d: [C.MinibatchDiscrimination(3, 4, 2, rng=r, dtype=d)],
     (2, 8, 3), ALL_REORDERED),
    ("minibatch-share", lambda C, r, d: [C.MinibatchDiscrimination(3, 4, 2, rng=r, dtype=d,
                                                                   share=True)],
     (8, 3), ALL_REORDERED),
]


def twins(build, dtype, seed=0):
    """The same network in both engines, drawn from the same seed."""
    reference = nn.Sequential(build(classes(nn), np.random.default_rng(seed), dtype), dtype=dtype)
    fast = nn.fast.Sequential(build(classes(nn.fast), np.random.default_rng(seed), dtype),
                              dtype=dtype)
    return reference, fast


def engine_mismatches(build, shape, tolerances, dtype, seed=0):
    """Every way the two engines differ on one forward and backward (training, then evaluation
    mode), beyond the case's tolerances."""
    reference, fast = twins(build, dtype, seed)
    tol = {key: reordered(dtype) if value == "reordered" else value
           for key, value in tolerances.items()}
    found = [f"initial {name}" for name, r, f in zip(reference.parameter_names(),
                                                    reference.parameters(), fast.parameters())
             if not np.array_equal(r, f)]
    data = np.random.default_rng(seed + 1)
    for mode in ("train", "eval"):
        getattr(reference, mode)(), getattr(fast, mode)()
        x = data.normal(size=shape).astype(dtype)
        y_reference, y_fast = reference.forward(x), fast.forward(x)
        found += mismatches(f"{mode} y", y_reference, y_fast, tol["y"])
        grad_y = data.normal(size=y_reference.shape).astype(dtype)
        found += mismatches(f"{mode} dL/dx", reference.backward(grad_y), fast.backward(grad_y),
                            tol["grad_x"])
        for name, r, f in zip(reference.parameter_names(), reference.gradients(),
                              fast.gradients()):
            found += mismatches(f"{mode} dL/d{name}", r, f, tol["grads"])
        for name, r in reference.state_dict().items():     # BatchNorm's running statistics
            found += mismatches(f"{mode} state {name}", r, fast.state_dict()[name], tol["grads"])
    return found


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, build, shape, tolerances", CASES, ids=[c[0] for c in CASES])
def test_layer_forward_and_backward_agree_between_engines(name, build, shape, tolerances, dtype):
    assert engine_mismatches(build, shape, tolerances, dtype) == []


def test_parity_check_fails_when_a_fast_kernel_is_broken(monkeypatch):
    build, shape, tolerances = CASES[3][1:]      # Linear, LeakyReLU, Linear
    assert engine_mismatches(build, shape, tolerances, np.float64) == []

    def leaky_backward_with_wrong_slope(self, grad_y, param_grads=True):
        return grad_y * np.where(self.local_slope < 1, 0.21, 1.0)      # 0.21 instead of 0.2
    monkeypatch.setattr(nn.fast.LeakyReLU, "backward", leaky_backward_with_wrong_slope)
    found = engine_mismatches(build, shape, tolerances, np.float64)
    assert any("dL/dx" in line for line in found) and any("dL/d0.W" in line for line in found)


def test_parity_check_fails_when_a_fast_bias_gradient_drops_a_row(monkeypatch):
    build, shape, tolerances = CASES[1][1:]      # Linear(4, 3): dL/db = 1^T dL/dy in nn.fast
    original = nn.fast.Linear.backward

    def backward_missing_last_row(self, grad_y, param_grads=True, input_grad=True):
        result = original(self, grad_y, param_grads, input_grad)
        self.grad_b -= grad_y[-1]                 # the sum over the batch without its last row
        return result
    monkeypatch.setattr(nn.fast.Linear, "backward", backward_missing_last_row)
    assert any("dL/d0.b" in line for line in engine_mismatches(build, shape, tolerances,
                                                               np.float64))


# ---- losses -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_losses_agree_bitwise_between_engines(dtype):
    rng = np.random.default_rng(3)
    logits = (rng.normal(size=(64, 1)) * 30).astype(dtype)       # both tails of sigma
    targets = rng.random(size=(64, 1)).astype(dtype)
    for loss in ("bce_with_logits", "mse"):
        value_reference, grad_reference = getattr(reference_losses, loss)(logits, targets)
        value_fast, grad_fast = getattr(fast_losses, loss)(logits, targets)
        assert mismatches(loss, value_reference, value_fast, BITWISE) == []
        assert mismatches(loss, grad_reference, grad_fast, BITWISE) == []


# ---- optimisers ---------------------------------------------------------------------------------
# Adam: m and v are the same sums in both engines (bitwise); the update is not: nn divides
# m_hat = m / (1 - b1^t) and v_hat = v / (1 - b2^t) as the paper writes them, nn.fast multiplies
# v by 1 / (1 - b2^t) and folds lr / (1 - b1^t) into one factor. Each is a few roundings of
# relative eps apart per step, so after `steps` steps the parameters stay within
# steps x 8 eps x |theta| (the updates are lr-sized, the drift stays at rounding level).
OPTIMISERS = [
    ("sgd", dict(lr=0.1), BITWISE),
    ("sgd", dict(lr=0.1, momentum=0.9), BITWISE),
    ("sgd", dict(lr=0.1, momentum=0.9, nesterov=True), BITWISE),
    ("rmsprop", dict(lr=1e-2, alpha=0.9), BITWISE),
    ("adam", dict(lr=1e-2, betas=(0.5, 0.999)), "adam"),
]
OPTIMISER_CLASSES = {"sgd": "SGD", "rmsprop": "RMSProp", "adam": "Adam"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, settings, tolerance", OPTIMISERS,
                         ids=[f"{o[0]}-{'-'.join(map(str, o[1]))}" for o in OPTIMISERS])
def test_optimiser_steps_agree_between_engines(name, settings, tolerance, dtype):
    steps = 10
    reference = nn.MLP([2, 8, 1], rng=np.random.default_rng(5), dtype=dtype)
    fast = nn.fast.MLP([2, 8, 1], rng=np.random.default_rng(5), dtype=dtype)
    optimiser_reference = getattr(reference_optim, OPTIMISER_CLASSES[name])(reference, **settings)
    optimiser_fast = getattr(fast_optim, OPTIMISER_CLASSES[name])(fast, **settings)
    tol = steps * 8 * float(np.finfo(dtype).eps) if tolerance == "adam" else BITWISE
    rng = np.random.default_rng(6)
    for step in range(steps):
        gradients = [rng.normal(size=p.shape).astype(dtype) for p in reference.parameters()]
        reference.flat_grads = np.concatenate([g.ravel() for g in gradients])
        fast.flat_grads[...] = reference.flat_grads
        optimiser_reference.step()
        optimiser_fast.step()
        assert mismatches(f"step {step}", reference.flat_params, fast.flat_params, tol) == []
    if name == "adam":           # the moments themselves are the same sums
        assert mismatches("m", np.concatenate([m.ravel() for m in optimiser_reference.m]),
                          optimiser_fast.m, BITWISE) == []
        assert mismatches("v", np.concatenate([v.ravel() for v in optimiser_reference.v]),
                          optimiser_fast.v, BITWISE) == []


# ---- checkpoints -------------------------------------------------------------------------------
def _dcgan_like(C, rng, dtype):
    return [C.Conv2d(1, 2, 3, stride=2, padding=1, rng=rng, dtype=dtype),
            C.BatchNorm2d(2, dtype=dtype), C.LeakyReLU(0.2), C.Flatten(),
            C.Linear(2 * 3 * 3, 1, rng, dtype=dtype)]


@pytest.mark.parametrize("direction", ["reference-to-fast", "fast-to-reference"])
def test_a_checkpoint_written_by_either_engine_loads_into_the_other(direction, tmp_path):
    rng = np.random.default_rng(7)
    writer, reader = (nn, nn.fast) if direction == "reference-to-fast" else (nn.fast, nn)
    networks = [writer.MLP([2, 5, 3], "tanh", output_activation="sigmoid", rng=rng,
                           dtype=np.float32),
                writer.Sequential(_dcgan_like(classes(writer), rng, np.float64))]
    x_of = [rng.normal(size=(4, 2)), rng.normal(size=(4, 1, 5, 5))]
    for index, (network, x) in enumerate(zip(networks, x_of)):
        network.forward(x)       # training mode: BatchNorm's running statistics move off 1 and 0
        network.eval()
        path = network.save(tmp_path / f"net{index}")
        loaded = getattr(reader, type(network).__name__).load(path).eval()
        assert type(loaded).__module__.startswith(reader.__name__)
        assert loaded.architecture() == network.architecture()
        for name, value in network.state_dict().items():
            assert np.array_equal(loaded.state_dict()[name], value), name
        # same weights, same function (the Conv2d's sums in another order: see ALL_REORDERED)
        assert mismatches("y", network.forward(x), loaded.forward(x), reordered(np.float32)) == []


def test_a_stacked_fast_checkpoint_is_refused_by_the_textbook_engine(tmp_path):
    stacked = nn.fast.MLP([1, 4, 1], rng=np.random.default_rng(0), stack=3)
    with pytest.raises(ValueError, match="stack=3"):
        nn.MLP.load(stacked.save(tmp_path / "stacked"))
