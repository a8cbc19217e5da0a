"""rng.normal: Box-Muller's algebra, its safety at u1 = 0, its evaluations, and the polar method."""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy import stats

import rng
from rng.normal import box_muller_into

unit_interval = st.floats(0.0, 1.0, exclude_max=True)
# The uniforms the generators produce: k / 2^53. On this grid 1 - u1 is exact, so
# ln(1 - u1) loses nothing (for u1 below 2^-53, 1 - u1 would round to 1).
generator_uniforms = st.integers(0, 2**53 - 1).map(lambda k: k * 2.0**-53)


@given(generator_uniforms, unit_interval)
def test_box_muller_radius_squared_is_minus_two_log_of_one_minus_u1(u1, u2):
    z1, z2 = rng.box_muller(u1, u2)
    expected = -2.0 * math.log1p(-u1)   # log1p: an independent, accurate evaluation
    assert math.isclose(float(z1**2 + z2**2), expected, rel_tol=1e-12, abs_tol=1e-300)


@given(generator_uniforms.filter(lambda u: u > 0), unit_interval)
def test_box_muller_angle_is_two_pi_u2(u1, u2):
    z1, z2 = rng.box_muller(u1, u2)
    difference = math.atan2(float(z2), float(z1)) - 2.0 * math.pi * u2
    wrapped = math.remainder(difference, 2.0 * math.pi)   # into [-pi, pi]
    assert abs(wrapped) < 1e-9


def test_box_muller_is_finite_and_zero_at_u1_zero():
    # u1 = 0 is a value random() really returns; the transform uses ln(1 - u1) = ln 1 = 0.
    z1, z2 = rng.box_muller(np.zeros(3), np.array([0.0, 0.25, 0.9]))
    assert np.array_equal(z1, np.zeros(3)) and np.array_equal(z2, np.zeros(3))


def test_box_muller_broadcasts_like_numpy():
    z1, z2 = rng.box_muller(np.full((4, 1), 0.5), np.linspace(0, 0.9, 3))
    assert z1.shape == z2.shape == (4, 3)


def test_box_muller_outputs_are_standard_normal_by_kolmogorov_smirnov():
    # n = 10^5 pairs: under H0 the KS p-value is uniform, so p < 1e-3 would wrongly fail a
    # correct transform with probability 1e-3 at this fixed seed. Power: the critical D at
    # alpha = 1e-3 is sqrt(ln(2/alpha) / (2n)) = 0.0062, so a CDF error above 0.6% is caught
    # (a 5% error in the standard deviation moves the CDF by 0.012).
    u = rng.Generator(2024).random(200_000)
    z1, z2 = rng.box_muller(u[:100_000], u[100_000:])
    for z in (z1, z2):
        assert stats.kstest(z, "norm").pvalue > 1e-3
        assert stats.kstest(1.05 * z, "norm").pvalue < 1e-3   # the same test has power
    # Independence of z1 and z2: Pearson's r has sd 1/sqrt(n) = 0.0032; 4 sd is 0.013.
    assert abs(np.corrcoef(z1, z2)[0, 1]) < 4 / math.sqrt(100_000)


# u2 on the edges of the quadrant reduction (multiples of 1/8: alpha = +-pi/4, q changes) as
# well as anywhere on the generators' grid.
angle_uniforms = st.one_of(st.integers(0, 7).map(lambda j: j / 8), generator_uniforms)
uniform_pairs = st.lists(st.tuples(generator_uniforms, angle_uniforms), min_size=1, max_size=40)


@given(uniform_pairs)
def test_box_muller_reduced_agrees_with_the_textbook_formula_to_rounding(pairs):
    # cos theta and sin theta by reduction to [-pi/4, pi/4] against numpy's cos and sin of
    # 2 pi u2: each side is within a few ulps of the true value, and r < 9 on the 2^-53 grid,
    # so 1e-14 absolute is a safe bound.
    u1, u2 = np.array(pairs).T
    for reduced, textbook in zip(rng.box_muller_reduced(u1, u2), rng.box_muller(u1, u2)):
        np.testing.assert_allclose(reduced, textbook, rtol=0, atol=1e-14)


@given(uniform_pairs, st.booleans())
def test_box_muller_into_is_box_muller_reduced_bitwise(pairs, drop_last_sine):
    # The in-place evaluation the fast generator uses must give the textbook generator's bytes.
    u1, u2 = np.array(pairs).T
    n = len(u1)
    z1, z2 = np.empty(n), np.empty(n - 1 if drop_last_sine else n)
    box_muller_into(u1, u2, z1, z2, np.empty((5, n)))
    expected_z1, expected_z2 = rng.box_muller_reduced(u1, u2)
    assert z1.tobytes() == expected_z1.tobytes()
    assert z2.tobytes() == expected_z2[: len(z2)].tobytes()


@given(st.lists(st.tuples(unit_interval, unit_interval), min_size=1, max_size=50))
def test_polar_outputs_lie_on_the_ray_of_their_accepted_point(pairs):
    u1, u2 = np.array(pairs).T
    v1, v2 = 2 * u1 - 1, 2 * u2 - 1
    s = v1**2 + v2**2
    inside = (s > 0) & (s < 1)
    z1, z2 = rng.polar(u1, u2)
    assert len(z1) == len(z2) == inside.sum()
    # z = v sqrt(-2 ln s / s)  =>  |z|^2 = -2 ln s, in the direction of v.
    np.testing.assert_allclose(z1**2 + z2**2, -2 * np.log(s[inside]), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(z1 * v2[inside], z2 * v1[inside], rtol=1e-12, atol=1e-300)


def test_polar_accepts_pi_over_four_and_gives_standard_normals():
    # n = 10^5 pairs: the acceptance count is Binomial(n, pi/4), sd sqrt(n p (1-p)) = 130;
    # 4 sd bounds the acceptance fraction within 0.0052 of pi/4. KS as in the Box-Muller test.
    u = rng.Generator(7).random(200_000)
    z1, z2 = rng.polar(u[:100_000], u[100_000:])
    assert abs(len(z1) / 100_000 - math.pi / 4) < 4 * math.sqrt(math.pi / 4 * (1 - math.pi / 4)
                                                                / 100_000)
    assert stats.kstest(np.concatenate([z1, z2]), "norm").pvalue > 1e-3


@pytest.mark.parametrize("function", [rng.box_muller, rng.polar])
@pytest.mark.parametrize("u1, u2, name", [
    (1.0, 0.5, "u1"), (-0.1, 0.5, "u1"), (np.nan, 0.5, "u1"), (0.5, 1.0, "u2"), (0.5, -1e-9, "u2"),
])
def test_uniforms_outside_unit_interval_raise_naming_the_argument(function, u1, u2, name):
    with pytest.raises(ValueError, match=rf"^{name} must hold uniforms in \[0, 1\)"):
        function(np.array([u1]), np.array([u2]))


def test_polar_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        rng.polar(np.zeros(3), np.zeros(4))


def test_box_muller_and_polar_are_different_maps_of_the_same_uniforms():
    # Both are exact transforms; a sanity check that polar is not Box-Muller in disguise.
    pairs = np.array([[0.3, 0.1], [0.9, 0.6]])
    z_bm = rng.box_muller(pairs[:, 0], pairs[:, 1])[0]
    z_polar = rng.polar(pairs[:, 0], pairs[:, 1])[0]
    assert not np.allclose(z_bm, z_polar)


def test_reduced_box_muller_is_r_cos_and_r_sin_of_two_pi_u2_on_every_quadrant():
    """z1 = r cos(2 pi u2), z2 = r sin(2 pi u2), r = sqrt(-2 ln(1 - u1)), numpy's cos and sin
    the outside value; u2 spans all five q = rint(4 u2 - 2), so both A and B are exercised."""
    from rng.normal import box_muller_reduced
    u1, u2 = np.meshgrid(np.linspace(0.01, 0.99, 7), np.linspace(0, 0.999, 101))
    z1, z2 = box_muller_reduced(u1.ravel(), u2.ravel())
    r, theta = np.sqrt(-2 * np.log(1 - u1.ravel())), 2 * np.pi * u2.ravel()
    np.testing.assert_allclose(z1, r * np.cos(theta), rtol=0, atol=1e-14 * r.max())
    np.testing.assert_allclose(z2, r * np.sin(theta), rtol=0, atol=1e-14 * r.max())
