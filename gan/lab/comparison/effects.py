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


def detectable_rate(n, base_rate, power=0.8, alpha=0.05, direction="up"):
    """The success rate nearest ``base_rate`` (on a grid of 0.01, above it for ``direction``
    "up", below for "down") at which n runs of a variant reach ``power`` in Fisher's test
    against n runs at ``base_rate``; None if even a rate of 1 (or 0) does not."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', got {direction!r}")
    rates = (np.arange(base_rate, 1.0001, 0.01) if direction == "up"
             else np.arange(base_rate, -0.0001, -0.01))
    for rate in np.clip(np.round(rates, 2), 0.0, 1.0):
        if fisher_power(n, n, float(rate), base_rate, alpha) >= power:
            return float(rate)
    return None


def row_score(row, target):
    """The table's score of one row: a diverged run counts as JSD log 2 (or 0 modes covered);
    a JSD is floored at 1e-12 so that its logarithm exists."""
    if row["diverged"]:
        return math.log(2) if target.score == "jsd" else 0.0
    value = row["metrics"][target.score]
    return max(value, 1e-12) if target.score == "jsd" else max(value, 0.5)


def against_baseline(rows, targets, baseline="plain GAN", seed=0, controls=None):
    """One dict per (target, variant other than ``baseline``) in the rows: successes and runs of
    both, Fisher's two-sided p, the success-rate difference and the log10 median-score ratio,
    each as (estimate, low, high) with a 95% bootstrap interval (a modes-covered score is
    floored at 0.5 so that the ratio exists), and the verdict by success rate ("better" or
    "worse" at p < 0.05, else "no clear difference"). ``controls`` maps (target name, variant
    name) to another row's variant to compare against instead (a matched control, e.g. the plain
    game with minibatch discrimination's deeper G); the dict's ``baseline`` names it."""
    controls = dict(controls or {})
    out = []
    for target in targets:
        groups = {}
        for row in rows:
            if row["target"] == target.name:
                groups.setdefault(row["variant"], []).append(row)
        for name, group in groups.items():
            against = controls.get((target.name, name), baseline)
            if name == baseline or against not in groups:
                continue
            base = groups[against]
            s_v, s_b = sum(r["success"] for r in group), sum(r["success"] for r in base)
            p = fisher_exact([[s_v, len(group) - s_v], [s_b, len(base) - s_b]])[1]
            rate = bootstrap_interval([r["success"] for r in group], [r["success"] for r in base],
                                      rate_difference, seed=seed)
            ratio = bootstrap_interval([row_score(r, target) for r in group],
                                       [row_score(r, target) for r in base], log_median_ratio,
                                       seed=seed)
            verdict = ("better" if rate[0] > 0 else "worse") if p < 0.05 else "no clear difference"
            out.append({"target": target.name, "variant": name, "baseline": against,
                        "successes": s_v, "runs": len(group), "baseline_successes": s_b,
                        "baseline_runs": len(base), "p": float(p), "rate_difference": rate,
                        "log10_median_ratio": ratio, "verdict": verdict})
    return out


def format_effects(effects):
    """The effects as a printable table (``against``: the baseline, "plain" for the plain GAN)."""
    lines = [f"  {'target':10s} {'variant':20s} {'against':8s} {'success':>9s} {'base':>6s}  "
             f"{'p':>5s}  {'rate difference [95% CI]':>25s}  {'log10 median ratio [95% CI]':>28s}"
             f"  verdict"]
    for e in effects:
        rate, ratio = e["rate_difference"], e["log10_median_ratio"]
        against = "plain" if e.get("baseline", "plain GAN") == "plain GAN" else "control"
        lines.append(
            f"  {e['target']:10s} {e['variant']:20s} {against:8s} {e['successes']:4d}/"
            f"{e['runs']:<4d} {e['baseline_successes']:2d}/{e['baseline_runs']:<3d} "
            f"{e['p']:5.2f}  {rate[0]:+6.2f} [{rate[1]:+.2f}, {rate[2]:+.2f}]     "
            f"{ratio[0]:+6.2f} [{ratio[1]:+.2f}, {ratio[2]:+.2f}]       {e['verdict']}")
    return "\n".join(lines)


def detection_note(n, baseline_rate):
    """One sentence: what Fisher's test can detect with n seeds per game against this base rate,
    in both directions (80% power at p < 0.05)."""
    floor = smallest_p(n, n)
    if floor >= 0.05:
        return (f"with {n} seeds per game the smallest attainable p is {floor:.2g}: no "
                f"difference in success rate can reach p < 0.05")
    up, down = detectable_rate(n, baseline_rate), detectable_rate(n, baseline_rate,
                                                                  direction="down")
    better = ("no rate up to 100% is detected as better" if up is None else
              f"a variant is found better only if its true rate is >= {up:.0%} "
              f"(a difference of {up - baseline_rate:+.0%})")
    worse = ("no rate down to 0% is detected as worse" if down is None else
             f"worse only if <= {down:.0%} ({down - baseline_rate:+.0%})")
    tail = ("so at this n the test cannot tell this game from another by success rate" if
            up is None and down is None else "smaller differences go undetected most of the time")
    return (f"with {n} seeds per game the smallest attainable p is {floor:.2g}; against a base "
            f"success rate of {baseline_rate:.0%}, with 80% power at p < 0.05 {better}, "
            f"{worse}; {tail}")
