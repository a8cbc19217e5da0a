"""rng.Generator: reproducibility, numpy's dialect, unbiased integers, permutations, spawn.

The statistical tests draw from the textbook rng.Generator; rng.fast.Generator gives the same
numbers bitwise (tests/test_rng_fast.py). Tests of the API and of the stream layout run on both.
"""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy import stats

import rng

N = 100_000
# Pearson's r of two independent samples of size N has sd 1/sqrt(N) = 0.0032; a bound of
# 4.5 sd fails a correct generator with probability below 1e-5 per check.
CORRELATION_BOUND = 4.5 / math.sqrt(N)
CLASSES = [rng.Generator, rng.fast.Generator]


def noise_recipe(generator):
    """A small piece of project-style code written against numpy.random.Generator."""
    data = np.arange(20.0).reshape(10, 2)
    generator.shuffle(data)
    return {
        "shuffled": data,
        "z": generator.normal(0.0, 1.0, size=(4, 3)),
        "z_scalar": generator.standard_normal(),
        "z32": generator.standard_normal(5, dtype=np.float32),
        "u": generator.uniform(-1.0, 1.0, size=6),
        "u_scalar": generator.random(),
        "u32": generator.random((2, 2), dtype=np.float32),
        "batch": generator.integers(0, 10, size=8),
        "index": generator.integers(5),
        "order": generator.permutation(7),
        "rows": generator.permutation(data),
        "pick": generator.choice(10, size=3, replace=False),
        "one": generator.choice([1.5, 2.5, 3.5]),
        "loc_broadcast": generator.normal(np.zeros(3), 2.0),
    }


@pytest.mark.parametrize("cls", CLASSES)
def test_project_code_runs_unchanged_with_numpy_and_our_generator(cls):
    ours, theirs = noise_recipe(cls(3)), noise_recipe(np.random.default_rng(3))
    for key, expected in theirs.items():
        got = ours[key]
        assert type(got) is type(expected), key
        assert np.shape(got) == np.shape(expected), key
        assert np.asarray(got).dtype == np.asarray(expected).dtype, key
    assert sorted(ours["shuffled"].ravel()) == list(np.arange(20.0))
    assert np.all(ours["shuffled"][:, 1] - ours["shuffled"][:, 0] == 1)   # rows kept intact
    assert len(set(ours["pick"].tolist())) == 3


@pytest.mark.parametrize("cls", CLASSES)
def test_same_seed_gives_bitwise_the_same_stream(cls):
    first, second = noise_recipe(cls(11)), noise_recipe(cls(11))
    for key in first:
        assert np.array_equal(first[key], second[key]), key


def test_seeds_zero_one_two_give_uncorrelated_streams():
    u = [rng.Generator(seed).random(N) for seed in (0, 1, 2)]
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        assert abs(np.corrcoef(u[i], u[j])[0, 1]) < CORRELATION_BOUND


@pytest.mark.parametrize("seed", [None, -1, 2**64, 1.5, "1", True])
def test_seed_must_be_an_explicit_non_negative_integer(seed):
    with pytest.raises(ValueError, match="^seed must be an integer in"):
        rng.Generator(seed)


@pytest.mark.parametrize("cls", CLASSES)
def test_random_float32_is_the_float64_uniform_truncated_to_24_bits(cls):
    u64 = cls(5).random(1000)
    u32 = cls(5).random(1000, dtype=np.float32)
    assert np.array_equal(u32, np.floor(u64 * 2**24) / 2**24)


@pytest.mark.parametrize("cls", CLASSES)
def test_random_float32_never_rounds_up_to_one(cls):
    # float32(1 - 2^-53) == 1.0, so a plain cast would leave [0, 1). Put the next state at
    # x = 2^64 - 1, the largest: the state before it is (x - c) a^-1 mod 2^64.
    generator = cls(0)
    a, c, m = generator.lcg.a, generator.lcg.c, generator.lcg.m
    assert np.float32(1 - 2.0**-53) == 1.0
    generator.lcg.state = (m - 1 - c) * pow(a, -1, m) % m
    assert generator.random(dtype=np.float32) < 1.0


def test_uniforms_pass_kolmogorov_smirnov_and_chi_square():
    # Fixed seed, n = 10^5. Under H0 each p-value is uniform, so p > 1e-3 wrongly fails a
    # correct generator with probability 1e-3. Power: KS's critical D at alpha = 1e-3 is
    # sqrt(ln(2 / alpha) / (2n)) = 0.0062; chi-square over 100 bins (1000 per bin, sd 31)
    # notices a 5% excess in a few bins. The power checks below use the same n and alpha.
    u = rng.Generator(20140610).uniform(size=N)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    counts = np.bincount((u * 100).astype(int), minlength=100)
    assert stats.chisquare(counts).pvalue > 1e-3
    assert stats.kstest(u**1.03, "uniform").pvalue < 1e-3


def test_normals_pass_kolmogorov_smirnov_and_have_unit_moments():
    # KS as above. Moments of n = 10^5 standard normals: the mean has sd 1/sqrt(n) = 0.0032
    # and the variance sd sqrt(2/n) = 0.0045; both are checked to 4.5 sd.
    z = rng.Generator(1406).standard_normal(N)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert abs(z.mean()) < 4.5 / math.sqrt(N)
    assert abs(z.var() - 1) < 4.5 * math.sqrt(2 / N)
    assert stats.kstest(1.05 * z, "norm").pvalue < 1e-3


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("n", [1, 5, 6, 2 * 2**14 + 7])
def test_standard_normal_is_box_muller_of_its_uniforms_in_documented_layout(cls, n):
    # n numbers draw 2k = 2 ceil(n/2) uniforms: the first k are u1, the next k are u2, and the
    # output is the k cosine terms then n - k sine terms. The generator's quadrant-reduced
    # evaluation (box_muller_reduced, exactly) must agree with the textbook formula to
    # rounding (a few 1e-16 per unit of r; r < 9 for u on the 2^-53 grid, so 1e-14 absolute
    # is a safe bound).
    k = (n + 1) // 2
    u = cls(9).random(2 * k)
    z = cls(9).standard_normal(n)
    z1, z2 = rng.box_muller(u[:k], u[k:])
    np.testing.assert_allclose(z, np.concatenate([z1, z2[: n - k]]), rtol=0, atol=1e-14)
    z1, z2 = rng.box_muller_reduced(u[:k], u[k:])
    assert z.tobytes() == np.concatenate([z1, z2[: n - k]]).tobytes()


@pytest.mark.parametrize("cls", CLASSES)
def test_repeated_draws_follow_the_documented_layout_draw_by_draw(cls):
    # 300 draws of 255 numbers (the fast class computes them ahead after the first): draw j is
    # Box-Muller of the 2 x 128 uniforms that follow draw j - 1's, in the documented layout.
    n, k = 255, 128
    generator, uniforms = cls(21), cls(21)
    for _ in range(300):
        u = uniforms.random(2 * k)
        z1, z2 = rng.box_muller_reduced(u[:k], u[k:])
        assert generator.standard_normal(n).tobytes() == np.concatenate([z1, z2[:-1]]).tobytes()
    assert generator.lcg.state == uniforms.lcg.state


def test_normal_and_uniform_broadcast_their_parameters():
    generator = rng.Generator(4)
    z = generator.normal(loc=np.arange(3.0)[:, None] * 100, scale=np.array([0.0, 1.0]))
    assert z.shape == (3, 2)
    assert np.array_equal(z[:, 0], [0.0, 100.0, 200.0])   # scale 0 gives loc exactly
    u = generator.uniform(np.array([0.0, 10.0]), 11.0, size=(5, 2))
    assert u.shape == (5, 2) and np.all(u[:, 1] >= 10.0) and np.all(u < 11.0)


def test_integers_are_unbiased_for_a_range_that_does_not_divide_two_to_64():
    # r = 3 2^62: taking x mod r would give [0, 2^62) probability 1/2 instead of 1/3.
    # With n = 10^5 the fraction below 2^62 has sd sqrt((1/3)(2/3)/n) = 0.0015; 4.5 sd.
    values = rng.Generator(12).integers(0, 3 * 2**62, size=N, dtype=np.uint64)
    fraction = np.mean(values < np.uint64(2**62))
    assert abs(fraction - 1 / 3) < 4.5 * math.sqrt(2 / 9 / N)


def test_integers_are_uniform_over_a_small_range_by_chi_square():
    values = rng.Generator(13).integers(-3, 4, size=70_000)
    counts = np.bincount(values + 3, minlength=7)
    assert counts.size == 7 and stats.chisquare(counts).pvalue > 1e-3


@given(st.integers(-2**63, 2**63 - 1), st.integers(0, 2**64 - 1), st.booleans(),
       st.integers(0, 2**32))
def test_integers_stay_in_range_for_every_int64_interval(low, width, endpoint, seed):
    high = min(low + width, 2**63 - 1 if endpoint else 2**63)
    if high < low + (0 if endpoint else 1):
        high = low + (0 if endpoint else 1)
    values = rng.Generator(seed).integers(low, high, size=50, endpoint=endpoint)
    top = high if endpoint else high - 1
    assert values.dtype == np.int64
    assert all(low <= v <= top for v in values.tolist())


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.uint32, np.uint64])
def test_integers_cover_the_whole_dtype_range(dtype):
    info = np.iinfo(dtype)
    values = rng.Generator(1).integers(info.min, info.max, size=5000, dtype=dtype,
                                       endpoint=True)
    assert values.dtype == dtype
    if info.bits <= 8:   # 5000 draws from 256 values: every value appears (P(miss) < 1e-6)
        assert np.unique(values).size == 256


def test_permutation_is_uniform_over_the_six_orders_of_three():
    # 6000 permutations of 3: counts of the 6 orders are multinomial(1000 each).
    generator = rng.Generator(21)
    orders = [tuple(generator.permutation(3)) for _ in range(6000)]
    counts = [orders.count(order) for order in set(orders)]
    assert len(counts) == 6 and stats.chisquare(counts).pvalue > 1e-3


def test_shuffle_works_in_place_on_arrays_and_lists():
    generator = rng.Generator(8)
    items = list(range(100))
    generator.shuffle(items)
    assert sorted(items) == list(range(100)) and items != list(range(100))
    array = np.arange(12).reshape(6, 2)
    view = array[::2]
    generator.shuffle(view)
    assert sorted(view[:, 0].tolist()) == [0, 4, 8] and np.all(view[:, 1] == view[:, 0] + 1)


def test_choice_without_replacement_draws_distinct_items():
    picks = rng.Generator(2).choice(np.arange(50) * 10, size=(5, 10), replace=False)
    assert picks.shape == (5, 10) and np.unique(picks).size == 50


def test_spawned_children_are_reproducible_distinct_and_uncorrelated():
    children = rng.Generator(99).spawn(3)
    again = rng.Generator(99).spawn(3)
    streams = [child.random(N) for child in children]
    for child, stream in zip(again, streams):
        assert np.array_equal(child.random(N), stream)
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        assert abs(np.corrcoef(streams[i], streams[j])[0, 1]) < CORRELATION_BOUND


@pytest.mark.parametrize("cls", CLASSES)
def test_generator_runs_on_every_preset(cls):
    for name in rng.PRESETS:
        generator = cls(1, lcg=name)
        u = generator.random(1000)
        assert np.all((u >= 0) & (u < 1))
        assert np.all(np.isfinite(generator.standard_normal(1001)))
        assert set(generator.integers(0, 5, size=200).tolist()) == set(range(5))
        assert sorted(generator.permutation(50).tolist()) == list(range(50))


@pytest.mark.parametrize("call, message", [
    (lambda g: g.random(size=-1), "^size must"),
    (lambda g: g.random(size=2.5), "^size must"),
    (lambda g: g.random(dtype=np.int32), "^dtype must"),
    (lambda g: g.uniform(0.0, np.inf), "^low and high must be finite"),
    (lambda g: g.uniform(1.0, 0.0), "^high must be >= low"),
    (lambda g: g.normal(0.0, -1.0), "^scale must"),
    (lambda g: g.normal(np.nan), "^loc must"),
    (lambda g: g.normal(np.zeros(3), size=(2,)), "^size"),
    (lambda g: g.integers(5, 5), "^high must satisfy"),
    (lambda g: g.integers(0, 300, dtype=np.uint8), "^high must satisfy"),
    (lambda g: g.integers(-1, 3, dtype=np.uint8), "^low must"),
    (lambda g: g.integers(0.5, 3), "^low must be integer-valued"),
    (lambda g: g.integers(0, 3, dtype=np.float64), "^dtype must"),
    (lambda g: g.permutation(-2), "^x must"),
    (lambda g: g.permutation(np.float64(3.0)), "^x must"),
    (lambda g: g.choice(0), "^a must"),
    (lambda g: g.choice(3, size=4, replace=False), "^size 4 exceeds"),
    (lambda g: g.shuffle(3), "^x must"),
    (lambda g: g.spawn(-1), "^n_children must"),
])
@pytest.mark.parametrize("cls", CLASSES)
def test_invalid_arguments_raise_naming_the_argument(cls, call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(cls(0))


def test_invalid_lcg_choice_raises():
    with pytest.raises(ValueError, match="^lcg must"):
        rng.Generator(0, lcg="pcg64")
    with pytest.raises(TypeError, match="^lcg must"):
        rng.Generator(0, lcg=rng.LCG.preset("mmix", 1))
    with pytest.raises(ValueError, match="^m must"):
        rng.Generator(0, lcg=(5, 1, 3 * 2**40))
