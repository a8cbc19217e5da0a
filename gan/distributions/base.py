"""The interface every distribution offers."""

from __future__ import annotations

import numpy as np

KINDS = {}      # class name -> class: every kind registers itself when it is defined


class Distribution:
    """What every distribution offers; subclasses define the formulas."""

    dim: int

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            KINDS[cls.__name__] = cls

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
    def from_fields(cls, fields):
        """The distribution of `to_dict()`'s fields (all but "type"); a kind whose fields are
        not its constructor's arguments overrides this."""
        return cls(**fields)

    @classmethod
    def from_dict(cls, description):
        """Rebuild from `to_dict()`'s output, refusing a description of another kind."""
        distribution = from_dict(description)
        if not isinstance(distribution, cls):
            raise ValueError(f"description is a {type(distribution).__name__}, not a "
                             f"{cls.__name__}")
        return distribution

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(repr(self))


def from_dict(description):
    """Rebuild a distribution from `to_dict()`'s output (e.g. read back from config.json)."""
    if not isinstance(description, dict) or "type" not in description:
        raise TypeError(f"description must be a dict with a 'type' key, got {description!r}")
    kind = description["type"]
    if kind not in KINDS:
        raise ValueError(f"type must be one of {sorted(KINDS)}, got {kind!r}")
    return KINDS[kind].from_fields({key: value for key, value in description.items()
                                    if key != "type"})
