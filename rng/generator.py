"""The textbook `Generator`: numpy.random.Generator's method names on x_{i+1} = (a x_i + c) mod m.

Every uniform is one step `LCG.next()` of the recurrence, every pair of normals one Box-Muller
transform of two uniforms. `rng.fast.Generator` is a subclass that draws the same numbers,
bitwise, and leaves the same state behind, faster (tests/test_rng_fast.py).
"""

import math
from numbers import Integral

import numpy as np

from rng.arguments import (check_count, check_float_dtype, check_seed, check_size,
                           integers_arguments, lcg_parameters, output_shape)
from rng.lcg import LCG
from rng.normal import box_muller_reduced

_MASK_64 = 2**64 - 1


def splitmix64(seed):
    """SplitMix64's output function (Steele, Lea and Flood, "Fast splittable pseudorandom
    number generators", OOPSLA 2014): z = seed + 0x9E3779B97F4A7C15, then
    z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31,
    all mod 2^64. A bijection of 64-bit words that sends nearby seeds to unrelated words.
    """
    z = (seed + 0x9E3779B97F4A7C15) & _MASK_64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK_64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK_64
    return z ^ (z >> 31)


def _as_requested(values, shape, dtype):
    """A 1-D draw as numpy returns it: a Python float (a numpy scalar for float32) for size=None,
    else an array of the requested shape."""
    values = values.astype(dtype, copy=False)
    if shape is None:
        return float(values[0]) if dtype == np.float64 else values[0]
    return values.reshape(shape)


class Generator:
    """Random numbers from an LCG, with numpy.random.Generator's method names and arguments.

    Generator(seed, lcg=None): `seed` is a required integer in [0, 2^64) -- there is no hidden
    entropy, so the same seed gives bitwise the same numbers on every run. (Uniforms,
    integers and permutations are exact integer arithmetic, identical on every platform;
    normals go through numpy's log, sqrt and sin, whose last bit may differ between CPUs or
    numpy builds.) `lcg` chooses the recurrence: None for "mmix" (Knuth's
    x' = 6364136223846793005 x + 1442695040888963407 mod 2^64), a preset name of
    `rng.LCG.preset`, or an (a, c, m) tuple.

    Seed to state: x_0 = splitmix64(seed) mod m (for c = 0: 1 + splitmix64(seed) mod (m - 1),
    avoiding the fixed point 0). Used directly, seeds 0, 1, 2 would be neighbouring states
    whose streams are tied together, x'_i - x_i = a^i (x'_0 - x_0) mod m; the mix scatters them
    over the cycle instead, so their streams are unrelated. For m = 2^64 the mix is a
    bijection: different seeds always give different starting states.

    Stream layout (part of the reproducibility contract): `random` uses one state per number;
    `standard_normal` of n numbers draws 2k = 2 ceil(n/2) uniforms, the first k as u1 and
    the next k as u2 of Box-Muller, and returns the k cosines then the n - k sines.
    float32 outputs consume exactly the states their float64 counterparts would: uniforms are
    the float64 uniform truncated to 24 bits (never rounded up to 1.0), normals are the
    float64 normals rounded to float32. `integers`, `permutation`, `shuffle` and `choice`
    use one state per word they draw, `spawn` one per child.
    """

    def __init__(self, seed, lcg=None):
        self.seed = check_seed(seed)
        a, c, m = lcg_parameters(lcg)
        mixed = splitmix64(self.seed)
        x_0 = 1 + mixed % (m - 1) if c == 0 else mixed % m
        self.lcg = LCG(a, c, m, x_0)
        # For m = 2^b with b > 53 a uniform is x's top 53 bits: x >> (b - 53).
        self._dropped_bits = m.bit_length() - 54 if m & (m - 1) == 0 and m > 2**53 else 0
        # The words w = x - x_min used by `integers` range over [0, word_count).
        self._word_offset = 1 if c == 0 else 0
        self._word_count = m - self._word_offset

    def __repr__(self):
        return f"Generator(seed={self.seed}, lcg={(self.lcg.a, self.lcg.c, self.lcg.m)})"

    # -- the recurrence ----------------------------------------------------------------

    def _uniform(self, x):
        """u in [0, 1) from a state x: floor(x / 2^(b - 53)) / 2^53 for m = 2^b with b > 53
        (the top bits: the low bits of a power-of-two LCG have short periods), else x / m."""
        # HINT: u = x / m; for m = 2^b, b > 53, the top 53 bits: u = (x >> (b - 53)) 2^-53
        # BEGIN SOLUTION
        if self._dropped_bits:
            return (x >> self._dropped_bits) * 2.0**-53
        return x / self.lcg.m
        # END SOLUTION

    def _states(self, n):
        """The next n states x_1..x_n, one step of the recurrence each, as uint64."""
        return np.array([self.lcg.next() for _ in range(n)], dtype=np.uint64)

    def _words(self, n):
        """n words w = x - x_min, uniform on [0, word_count) for a full-period LCG."""
        return self._states(n) - np.uint64(self._word_offset)

    # -- uniforms and normals ----------------------------------------------------------

    def random(self, size=None, dtype=np.float64):
        """Uniforms on [0, 1), one state each: u = floor(x / 2^11) 2^-53 for m = 2^64, else
        x / m. float32: floor(u 2^24) 2^-24, the float64 uniform truncated (still < 1)."""
        dtype, shape = check_float_dtype(dtype), check_size(size)
        n = 1 if shape is None else math.prod(shape)
        u = np.array([self._uniform(self.lcg.next()) for _ in range(n)], dtype=np.float64)
        if dtype == np.float32:
            u = np.floor(u * 2.0**24) * 2.0**-24
        return _as_requested(u, shape, dtype)

    def uniform(self, low=0.0, high=1.0, size=None):
        """Uniforms on [low, high): low + (high - low) u with u from `random`."""
        low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
            raise ValueError(f"low and high must be finite, got low={low}, high={high}")
        if np.any(high < low):
            raise ValueError(f"high must be >= low, got low={low}, high={high}")
        shape = output_shape(size, low, high)
        result = low + (high - low) * self.random(shape)
        return float(result) if size is None and result.ndim == 0 else result

    def standard_normal(self, size=None, dtype=np.float64):
        """Standard normals by Box-Muller: z1 = sqrt(-2 ln(1 - u1)) cos(2 pi u2), z2 = ... sin,
        with u1 the first k = ceil(n/2) uniforms and u2 the next k (`rng.box_muller_reduced`)."""
        dtype, shape = check_float_dtype(dtype), check_size(size)
        n = 1 if shape is None else math.prod(shape)
        k = (n + 1) // 2
        u = self.random(2 * k)
        cosines, sines = box_muller_reduced(u[:k], u[k:])
        return _as_requested(np.concatenate([cosines, sines])[:n], shape, dtype)

    def normal(self, loc=0.0, scale=1.0, size=None):
        """Normals N(loc, scale^2): loc + scale z with z from `standard_normal`."""
        loc, scale = np.asarray(loc, dtype=np.float64), np.asarray(scale, dtype=np.float64)
        if not np.all(np.isfinite(loc)):
            raise ValueError(f"loc must be finite, got {loc}")
        if not np.all((scale >= 0) & np.isfinite(scale)):
            raise ValueError(f"scale must be finite and non-negative, got {scale}")
        shape = output_shape(size, loc, scale)
        result = loc + scale * self.standard_normal(shape)
        return float(result) if size is None and result.ndim == 0 else result

    # -- integers ----------------------------------------------------------------------

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        """Uniform integers on [low, high) (or [low, high] with endpoint=True); high=None means
        [0, low). Unbiased by rejection: with span r = high - low and q = floor(W / r) for W
        words, a word w gives low + floor(w / q) and is redrawn when floor(w / q) >= r, so
        each outcome has exactly q of the W words. Dividing (not taking w mod r) uses w's
        high-order bits, the random ones of a power-of-two LCG (Knuth 3.2.1.1). Words are
        x - x_min: exactly uniform when the LCG's period covers all W of them (mmix,
        minstd_rand); RANDU, whose states are all odd, is not.
        """
        dtype, shape, low_words, span_minus_one = integers_arguments(
            low, high, size, dtype, endpoint, self._word_count)
        offsets = self._bounded(span_minus_one.reshape(-1)).reshape(shape)
        result = (low_words + offsets).astype(dtype)    # wraps back to the signed value
        return result[()] if size is None and result.ndim == 0 else result

    def _bounded(self, span_minus_one):
        """Per element, a uniform value in [0, r) with r = span_minus_one + 1, by the division
        method with rejection: q = floor(W / r), value = floor(w / q), redrawn if >= r. Each
        round draws one word per element still pending, in element order."""
        n = span_minus_one.size
        if self._word_count == 2**64:
            # q = floor(2^64 / r) = floor((2^64 - 1) / r) + [r divides 2^64], for 2 <= r < 2^64.
            # r = 1 would need q = 2^64: q = 2^64 - 1 gives values {0, 1}, and 1 is redrawn.
            # r = 2^64 (span_minus_one = 2^64 - 1) needs q = 1.
            all_words = np.uint64(_MASK_64)
            edge = (span_minus_one == 0) | (span_minus_one == all_words)
            span = np.where(edge, np.uint64(2), span_minus_one + np.uint64(1))
            quotient = all_words // span + (all_words % span == span_minus_one)
            quotient[span_minus_one == 0] = all_words
            quotient[span_minus_one == all_words] = 1
        else:
            quotient = np.uint64(self._word_count) // (span_minus_one + np.uint64(1))
        result = np.empty(n, dtype=np.uint64)
        pending = np.arange(n)
        while pending.size:  # each round keeps each element with probability > 1/2
            value = self._words(pending.size) // quotient[pending]
            accepted = value <= span_minus_one[pending]
            result[pending[accepted]] = value[accepted]
            pending = pending[~accepted]
        return result

    # -- permutations ------------------------------------------------------------------

    def _permutation_indices(self, n):
        """A uniform permutation of range(n): the order that sorts n fresh states. States
        within one period are distinct, so there are no ties to bias the order."""
        if n > self._word_count:
            raise ValueError(f"cannot permute more than {self._word_count} items with this LCG")
        return np.argsort(self._words(n))

    def permutation(self, x):
        """A random permutation of range(x) for an integer x, or a shuffled copy of the array
        x along axis 0."""
        if isinstance(x, Integral) and not isinstance(x, bool):
            if x < 0:
                raise ValueError(f"x must be a non-negative integer or an array, got {x}")
            return self._permutation_indices(int(x))
        array = np.asarray(x)
        if array.ndim == 0:
            raise ValueError(f"x must be an integer or at least 1-dimensional, got {x!r}")
        return array[self._permutation_indices(len(array))]

    def shuffle(self, x):
        """Shuffle the array (or mutable sequence) x in place along axis 0."""
        if isinstance(x, np.ndarray):
            if x.ndim == 0:
                raise ValueError("x must be at least 1-dimensional, got a 0-d array")
            x[...] = x[self._permutation_indices(len(x))]
            return None
        if not hasattr(x, "__setitem__") or not hasattr(x, "__len__"):
            raise TypeError(
                f"x must be a numpy array or a mutable sequence, got {type(x).__name__}"
            )
        items = list(x)
        x[:] = [items[i] for i in self._permutation_indices(len(items))]
        return None

    def choice(self, a, size=None, replace=True):
        """Uniform draws from a (or from range(a) for an integer a) along axis 0: independent
        indices with replace=True, the first indices of a permutation with replace=False."""
        if isinstance(a, Integral) and not isinstance(a, bool):
            if a <= 0:
                raise ValueError(f"a must be a positive integer or a non-empty array, got {a}")
            population, count = None, int(a)
        else:
            population = np.asarray(a)
            if population.ndim == 0 or len(population) == 0:
                raise ValueError(f"a must be a positive integer or a non-empty array, got {a!r}")
            count = len(population)
        shape = check_size(size)
        n = 1 if shape is None else math.prod(shape)
        if replace:
            indices = self.integers(0, count, size=n)
        else:
            if n > count:
                raise ValueError(f"size {n} exceeds the population {count} with replace=False")
            indices = self._permutation_indices(count)[:n]
        indices = indices[0] if shape is None else indices.reshape(shape)
        return indices if population is None else population[indices]

    # -- independent streams -----------------------------------------------------------

    def spawn(self, n_children):
        """n_children new generators of this class on the same recurrence, child i seeded with
        the parent's next state x_{i+1} (so spawning advances the parent by n_children steps).
        Each child's seed passes through splitmix64, so the children start at unrelated points
        of the cycle: for m = 2^64, k streams of length L overlap with probability about
        k^2 L / 2^64 (10 streams of 2^40 numbers: 6e-6). Jump-ahead by a power of two, 2^j,
        would guarantee disjointness but correlate the streams: a^(2^j) = 1 mod 2^(j+2), so
        the two streams' low j + 2 bits differ by a constant.
        """
        n_children = check_count("n_children", n_children)
        parameters = (self.lcg.a, self.lcg.c, self.lcg.m)
        return [type(self)(int(x), lcg=parameters) for x in self._states(n_children)]
