"""Walks and arithmetic in a DCGAN's z (gan.digits.dcgan, Radford et al. 2016 sections 6.1 and
6.3): the walk's points, the step-share measure on walks whose answer is known, the choice of
thick and thin samples and the sum of their means on a pool built to known values, and G of
chosen z generated among fresh samples of p_z."""

import numpy as np
import pytest

from gan.digits.dcgan import (
    DCGAN,
    generate_among,
    ink,
    largest_step_share,
    thickness_arithmetic,
    walk_noise,
)


def test_walk_noise_runs_straight_from_z_a_to_z_b():
    rng = np.random.default_rng(0)
    z_a, z_b = rng.uniform(-1, 1, (3, 5)), rng.uniform(-1, 1, (3, 5))
    walk = walk_noise(z_a, z_b, 5)
    assert walk.shape == (3, 5, 5)
    np.testing.assert_array_equal(walk[:, 0], z_a)
    np.testing.assert_allclose(walk[:, -1], z_b, rtol=0, atol=1e-15)
    np.testing.assert_allclose(walk[:, 2], (z_a + z_b) / 2, rtol=0, atol=1e-15)


def test_largest_step_share_is_one_ninth_for_equal_steps_and_one_for_a_jump():
    picture = np.random.default_rng(1).random((32, 32))
    ramp = np.linspace(0, 1, 10)[:, None, None] * picture          # ten equal steps apart
    jump = np.where(np.arange(10)[:, None, None] < 6, 0.0, picture)  # all change at one step
    shares = largest_step_share(np.stack([ramp, jump]))
    np.testing.assert_allclose(shares, [1 / 9, 1.0], rtol=1e-12)


def test_ink_is_the_mean_pixel():
    images = np.zeros((2, 32, 32))
    images[0, :, :8] = 1.0                     # a quarter of the pixels lit
    images[1] = 0.5
    np.testing.assert_allclose(ink(images), [0.25, 0.5])


def _pool():
    """12 samples of class 7 and 12 of class 1 with known ink, and z that names each group:
    z[0] = +1 for the 6 inkiest 7s, -1 for the 6 faintest 7s, z[1] = 5 for the 6 faintest 1s."""
    rng = np.random.default_rng(2)
    labels = np.array([7] * 12 + [1] * 12)
    amounts = np.concatenate([np.arange(12), np.arange(12)]) / 24 + 0.1
    images = np.broadcast_to(amounts[:, None, None], (24, 32, 32)).copy()
    order = rng.permutation(24)                          # shuffled, so order cannot help
    labels, images = labels[order], images[order]
    z = np.zeros((24, 4))
    seven, one = labels == 7, labels == 1
    z[seven & (images[:, 0, 0] >= 6 / 24 + 0.1), 0] = 1.0
    z[seven & (images[:, 0, 0] < 6 / 24 + 0.1), 0] = -1.0
    z[one & (images[:, 0, 0] < 6 / 24 + 0.1), 1] = 5.0
    return z, images, labels


def test_thickness_arithmetic_sums_the_means_of_the_chosen_groups():
    z, images, labels = _pool()
    found = thickness_arithmetic(z, images, labels, a=7, b=1, rows=2, group=3)
    amount = ink(images)
    assert set(labels[found["thick a"].ravel()]) == {7}
    assert set(labels[found["thin b"].ravel()]) == {1}
    # the thick 7s are the six inkiest 7s, the thin ones the six faintest
    sevens = np.sort(amount[labels == 7])
    np.testing.assert_allclose(np.sort(amount[found["thick a"].ravel()]), sevens[6:])
    np.testing.assert_allclose(np.sort(amount[found["thin a"].ravel()]), sevens[:6])
    # (+1) - (-1) + 0 in z[0]; 0 - 0 + 5 in z[1]
    np.testing.assert_allclose(found["result"], [[2, 5, 0, 0]] * 2)
    assert found["means"].shape == (2, 3, 4)


def test_thickness_arithmetic_refuses_a_pool_too_small():
    z, images, labels = _pool()
    assert thickness_arithmetic(z, images, labels, a=7, b=1, rows=3, group=3) is None
    assert thickness_arithmetic(z, images, labels, a=7, b=7, rows=1, group=3) is None


@pytest.fixture(scope="module")
def game():
    from gan.digits.gans import Digits, DigitsConfig

    rng = np.random.default_rng(0)
    target = Digits(rng.random((20, 1, 32, 32)), np.arange(20) % 10, flat=False)
    config = DigitsConfig(target=target, width=4, prior="uniform", noise_dim=100, steps=1)
    return DCGAN(config, rng)


def test_generate_among_is_g_of_the_chosen_z_in_a_batch_with_fresh_ones(game):
    z = game.sample_noise(3, np.random.default_rng(4))
    made = generate_among(game, z, np.random.default_rng(5), companions=50)
    companions = game.sample_noise(50, np.random.default_rng(5))
    expected = game.generate_pixels(np.concatenate([z, companions]), None)[:3, 0]
    np.testing.assert_array_equal(made, expected)
    # BatchNorm uses the batch's statistics: the three alone come out otherwise
    assert np.abs(game.generate_pixels(z, None)[:, 0] - made).max() > 1e-3
    # the paper's prior: U(-1, 1) in every coordinate, standard deviation 1 / sqrt(3)
    z = game.sample_noise(2000, np.random.default_rng(6))
    assert z.shape == (2000, 100) and z.min() >= -1 and z.max() <= 1
    assert z.std() == pytest.approx(1 / np.sqrt(3), abs=0.005)      # about 9 standard errors
