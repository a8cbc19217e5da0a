"""Targets p_data and priors p_z: the distributions the game is played on.

Every distribution has a dimension `dim` and

- `sample(n, rng)`   -> float64 array of shape (n, dim), drawn from any object with
                         numpy.random.Generator's methods (numpy's, or this project's `rng`);
- `logpdf(x)`, `pdf(x)` -> for dim 1 elementwise on any shape; for dim > 1, x of shape
                         (..., dim) gives (...). The log density is computed in log space, so it
                         stays finite far in the tails where the density underflows to 0;
- for dim 1: `cdf(x)`, `interval(mass)` (a range holding at least `mass`), `mean`, `std`,
  `breakpoints()` (where the density bends or jumps: quadrature splits its range there),
  and `ppf(q)` where a closed form exists;
- `to_dict()` and `from_dict(...)`, a plain-JSON round trip used by training configs.
"""

from gan.distributions.base import Distribution
from gan.distributions.mixture import Mixture
from gan.distributions.parametric import Normal, Uniform
from gan.distributions.tabulated import Tabulated

__all__ = ["Distribution", "Normal", "Uniform", "Mixture", "Tabulated", "from_dict"]


def from_dict(description):
    """Rebuild a distribution from `to_dict()`'s output (e.g. read back from config.json)."""
    if not isinstance(description, dict) or "type" not in description:
        raise TypeError(f"description must be a dict with a 'type' key, got {description!r}")
    kind = description["type"]
    fields = {key: value for key, value in description.items() if key != "type"}
    if kind == "Mixture":
        components = [from_dict(c) for c in fields.get("components", [])]
        return Mixture(components, fields.get("weights"))
    classes = {"Normal": Normal, "Uniform": Uniform, "Tabulated": Tabulated}
    if kind not in classes:
        raise ValueError(f"type must be one of {sorted([*classes, 'Mixture'])}, got {kind!r}")
    return classes[kind](**fields)
