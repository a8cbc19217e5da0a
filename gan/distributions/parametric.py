"""The parametric families: isotropic Normal and the axis-aligned Uniform box."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from gan.distributions._checks import (_finite_real, _finite_vector, _dimension, _sample_size,
                                       _check_rng, _check_mass, _points, _quantiles, _number_text,
                                       _json_number, LOG_2PI, DEFAULT_MASS)
from gan.distributions.base import Distribution


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
