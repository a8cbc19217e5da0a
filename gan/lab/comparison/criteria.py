"""Success criteria: each a predicate on the metrics dict the harness measures for a run."""

from __future__ import annotations

from dataclasses import dataclass
from gan.checks import positive_number


# ---- success criteria: each a predicate on a run's metric dict --------------------------------
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


