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


# ---------------------------------------------------------------- stacked games, wide outputs
STACKED_SHAPES = [(3, 4, 1), (4, 2), (2, 5, 3)]     # (games, m, 1), (m, features), both


def _per_game(function, logits):
    """function on each game of a stack of logits: the leading axes one at a time."""
    return np.array([function(logits[index]) for index in np.ndindex(logits.shape[:-2])])


@pytest.mark.parametrize("shape", STACKED_SHAPES, ids=str)
def test_losses_average_over_the_last_two_axes_and_keep_one_value_per_game(shape):
    """L_D = mean s(-l_real) + mean s(l_fake), L_G and V likewise, the mean over all m x k
    entries of a game (scipy's log_expit gives log D = -s(-l)); a leading axis of games keeps
    one value per game, each what that game alone would get."""
    rng = np.random.default_rng(12)
    real, fake = rng.normal(size=shape) * 3, rng.normal(size=(*shape[:-2], 7, shape[-1])) * 3
    mean = lambda values: values.reshape(*values.shape[:-2], -1).mean(axis=-1)
    expected_d = mean(-log_expit(real)) + mean(-log_expit(-fake))
    np.testing.assert_allclose(discriminator_loss(real, fake)[0], expected_d, rtol=1e-13)
    np.testing.assert_allclose(value_estimate(real, fake), -expected_d, rtol=1e-13)
    np.testing.assert_allclose(generator_loss(fake, "minimax")[0], mean(log_expit(-fake)),
                               rtol=1e-13)
    np.testing.assert_allclose(generator_loss(fake)[0], mean(-log_expit(fake)), rtol=1e-13)
    if len(shape) == 3:
        single = _per_game(lambda f: generator_loss(f)[0], fake)
        np.testing.assert_allclose(generator_loss(fake)[0], single, rtol=1e-15)


@pytest.mark.parametrize("shape", STACKED_SHAPES, ids=str)
def test_loss_gradients_on_stacks_and_unequal_batches_match_finite_differences(shape):
    """dL/dl of each game's own loss, with 7 fakes against m reals: the gradient of a game's
    loss, its entries divided by that batch's m x k."""
    rng = np.random.default_rng(13)
    real, fake = rng.normal(size=shape), rng.normal(size=(*shape[:-2], 7, shape[-1]))
    total = lambda r, f: float(np.sum(discriminator_loss(r, f)[0]))   # games do not mix
    loss, grad_real, grad_fake = discriminator_loss(real, fake)
    tolerance = fd_tolerance(np.max(np.abs(loss)))
    np.testing.assert_allclose(grad_real, central_difference(lambda r: total(r, fake), real),
                               atol=tolerance)
    np.testing.assert_allclose(grad_fake, central_difference(lambda f: total(real, f), fake),
                               atol=tolerance)
    for kind in ("minimax", "non_saturating"):
        loss, grad = generator_loss(fake, kind)
        numeric = central_difference(lambda f: float(np.sum(generator_loss(f, kind)[0])), fake)
        np.testing.assert_allclose(grad, numeric, atol=fd_tolerance(np.max(np.abs(loss))))
