"""The linear congruential method: x_{i+1} = (a x_i + c) mod m.

References
----------
D. E. Knuth, The Art of Computer Programming, vol. 2 (3rd ed.), sections 3.2.1 (the method,
the Hull-Dobell theorem 3.2.1.2A) and 3.3.4 (the spectral test, in `rng.quality`).
F. B. Brown, "Random number generation with arbitrary strides", Trans. Am. Nucl. Soc. 71
(1994): the jump-ahead x_{i+k} = A_k x_i + C_k used by `raw` and `advance`.
"""

import math
from functools import lru_cache
from numbers import Integral

import numpy as np

# (a, c, m) of the classic generators, as named by the C++ standard library (minstd_rand0,
# minstd_rand), IBM's System/360 SSP (RANDU), the C standard's sample rand() and Knuth's MMIX.
PRESETS = {
    "minstd_rand0": (16807, 0, 2**31 - 1),
    "minstd_rand": (48271, 0, 2**31 - 1),
    "randu": (65539, 0, 2**31),
    "ansi_c": (1103515245, 12345, 2**31),
    "mmix": (6364136223846793005, 1442695040888963407, 2**64),
}

# Largest number of states one vectorised step produces: tables of a^j and c (a^j - 1)/(a - 1)
# for j = 1..BLOCK (2 x 512 KiB), sized so that one block stays in a core's L2 cache.
BLOCK = 2**16
_TWO_TO_64 = 2**64


def _require_integer(name, value):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    return int(value)


def check_parameters(a, c, m):
    """Validate (a, c, m) of an LCG and return them as Python ints (raises naming the parameter)."""
    a, c, m = (_require_integer(name, value) for name, value in (("a", a), ("c", c), ("m", m)))
    power_of_two = m >= 2 and m & (m - 1) == 0
    if m < 2 or not (m <= 2**32 or (power_of_two and m <= _TWO_TO_64)):
        raise ValueError(
            f"m must satisfy 2 <= m <= 2**32, or be a power of two up to 2**64, got {m}"
        )
    if not 0 < a < m:
        raise ValueError(f"a must satisfy 0 < a < m = {m}, got {a}")
    if not 0 <= c < m:
        raise ValueError(f"c must satisfy 0 <= c < m = {m}, got {c}")
    return a, c, m


def check_seed(seed, c, m, name="seed"):
    """Validate a state x_0 for the LCG (a, c, m): 0 <= x_0 < m, and x_0 != 0 when c = 0."""
    seed = _require_integer(name, seed)
    low = 1 if c == 0 else 0
    if not low <= seed < m:
        why = " (c = 0 makes 0 a fixed point)" if c == 0 else ""
        raise ValueError(f"{name} must satisfy {low} <= {name} < m = {m}{why}, got {seed}")
    return seed


def _check_count(name, n):
    n = _require_integer(name, n)
    if n < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {n}")
    return n


def multiply_add_mod(A, x, C, m, out=None):
    """(A x + C) mod m elementwise on uint64 arrays, exact for every modulus `LCG` accepts.

    For m <= 2^32 the product of two residues is below 2^64 and cannot overflow; for m a power
    of two, uint64 arithmetic wraps mod 2^64, which m divides, so masking finishes the job.
    """
    out = np.multiply(A, x, out=out)
    np.add(out, C, out=out)
    if m == _TWO_TO_64:
        return out
    if m & (m - 1) == 0:
        return np.bitwise_and(out, np.uint64(m - 1), out=out)
    return np.remainder(out, np.uint64(m), out=out)


@lru_cache(maxsize=32)
def jump_tables(a, c, m, size):
    """Coefficients of x_j = A_j x_0 + C_j mod m for j = 1..size, as read-only uint64 arrays.

    A_j = a^j mod m and C_j = c (a^j - 1)/(a - 1) mod m. Built by doubling: from the first L
    entries, x_{L+j} = A_j x_L + C_j gives A_{L+j} = A_j A_L and C_{L+j} = A_j C_L + C_j.
    """
    A = np.array([a], dtype=np.uint64)
    C = np.array([c], dtype=np.uint64)
    while len(A) < size:
        A_L, C_L = A[-1:], C[-1:]
        A = np.concatenate([A, multiply_add_mod(A, A_L, np.uint64(0), m)])
        C = np.concatenate([C, multiply_add_mod(A[: len(C)], C_L, C, m)])
    A, C = A[:size].copy(), C[:size].copy()
    A.flags.writeable = False
    C.flags.writeable = False
    return A, C


def jump_coefficients(a, c, m, k):
    """(A_k, C_k) with x_{i+k} = A_k x_i + C_k mod m, in O(log k) multiplications (Brown 1994).

    A_k = a^k mod m; C_k = c (a^k - 1)/(a - 1) mod m, the geometric sum taken exactly by
    computing a^k modulo (a - 1) m, so that the division by a - 1 is exact.
    """
    A_k = pow(a, k, m)
    if a == 1:
        return A_k, c * k % m
    geometric_sum = (pow(a, k, (a - 1) * m) - 1) // (a - 1)
    return A_k, c * geometric_sum % m


class LCG:
    """Linear congruential generator x_{i+1} = (a x_i + c) mod m (Knuth, TAOCP 3.2.1).

    `next()` is the recurrence itself, one step; `raw(n)` the same n steps vectorised.
    `seed` is x_0. Like C++'s linear_congruential_engine, the seed is not itself an output:
    `raw(n)` returns x_1..x_n. Valid parameters: integers with m >= 2 and either m <= 2^32 or
    m a power of two up to 2^64; 0 < a < m; 0 <= c < m; 0 <= seed < m, nonzero when c = 0.

    >>> LCG.preset("randu", seed=1).raw(3)
    array([  65539,  393225, 1769499], dtype=uint64)
    """

    def __init__(self, a, c, m, seed):
        self.a, self.c, self.m = check_parameters(a, c, m)
        self._state = check_seed(seed, self.c, self.m)
        self._buffer = np.empty(0, dtype=np.uint64)   # reused block buffer, grown on demand

    @classmethod
    def preset(cls, name="mmix", seed=1):
        """A classic generator by name: one of `PRESETS` ("mmix", Knuth's 2^64 LCG, by default)."""
        if name not in PRESETS:
            raise ValueError(f"name must be one of {sorted(PRESETS)}, got {name!r}")
        return cls(*PRESETS[name], seed)

    def __repr__(self):
        return f"LCG(a={self.a}, c={self.c}, m={self.m}, seed={self._state})"

    @property
    def state(self):
        """The current x_i (the last number output, or the seed if nothing was drawn yet)."""
        return self._state

    @state.setter
    def state(self, value):
        self._state = check_seed(value, self.c, self.m, name="state")

    def copy(self):
        """An independent generator at the same state: both then produce the same stream."""
        return LCG(self.a, self.c, self.m, self._state)

    def next(self):
        """The reference step, one state at a time: x_{i+1} = (a x_i + c) mod m, in exact
        integer arithmetic. `raw`, `random` and `advance` are the fast path: they jump ahead
        with x_{i+j} = A_j x_i + C_j mod m (Brown 1994) for a whole block of j at once, and
        give the same numbers bitwise (tests/test_rng_lcg.py)."""
        # HINT: x_{i+1} = (a x_i + c) mod m, in exact integers: the new state, returned
        # BEGIN SOLUTION
        self._state = (self.a * self._state + self.c) % self.m
        return self._state
        # END SOLUTION

    def advance(self, k):
        """Jump k steps ahead, x_i -> x_{i+k} = A_k x_i + C_k mod m, in O(log k)."""
        k = _check_count("k", k)
        A_k, C_k = jump_coefficients(self.a, self.c, self.m, k)
        self._state = (A_k * self._state + C_k) % self.m
        return self

    def peek(self, steps):
        """The states x_{i+j} for each number of steps j >= 1 in ``steps`` (integers), as a list
        of ints, without moving the generator: x_{i+j} = A_j x_i + C_j mod m."""
        steps = np.asarray(steps, dtype=np.int64).reshape(-1)
        if steps.size and steps.min() < 1:
            raise ValueError(f"steps must be integers >= 1, got {steps.min()}")
        if steps.size and steps.max() <= BLOCK:       # the tables a vectorised draw uses anyway
            A, C = self._jump_tables(1 << int(steps.max() - 1).bit_length())
            return multiply_add_mod(A[steps - 1], np.uint64(self._state), C[steps - 1],
                                    self.m).tolist()
        return [(A_j * self._state + C_j) % self.m for A_j, C_j in
                (jump_coefficients(self.a, self.c, self.m, int(j)) for j in steps)]

    def _jump_tables(self, size):
        """jump_tables(a, c, m, size), remembered for the last size (a dict lookup on three
        big integers costs more than the arithmetic of a small draw)."""
        if self.__dict__.get("_tables_size") != size:
            self._tables = jump_tables(self.a, self.c, self.m, size)
            self._tables_size = size
        return self._tables

    def _next_states(self, n):
        """The next n <= BLOCK states x_1..x_n, in one vectorised jump-ahead from the current state
        x_0: x_j = A_j x_0 + C_j. Returned in a reused buffer (valid until the next draw)."""
        size = 1 << max(n - 1, 0).bit_length()
        A, C = self._jump_tables(size)
        if len(self._buffer) < size:   # fresh pages cost page faults: keep one buffer
            self._buffer = np.empty(size, dtype=np.uint64)
        x = multiply_add_mod(A[:n], np.uint64(self._state), C[:n], self.m, out=self._buffer[:n])
        if n:
            self._state = int(x[-1])
        return x

    def _blocks(self, n):
        """Yield (start, stop, x) with x = states x_{start+1}..x_{stop} as a uint64 array.

        Each block is one vectorised jump-ahead from the block's first state: x_{s+j} =
        A_j x_s + C_j for j = 1..B, so the Python loop runs once per block of B = 2^16 numbers.
        """
        for start in range(0, n, BLOCK):
            stop = min(start + BLOCK, n)
            yield start, stop, self._next_states(stop - start)

    def raw(self, n):
        """The next n states x_1..x_n as uint64 (the current state x_0 is not output)."""
        n = _check_count("n", n)
        out = np.empty(n, dtype=np.uint64)
        for start, stop, x in self._blocks(n):
            out[start:stop] = x
        return out

    def random(self, n):
        """n float64 uniforms in [0, 1): for m = 2^b with b > 53 the top 53 bits of x,
        u = floor(x / 2^(b - 53)) / 2^53 (for mmix, b = 64: floor(x / 2^11) / 2^53); otherwise
        u = x / m.

        The top bits are used for large powers of two because the low bits of a power-of-two
        LCG have short periods (bit j has period 2^(j+1), Knuth 3.2.1.1), and because x / m
        would round up to 1.0 for x within m / 2^54 of m once m exceeds 2^53. For m <= 2^53,
        x / m <= 1 - 1/m <= 1 - 2^-53 is below 1 after rounding.
        """
        n = _check_count("n", n)
        out = np.empty(n, dtype=np.float64)
        self.random_into(out)
        return out

    def random_into(self, out):
        """Fill the contiguous float64 or float32 array `out` with uniforms in [0, 1).

        float64: as `random`. float32: the float64 uniform truncated to 24 bits,
        floor(u 2^24) / 2^24 (exact, still < 1), one state per number either way.
        """
        flat = out.reshape(-1)
        bits = 53 if out.dtype == np.float64 else 24
        scale = out.dtype.type(2.0**-bits)
        m_bits = self.m.bit_length() - 1          # m = 2^m_bits when m is a power of two
        top_bits = self.m & (self.m - 1) == 0 and m_bits > bits
        if flat.size <= BLOCK:   # one block (every small draw): no generator machinery
            blocks = ((0, flat.size, self._next_states(flat.size)),)
        else:
            blocks = self._blocks(flat.size)
        for start, stop, x in blocks:
            target = flat[start:stop]
            if top_bits:
                np.right_shift(x, np.uint64(m_bits - bits), out=x)
                target[...] = x
                target *= scale
            elif bits == 53:
                np.true_divide(x, float(self.m), out=target)
            else:
                target[...] = np.floor(x / self.m * 2.0**24) * 2.0**-24
        return out


def full_period(a, c, m):
    """Whether x_{i+1} = (a x_i + c) mod m has period m from every seed (Hull-Dobell theorem,
    Knuth 3.2.1.2 Theorem A): c coprime to m, a - 1 divisible by every prime factor of m,
    and by 4 if 4 divides m. With c = 0 the state 0 is a fixed point, so the answer is False.
    """
    a, c, m = check_parameters(a, c, m)
    if c == 0 or math.gcd(c, m) != 1:
        return False
    if m % 4 == 0 and (a - 1) % 4 != 0:
        return False
    return all((a - 1) % p == 0 for p in _prime_factors(m))


def _prime_factors(m):
    factors, p = set(), 2
    while p * p <= m:
        while m % p == 0:
            factors.add(p)
            m //= p
        p += 1 if p == 2 else 2
    if m > 1:
        factors.add(m)
    return factors


PERIOD_BRUTE_FORCE_MAX_M = 2**20


def period(a, c, m, seed):
    """Length of the cycle the sequence x_0 = seed, x_{i+1} = (a x_i + c) mod m falls into,
    by brute force: run until a state repeats (Knuth's lambda, 3.1). Only for m <= 2^20.
    """
    a, c, m = check_parameters(a, c, m)
    seed = check_seed(seed, c, m)
    if m > PERIOD_BRUTE_FORCE_MAX_M:
        raise ValueError(
            f"m must be at most {PERIOD_BRUTE_FORCE_MAX_M} for the brute-force period, got {m}"
        )
    first_seen = {}
    x, i = seed, 0
    while x not in first_seen:
        first_seen[x] = i
        x, i = (a * x + c) % m, i + 1
    return i - first_seen[x]
