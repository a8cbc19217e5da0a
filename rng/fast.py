"""`rng.fast.Generator`: the textbook `rng.Generator`'s stream, bitwise, drawn faster.

A subclass that overrides only how numbers are drawn, never which: states and uniforms come from
jump-ahead blocks (`LCG.raw`, `LCG.random_into`: x_{i+j} = A_j x_i + C_j for a whole block of j
at once), normals from Box-Muller on whole arrays in cache-sized chunks (`box_muller_into`, the
same operations as `box_muller_reduced`), and repeated small normal draws are computed ahead in
batches. Every number, and the LCG's state after every call, is the textbook class's
(tests/test_rng_fast.py); `spawn` gives fast children with the same seeds.
"""

import math

import numpy as np

from rng import generator
from rng.arguments import check_float_dtype, check_size
from rng.normal import box_muller_into

# Pairs per Box-Muller step: the step's 7 work arrays (7 x 128 KiB) stay in cache.
CHUNK = 2**14


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


class Generator(generator.Generator):
    """`rng.Generator`, bitwise, with vectorised draws: uniforms and states by jump-ahead blocks,
    normals in chunks, repeated small normal draws computed ahead (`_small_normals`)."""

    def __init__(self, seed, lcg=None):
        super().__init__(seed, lcg)
        self._work, self._u2_stream = None, None   # Box-Muller buffers, made on first use
        self._ahead = None   # small normal draws computed in advance (see `_small_normals`)

    def _states(self, n):
        return self.lcg.raw(n)

    def random(self, size=None, dtype=np.float64):
        dtype = check_float_dtype(dtype)
        shape = check_size(size)
        out = np.empty(() if shape is None else shape, dtype=dtype)
        self.lcg.random_into(out)
        if shape is None:
            return float(out) if dtype == np.float64 else out[()]
        return out

    def standard_normal(self, size=None, dtype=np.float64):
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
