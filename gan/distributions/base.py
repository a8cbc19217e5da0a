"""The interface every distribution offers."""

from __future__ import annotations

import numpy as np



class Distribution:
    """What every distribution offers; subclasses define the formulas."""

    dim: int

    def pdf(self, x):
        """p(x) = exp(log p(x)); 0 where the log density is -inf."""
        return np.exp(self.logpdf(x))

    def _require_scalar(self, what):
        if self.dim != 1:
            raise ValueError(f"{what} is defined for dim 1 only, this distribution has dim "
                             f"{self.dim}")

    def to_dict(self):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    @classmethod
    def from_dict(cls, description):
        """Rebuild from `to_dict()`'s output; the module's `from_dict` does the work."""
        from gan.distributions import from_dict  # the package's registry of every kind

        distribution = from_dict(description)
        if not isinstance(distribution, cls):
            raise ValueError(f"description is a {type(distribution).__name__}, not a "
                             f"{cls.__name__}")
        return distribution

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(repr(self))
