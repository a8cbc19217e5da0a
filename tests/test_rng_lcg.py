"""rng.lcg: the recurrence, its published reference outputs, jump-ahead and the period theory."""

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, strategies as st

import rng
import rng.lcg

MMIX = rng.PRESETS["mmix"]


def plain_recurrence(a, c, m, seed, n):
    """x_1..x_n of x_{i+1} = (a x_i + c) mod m, one Python-int step at a time."""
    xs, x = [], seed
    for _ in range(n):
        x = (a * x + c) % m
        xs.append(x)
    return xs


@st.composite
def lcg_parameters(draw):
    m = draw(st.one_of(st.integers(2, 2**32), st.integers(1, 64).map(lambda k: 2**k)))
    a = draw(st.integers(1, m - 1)) if m > 2 else 1
    c = draw(st.integers(0, m - 1))
    seed = draw(st.integers(1 if c == 0 else 0, m - 1))
    return a, c, m, seed


# -- published reference outputs ------------------------------------------------------------

def test_minstd_rand0_ten_thousandth_output_matches_cpp_standard():
    # C++ standard [rand.predef]: "the 10000th consecutive invocation of a default-constructed
    # object of type minstd_rand0 shall produce the value 1043618065" (default seed 1).
    assert int(rng.LCG.preset("minstd_rand0", seed=1).raw(10000)[-1]) == 1043618065


def test_minstd_rand_ten_thousandth_output_matches_cpp_standard():
    # C++ standard [rand.predef]: minstd_rand's 10000th output is 399268537.
    assert int(rng.LCG.preset("minstd_rand", seed=1).raw(10000)[-1]) == 399268537


def test_randu_from_seed_one_starts_with_published_values():
    # RANDU from V_0 = 1: 65539, 393225, 1769499, 7077969, 26542323 (Wikipedia, "RANDU",
    # https://en.wikipedia.org/wiki/RANDU).
    expected = [65539, 393225, 1769499, 7077969, 26542323]
    assert rng.LCG.preset("randu", seed=1).raw(5).tolist() == expected


def test_ansi_c_preset_reproduces_the_c_standards_sample_rand():
    # The C standard's sample rand() (ISO C 7.22.2.2) returns (next / 65536) % 32768 of this
    # recurrence; after srand(1) its well-known first outputs are 16838, 5758, 10113, 17515,
    # 31051 (bits 16..30 do not depend on whether the state is kept mod 2^31 or 2^32).
    states = rng.LCG.preset("ansi_c", seed=1).raw(5)
    assert ((states >> np.uint64(16)) % np.uint64(32768)).tolist() == [16838, 5758, 10113, 17515,
                                                                        31051]


def test_mmix_has_full_period_by_hull_dobell():
    # Knuth chose MMIX's constants for period 2^64; Hull-Dobell must confirm it.
    assert rng.full_period(*MMIX)


# -- the vectorised recurrence ---------------------------------------------------------------

@given(lcg_parameters(), st.integers(0, 300))
def test_raw_equals_plain_recurrence(parameters, n):
    a, c, m, seed = parameters
    generator = rng.LCG(a, c, m, seed)
    with mock.patch.object(rng.lcg, "BLOCK", 16):   # many blocks from small n
        assert generator.raw(n).tolist() == plain_recurrence(a, c, m, seed, n)
    expected_state = plain_recurrence(a, c, m, seed, n)[-1] if n else seed
    assert generator.state == expected_state


def test_raw_equals_plain_recurrence_across_full_size_blocks():
    n = 2 * rng.lcg.BLOCK + 7
    assert rng.LCG(*MMIX, 12345).raw(n).tolist() == plain_recurrence(*MMIX, 12345, n)


@given(lcg_parameters(), st.integers(1, 100))
def test_consecutive_calls_continue_one_stream(parameters, n):
    a, c, m, seed = parameters
    split = rng.LCG(a, c, m, seed)
    joined = np.concatenate([split.raw(n), split.raw(n + 3)])
    assert np.array_equal(joined, rng.LCG(a, c, m, seed).raw(2 * n + 3))


@given(lcg_parameters(), st.lists(st.integers(1, 3 * 2**16), min_size=1, max_size=5))
def test_peek_gives_the_states_ahead_without_moving(parameters, steps):
    a, c, m, seed = parameters
    generator = rng.LCG(a, c, m, seed)
    peeked = generator.peek(steps)
    assert generator.state == seed
    assert peeked == [rng.LCG(a, c, m, seed).advance(j).state for j in steps]


@given(lcg_parameters(), st.integers(0, 400))
def test_advance_k_equals_k_steps(parameters, k):
    a, c, m, seed = parameters
    stepped = rng.LCG(a, c, m, seed)
    stepped.raw(k)
    assert rng.LCG(a, c, m, seed).advance(k).state == stepped.state


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**70), st.integers(0, 2**70))
def test_advance_composes_additively(seed, k1, k2):
    once = rng.LCG(*MMIX, seed).advance(k1 + k2)
    assert rng.LCG(*MMIX, seed).advance(k1).advance(k2).state == once.state


@given(st.integers(0, 2**64 - 1))
def test_mmix_returns_to_its_seed_after_2_to_64_steps(seed):
    generator = rng.LCG(*MMIX, seed)
    assert generator.advance(2**64).state == seed
    assert generator.advance(2**63).state != seed


@given(lcg_parameters(), st.integers(1, 200))
def test_random_is_in_unit_interval_and_follows_raw(parameters, n):
    a, c, m, seed = parameters
    u = rng.LCG(a, c, m, seed).random(n)
    x = rng.LCG(a, c, m, seed).raw(n)
    assert u.dtype == np.float64 and np.all((u >= 0) & (u < 1))
    bits = m.bit_length() - 1
    if m == 2**bits and bits > 53:  # the top 53 bits: u 2^53 is the integer floor(x / 2^(b-53))
        assert (u * 2.0**53).tolist() == [v >> (bits - 53) for v in x.tolist()]
    else:
        assert u.tolist() == [v / m for v in x.tolist()]


@pytest.mark.parametrize("bits", [54, 60, 63, 64])
def test_random_stays_below_one_for_states_just_under_a_large_power_of_two(bits):
    """x = m - 1 with m = 2^b > 2^53: x / m rounds to 1.0 in float64; u must not."""
    m = 2**bits
    generator = rng.LCG(1, m - 1, m, 0)       # x_1 = (0 + m - 1) mod m = m - 1
    assert int(generator.copy().raw(1)[0]) == m - 1
    u = generator.random(1)
    assert float(m - 1) / m == 1.0 and u[0] < 1.0


def test_state_setter_and_copy_reproduce_the_stream():
    generator = rng.LCG.preset("mmix", seed=7)
    twin = generator.copy()
    assert np.array_equal(generator.raw(50), twin.raw(50))
    saved = generator.state
    first = generator.raw(20)
    generator.state = saved
    assert np.array_equal(generator.raw(20), first)


# -- period theory ---------------------------------------------------------------------------

def test_hull_dobell_agrees_with_brute_force_for_every_generator_with_small_m():
    for m in range(2, 25):
        for a in range(1, m):
            for c in range(0, m):
                seed = 1 if c == 0 else 0
                brute = c != 0 and rng.period(a, c, m, seed) == m
                assert rng.full_period(a, c, m) == brute, (a, c, m)


@given(st.integers(2, 4096).flatmap(
    lambda m: st.tuples(st.integers(1, max(m - 1, 1)), st.integers(0, m - 1), st.just(m))))
def test_hull_dobell_agrees_with_brute_force(parameters):
    a, c, m = parameters
    brute = c != 0 and rng.period(a, c, m, 0) == m
    assert rng.full_period(a, c, m) == brute


def test_period_of_multiplicative_generator_is_the_multipliers_order():
    # x -> 3x mod 7: 3 is a primitive root mod 7, so the cycle through 1 has length 6.
    assert rng.period(3, 0, 7, 1) == 6
    # x -> 2x mod 7 has order 3.
    assert rng.period(2, 0, 7, 1) == 3


# -- invalid parameters ----------------------------------------------------------------------

@pytest.mark.parametrize("arguments, name", [
    ((5, 1, 1, 0), "m"),
    ((5, 1, 2**32 + 1, 0), "m"),
    ((5, 1, 3 * 2**40, 0), "m"),
    ((5, 1, 2**65, 0), "m"),
    ((0, 1, 16, 0), "a"),
    ((16, 1, 16, 0), "a"),
    ((5, -1, 16, 0), "c"),
    ((5, 16, 16, 0), "c"),
    ((5, 1, 16, 16), "seed"),
    ((5, 1, 16, -1), "seed"),
    ((5, 0, 16, 0), "seed"),
])
def test_invalid_parameters_raise_value_error_naming_the_parameter(arguments, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        rng.LCG(*arguments)


@pytest.mark.parametrize("arguments, name", [
    ((5.0, 1, 16, 0), "a"), ((5, 1.0, 16, 0), "c"), ((5, 1, 16.0, 0), "m"),
    ((5, 1, 16, True), "seed"), ((5, 1, 16, "1"), "seed"),
])
def test_non_integer_parameters_raise_type_error_naming_the_parameter(arguments, name):
    with pytest.raises(TypeError, match=rf"^{name} must be an integer"):
        rng.LCG(*arguments)


def test_invalid_counts_and_names_raise():
    generator = rng.LCG.preset("mmix", seed=1)
    with pytest.raises(ValueError, match="^n must"):
        generator.raw(-1)
    with pytest.raises(TypeError, match="^n must"):
        generator.random(2.0)
    with pytest.raises(ValueError, match="^k must"):
        generator.advance(-3)
    with pytest.raises(ValueError, match="^state must"):
        generator.state = 2**64
    with pytest.raises(ValueError, match="^steps must be integers >= 1"):
        generator.peek([3, 0])
    with pytest.raises(ValueError, match="^name must"):
        rng.LCG.preset("mersenne", seed=1)
    with pytest.raises(ValueError, match="^m must be at most"):
        rng.period(5, 1, 2**32, 0)
    with pytest.raises(ValueError, match="^a must"):
        rng.full_period(0, 1, 16)



@given(preset=st.sampled_from(sorted(rng.lcg.PRESETS)), seed=st.integers(1, 2**31 - 2),
       n=st.integers(0, 300), jump=st.integers(0, 5000))
def test_one_step_recurrence_equals_the_vectorised_jump_ahead_bitwise(preset, seed, n, jump):
    reference, fast = rng.lcg.LCG.preset(preset, seed), rng.lcg.LCG.preset(preset, seed)
    stepped = [reference.next() for _ in range(n)]
    assert fast.raw(n).tolist() == stepped           # x_1..x_n: one block of the jump tables
    for _ in range(jump):
        reference.next()
    assert fast.advance(jump).state == reference.state       # x_{n+jump} in O(log jump)
    u = reference.copy().random(1)[0]
    assert fast.random(1)[0] == u and reference.next() == fast.state


def cycle_length_from_inside(a, c, m, seed):
    """The cycle's length found another way: after m steps x is surely on the cycle (there are
    only m states), so step from there until x comes back."""
    x = seed
    for _ in range(m):
        x = (a * x + c) % m
    start, length = x, 1
    x = (a * x + c) % m
    while x != start:
        x, length = (a * x + c) % m, length + 1
    return length


@given(st.integers(2, 200).flatmap(lambda m: st.tuples(
    st.integers(1, m - 1), st.integers(0, m - 1), st.just(m), st.integers(1, m - 1))))
def test_period_counts_the_cycle_and_not_the_tail_that_leads_into_it(parameters):
    """Any a, invertible mod m or not: with gcd(a, m) > 1 the sequence has a tail before it
    cycles (a = 2, c = 1, m = 8 from 0: 0, 1, 3, 7, 7, ... has period 1 after a tail of 3)."""
    a, c, m, seed = parameters
    assert rng.lcg.period(a, c, m, seed) == cycle_length_from_inside(a, c, m, seed)


def test_period_of_a_sequence_with_a_tail_by_hand():
    assert rng.lcg.period(2, 1, 8, 0) == 1          # 0, 1, 3, 7, 7, ...
    assert rng.lcg.period(6, 1, 10, 0) == 5         # 0, then 1, 7, 3, 9, 5, 1, ...


def test_period_refuses_a_modulus_past_its_brute_force_limit_and_accepts_the_limit():
    """The documented limit m <= 2^20: one past it is refused, naming m."""
    with pytest.raises(ValueError, match="m must be at most 1048576"):
        rng.lcg.period(5, 1, 2**20 + 1, 1)
    assert rng.lcg.period(1, 1, 2**20, 0) == 2**20          # x_i = i mod m: full period


def test_a_preset_starts_from_seed_one_unless_told():
    """RANDU (a = 65539, c = 0, m = 2^31) from x_0 = 1: 65539, 393225, 1769499 (published)."""
    assert rng.LCG.preset("randu").raw(3).tolist() == [65539, 393225, 1769499]
