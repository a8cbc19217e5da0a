"""Randomness from first principles: linear congruential generators, uniforms, Box-Muller.

Knows nothing of `nn` or `gan`.

    LCG(a, c, m, seed)          x_{i+1} = (a x_i + c) mod m: `next()` one step, `raw(n)` n steps
                                vectorised by jump-ahead
    LCG.preset(name, seed)      minstd_rand0, minstd_rand, randu, ansi_c, mmix (the default)
    full_period(a, c, m)        the Hull-Dobell theorem
    period(a, c, m, seed)       the cycle length by brute force (small m)
    box_muller(u1, u2)          uniforms to normals; polar(u1, u2) beside it
    Generator(seed, lcg=None)   the textbook generator: numpy.random.Generator's dialect on an
                                LCG, one `LCG.next()` step per uniform, Box-Muller on pairs
    fast.Generator(seed, ...)   its fast subclass (jump-ahead blocks, normals computed ahead):
                                bitwise the same numbers and states; use it where speed matters
    GeneratorStack(generators)  E generators drawn from together: (E, ...) draws, row e bitwise
                                generators[e]'s own (vectorised for fast.Generators)
    rng.quality                 chi-square, KS, serial correlation, spectral test, planes
"""

from rng import fast
from rng.generator import Generator, splitmix64
from rng.lcg import LCG, PRESETS, full_period, period
from rng.normal import box_muller, box_muller_reduced, polar
from rng.streams import GeneratorStack

__all__ = [
    "LCG", "PRESETS", "full_period", "period", "box_muller", "box_muller_reduced", "polar",
    "Generator", "fast", "splitmix64", "GeneratorStack",
]
