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

`KDE` is the target of a data file: the Gaussian kernel density estimate of its samples.
- `to_dict()` and `from_dict(...)`, a plain-JSON round trip used by training configs.
"""

from gan.distributions.base import Distribution, from_dict
from gan.distributions.kde import KDE, read_samples
from gan.distributions.mixture import Mixture
from gan.distributions.parametric import Normal, Uniform
from gan.distributions.tabulated import Tabulated

__all__ = ["Distribution", "Normal", "Uniform", "Mixture", "Tabulated", "KDE", "read_samples", "from_dict"]

