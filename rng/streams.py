"""`GeneratorStack`: E generators drawn from together, for E stacked computations (ensembles).

Row e of every draw is, bitwise, what ``generators[e]`` would return for the same call, and
every generator ends where that call would leave it. This is fast machinery: for
`rng.fast.Generator`s on one 2^64 LCG the E streams advance in one vectorised step --
x_j = A_j x_0 + C_j mod 2^64 for all members at once (jump-ahead, `rng.lcg.jump_tables`) --
then one Box-Muller transform serves all of them, following the stream layout that
`rng.Generator.standard_normal` documents. Anything else (textbook `rng.Generator`s, another
recurrence, numpy generators, a large draw) is drawn member by member."""

import math

import numpy as np

from rng.arguments import check_size
from rng.fast import CHUNK, Generator as FastGenerator, box_muller_rows
from rng.lcg import jump_tables


class GeneratorStack:
    """E generators whose draws come out stacked: `standard_normal(size)` has shape (E, *size).

    While the stack draws in its vectorised way, the generators' own states fall behind; call
    `synchronise()` before using a generator directly (`each` does it for you).
    """

    def __init__(self, generators):
        self.generators = list(generators)
        if not self.generators:
            raise ValueError("generators must be a non-empty sequence, got an empty one")
        lcgs = [getattr(generator, "lcg", None) for generator in self.generators]
        parameters = {(lcg.a, lcg.c, lcg.m) for lcg in lcgs if lcg is not None}
        self.vectorised = (
            all(type(generator) is FastGenerator for generator in self.generators)
            and len(parameters) == 1 and next(iter(parameters))[2] == 2**64
        )
        self._states = None
        if self.vectorised:
            self._parameters = parameters.pop()
            self._states = np.array([lcg.state for lcg in lcgs], dtype=np.uint64)

    def __len__(self):
        return len(self.generators)

    def standard_normal(self, size):
        """Row e: ``generators[e].standard_normal(size)``, as an (E, *size) float64 array."""
        shape = check_size(size)
        if shape is None:
            raise ValueError("size must be an integer or a tuple of integers, got None")
        count = math.prod(shape)
        if self.vectorised and (count + 1) // 2 <= CHUNK:
            return self._standard_normal(count).reshape((len(self),) + shape)
        return self.each(lambda generator: generator.standard_normal(shape))

    def each(self, draw):
        """np.stack([draw(g) for g in generators]): any draw, member by member, with the
        generators synchronised before and the stack's states read back after."""
        self.synchronise()
        rows = np.stack([draw(generator) for generator in self.generators])
        if self.vectorised:
            self._states[...] = [generator.lcg.state for generator in self.generators]
        return rows

    def synchronise(self):
        """Write the stack's states into the generators (they are then up to date)."""
        if self.vectorised:
            for generator, state in zip(self.generators, self._states):
                generator.lcg.state = int(state)

    def _standard_normal(self, count):
        """Each member's next `count` standard normals: 2k = 2 ceil(count / 2) uniforms, the
        first k as u1 and the next k as u2 of Box-Muller; the k cosines, then count - k sines."""
        k = (count + 1) // 2
        a, c, m = self._parameters
        A, C = jump_tables(a, c, m, 2 * k)
        x = np.multiply(A, self._states[:, None])     # x_j = A_j x_0 + C_j, wrapping mod 2^64
        x += C
        self._states[...] = x[:, -1]
        x >>= np.uint64(11)
        uniforms = x.astype(np.float64)
        uniforms *= 2.0**-53                           # the top 53 bits of x_j, as LCG.random_into
        return box_muller_rows(uniforms, np.empty((len(self), count)))
