"""Randomness from first principles: linear congruential generators, uniforms, Box-Muller.

Knows nothing of `nn` or `gan`.

    LCG(a, c, m, seed)          x_{i+1} = (a x_i + c) mod m, vectorised by jump-ahead
    LCG.preset(name, seed)      minstd_rand0, minstd_rand, randu, ansi_c, mmix (the default)
    full_period(a, c, m)        the Hull-Dobell theorem
    period(a, c, m, seed)       the cycle length by brute force (small m)
    box_muller(u1, u2)          uniforms to normals; polar(u1, u2) beside it
    Generator(seed, lcg=None)   numpy.random.Generator's dialect on top of an LCG
    GeneratorStack(generators)  E generators drawn from together: (E, ...) draws, row e bitwise
                                generators[e]'s own
    rng.quality                 chi-square, KS, serial correlation, spectral test, planes
"""

from rng.generator import Generator, splitmix64
from rng.lcg import LCG, PRESETS, full_period, period
from rng.normal import box_muller, polar
from rng.streams import GeneratorStack

__all__ = [
    "LCG", "PRESETS", "full_period", "period", "box_muller", "polar", "Generator", "splitmix64",
    "GeneratorStack",
]
