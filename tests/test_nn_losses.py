"""Losses: closed forms, finite differences, extreme logits, dtypes and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.gradcheck import gradcheck
from nn.fast.losses import bce_with_logits, mse

seeds = st.integers(0, 2**32 - 1)
shapes = st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple)


@settings(max_examples=40)
@given(seed=seeds, shape=shapes, scale=st.sampled_from([1.0, 10.0]))
def test_bce_gradient_matches_finite_differences(seed, shape, scale):
    rng = np.random.default_rng(seed)
    logits = scale * rng.normal(size=shape)
    targets = rng.uniform(size=shape)
    _, gradient = bce_with_logits(logits, targets)
    result = gradcheck(lambda: bce_with_logits(logits, targets)[0], [logits], [gradient])
    assert result.max_relative_error < 1e-6, str(result)


@settings(max_examples=40)
@given(seed=seeds, shape=shapes)
def test_mse_gradient_matches_finite_differences(seed, shape):
    rng = np.random.default_rng(seed)
    y, target = rng.normal(size=shape), rng.normal(size=shape)
    _, gradient = mse(y, target)
    assert gradcheck(lambda: mse(y, target)[0], [y], [gradient]).max_relative_error < 1e-6


@settings(max_examples=40)
@given(logit=st.floats(-30, 30), target=st.floats(0, 1))
def test_bce_equals_the_textbook_formula_at_moderate_logits(logit, target):
    # -[t log p + (1 - t) log(1 - p)] with p = 1 / (1 + e^-l), safe to evaluate directly for
    # |l| <= 30 in float64 via log1p; 1e-12 relative leaves room for the few roundings of either
    # side.
    log_p = -math.log1p(math.exp(-logit))
    log_one_minus_p = -math.log1p(math.exp(logit))
    expected = -(target * log_p + (1 - target) * log_one_minus_p)
    value, gradient = bce_with_logits(np.array([logit]), np.array([target]))
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert gradient[0] == pytest.approx(1 / (1 + math.exp(-logit)) - target, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_is_exact_at_extreme_logits(dtype):
    # Closed forms: softplus(1e4) = 1e4 exactly in floating point (log1p(e^-1e4) underflows to 0),
    # and softplus(-1e4) = e^-1e4 = 0 in floating point; sigma(1e4) = 1, sigma(-1e4) = 0.
    logits = np.array([1e4, -1e4, 1e300 if dtype == np.float64 else 1e30], dtype=dtype)
    value, gradient = bce_with_logits(logits[:1], 0.0)
    assert value == 1e4 and gradient[0] == 1.0
    value, gradient = bce_with_logits(logits[:1], 1.0)
    assert value == 0.0 and gradient[0] == 0.0
    value, gradient = bce_with_logits(logits[1:2], 1.0)
    assert value == 1e4 and gradient[0] == -1.0
    value, gradient = bce_with_logits(logits[1:2], 0.0)
    assert value == 0.0 and gradient[0] == 0.0
    value, gradient = bce_with_logits(logits, np.array([0.0, 1.0, 0.0]))
    assert np.isfinite(value) and value == pytest.approx((2e4 + float(logits[2])) / 3, rel=1e-6)
    np.testing.assert_array_equal(gradient, np.array([1, -1, 1], dtype=dtype) / 3)


def test_bce_keeps_small_tail_gradients_that_cancellation_would_lose():
    # sigma(30) - 1 = -sigma(-30) = -9.357622968839299e-14 (closed form); computing 1 - sigma(30)
    # directly would keep only a few significant digits of it.
    _, gradient = bce_with_logits(np.array([30.0]), 1.0)
    assert gradient[0] == pytest.approx(-1 / (1 + math.exp(30)), rel=1e-14)
    value, _ = bce_with_logits(np.array([30.0]), 1.0)
    assert value == pytest.approx(math.log1p(math.exp(-30)), rel=1e-14)


def test_mse_equals_its_closed_form():
    value, gradient = mse(np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert value == (0 + 4 + 9 + 16) / 4
    np.testing.assert_array_equal(gradient, np.array([[0, 4], [6, 8]]) / 4)


@pytest.mark.parametrize("loss", [bce_with_logits, mse])
def test_losses_keep_float32(loss):
    logits = np.linspace(-3, 3, 12, dtype=np.float32).reshape(4, 3)
    value, gradient = loss(logits, np.full((4, 3), 0.5))       # float64 targets do not upcast
    assert value.dtype == np.float32 and gradient.dtype == np.float32


def test_targets_broadcast_and_the_mean_runs_over_all_elements():
    logits = np.zeros((2, 3))
    value, gradient = bce_with_logits(logits, 1.0)
    assert value == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_allclose(gradient, np.full((2, 3), -0.5 / 6), rtol=1e-15)


def test_bce_rejects_targets_outside_the_unit_interval_and_bad_shapes():
    with pytest.raises(ValueError, match="targets must lie in"):
        bce_with_logits(np.zeros(3), np.array([0.0, 1.5, 0.0]))
    with pytest.raises(ValueError, match="does not broadcast"):
        bce_with_logits(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="empty"):
        mse(np.zeros(0), 0.0)
