"""rng.fast.Generator: bitwise the textbook rng.Generator's numbers and end states, call by call.

The textbook class defines the stream (one `LCG.next()` per uniform, Box-Muller on pairs); the
fast one computes it by jump-ahead blocks, in chunks, and ahead of time. Every method, and any
interleaving of calls and jumps of the LCG, must give the same bytes and leave the same state.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rng
from rng.fast import CHUNK

LCGS = [None, "minstd_rand", "minstd_rand0", "randu", "ansi_c", (5, 3, 2**54)]

# One call of every method the project uses, with the argument forms that take different paths:
# scalar and array draws, float32, normals of odd and even sizes, a repeated minibatch size
# (computed ahead by the fast class), more pairs than one chunk, all the integer bounds.
CALLS = {
    "random scalar": lambda g: g.random(),
    "random array": lambda g: g.random((4, 3)),
    "random float32 scalar": lambda g: g.random(dtype=np.float32),
    "random float32": lambda g: g.random(7, dtype=np.float32),
    "uniform": lambda g: g.uniform(-2.0, 3.0, size=5),
    "uniform broadcast": lambda g: g.uniform(np.array([0.0, 10.0]), 11.0),
    "standard_normal scalar": lambda g: g.standard_normal(),
    "standard_normal odd": lambda g: g.standard_normal(7),
    "standard_normal minibatch": lambda g: g.standard_normal((256, 1)),
    "standard_normal float32": lambda g: g.standard_normal((3, 3), dtype=np.float32),
    "standard_normal float32 scalar": lambda g: g.standard_normal(dtype=np.float32),
    "standard_normal empty": lambda g: g.standard_normal(0),
    "standard_normal beyond a chunk": lambda g: g.standard_normal(2 * CHUNK + 3),
    "normal": lambda g: g.normal(1.0, 2.0, size=(2, 5)),
    "normal broadcast": lambda g: g.normal(np.zeros(3), np.array([1.0, 0.0, 3.0])),
    "integers": lambda g: g.integers(0, 10, size=20),
    "integers scalar": lambda g: g.integers(5),
    "integers endpoint": lambda g: g.integers(-3, 3, size=(2, 4), endpoint=True),
    "integers uint8": lambda g: g.integers(0, 255, size=30, dtype=np.uint8, endpoint=True),
    "integers huge span": lambda g: g.integers(0, 3 * 2**29, size=12),
    "permutation int": lambda g: g.permutation(11),
    "permutation array": lambda g: g.permutation(np.arange(12).reshape(6, 2)),
    "shuffle": lambda g: _shuffled(g, np.arange(10.0)),
    "shuffle list": lambda g: np.array(_shuffled(g, list(range(9)))),
    "choice": lambda g: g.choice(10, size=4),
    "choice without replacement": lambda g: g.choice(np.arange(20) * 3, size=(2, 3),
                                                     replace=False),
    "choice scalar": lambda g: g.choice([1.5, 2.5, 3.5]),
    "spawn": lambda g: np.array([child.seed for child in g.spawn(3)], dtype=np.uint64),
}


def _shuffled(generator, x):
    generator.shuffle(x)
    return x


def assert_bitwise_equal(textbook_value, fast_value):
    assert type(textbook_value) is type(fast_value)
    textbook_array, fast_array = np.asarray(textbook_value), np.asarray(fast_value)
    assert textbook_array.dtype == fast_array.dtype
    assert textbook_array.shape == fast_array.shape
    assert textbook_array.tobytes() == fast_array.tobytes()


@pytest.mark.parametrize("lcg", LCGS, ids=str)
@pytest.mark.parametrize("name", CALLS)
def test_every_method_gives_the_textbook_numbers_and_state_bitwise(name, lcg):
    textbook, fast = rng.Generator(2014, lcg=lcg), rng.fast.Generator(2014, lcg=lcg)
    for _ in range(3):   # three calls: a repeated call goes another way in the fast class
        assert_bitwise_equal(CALLS[name](textbook), CALLS[name](fast))
        assert textbook.lcg.state == fast.lcg.state


# A call of either kind, a small normal draw repeated (the fast class then computes draws
# ahead), or a jump of the LCG to any state, which must invalidate whatever was computed ahead.
steps = st.one_of(
    st.sampled_from(sorted(set(CALLS) - {"standard_normal beyond a chunk"})),
    st.tuples(st.sampled_from([1, 2, 3, 8, 255, 256, (64, 1), 5000]), st.integers(2, 40),
              st.sampled_from([np.float64, np.float32])),
    st.integers(0, 2**64 - 1),
)


@settings(max_examples=150)
@given(st.integers(0, 2**64 - 1), st.sampled_from(LCGS[:2]), st.lists(steps, max_size=12))
def test_random_interleavings_of_calls_stay_bitwise_equal_with_equal_states(seed, lcg, script):
    textbook, fast = rng.Generator(seed, lcg=lcg), rng.fast.Generator(seed, lcg=lcg)
    for step in script:
        if isinstance(step, str):
            pairs = [(CALLS[step](textbook), CALLS[step](fast))]
        elif isinstance(step, tuple):
            size, repeats, dtype = step
            pairs = [(textbook.standard_normal(size, dtype), fast.standard_normal(size, dtype))
                     for _ in range(repeats)]
        else:
            m, c = textbook.lcg.m, textbook.lcg.c
            state = step % m if c or step % m else 1          # c = 0: 0 is not a state
            textbook.lcg.state = fast.lcg.state = state
            pairs = []
        for textbook_value, fast_value in pairs:
            assert_bitwise_equal(textbook_value, fast_value)
        assert textbook.lcg.state == fast.lcg.state


@pytest.mark.parametrize("cls", [rng.Generator, rng.fast.Generator])
def test_spawn_returns_children_of_the_callers_class(cls):
    children = cls(99).spawn(3)
    assert [type(child) for child in children] == [cls] * 3
    assert [child.lcg.a for child in children] == [cls(99).lcg.a] * 3


@pytest.mark.parametrize("cls", [rng.Generator, rng.fast.Generator])
def test_streams_keep_the_values_they_had_before_the_textbook_class(cls):
    # Pinned from the single Generator class the project had before the textbook/fast split
    # (uniforms, integers, permutations and spawn seeds are exact integer arithmetic; the
    # normals go through log, sqrt and sin, so they are compared to 1e-15 relative).
    assert [child.seed for child in cls(99).spawn(3)] == [
        18104776587128476982, 6721221123657237965, 7945551463885257048]
    generator = cls(2014)
    assert generator.random(3).tolist() == [
        0.8362488809238977, 0.47735429967914766, 0.004171984240136095]
    assert generator.integers(0, 1000, 5).tolist() == [480, 692, 155, 761, 960]
    assert generator.permutation(8).tolist() == [0, 1, 6, 5, 7, 4, 3, 2]
    np.testing.assert_allclose(generator.standard_normal(3),
                               [-0.6885206844747669, -1.0322863155029216, 0.770754161756094],
                               rtol=1e-15, atol=0)
    assert generator.lcg.state == 7011909642496663112
    generator = cls(7, lcg="minstd_rand")
    assert generator.random(2).tolist() == [0.9394486201645101, 0.12434396106952054]
    assert generator.integers(0, 10, 4).tolist() == [2, 7, 4, 3]
    assert generator.lcg.state == 743320495


def test_the_fast_generator_is_a_textbook_generator():
    assert issubclass(rng.fast.Generator, rng.Generator)
    assert isinstance(rng.fast.Generator(0), rng.Generator)
