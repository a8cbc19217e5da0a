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

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import special

LOG_2PI = math.log(2.0 * math.pi)
DEFAULT_MASS = 1.0 - 1e-9
WEIGHT_SUM_TOLERANCE = 1e-12


# ---------------------------------------------------------------- argument checks
def _finite_real(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def _finite_vector(name, value):
    """A scalar or a 1D sequence of finite reals, as a float64 array of shape (k,)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or a sequence of them, got {value!r}")
    if array.ndim > 1 or array.size == 0:
        raise ValueError(f"{name} must be a scalar or a non-empty 1D sequence, got {value!r}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return np.atleast_1d(array)


def _dimension(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _sample_size(n):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return int(n)


def _check_rng(rng, method):
    if not callable(getattr(rng, method, None)):
        raise TypeError(
            f"rng must have numpy.random.Generator's method {method}(), got {type(rng).__name__}"
        )


def _check_mass(mass):
    mass = _finite_real("mass", mass)
    if not 0.0 < mass < 1.0:
        raise ValueError(f"mass must lie in (0, 1), got {mass!r}")
    return mass


def _points(x, dim):
    """x as float64; for dim > 1 its last axis must be the coordinates."""
    x = np.asarray(x, dtype=np.float64)
    if dim > 1 and (x.ndim == 0 or x.shape[-1] != dim):
        raise ValueError(f"x must have shape (..., {dim}) for a {dim}-dimensional distribution, "
                         f"got shape {x.shape}")
    if np.isnan(x).any():
        raise ValueError("x must not contain NaN")
    return x


def _quantiles(q):
    q = np.asarray(q, dtype=np.float64)
    if np.isnan(q).any() or (q < 0).any() or (q > 1).any():
        raise ValueError("q must hold probabilities in [0, 1]")
    return q


def _number_text(values):
    """-1.0 for one value (or equal values), [0.0, 2.0] for several."""
    return repr(float(values[0])) if values.size == 1 else repr([float(v) for v in values])


def _json_number(values):
    return float(values[0]) if values.size == 1 else [float(v) for v in values]


def _logsumexp(terms):
    """log sum_k exp(terms[..., k]) = m + log sum_k exp(terms[..., k] - m), m the largest term;
    -inf when every term is -inf. (scipy.special.logsumexp is ~50x slower on small arrays, which
    matters inside scalar quadrature.)"""
    largest = np.max(terms, axis=-1, keepdims=True)
    shift = np.where(np.isfinite(largest), largest, 0.0)
    total = np.sum(np.exp(terms - shift), axis=-1)
    log_total = np.log(total, out=np.full(total.shape, -np.inf), where=total > 0)
    return shift[..., 0] + log_total


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
        distribution = from_dict(description)
        if not isinstance(distribution, cls):
            raise ValueError(f"description is a {type(distribution).__name__}, not a "
                             f"{cls.__name__}")
        return distribution

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(repr(self))


# ---------------------------------------------------------------- Normal
class Normal(Distribution):
    """Isotropic normal N(mu, sigma^2 I): log p(x) = -sum_i (x_i - mu_i)^2 / (2 sigma^2)
    - dim log sigma - dim/2 log(2 pi).

    `Normal(-1, 1)` is the course's 1D target; `Normal(mu=[0, 0], sigma=1)` a 2D one (dim from
    mu's length); `Normal(0, 1, dim=8)` an 8-dimensional standard normal prior.
    """

    def __init__(self, mu=0.0, sigma=1.0, dim=None):
        mu = _finite_vector("mu", mu)
        self.sigma = _finite_real("sigma", sigma)
        if self.sigma <= 0:
            raise ValueError(f"sigma must be positive, got {sigma!r}")
        if dim is None:
            dim = mu.size
        dim = _dimension("dim", dim)
        if mu.size not in (1, dim):
            raise ValueError(f"mu has {mu.size} coordinates but dim is {dim}")
        self.dim = dim
        self.mu_vector = np.broadcast_to(mu, (dim,)).copy()

    @property
    def mu(self):
        return float(self.mu_vector[0]) if self.dim == 1 else self.mu_vector.copy()

    @property
    def mean(self):
        return self.mu

    @property
    def std(self):
        return self.sigma if self.dim == 1 else np.full(self.dim, self.sigma)

    def sample(self, n, rng):
        """x = mu + sigma * epsilon with epsilon ~ N(0, I) from rng.standard_normal."""
        n = _sample_size(n)
        _check_rng(rng, "standard_normal")
        epsilon = np.asarray(rng.standard_normal((n, self.dim)), dtype=np.float64)
        return self.mu_vector + self.sigma * epsilon.reshape(n, self.dim)

    def logpdf(self, x):
        x = _points(x, self.dim)
        if self.dim == 1:
            standardised = (x - self.mu_vector[0]) / self.sigma
            return -0.5 * standardised**2 - math.log(self.sigma) - 0.5 * LOG_2PI
        standardised = (x - self.mu_vector) / self.sigma
        return (-0.5 * np.sum(standardised**2, axis=-1)
                - self.dim * (math.log(self.sigma) + 0.5 * LOG_2PI))

    def cdf(self, x):
        """F(x) = Phi((x - mu) / sigma)."""
        self._require_scalar("cdf")
        return special.ndtr((_points(x, 1) - self.mu_vector[0]) / self.sigma)

    def ppf(self, q):
        """F^-1(q) = mu + sigma Phi^-1(q)."""
        self._require_scalar("ppf")
        return self.mu_vector[0] + self.sigma * special.ndtri(_quantiles(q))

    def interval(self, mass=DEFAULT_MASS):
        """mu -/+ sigma Phi^-1((1 + mass) / 2): the central range holding `mass`."""
        self._require_scalar("interval")
        half_width = -self.sigma * special.ndtri((1.0 - _check_mass(mass)) / 2.0)
        return (float(self.mu_vector[0] - half_width), float(self.mu_vector[0] + half_width))

    def breakpoints(self):
        self._require_scalar("breakpoints")
        return self.mu_vector[0] + self.sigma * np.array([-3.0, -1.0, 0.0, 1.0, 3.0])

    def __repr__(self):
        if self.dim > 1 and np.all(self.mu_vector == self.mu_vector[0]):
            return f"Normal(mu={float(self.mu_vector[0])!r}, sigma={self.sigma!r}, dim={self.dim})"
        return f"Normal(mu={_number_text(self.mu_vector)}, sigma={self.sigma!r})"

    def to_dict(self):
        return {"type": "Normal", "mu": _json_number(self.mu_vector), "sigma": self.sigma,
                "dim": self.dim}


# ---------------------------------------------------------------- Uniform
class Uniform(Distribution):
    """Uniform on the box [low, high]^dim: p(x) = prod_i 1 / (high_i - low_i) inside, 0 outside.

    `Uniform(-1, 1)` is the paper's 1D prior; `Uniform(-1, 1, dim=8)` has iid coordinates.
    """

    def __init__(self, low=0.0, high=1.0, dim=None):
        low = _finite_vector("low", low)
        high = _finite_vector("high", high)
        if dim is None:
            dim = max(low.size, high.size)
        dim = _dimension("dim", dim)
        for name, bound in (("low", low), ("high", high)):
            if bound.size not in (1, dim):
                raise ValueError(f"{name} has {bound.size} coordinates but dim is {dim}")
        self.dim = dim
        self.low_vector = np.broadcast_to(low, (dim,)).copy()
        self.high_vector = np.broadcast_to(high, (dim,)).copy()
        if not np.all(self.low_vector < self.high_vector):
            raise ValueError(f"low must be below high, got low={low.tolist()}, "
                             f"high={high.tolist()}")
        self.log_volume = float(np.sum(np.log(self.high_vector - self.low_vector)))

    @property
    def low(self):
        return float(self.low_vector[0]) if self.dim == 1 else self.low_vector.copy()

    @property
    def high(self):
        return float(self.high_vector[0]) if self.dim == 1 else self.high_vector.copy()

    @property
    def mean(self):
        middle = (self.low_vector + self.high_vector) / 2
        return float(middle[0]) if self.dim == 1 else middle

    @property
    def std(self):
        spread = (self.high_vector - self.low_vector) / math.sqrt(12.0)
        return float(spread[0]) if self.dim == 1 else spread

    def sample(self, n, rng):
        """x = low + (high - low) u with u ~ U[0, 1)^dim from rng.random."""
        n = _sample_size(n)
        _check_rng(rng, "random")
        u = np.asarray(rng.random((n, self.dim)), dtype=np.float64).reshape(n, self.dim)
        return self.low_vector + (self.high_vector - self.low_vector) * u

    def logpdf(self, x):
        x = _points(x, self.dim)
        if self.dim == 1:
            inside = (x >= self.low_vector[0]) & (x <= self.high_vector[0])
        else:
            inside = np.all((x >= self.low_vector) & (x <= self.high_vector), axis=-1)
        return np.where(inside, -self.log_volume, -np.inf)

    def cdf(self, x):
        """F(x) = clip((x - low) / (high - low), 0, 1)."""
        self._require_scalar("cdf")
        low, high = self.low_vector[0], self.high_vector[0]
        return np.clip((_points(x, 1) - low) / (high - low), 0.0, 1.0)

    def ppf(self, q):
        """F^-1(q) = low + q (high - low)."""
        self._require_scalar("ppf")
        low, high = self.low_vector[0], self.high_vector[0]
        return low + _quantiles(q) * (high - low)

    def interval(self, mass=DEFAULT_MASS):
        """The support [low, high], which holds all the mass."""
        self._require_scalar("interval")
        _check_mass(mass)
        return (float(self.low_vector[0]), float(self.high_vector[0]))

    def breakpoints(self):
        self._require_scalar("breakpoints")
        return np.array([self.low_vector[0], self.high_vector[0]])

    def __repr__(self):
        same = np.all(self.low_vector == self.low_vector[0]) and np.all(
            self.high_vector == self.high_vector[0])
        if self.dim > 1 and same:
            return (f"Uniform(low={float(self.low_vector[0])!r}, "
                    f"high={float(self.high_vector[0])!r}, dim={self.dim})")
        low, high = _number_text(self.low_vector), _number_text(self.high_vector)
        return f"Uniform(low={low}, high={high})"

    def to_dict(self):
        return {"type": "Uniform", "low": _json_number(self.low_vector),
                "high": _json_number(self.high_vector), "dim": self.dim}


# ---------------------------------------------------------------- Mixture
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
        if abs(weights.sum() - 1.0) > WEIGHT_SUM_TOLERANCE:
            raise ValueError(f"weights must sum to 1 (within {WEIGHT_SUM_TOLERANCE}), got sum "
                             f"{weights.sum()!r}")
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


# ---------------------------------------------------------------- Tabulated
class Tabulated(Distribution):
    """A density known on a grid: p(x) linear between the grid points, 0 outside, scaled so that
    its integral (the trapezoid sum, exact for a piecewise-linear p) is 1.

    F(x) = C_i + p_i t + (p_(i+1) - p_i) t^2 / (2 h_i) on [x_i, x_(i+1)], t = x - x_i, where
    C_i is the trapezoid sum up to x_i. Sampling is by the inverse cdf. The training history
    stores p_g this way, so the divergences of `gan.theory` apply to it.
    """

    def __init__(self, x_grid, density):
        x_grid = np.asarray(x_grid, dtype=np.float64)
        density = np.asarray(density, dtype=np.float64)
        if x_grid.ndim != 1 or x_grid.size < 2:
            raise ValueError(f"x_grid must be a 1D array of at least 2 points, got shape "
                             f"{x_grid.shape}")
        if not np.all(np.isfinite(x_grid)) or not np.all(np.diff(x_grid) > 0):
            raise ValueError("x_grid must be finite and strictly increasing")
        if density.shape != x_grid.shape:
            raise ValueError(f"density must have x_grid's shape {x_grid.shape}, got "
                             f"{density.shape}")
        if not np.all(np.isfinite(density)) or np.any(density < 0):
            raise ValueError("density must be finite and non-negative")
        widths = np.diff(x_grid)
        segment_mass = widths * (density[:-1] + density[1:]) / 2
        total = segment_mass.sum()
        if not total > 0:
            raise ValueError("density must have a positive integral over x_grid, got 0")
        self.dim = 1
        self.x_grid = x_grid
        self.density = density / total
        self.cumulative = np.concatenate([[0.0], np.cumsum(segment_mass / total)])
        self.cumulative[-1] = 1.0

    def logpdf(self, x):
        p = self.pdf(x)
        return np.log(p, out=np.full(p.shape, -np.inf), where=p > 0)

    def pdf(self, x):
        return np.interp(_points(x, 1), self.x_grid, self.density, left=0.0, right=0.0)

    def _segment(self, x):
        """Index i of the segment [x_i, x_(i+1)] holding x, and t = x - x_i."""
        i = np.clip(np.searchsorted(self.x_grid, x, side="right") - 1, 0, self.x_grid.size - 2)
        return i, x - self.x_grid[i]

    def cdf(self, x):
        x = np.clip(_points(x, 1), self.x_grid[0], self.x_grid[-1])
        i, t = self._segment(x)
        slope = (self.density[i + 1] - self.density[i]) / (self.x_grid[i + 1] - self.x_grid[i])
        return np.minimum(self.cumulative[i] + self.density[i] * t + slope * t**2 / 2, 1.0)

    def ppf(self, q):
        """Solve F(x) = q on its segment: t = 2 r / (p_i + sqrt(p_i^2 + 2 slope r)), r = q - C_i
        (the root of slope t^2 / 2 + p_i t = r written without cancellation)."""
        q = _quantiles(q)
        i = np.clip(np.searchsorted(self.cumulative, q, side="left") - 1, 0, self.x_grid.size - 2)
        width = self.x_grid[i + 1] - self.x_grid[i]
        slope = (self.density[i + 1] - self.density[i]) / width
        r = np.maximum(q - self.cumulative[i], 0.0)
        denominator = self.density[i] + np.sqrt(np.maximum(self.density[i]**2 + 2 * slope * r,
                                                           0.0))
        t = np.divide(2 * r, denominator, out=np.zeros_like(r), where=denominator > 0)
        return self.x_grid[i] + np.clip(t, 0.0, width)

    def sample(self, n, rng):
        """x = F^-1(u) with u ~ U[0, 1) from rng.random."""
        n = _sample_size(n)
        _check_rng(rng, "random")
        u = np.asarray(rng.random(n), dtype=np.float64).reshape(n)
        return self.ppf(u)[:, None]

    def interval(self, mass=DEFAULT_MASS):
        """The support: from the first to the last grid point bordering positive density."""
        _check_mass(mass)
        positive = np.flatnonzero(self.density > 0)
        first = max(positive[0] - 1, 0)
        last = min(positive[-1] + 1, self.x_grid.size - 1)
        return (float(self.x_grid[first]), float(self.x_grid[last]))

    def breakpoints(self):
        return self.x_grid.copy()

    def _moment(self, power):
        """E x^power, exact: on each segment x^power p(x) is a polynomial of degree <= 3, for
        which Simpson's rule is exact."""
        left, right = self.x_grid[:-1], self.x_grid[1:]
        middle = (left + right) / 2
        p_left, p_right = self.density[:-1], self.density[1:]
        values = (left**power * p_left + 4 * middle**power * (p_left + p_right) / 2
                  + right**power * p_right)
        return float(np.sum((right - left) / 6 * values))

    @property
    def mean(self):
        return self._moment(1)

    @property
    def std(self):
        return math.sqrt(max(self._moment(2) - self._moment(1)**2, 0.0))

    def __repr__(self):
        low, high = float(self.x_grid[0]), float(self.x_grid[-1])
        return f"Tabulated(x_grid=<{self.x_grid.size} points in [{low!r}, {high!r}]>, density=...)"

    def to_dict(self):
        return {"type": "Tabulated", "x_grid": self.x_grid.tolist(),
                "density": self.density.tolist()}


# ---------------------------------------------------------------- JSON round trip
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

