"""rng.GeneratorStack: row e of a stacked draw is generators[e]'s own draw, bitwise.

The stack vectorises over `rng.fast.Generator`s; its rows are checked against the textbook
`rng.Generator`, the definition of the stream."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rng
from rng.fast import CHUNK

SEEDS = [0, 1, 5, 2**40 + 3, 2**64 - 1]


@settings(max_examples=30)
@given(seeds=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=5),
       sizes=st.lists(st.tuples(st.integers(1, 40), st.integers(1, 3)), min_size=1, max_size=4))
def test_each_row_is_the_generators_own_standard_normals_call_after_call(seeds, sizes):
    stack = rng.GeneratorStack([rng.fast.Generator(seed) for seed in seeds])
    alone = [rng.Generator(seed) for seed in seeds]
    assert stack.vectorised
    for size in sizes:    # several calls: the streams must also advance as they would alone
        rows = stack.standard_normal(size)
        assert rows.shape == (len(seeds),) + size
        for row, generator in zip(rows, alone):
            np.testing.assert_array_equal(row, generator.standard_normal(size))


def test_synchronise_leaves_every_generator_where_its_own_draws_would():
    stack = rng.GeneratorStack([rng.fast.Generator(seed) for seed in SEEDS])
    alone = [rng.Generator(seed) for seed in SEEDS]
    stack.standard_normal((7, 1))
    for generator in alone:
        generator.standard_normal((7, 1))
    stack.synchronise()
    assert [g.lcg.state for g in stack.generators] == [g.lcg.state for g in alone]


def test_member_by_member_draws_and_stacked_draws_interleave_in_stream_order():
    stack = rng.GeneratorStack([rng.fast.Generator(seed) for seed in SEEDS])
    alone = [rng.Generator(seed) for seed in SEEDS]
    first = stack.standard_normal(5)
    uniforms = stack.each(lambda generator: generator.random(3))
    second = stack.standard_normal(4)
    for e, generator in enumerate(alone):
        np.testing.assert_array_equal(first[e], generator.standard_normal(5))
        np.testing.assert_array_equal(uniforms[e], generator.random(3))
        np.testing.assert_array_equal(second[e], generator.standard_normal(4))


def test_a_draw_beyond_one_chunk_falls_back_to_each_generator_and_agrees():
    count = 2 * CHUNK + 3          # more Box-Muller pairs than the vectorised path handles
    stack = rng.GeneratorStack([rng.fast.Generator(seed) for seed in SEEDS[:2]])
    rows = stack.standard_normal(count)
    for row, seed in zip(rows, SEEDS[:2]):
        np.testing.assert_array_equal(row, rng.Generator(seed).standard_normal(count))


def test_numpy_generators_are_drawn_one_by_one():
    stack = rng.GeneratorStack([np.random.default_rng(1), np.random.default_rng(2)])
    assert not stack.vectorised
    rows = stack.standard_normal((3, 2))
    np.testing.assert_array_equal(rows[1], np.random.default_rng(2).standard_normal((3, 2)))


def test_other_recurrences_are_drawn_one_by_one_and_agree():
    generators = [rng.fast.Generator(seed, lcg="minstd_rand") for seed in (3, 4)]
    stack = rng.GeneratorStack(generators)
    assert not stack.vectorised
    rows = stack.standard_normal(6)
    np.testing.assert_array_equal(rows[0], rng.Generator(3, lcg="minstd_rand").standard_normal(6))


@pytest.mark.parametrize("classes", [
    (rng.Generator, rng.Generator),                   # textbook generators
    (rng.fast.Generator, rng.Generator),              # a mixed stack
])
def test_stacks_holding_textbook_generators_draw_member_by_member_and_agree(classes):
    stack = rng.GeneratorStack([cls(seed) for cls, seed in zip(classes, (1, 2))])
    alone = [rng.fast.Generator(1), rng.fast.Generator(2)]
    assert not stack.vectorised
    for size in [(3, 2), 5, (3, 2)]:
        rows = stack.standard_normal(size)
        for row, generator in zip(rows, alone):
            np.testing.assert_array_equal(row, generator.standard_normal(size))
    stack.synchronise()
    assert [g.lcg.state for g in stack.generators] == [g.lcg.state for g in alone]


@pytest.mark.parametrize("size", [None, "5", -1])
def test_bad_sizes_are_rejected_naming_size(size):
    stack = rng.GeneratorStack([rng.Generator(0)])
    with pytest.raises((TypeError, ValueError), match="size"):
        stack.standard_normal(size)


def test_an_empty_stack_is_rejected():
    with pytest.raises(ValueError, match="generators"):
        rng.GeneratorStack([])
