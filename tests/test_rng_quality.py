"""rng.quality: the spectral test against published values and exhaustive search; RANDU's
planes; the uniformity statistics' behaviour on good and bad streams."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rng
from rng import quality


# -- spectral test: published values ---------------------------------------------------------

def test_randu_spectral_test_in_three_dimensions_is_118():
    # Knuth, TAOCP vol. 2, 3.3.4, Table 1 (the RANDU line, a = 65539): nu_3^2 = 118, from the
    # dual vector (9, -6, 1) -- Marsaglia's "Random numbers fall mainly in the planes" (1968).
    assert quality.spectral_test(65539, 2**31, 3) == 118
    assert quality.shortest_dual_vector(65539, 2**31, 3) == (9, -6, 1)


def test_knuths_worked_example_gives_his_shortest_vector():
    # Knuth, TAOCP vol. 2, 3.3.4, the worked example of Algorithm S for m = 10^10,
    # a = 3141592621: the shortest dual vector in 3 dimensions is (227, 983, 130) up to
    # sign, nu_3 = sqrt(227^2 + 983^2 + 130^2) ~ 1017.21089 (as reproduced at
    # coldfusion.jspwebsitehosting.com/coldfusion/334-the-spectral-test-101-...).
    assert quality.shortest_dual_vector(3141592621, 10**10, 3) == (227, 983, 130)
    assert math.isclose(math.sqrt(quality.spectral_test(3141592621, 10**10, 3)), 1017.21089,
                        rel_tol=1e-8)


# -- spectral test: exhaustive search ------------------------------------------------------

def exhaustive_nu_squared(a, m, t, radius):
    """min |s|^2 over s != 0 with s_1 + a s_2 (+ a^2 s_3) = 0 mod m and |s_2|, |s_3| <= radius,
    taking for each (s_2, s_3) the s_1 of least magnitude. Exact when radius^2 >= answer."""
    others = np.arange(-radius, radius + 1, dtype=object)
    if t == 2:
        tails = [(s2,) for s2 in others]
    else:
        tails = [(s2, s3) for s2 in others for s3 in others]
    best = None
    for tail in tails:
        residue = -sum(pow(a, j + 1, m) * s for j, s in enumerate(tail)) % m
        s1 = residue if residue <= m // 2 else residue - m
        norm = s1 * s1 + sum(s * s for s in tail)
        if norm and (best is None or norm < best):
            best = norm
    return best


def exhaustive_nu_squared_numpy(a, m, t, radius):
    """The same search vectorised over an int64 grid (for MINSTD's m = 2^31 - 1, where every
    product below stays under 2^62 and s_1^2 <= 2^60)."""
    grid = np.arange(-radius, radius + 1, dtype=np.int64)
    s2, s3 = (grid, np.zeros(1, np.int64)) if t == 2 else np.meshgrid(grid, grid)
    s2, s3 = s2.ravel(), s3.ravel()
    residue = (-(s2 % m) * (a % m) % m - (s3 % m) * (a * a % m) % m) % m
    s1 = np.where(residue <= m // 2, residue, residue - m)
    norms = s1 * s1 + s2 * s2 + s3 * s3
    return int(norms[norms > 0].min())


@given(st.integers(2, 3000).flatmap(lambda m: st.tuples(st.integers(1, m - 1), st.just(m))),
       st.sampled_from([2, 3]))
def test_spectral_test_equals_exhaustive_search(parameters, t):
    a, m = parameters
    nu_squared = quality.spectral_test(a, m, t)
    radius = math.isqrt(nu_squared) + 1
    assert nu_squared == exhaustive_nu_squared(a, m, t, radius)


@pytest.mark.parametrize("a", [16807, 48271])
def test_minstd_spectral_test_equals_exhaustive_search(a):
    # MINSTD (Park and Miller 1988, m = 2^31 - 1): checked against an independent search
    # over a box large enough to contain the shortest vector. Products stay below 2^62.
    m = 2**31 - 1
    for t in (2, 3):
        nu_squared = quality.spectral_test(a, m, t)
        assert nu_squared == exhaustive_nu_squared_numpy(a, m, t, math.isqrt(nu_squared) + 1)


@settings(max_examples=30)   # each t = 6 case enumerates a 6-D lattice in exact arithmetic
@given(st.integers(1, 2**64 - 1), st.integers(2, 6))
def test_shortest_dual_vector_satisfies_the_congruence(a, t):
    m = 2**64
    s = quality.shortest_dual_vector(a, m, t)
    assert any(s) and sum(s_j * pow(a, j, m) for j, s_j in enumerate(s)) % m == 0


def test_mmix_has_wide_spacing_in_low_dimensions():
    # Knuth's adequacy criterion (3.3.4 E): nu_t >= 2^(30/t) for 2 <= t <= 6.
    for t in range(2, 7):
        assert quality.spectral_test(*rng.PRESETS["mmix"][::2], t) >= 2 ** (60 / t)


# -- RANDU's planes --------------------------------------------------------------------------

def test_randu_triples_lie_on_fifteen_planes():
    # Marsaglia (1968); Knuth 3.3.4: all of RANDU's triples lie on 15 planes
    # 9 x_i - 6 x_{i+1} + x_{i+2} = k 2^31.
    points = quality.lcg_points(rng.LCG.preset("randu", seed=1), 100_000)
    assert points.shape == (100_000, 3)
    assert quality.count_planes(points, (9, -6, 1), 2**31) == 15


def test_a_good_generator_has_no_such_planes():
    points = quality.lcg_points(rng.LCG.preset("minstd_rand", seed=1), 1000)
    with pytest.raises(ValueError, match="do not satisfy"):
        quality.count_planes(points, (9, -6, 1), 2**31 - 1)


def test_consecutive_tuples_are_overlapping_windows():
    assert quality.consecutive_tuples(np.arange(5), 3).tolist() == [[0, 1, 2], [1, 2, 3],
                                                                      [2, 3, 4]]


# -- uniformity statistics -------------------------------------------------------------------

def test_statistics_accept_a_good_stream_and_reject_a_bad_one():
    # n = 10^5 at a fixed seed; p > 1e-3 fails a correct generator with probability 1e-3.
    # The bad stream u^1.03 shifts the CDF by up to 0.011, far beyond KS's critical 0.0062.
    u = rng.Generator(5).random(100_000)
    assert quality.ks_uniformity(u)[1] > 1e-3
    assert quality.chi_square_uniformity(u)[1] > 1e-3
    assert quality.ks_uniformity(u**1.03)[1] < 1e-3
    assert quality.chi_square_uniformity(u**1.03)[1] < 1e-3


def test_ks_normality_accepts_normals_and_rejects_uniforms():
    generator = rng.Generator(6)
    assert quality.ks_normality(generator.standard_normal(100_000))[1] > 1e-3
    assert quality.ks_normality(generator.random(1000))[1] < 1e-3


def test_serial_correlation_is_near_zero_for_independent_and_half_for_repeated_values():
    # Knuth 3.3.2 K: mu_n = -1/(n - 1), sd about 1/sqrt(n) = 0.0032 for n = 10^5; 4.5 sd.
    u = rng.Generator(3).random(100_000)
    n = u.size
    assert abs(quality.serial_correlation(u) + 1 / (n - 1)) < 4.5 / math.sqrt(n)
    # Each value twice: (u, u) pairs contribute variance, (u, u') pairs nothing, so C -> 1/2.
    assert abs(quality.serial_correlation(np.repeat(u, 2)) - 0.5) < 4.5 / math.sqrt(n)


@pytest.mark.parametrize("call, message", [
    (lambda: quality.spectral_test(0, 16, 2), "^a must"),
    (lambda: quality.spectral_test(3, 1, 2), "^m must"),
    (lambda: quality.spectral_test(3, 16, 7), "^t must"),
    (lambda: quality.chi_square_uniformity(np.full(10, 0.5), bins=1), "^bins must"),
    (lambda: quality.chi_square_uniformity(np.full(10, 0.5), bins=10), "^u must hold at least"),
    (lambda: quality.ks_uniformity([0.2, 1.0]), r"^u must hold uniforms"),
    (lambda: quality.ks_normality([np.nan, 1.0]), "^z must"),
    (lambda: quality.serial_correlation(np.full(10, 0.5)), "^u must not be constant"),
    (lambda: quality.consecutive_tuples(np.arange(3), 4), "^t must"),
    (lambda: quality.count_planes(np.ones((3, 3), int), (1, 1), 16), "^normal must"),
    (lambda: quality.count_planes(np.full((3, 3), 20), (1, 1, 1), 16), "^points must"),
    (lambda: quality.lcg_points(rng.LCG.preset("randu", 1), 0), "^n must"),
])
def test_invalid_arguments_raise_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
