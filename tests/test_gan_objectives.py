"""The players' losses: values against scipy's log_expit, gradients against finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import log_expit

from gan.objectives import discriminator_loss, generator_loss, value_estimate

logit_batches = st.integers(1, 20).flatmap(
    lambda m: arrays(np.float64, (m, 1), elements=st.floats(-30, 30))
)


EPS = 1e-6


def fd_tolerance(loss):
    """Absolute error allowed in a central difference of f at step EPS.

    Rounding in each evaluation of f is about machine-epsilon * |f|; the difference of two
    divided by 2 EPS gives eps_mach |f| / EPS. The truncation error (EPS^2 times the third
    derivative, at most ~1/m here) is far smaller. A factor 4 of margin.
    """
    return 4 * np.finfo(np.float64).eps * (1 + abs(float(loss))) / EPS


def central_difference(f, x, eps=EPS):
    """d f / d x_i by (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), one coordinate at a time."""
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        up = f(x)
        x[i] = saved - eps
        down = f(x)
        x[i] = saved
        grad[i] = (up - down) / (2 * eps)
    return grad


@given(logit_batches, logit_batches)
def test_discriminator_loss_is_minus_the_value(real, fake):
    loss, _, _ = discriminator_loss(real, fake)
    reference = -(log_expit(real).mean() + log_expit(-fake).mean())
    assert loss == pytest.approx(reference, rel=1e-12, abs=1e-12)
    assert value_estimate(real, fake) == pytest.approx(-loss, rel=1e-12, abs=1e-12)


@given(logit_batches, logit_batches)
def test_discriminator_gradient_matches_finite_differences(real, fake):
    loss, grad_real, grad_fake = discriminator_loss(real, fake)
    numeric_real = central_difference(lambda r: discriminator_loss(r, fake)[0], real.copy())
    numeric_fake = central_difference(lambda f: discriminator_loss(real, f)[0], fake.copy())
    np.testing.assert_allclose(grad_real, numeric_real, rtol=1e-5, atol=fd_tolerance(loss))
    np.testing.assert_allclose(grad_fake, numeric_fake, rtol=1e-5, atol=fd_tolerance(loss))


@pytest.mark.parametrize("kind", ["minimax", "non_saturating"])
@given(fake=logit_batches)
def test_generator_gradient_matches_finite_differences(kind, fake):
    loss, grad = generator_loss(fake, kind)
    numeric = central_difference(lambda f: generator_loss(f, kind)[0], fake.copy())
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=fd_tolerance(loss))


@given(logit_batches)
def test_generator_losses_match_their_definitions(fake):
    minimax, _ = generator_loss(fake, "minimax")
    non_saturating, _ = generator_loss(fake, "non_saturating")
    assert minimax == pytest.approx(log_expit(-fake).mean(), rel=1e-12, abs=1e-12)
    assert non_saturating == pytest.approx(-log_expit(fake).mean(), rel=1e-12, abs=1e-12)


def test_value_at_the_equilibrium_is_minus_log_4():
    half = np.zeros((7, 1))  # logit 0 <=> D = 1/2
    assert value_estimate(half, half) == pytest.approx(-np.log(4.0), rel=1e-15)


def test_extreme_logits_give_exact_finite_losses():
    big = np.array([[1e4], [-1e4]])
    loss, grad_real, grad_fake = discriminator_loss(big, big)
    # real: s(-1e4) = 0 and s(1e4) = 1e4; fake: s(1e4) = 1e4 and s(-1e4) = 0 -> (1e4 + 1e4) / 2
    assert loss == 1e4
    np.testing.assert_array_equal(grad_real, [[0.0], [-0.5]])
    np.testing.assert_array_equal(grad_fake, [[0.5], [0.0]])
    for kind in ("minimax", "non_saturating"):
        g_loss, g_grad = generator_loss(big, kind)
        assert np.isfinite(g_loss) and np.isfinite(g_grad).all()


@given(st.floats(-30, -2))
def test_non_saturating_gradient_is_stronger_when_d_rejects_the_fakes(logit):
    """Section 3 of the paper: early on D(G(z)) -> 0 and log(1 - D) saturates."""
    fake = np.array([[logit]])
    _, minimax = generator_loss(fake, "minimax")
    _, non_saturating = generator_loss(fake, "non_saturating")
    # both push the logit up (negative gradient of the loss) ...
    assert minimax[0, 0] < 0 and non_saturating[0, 0] < 0
    # ... but the minimax one by D = sigmoid(l), the non-saturating one by 1 - D
    assert abs(non_saturating[0, 0]) > 5 * abs(minimax[0, 0])


def test_a_leading_axis_keeps_one_value_per_game():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(3, 5, 1)), rng.normal(size=(3, 5, 1))
    loss, _, _ = discriminator_loss(real, fake)
    assert loss.shape == (3,)
    for e in range(3):
        assert loss[e] == pytest.approx(discriminator_loss(real[e], fake[e])[0], rel=1e-14)


def test_unknown_generator_loss_is_named():
    with pytest.raises(ValueError, match="kind must be one of"):
        generator_loss(np.zeros((2, 1)), "wasserstein")
