"""Parts lcg and box_muller: the recurrence and the transform against the theory.

The student's modules are imported inside each check, not at the top: a module that does not
import (a syntax error in the student's copy) then fails its own part, not the grader.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

# (a, c, m): full period by Hull-Dobell (c coprime to m; a - 1 divisible by every prime factor
# of m, and by 4 when 4 divides m) -- so the period is m from every seed.
FULL_PERIOD = ((5, 3, 16), (13, 7, 64), (21, 3, 100), (4, 1, 9))
# Each breaks one condition: c even with m = 16; a - 1 = 2 not divisible by 4; a - 1 = 3 not
# divisible by 2; c = 0. Their periods are shorter than m.
SHORT_PERIOD = ((5, 2, 16), (3, 1, 16), (4, 1, 10), (3, 0, 31))

BOX_MULLER_PAIRS = 20_000      # sample size of the statistical tests
ALPHA = 1e-3                   # significance level of the KS tests
SIGMAS = 4.0                   # moments and correlations: within 4 standard errors


def reference_period(a, c, m, seed):
    """The cycle length of x_{i+1} = (a x_i + c) mod m from x_0 = seed, by brute force: step
    until a state repeats (Python integers, written here, independent of the student's code)."""
    first_seen, x, i = {}, seed, 0
    while x not in first_seen:
        first_seen[x] = i
        x, i = (a * x + c) % m, i + 1
    return i - first_seen[x]


def _period_by_next(lcg, limit):
    """The period of the student's LCG from its current state, by its own `next()`: the number of
    steps until the state first comes back (the generator's seeds here lie on their cycle)."""
    start = lcg.state
    for step in range(1, limit + 1):
        if lcg.next() == start:
            return step
    return None


def check_lcg(grader):
    from rng import lcg as lcg_module

    cases = [(5, 3, 16, 7), (16807, 0, 2**31 - 1, 42), (1103515245, 12345, 2**31, 1),
             (6364136223846793005, 1442695040888963407, 2**64, 2**63 + 5)]
    with grader.property("next() returns x_{i+1} = (a x_i + c) mod m, step after step") as prop:
        for a, c, m, seed in cases:
            generator, x = lcg_module.LCG(a, c, m, seed), seed
            for step in range(1, 6):
                x = (a * x + c) % m
                got = generator.next()
                if not prop.expect(got == x, f"next() differs from (a x + c) mod m for "
                                   f"(a, c, m) = ({a}, {c}, {m}), seed {seed}, at step {step}: "
                                   f"{got} vs {x}"):
                    break
    with grader.property("the period equals m for full-period (Hull-Dobell) parameters") as prop:
        for a, c, m in FULL_PERIOD:
            for seed in (0, 1, m - 1):
                period = _period_by_next(lcg_module.LCG(a, c, m, seed), 2 * m)
                prop.expect(period == m, f"the period of (a, c, m) = ({a}, {c}, {m}) from seed "
                            f"{seed} is {period}, expected m = {m} (Hull-Dobell)")
    with grader.property("a non-full-period generator has a shorter period") as prop:
        for a, c, m in SHORT_PERIOD:
            seed = 1
            expected = reference_period(a, c, m, seed)
            period = _period_by_next(lcg_module.LCG(a, c, m, seed), 2 * m)
            prop.expect(period == expected and period < m,
                        f"the period of (a, c, m) = ({a}, {c}, {m}) from seed {seed} is "
                        f"{period}, expected {expected} < m (brute force)")
    with grader.property("period(a, c, m, seed) equals a brute-force count") as prop:
        for a, c, m in FULL_PERIOD + SHORT_PERIOD:
            for seed in (1, m // 2):
                got, expected = lcg_module.period(a, c, m, seed), reference_period(a, c, m, seed)
                prop.expect(got == expected, f"period({a}, {c}, {m}, seed={seed}) differs from "
                            f"the brute-force count: {got} vs {expected}")
    with grader.property("full_period(a, c, m) is the Hull-Dobell theorem") as prop:
        for a, c, m in FULL_PERIOD + SHORT_PERIOD:
            expected = reference_period(a, c, m, 1) == m and reference_period(a, c, m, 0) == m \
                if c else False
            got = lcg_module.full_period(a, c, m)
            prop.expect(bool(got) == expected, f"full_period({a}, {c}, {m}) is {got}, expected "
                        f"{expected} (brute force)")


def check_box_muller(grader):
    from rng import normal

    # The uniforms come from numpy's generator, not the student's: this part grades the
    # transform alone. A fixed seed makes the verdict reproducible; the thresholds are 4
    # standard errors (a fair transform fails one of them with probability ~6e-5 per seed).
    n = BOX_MULLER_PAIRS
    uniforms = np.random.default_rng(20140610)
    u1, u2 = uniforms.random(n), uniforms.random(n)
    z1 = z2 = None
    with grader.property("box_muller returns two arrays of the uniforms' shape") as prop:
        z1, z2 = normal.box_muller(u1, u2)
        z1, z2 = np.asarray(z1, dtype=np.float64), np.asarray(z2, dtype=np.float64)
        prop.expect(z1.shape == (n,) and z2.shape == (n,),
                    f"box_muller returned shapes {z1.shape} and {z2.shape}, expected ({n},)")
        prop.expect(np.all(np.isfinite(z1)) and np.all(np.isfinite(z2)),
                    "box_muller returned non-finite values")
    if z1 is None or not z1.shape == z2.shape == (n,):
        return                       # nothing to test the statistics of
    # Standard errors of the sample moments of N(0, 1) with n draws: mean 1/sqrt(n),
    # variance sqrt(2/n), skewness sqrt(6/n), excess kurtosis sqrt(24/n).
    for name, z in (("z1", z1), ("z2", z2)):
        with grader.property(f"the moments of {name} are N(0, 1)'s (n = {n}, within "
                             f"{SIGMAS:g} standard errors)") as prop:
            moments = (("mean", np.mean(z), 0.0, 1 / np.sqrt(n)),
                       ("variance", np.var(z), 1.0, np.sqrt(2 / n)),
                       ("skewness", stats.skew(z), 0.0, np.sqrt(6 / n)),
                       ("excess kurtosis", stats.kurtosis(z), 0.0, np.sqrt(24 / n)))
            for moment, value, expected, error in moments:
                prop.expect(abs(value - expected) <= SIGMAS * error,
                            f"the {moment} of {name} is {value:.4f}, N(0, 1)'s is {expected:g} "
                            f"(allowed: +-{SIGMAS * error:.4f} for n = {n})")
        with grader.property(f"KS test of {name} against N(0, 1) (n = {n}, alpha = "
                             f"{ALPHA:g})") as prop:
            test = stats.kstest(z, "norm")
            prop.expect(test.pvalue > ALPHA, f"{name} fails the KS test against N(0, 1): "
                        f"D = {test.statistic:.4f}, p = {test.pvalue:.2e} < alpha = {ALPHA:g}")
    with grader.property(f"z1 and z2 are uncorrelated, and so are z1^2 and z2^2 (n = {n})") \
            as prop:
        # Under independence a sample correlation has standard error ~1/sqrt(n).
        bound = SIGMAS / np.sqrt(n)
        for what, x, y in (("z1 and z2", z1, z2), ("z1^2 and z2^2", z1**2, z2**2)):
            r = np.corrcoef(x, y)[0, 1]
            prop.expect(abs(r) <= bound, f"the correlation of {what} is {r:.4f}, independent "
                        f"normals give |r| <= {bound:.4f} (n = {n})")
