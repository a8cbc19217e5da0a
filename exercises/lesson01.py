"""Lesson 01, exercise 1: the lines that hold the pairs (x_i, x_{i+1}) of a small LCG.

Checked by ``python -m gan check ex01``.
"""

from __future__ import annotations


def lcg_period(a, c, m, seed):
    """The period lambda of x_0 = seed, x_{i+1} = (a x_i + c) mod m: the length of the cycle the
    sequence falls into, x_{i + lambda} = x_i for every i past the first repeat (lambda = m for
    a = 5, c = 3, m = 16, whose full period the exercise plots pair by pair)."""
    # HINT: step x -> (a x + c) mod m until a state repeats; lambda = steps since its first visit
    # BEGIN SOLUTION
    first_seen, x, step = {}, seed % m, 0
    while x not in first_seen:
        first_seen[x] = step
        x, step = (a * x + c) % m, step + 1
    return step - first_seen[x]
    # END SOLUTION


def line_normal(a, m):
    """The shortest nonzero integer s = (s_1, s_2) with s_1 + a s_2 = 0 (mod m): every pair of the
    LCG lies on one of the parallel lines s_1 x + s_2 y = const (mod m), since
    s . (x_i, x_{i+1}) = (s_1 + a s_2) x_i + c s_2 = c s_2 (mod m). Returns (s_1, s_2) as ints;
    (1, 3) or (-1, -3) for a = 5, m = 16 (|s|^2 = 10)."""
    # HINT: search s_2 in [-m, m], s_1 = the residue of -a s_2 nearest 0; keep the shortest s
    # BEGIN SOLUTION
    best = (m, 0)                                   # s = (m, 0) always solves the congruence
    for s_2 in range(-m, m + 1):
        s_1 = (-a * s_2) % m
        s_1 = s_1 - m if s_1 > m // 2 else s_1      # the residue nearest 0
        if (s_1, s_2) != (0, 0) and s_1**2 + s_2**2 < best[0] ** 2 + best[1] ** 2:
            best = (s_1, s_2)
    return best
    # END SOLUTION
