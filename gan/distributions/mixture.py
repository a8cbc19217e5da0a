"""Finite mixtures of distributions."""

from __future__ import annotations

import numpy as np

from gan.distributions._checks import (_finite_vector, _sample_size, _check_rng, _points,
                                       _logsumexp, DEFAULT_MASS, WEIGHT_SUM_TOLERANCE)
from gan.distributions.base import Distribution, from_dict


def _weights_off_sum(weights, total):
    """The sentence for weights whose sum is not 1: the weights, their sum, and why when the
    sum says more (it overflowed, or every weight is 0 as after dividing by an infinite total)."""
    listed = [float(w) for w in weights]
    said = (f"mixture weights must sum to 1 (within {WEIGHT_SUM_TOLERANCE}), got {listed} "
            f"(sum {total!r})")
    if not np.isfinite(total):
        why = (f"their sum overflows float64 (largest {float(weights.max()):.3g}): "
               f"divide them by the largest first, or give weights that sum to 1")
    elif total == 0:
        why = ("every weight is 0, as weights divided by a total that overflowed to inf become: "
               "give weights whose total is finite and positive")
    else:
        why = "divide them by their sum"
    return f"{said}; {why}"


class Mixture(Distribution):
    """Finite mixture p(x) = sum_k w_k p_k(x); log p(x) = logsumexp_k(log w_k + log p_k(x)).

    weights must be non-negative and sum to 1 within 1e-12 (they are then divided by their sum,
    which only removes rounding); None means equal weights. Example, a bimodal 1D target:
    `Mixture([Normal(-2, 0.5), Normal(2, 0.5)], weights=[0.5, 0.5])`.
    """

    def __init__(self, components, weights=None):
        components = list(components) if not isinstance(components, Distribution) else None
        if not components:
            raise ValueError("components must be a non-empty sequence of distributions")
        for index, component in enumerate(components):
            if not isinstance(component, Distribution):
                raise TypeError(f"components[{index}] must be a distribution, got "
                                f"{type(component).__name__}")
        dims = [component.dim for component in components]
        if len(set(dims)) != 1:
            raise ValueError(f"components must have equal dim, got dims {dims}")
        if weights is None:
            weights = np.full(len(components), 1.0 / len(components))
        weights = _finite_vector("weights", weights)
        if weights.size != len(components):
            raise ValueError(f"weights must have one entry per component ({len(components)}), "
                             f"got {weights.size}")
        if np.any(weights < 0):
            raise ValueError(f"weights must be non-negative, got {weights.tolist()}")
        with np.errstate(over="ignore"):
            total = float(weights.sum())
        if not abs(total - 1.0) <= WEIGHT_SUM_TOLERANCE:
            raise ValueError(_weights_off_sum(weights, total))
        self.components = components
        self.weights = weights / weights.sum()
        self.log_weights = np.log(self.weights, out=np.full(self.weights.shape, -np.inf),
                                  where=self.weights > 0)
        self.dim = dims[0]

    def sample(self, n, rng):
        """Component k = searchsorted(cumsum(w), u) for u ~ U[0, 1), then x ~ p_k."""
        n = _sample_size(n)
        _check_rng(rng, "random")
        u = np.asarray(rng.random(n), dtype=np.float64).reshape(n)
        index = np.searchsorted(np.cumsum(self.weights), u, side="right")
        index = np.minimum(index, len(self.components) - 1)   # cumsum may end just below 1
        x = np.empty((n, self.dim))
        for k, component in enumerate(self.components):    # one draw per component, not sample
            chosen = index == k
            x[chosen] = component.sample(int(chosen.sum()), rng)
        return x

    def logpdf(self, x):
        x = _points(x, self.dim)
        terms = np.stack([component.logpdf(x) for component in self.components], axis=-1)
        return _logsumexp(terms + self.log_weights)

    def cdf(self, x):
        """F(x) = sum_k w_k F_k(x)."""
        self._require_scalar("cdf")
        x = _points(x, 1)
        return sum(w * component.cdf(x) for w, component in zip(self.weights, self.components))

    def interval(self, mass=DEFAULT_MASS):
        """The hull of the components' intervals: it holds sum_k w_k mass = mass."""
        self._require_scalar("interval")
        ranges = np.array([component.interval(mass) for component in self.components])
        return (float(ranges[:, 0].min()), float(ranges[:, 1].max()))

    def breakpoints(self):
        self._require_scalar("breakpoints")
        return np.unique(np.concatenate([c.breakpoints() for c in self.components]))

    @property
    def mean(self):
        """E x = sum_k w_k mu_k."""
        means = np.array([np.asarray(c.mean, dtype=np.float64) for c in self.components])
        mean = np.tensordot(self.weights, means, axes=1)
        return float(mean) if self.dim == 1 else mean

    @property
    def std(self):
        """Var x = sum_k w_k (sigma_k^2 + mu_k^2) - (E x)^2, per coordinate."""
        means = np.array([np.asarray(c.mean, dtype=np.float64) for c in self.components])
        stds = np.array([np.asarray(c.std, dtype=np.float64) for c in self.components])
        mean = np.tensordot(self.weights, means, axes=1)
        second_moment = np.tensordot(self.weights, stds**2 + means**2, axes=1)
        std = np.sqrt(np.maximum(second_moment - mean**2, 0.0))   # rounding can dip below 0
        return float(std) if self.dim == 1 else std

    def __repr__(self):
        inner = ", ".join(repr(c) for c in self.components)
        return f"Mixture([{inner}], weights={[float(w) for w in self.weights]!r})"

    def to_dict(self):
        return {"type": "Mixture", "components": [c.to_dict() for c in self.components],
                "weights": [float(w) for w in self.weights]}

    @classmethod
    def from_fields(cls, fields):
        """Each component rebuilt from its own description, then the mixture."""
        return cls([from_dict(c) for c in fields.get("components", [])], fields.get("weights"))
