"""`Generator`: the project's random generator, an LCG speaking numpy.random.Generator's dialect."""

import math
from numbers import Integral

import numpy as np

from rng.arguments import check_float_dtype, check_size, integer_bounds, output_shape
from rng.lcg import LCG, PRESETS, check_parameters
from rng.normal import box_muller_into

# Pairs per Box-Muller step: the step's 7 work arrays (7 x 128 KiB) stay in cache.
CHUNK = 2**14

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


class _DrawsAhead:
    """Normal draws of one size n computed in advance: values[j] is the draw starting from LCG
    state states[j]; draws before `next` were handed out."""

    __slots__ = ("n", "states", "values", "next")

    def __init__(self, n, states, values, next):
        self.n, self.states, self.values, self.next = n, states, values, next


def box_muller_rows(uniforms, out, scratch=None):
    """Standard normals in `Generator.standard_normal`'s stream layout, row by row.

    uniforms: an (R, 2k) float64 array; row r's first k numbers are u1 and its next k are u2 of
    Box-Muller (`rng.normal.box_muller_into`). out: an (R, n) float64 array, n in {2k - 1, 2k},
    that receives row r's k cosines and then its n - k sines. scratch: an optional (5, R k)
    float64 array. One transform on all R k pairs; numbers equal those of R separate calls.
    """
    rows, two_k = uniforms.shape
    k, n = two_k // 2, out.shape[1]
    scratch = np.empty((5, rows * k)) if scratch is None else scratch
    if rows == 1:                       # the rows are the arrays themselves: no copies
        box_muller_into(uniforms[0, :k], uniforms[0, k:], out[0, :k], out[0, k:], scratch)
        return out
    u1, u2 = np.ascontiguousarray(uniforms[:, :k]), np.ascontiguousarray(uniforms[:, k:])
    cosines, sines = np.empty((rows, k)), np.empty((rows, k))
    box_muller_into(u1.reshape(-1), u2.reshape(-1), cosines.reshape(-1), sines.reshape(-1),
                    scratch)
    out[:, :k], out[:, k:] = cosines, sines[:, : n - k]
    return out


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= seed <= _MASK_64:
        raise ValueError(
            "seed must be an integer in [0, 2**64) -- Generator has no hidden entropy, so every"
            f" run is reproducible from its seed -- got {seed!r}"
        )
    return int(seed)


def _lcg_parameters(lcg):
    if lcg is None:
        return PRESETS["mmix"]
    if isinstance(lcg, str):
        if lcg not in PRESETS:
            raise ValueError(
                f"lcg must be None, one of {sorted(PRESETS)} or (a, c, m), got {lcg!r}"
            )
        return PRESETS[lcg]
    if isinstance(lcg, tuple) and len(lcg) == 3:
        return check_parameters(*lcg)
    raise TypeError(f"lcg must be None, a preset name or an (a, c, m) tuple, got {lcg!r}")


class Generator:
    """Random numbers from an LCG, with numpy.random.Generator's method names and arguments.

    Generator(seed, lcg=None): `seed` is a required integer in [0, 2^64) -- there is no hidden
    entropy, so the same seed gives bitwise the same numbers on every run. (Uniforms,
    integers and permutations are exact integer arithmetic, identical on every platform;
    normals go through numpy's log, sqrt and sin, whose last bit may differ between CPUs or
    numpy builds.) `lcg`
    chooses the recurrence: None for "mmix" (Knuth's x' = 6364136223846793005 x +
    1442695040888963407 mod 2^64), a preset name of `rng.LCG.preset`, or an (a, c, m) tuple.

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
    float64 normals rounded to float32. Repeated small normal draws of one size (a GAN's
    minibatches) are computed ahead in batches (`_small_normals`); the numbers and states are
    exactly those of draws made one at a time.
    """

    def __init__(self, seed, lcg=None):
        self.seed = _check_seed(seed)
        a, c, m = _lcg_parameters(lcg)
        mixed = splitmix64(self.seed)
        x_0 = 1 + mixed % (m - 1) if c == 0 else mixed % m
        self.lcg = LCG(a, c, m, x_0)
        # The words w = x - x_min used by `integers` range over [0, word_count).
        self._word_offset = 1 if c == 0 else 0
        self._word_count = m - self._word_offset
        self._work, self._u2_stream = None, None   # Box-Muller buffers, made on first use
        self._ahead = None   # small normal draws computed in advance (see `_small_normals`)

    def __repr__(self):
        return f"Generator(seed={self.seed}, lcg={(self.lcg.a, self.lcg.c, self.lcg.m)})"

    # -- uniforms ------------------------------------------------------------------------

    def random(self, size=None, dtype=np.float64):
        """Uniforms on [0, 1): u = floor(x / 2^11) 2^-53 for m = 2^64, else x / m."""
        dtype = check_float_dtype(dtype)
        shape = check_size(size)
        out = np.empty(() if shape is None else shape, dtype=dtype)
        self.lcg.random_into(out)
        if shape is None:
            return float(out) if dtype == np.float64 else out[()]
        return out

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

    # -- normals -------------------------------------------------------------------------

    def standard_normal(self, size=None, dtype=np.float64):
        """Standard normals by Box-Muller: z1 = sqrt(-2 ln(1 - u1)) cos(2 pi u2), z2 = ... sin."""
        dtype = check_float_dtype(dtype)
        shape = check_size(size)
        n = 1 if shape is None else math.prod(shape)
        k = (n + 1) // 2
        if self._work is None:   # preallocated once: fresh pages would cost page faults
            self._work = np.empty((7, CHUNK))
            self._uniforms = self._work[:2].reshape(-1)
            self._u2_stream = self.lcg.copy()
        if n == 0:
            z = np.empty(0)
        elif k <= CHUNK:   # the 2k uniforms in one call: u1 the first k, u2 the next k
            z = self._small_normals(n, k)
        else:            # u2 from a second stream jumped k ahead, chunk by chunk
            z = np.empty(n, dtype=np.float64)
            u2_stream = self._u2_stream
            u2_stream.state = self.lcg.state
            u2_stream.advance(k)
            for start in range(0, k, CHUNK):
                stop = min(start + CHUNK, k)
                work = self._work[:, : stop - start]
                self.lcg.random_into(work[0])
                u2_stream.random_into(work[1])
                box_muller_into(work[0], work[1], z[start:stop],
                                z[k + start:k + min(stop, n - k)], work[2:])
            self.lcg.state = u2_stream.state
        if shape is None:
            return float(z[0]) if dtype == np.float64 else dtype.type(z[0])
        z = z.reshape(shape)
        return z if dtype == np.float64 else z.astype(dtype)

    def _small_normals(self, n, k):
        """The next n normals (2k <= 2 CHUNK uniforms), computed ahead when n repeats.

        A GAN asks for many small draws of one size (its minibatches), and on a few hundred
        numbers the ~30 NumPy calls of a draw cost more than their arithmetic. So when a draw
        has the size of the previous one and starts where it ended, the generator computes the
        next `count` draws of that size in one go -- their uniforms are consecutive states, so
        one jump-ahead and one Box-Muller transform on (count, k) arrays serve them all --
        and hands them out one per call, doubling `count` (up to CHUNK / k) while the pattern
        lasts. Each draw is, bitwise, the one computed alone from its starting state: the
        arithmetic is elementwise and the same. The draws ahead are kept with the state each
        starts from, so anything that moves the LCG (another method, `lcg.state = ...`, a
        different size) simply makes the next call compute afresh from wherever the LCG is.
        """
        ahead, state = self._ahead, self.lcg.state
        if ahead is not None and ahead.n == n and ahead.states[ahead.next] == state:
            if ahead.next + 1 < len(ahead.states):          # computed already: hand it out
                z = ahead.values[ahead.next]
                ahead.next += 1
                self.lcg._state = ahead.states[ahead.next]   # a state the LCG made: valid
                return z
            count = min(2 * (len(ahead.states) - 1), CHUNK // k)   # the pattern goes on
        else:
            count = 1
        two_k = 2 * k
        # states[j]: where draw j starts (j = 0: now); the LCG then stands after draw 0
        states = [state] + self.lcg.peek(np.arange(1, count + 1) * two_k)
        uniforms = self._uniforms[: count * two_k]
        self.lcg.random_into(uniforms)
        values = np.empty((count, n))
        box_muller_rows(uniforms.reshape(count, two_k), values, self._work[2:, : count * k])
        self.lcg.state = states[1]
        self._ahead = _DrawsAhead(n, states, values, next=1)
        return values[0]

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

    # -- integers ------------------------------------------------------------------------

    def _words(self, n):
        """n words w = x - x_min, uniform on [0, word_count) for a full-period LCG."""
        words = self.lcg.raw(n)
        if self._word_offset:
            words -= np.uint64(self._word_offset)
        return words

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        """Uniform integers on [low, high) (or [low, high] with endpoint=True); high=None means
        [0, low). Unbiased by rejection: with span r = high - low and q = floor(W / r) for W
        words, a word w gives low + floor(w / q) and is redrawn when floor(w / q) >= r, so
        each outcome has exactly q of the W words. Dividing (not taking w mod r) uses w's
        high-order bits, the random ones of a power-of-two LCG (Knuth 3.2.1.1). Words are
        x - x_min: exactly uniform when the LCG's period covers all W of them (mmix,
        minstd_rand); RANDU, whose states are all odd, is not.
        """
        dtype = np.dtype(dtype)
        if dtype.kind not in "iu":
            raise TypeError(f"dtype must be an integer dtype, got {dtype}")
        if high is None:
            low, high = 0, low
        low_values, high_values = integer_bounds("low", low), integer_bounds("high", high)
        last = high_values if endpoint else high_values - 1
        info = np.iinfo(dtype)
        if np.any(low_values < info.min) or np.any(low_values > info.max):
            raise ValueError(f"low must lie in [{info.min}, {info.max}] for {dtype}, got {low}")
        if np.any(last > info.max) or np.any(last < low_values):
            allowed = "low <= high <=" if endpoint else "low < high <="
            raise ValueError(f"high must satisfy {allowed} {info.max + int(not endpoint)}"
                             f" for {dtype}, got low={low}, high={high}")
        shape = output_shape(size, low_values, high_values)
        span_minus_one = np.array(last - low_values, dtype=np.uint64)   # r - 1 < 2^64
        if self._word_count < 2**64 and np.any(span_minus_one >= self._word_count):
            raise ValueError(f"high - low must be at most {self._word_count} for this LCG,"
                             f" got low={low}, high={high}")
        low_words = np.array(low_values % 2**64, dtype=np.uint64)       # two's complement
        span_minus_one = np.broadcast_to(span_minus_one, shape).reshape(-1)
        offsets = self._bounded(span_minus_one).reshape(shape)
        result = (low_words + offsets).astype(dtype)    # wraps back to the signed value
        return result[()] if size is None and result.ndim == 0 else result

    def _bounded(self, span_minus_one):
        """Per element, a uniform value in [0, r) with r = span_minus_one + 1, by the division
        method with rejection: q = floor(W / r), value = floor(w / q), redrawn if >= r."""
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

    # -- permutations --------------------------------------------------------------------

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

    # -- independent streams -------------------------------------------------------------

    def spawn(self, n_children):
        """n_children new Generators on the same recurrence, child i seeded with the parent's
        next state x_{i+1} (so spawning advances the parent by n_children steps). Each child's
        seed passes through splitmix64, so the children start at unrelated points of the
        cycle: for m = 2^64, k streams of length L overlap with probability about
        k^2 L / 2^64 (10 streams of 2^40 numbers: 6e-6). Jump-ahead by a power of two, 2^j,
        would guarantee disjointness but correlate the streams: a^(2^j) = 1 mod 2^(j+2), so
        the two streams' low j + 2 bits differ by a constant.
        """
        if isinstance(n_children, bool) or not isinstance(n_children, Integral) or n_children < 0:
            raise ValueError(f"n_children must be a non-negative integer, got {n_children!r}")
        parameters = (self.lcg.a, self.lcg.c, self.lcg.m)
        return [Generator(int(word), lcg=parameters) for word in self.lcg.raw(int(n_children))]
