"""What counts as a successful run: each criterion a predicate on the metrics of one run, stated
before any run, and a run that diverged never succeeds.

    DefaultRun(mean, std)     the criterion of `python -m gan train` on a 1D target (README, "Why
                              the defaults converge"; the sweep's; benchmarks/convergence_table):
                              JSD(p_data || p_g) < 0.005 nats, |mean of G(z) - mu| < 0.05,
                              |std of G(z) - sigma| < 0.05 and max |D(x) - 1/2| < 0.05 on
                              p_data's central 95%
    JSDBelow(threshold)       JSD(p_data || p_g) < threshold nats (the comparison's N(-1, 1))
    EveryModeHolds(share)     every mixture component holds >= share of p_g's mass (two modes)
    ModesCovered(modes, q)    >= modes covered and a high-quality share >= q (the ring of 8)

`succeeded(metrics, criterion)` applies a criterion to a run that may have diverged. Every
criterion also says in words what it asks (``describe``), for the tables that print it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gan.checks import positive_number, real_in


def succeeded(metrics, criterion):
    """Whether a run succeeded: it did not diverge (``metrics`` is None or holds
    ``"diverged_at"``) and ``criterion(metrics)`` holds."""
    if metrics is None or "diverged_at" in metrics:
        return False
    return bool(criterion(metrics))


@dataclass(frozen=True)
class DefaultRun:
    """Success of a 1D run with target mean ``mean`` (mu) and standard deviation ``std``
    (sigma): JSD(p_data || p_g) < ``jsd`` nats, |mean of G(z) - mu| < ``moment``,
    |std of G(z) - sigma| < ``moment`` and max |D(x) - 1/2| < ``d_max_dev`` over p_data's
    central 95% (the metrics `gan.train.train` measures). The thresholds default to those the
    README states for the default run, which meets them for each of 20 seeds."""

    mean: float
    std: float
    jsd: float = 0.005
    moment: float = 0.05
    d_max_dev: float = 0.05

    def __post_init__(self):
        real_in("mean", self.mean, -math.inf, None)
        for name in ("std", "jsd", "moment", "d_max_dev"):
            positive_number(name, getattr(self, name))

    @classmethod
    def of(cls, target):
        """The criterion for ``target``, a 1D distribution with finite ``mean`` and ``std``."""
        return cls(float(target.mean), float(target.std))

    def __call__(self, metrics):
        return (metrics["jsd"] < self.jsd
                and abs(metrics["mean"] - self.mean) < self.moment
                and abs(metrics["std"] - self.std) < self.moment
                and metrics["d_max_dev"] < self.d_max_dev)

    def describe(self):
        return (f"JSD < {self.jsd:g}, |mean{-self.mean:+g}| < {self.moment:g}, "
                f"|std{-self.std:+g}| < {self.moment:g}, max|D-1/2| < {self.d_max_dev:g}")


@dataclass(frozen=True)
class JSDBelow:
    """Success: JSD(p_data || p_g) < ``threshold`` nats."""

    threshold: float

    def __post_init__(self):
        positive_number("threshold", self.threshold)

    def __call__(self, metrics):
        return metrics["jsd"] < self.threshold

    def describe(self):
        return f"JSD < {self.threshold:g} nats"


@dataclass(frozen=True)
class EveryModeHolds:
    """Success: every mixture component k holds at least ``share`` of p_g's mass within 4 sigma_k
    of its mean mu_k (``metrics["mode_mass"]``, one entry per component)."""

    share: float

    def __post_init__(self):
        if not (isinstance(self.share, (int, float)) and 0 < self.share <= 1):
            raise ValueError(f"share must be a number in (0, 1], got {self.share!r}")

    def __call__(self, metrics):
        return min(metrics["mode_mass"]) >= self.share

    def describe(self):
        return f"every mode holds >= {self.share:.0%} of p_g's mass (within 4 sigma)"


@dataclass(frozen=True)
class ModesCovered:
    """Success: at least ``modes`` modes covered and a high-quality share of at least ``quality``
    (the VEEGAN / PacGAN metrics of `gan.targets2d.mode_coverage`)."""

    modes: int
    quality: float

    def __post_init__(self):
        if isinstance(self.modes, bool) or not isinstance(self.modes, int) or self.modes < 1:
            raise ValueError(f"modes must be a positive integer, got {self.modes!r}")
        if not (isinstance(self.quality, (int, float)) and 0 <= self.quality <= 1):
            raise ValueError(f"quality must be a number in [0, 1], got {self.quality!r}")

    def __call__(self, metrics):
        return metrics["modes_covered"] >= self.modes and metrics["high_quality"] >= self.quality

    def describe(self):
        return f">= {self.modes} modes covered and high-quality share >= {self.quality:g}"
