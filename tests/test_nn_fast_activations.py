"""The fast Softplus: y = max(x, 0) + log1p(e), e = exp(-|x|), and sigma(x) = 1 / (1 + e) or
e / (1 + e) (x >= 0 or x < 0) from the e its forward kept.

Outside truths: the closed forms in the tails (softplus(x) = x for large x, e^x for very negative
x, log 2 at 0), NumPy's independent np.logaddexp(0, x) and scipy's expit to a few units in the
last place, and the derivative sigma(x) against a central difference of the forward.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from nn.fast import MLP
from nn.fast import activations
from nn.fast.activations import CHUNK, Softplus, sigmoid_times_into, softplus_into
from nn.fast.layers import OUTPUT_REUSE_LIMIT

DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("dtype", DTYPES)
def test_softplus_is_exact_in_both_tails_and_log_2_at_zero(dtype):
    x = np.array([1e4, 800.0, 60.0, 0.0, -60.0, -700.0, -1e4], dtype)
    y = Softplus().forward(x)
    assert y[0] == dtype(1e4) and y[1] == dtype(800.0) and y[2] == dtype(60.0)  # x + e^-x: x
    assert y[3] == dtype(np.log(2.0))
    # e^x (1 - e^x / 2 ...): e^x to the precision of the type where it is representable
    truth = np.exp(x[4:6].astype(np.float64)).astype(dtype)     # 0 where the type underflows
    tiny = np.finfo(dtype).smallest_normal                      # below it, absolute precision
    np.testing.assert_allclose(y[4:6], truth, rtol=4 * np.finfo(dtype).eps, atol=tiny)
    assert y[6] == 0.0 and np.isfinite(y).all()


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([0.1, 1.0, 10.0, 100.0]),
       dtype=st.sampled_from(DTYPES))
def test_softplus_and_its_sigmoid_agree_with_logaddexp_and_expit(seed, scale, dtype):
    x = (np.random.default_rng(seed).normal(size=(64, 8)) * scale).astype(dtype)
    layer = Softplus()
    y = layer.forward(x)
    eps, tiny = np.finfo(dtype).eps, np.finfo(dtype).smallest_normal   # subnormals: absolute
    np.testing.assert_allclose(y, np.logaddexp(0, x), rtol=4 * eps, atol=tiny)
    grad_x = layer.backward(np.ones_like(x))       # dL/dx for dL/dy = 1: sigma(x)
    # sigma from e: exp's error (an ulp or two; e's relative error passes to sigma for x < 0),
    # 1 + e, one quotient and one product: a few ulps, at most 4 eps relative at any x
    assert (np.abs(grad_x - expit(x)) <= 4 * eps * np.abs(expit(x)) + tiny).all()


def test_softplus_derivative_matches_a_central_difference():
    x = np.linspace(-8, 8, 33)
    layer, h = Softplus(), 1e-5
    layer.forward(x)
    slope = layer.backward(np.ones_like(x))
    numeric = (Softplus().forward(x + h) - Softplus().forward(x - h)) / (2 * h)
    np.testing.assert_allclose(slope, numeric, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("dtype, kept", [(np.float64, {"e", "sign", "nonnegative", "scratch"}),
                                          (np.float32, {"e", "sign", "nonnegative", "scratch",
                                                        "correction"})])
def test_softplus_works_in_place_inside_a_network_and_keeps_no_array_for_y_or_dl_dx(dtype, kept):
    # y is written over the Linear's output and dL/dx over dL/dy: the layer's own arrays are
    # exp(-|x|), the sign of x (as booleans and floats) and scratch (float32's log1p from log
    # needs a second one).
    network = MLP([1, 8, 8, 1], "softplus", rng=np.random.default_rng(0), dtype=dtype)
    network.forward(np.ones((16, 1)))
    network.backward(np.ones((16, 1)))
    for layer in network.layers:
        if isinstance(layer, Softplus):
            assert {key[0] for key in layer._reused_outputs} == kept


@pytest.mark.parametrize("dtype", DTYPES)
def test_an_evaluation_sized_batch_runs_in_chunks_with_the_numbers_of_the_whole_array_form(dtype):
    # Over OUTPUT_REUSE_LIMIT elements a Softplus computes in CHUNK-sized pieces and keeps x
    # instead of exp(-|x|) and 1[x >= 0]. Its y and dL/dx must be bitwise those of the
    # whole-array form (`softplus_into` on all of x, sigma from the kept e), on a length that
    # ends in a partial chunk, with the tails (+-800, 0, -0) inside.
    rng = np.random.default_rng(1)
    x = (rng.normal(size=OUTPUT_REUSE_LIMIT + CHUNK // 2 + 3) * 20).astype(dtype)
    x[:5] = [800.0, -800.0, 0.0, -0.0, 1e-30]
    grad_y = rng.normal(size=x.shape).astype(dtype)
    e, scratch = np.empty_like(x), (np.empty_like(x), np.empty_like(x))
    whole = softplus_into(x, np.empty_like(x), e, scratch)
    sigma_whole = sigmoid_times_into(grad_y, e, (x >= 0).astype(dtype), np.empty_like(x),
                                     np.empty_like(x))
    layer = Softplus()
    y = layer.forward(x)
    assert layer.e is None and layer.x is x        # the chunked path was taken
    np.testing.assert_array_equal(y, whole)
    np.testing.assert_array_equal(layer.backward(grad_y), sigma_whole)


def test_a_network_evaluates_a_large_batch_in_chunks_with_the_whole_array_numbers(monkeypatch):
    # Inside an MLP: forward and dL/dx of a batch over the limit equal, bitwise, those of the
    # same network made to take the whole-array path (a limit raised above the batch).
    network = MLP([1, 16, 16, 1], "softplus", rng=np.random.default_rng(2))
    z = np.random.default_rng(3).normal(size=(OUTPUT_REUSE_LIMIT // 16 + 1001, 1))
    grad = np.random.default_rng(4).normal(size=z.shape)
    y_chunked, dz_chunked = network.forward(z), network.backward(grad, param_grads=False)
    assert network.layers[1].x is not None          # chunked
    monkeypatch.setattr(activations, "OUTPUT_REUSE_LIMIT", len(z) * 16)
    y_whole, dz_whole = network.forward(z), network.backward(grad, param_grads=False)
    assert network.layers[1].x is None              # whole-array
    np.testing.assert_array_equal(y_chunked, y_whole)
    np.testing.assert_array_equal(dz_chunked, dz_whole)
