"""How large a difference between two games is, how sure we are of it, and what n seeds can detect.

Effect sizes, each with a percentile-bootstrap confidence interval over the seeds (Efron &
Tibshirani 1993, ch. 13: resample each game's seeds with replacement, recompute the statistic,
take the 2.5% and 97.5% points of the resampled values):

    success-rate difference   r_variant - r_plain
    median-score ratio        log10(median_variant / median_plain)   (JSD: below 0 is closer)

and the power of Fisher's exact test (two-sided, level alpha) for n_a and n_b seeds when the
true success rates are rate_a and rate_b, by exact enumeration of the two binomial outcomes:

    power = sum over (a, b) of Binom(a; n_a, rate_a) Binom(b; n_b, rate_b) [p(a, b) < alpha]
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.stats import binom, fisher_exact


def bootstrap_interval(a, b, statistic, resamples=2000, level=0.95, seed=0):
    """(estimate, low, high): ``statistic(a, b)`` and its percentile-bootstrap interval, each
    sample resampled with replacement on its own, from ``numpy.random.default_rng(seed)``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 1 or b.ndim != 1 or a.size < 1 or b.size < 1:
        raise ValueError(f"a and b must be non-empty 1D samples, got shapes {a.shape}, {b.shape}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 100:
        raise ValueError(f"resamples must be an integer >= 100, got {resamples!r}")
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, a.size, size=(resamples, a.size))
    ib = rng.integers(0, b.size, size=(resamples, b.size))
    values = np.array([statistic(a[i], b[j]) for i, j in zip(ia, ib)])
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(statistic(a, b)), float(low), float(high)


def rate_difference(a, b):
    """Success-rate difference mean(a) - mean(b) of two 0/1 samples."""
    return float(np.mean(a) - np.mean(b))


def log_median_ratio(a, b):
    """log10(median(a) / median(b)) of two positive samples."""
    return float(math.log10(np.median(a) / np.median(b)))


@lru_cache(maxsize=None)
def _fisher_p(a, n_a, b, n_b):
    return fisher_exact([[a, n_a - a], [b, n_b - b]])[1]


def fisher_power(n_a, n_b, rate_a, rate_b, alpha=0.05):
    """The chance that Fisher's exact test (two-sided) gives p < alpha for n_a and n_b runs whose
    true success rates are rate_a and rate_b (exact: every outcome enumerated)."""
    for name, n in (("n_a", n_a), ("n_b", n_b)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    for name, rate in (("rate_a", rate_a), ("rate_b", rate_b)):
        if not 0 <= rate <= 1:
            raise ValueError(f"{name} must be in [0, 1], got {rate!r}")
    pa = binom.pmf(np.arange(n_a + 1), n_a, rate_a)
    pb = binom.pmf(np.arange(n_b + 1), n_b, rate_b)
    reject = np.array([[_fisher_p(a, int(n_a), b, int(n_b)) < alpha for b in range(n_b + 1)]
                       for a in range(n_a + 1)])
    return float(pa @ reject @ pb)


def smallest_p(n_a, n_b):
    """The smallest p Fisher's exact test can give for n_a and n_b runs (all against none)."""
    return float(min(_fisher_p(n_a, n_a, 0, n_b), _fisher_p(0, n_a, n_b, n_b)))


def detectable_rate(n, base_rate, power=0.8, alpha=0.05):
    """The smallest success rate (on a grid of 0.01) that n runs of a variant need for Fisher's
    test against n runs at ``base_rate`` to reach ``power``; None if even a rate of 1 does not."""
    for rate in np.round(np.arange(base_rate, 1.0001, 0.01), 2):
        if fisher_power(n, n, rate, base_rate, alpha) >= power:
            return float(rate)
    return None


def row_score(row, target):
    """The table's score of one row: a diverged run counts as JSD log 2 (or 0 modes covered);
    a JSD is floored at 1e-12 so that its logarithm exists."""
    if row["diverged"]:
        return math.log(2) if target.score == "jsd" else 0.0
    value = row["metrics"][target.score]
    return max(value, 1e-12) if target.score == "jsd" else max(value, 0.5)


def against_baseline(rows, targets, baseline="plain GAN", seed=0):
    """One dict per (target, variant other than ``baseline``) in the rows: successes and runs of
    both, Fisher's two-sided p, the success-rate difference and the log10 median-score ratio,
    each as (estimate, low, high) with a 95% bootstrap interval (a modes-covered score is
    floored at 0.5 so that the ratio exists), and the verdict by success rate ("better" or
    "worse" at p < 0.05, else "no clear difference")."""
    out = []
    for target in targets:
        groups = {}
        for row in rows:
            if row["target"] == target.name:
                groups.setdefault(row["variant"], []).append(row)
        if baseline not in groups:
            continue
        base = groups[baseline]
        for name, group in groups.items():
            if name == baseline:
                continue
            s_v, s_b = sum(r["success"] for r in group), sum(r["success"] for r in base)
            p = fisher_exact([[s_v, len(group) - s_v], [s_b, len(base) - s_b]])[1]
            rate = bootstrap_interval([r["success"] for r in group], [r["success"] for r in base],
                                      rate_difference, seed=seed)
            ratio = bootstrap_interval([row_score(r, target) for r in group],
                                       [row_score(r, target) for r in base], log_median_ratio,
                                       seed=seed)
            verdict = ("better" if rate[0] > 0 else "worse") if p < 0.05 else "no clear difference"
            out.append({"target": target.name, "variant": name, "successes": s_v,
                        "runs": len(group), "baseline_successes": s_b, "baseline_runs": len(base),
                        "p": float(p), "rate_difference": rate, "log10_median_ratio": ratio,
                        "verdict": verdict})
    return out


def format_effects(effects):
    """The effects as a printable table."""
    lines = [f"  {'target':10s} {'variant':20s} {'success':>9s} {'plain':>6s}  {'p':>5s}  "
             f"{'rate difference [95% CI]':>26s}  {'log10 median ratio [95% CI]':>29s}  verdict"]
    for e in effects:
        rate, ratio = e["rate_difference"], e["log10_median_ratio"]
        lines.append(
            f"  {e['target']:10s} {e['variant']:20s} {e['successes']:4d}/{e['runs']:<4d}"
            f" {e['baseline_successes']:2d}/{e['baseline_runs']:<3d} {e['p']:5.2f}  "
            f"{rate[0]:+6.2f} [{rate[1]:+.2f}, {rate[2]:+.2f}]      {ratio[0]:+6.2f} "
            f"[{ratio[1]:+.2f}, {ratio[2]:+.2f}]        {e['verdict']}")
    return "\n".join(lines)


def detection_note(n, baseline_rate):
    """One sentence: what Fisher's test can detect with n seeds a game against this base rate."""
    floor = smallest_p(n, n)
    needed = detectable_rate(n, baseline_rate) if floor < 0.05 else None
    reach = ("is out of reach: no true rate up to 100% gives it" if needed is None
             else f"needs a true success rate of at least {needed:.0%}")
    return (f"with {n} seeds per game the smallest attainable p is {floor:.2g}; against a base "
            f"success rate of {baseline_rate:.0%}, 80% power at p < 0.05 {reach}")
