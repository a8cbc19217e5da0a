"""GANConfig: every choice of a training run, validated when it is made.

A config holds plain values (numbers, strings, tuples) and two distributions, the target
p_data and the prior p_z; `to_dict`/`from_dict` round-trip it through JSON so a run's
`config.json` rebuilds the run.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

import numpy as np

from gan.distributions import Mixture, Normal, Uniform, from_dict as distribution_from_dict
from gan.objectives import GENERATOR_LOSSES
from nn.fast.layers import ACTIVATIONS

OPTIMIZERS = ("adam", "sgd", "rmsprop")
LR_SCHEDULES = ("constant", "linear", "cosine")
PRIORS = ("normal", "uniform")
DTYPES = ("float64", "float32")
UPDATES = ("alternating", "simultaneous", "extragradient", "optimistic")   # gan.dynamics.training


def _default_target():
    return Normal(-1.0, 1.0)


@dataclass(frozen=True)
class GANConfig:
    """The settings of one run of Algorithm 1 (Goodfellow et al. 2014).

    The defaults train the course's worked example, p_data = N(-1, 1), to a precise end
    point; the README explains each choice. Names follow the paper: k discriminator steps
    per generator step, minibatches of m = ``batch_size`` samples.

    Learning rates follow ``lr_schedule``: constant, or decayed to zero at the last step,
    linearly or along a half cosine, after ``decay_start`` (a fraction of ``steps``).
    ``average_last`` is the fraction of the last steps over which the generator's weights
    are averaged (Polyak averaging; 0 turns it off): the returned G is that average.

    G's hidden units are smooth (softplus) by default, D's piecewise linear (LeakyReLU).
    A piecewise-linear G maps the noise line in straight pieces, so p_g is a patchwork of
    rescaled copies of p_z with a jump at every kink and a spike wherever a piece is nearly
    flat; D, smooth and fed finite minibatches, cannot see such narrow features, so they
    survive training (JSD ~ 0.004 nats at best in our runs, against ~1e-4 with softplus).
    """

    target: object = field(default_factory=_default_target)
    prior: str = "normal"
    noise_dim: int = 1
    g_hidden: tuple = (32, 32)
    d_hidden: tuple = (64, 64)
    g_activation: str = "softplus"
    d_activation: str = "leaky_relu"
    k: int = 1
    batch_size: int = 256
    steps: int = 2000
    optimizer: str = "adam"
    lr_g: float = 2e-3
    lr_d: float = 2e-3
    betas: tuple = (0.5, 0.999)
    lr_schedule: str = "cosine"
    decay_start: float = 0.0
    average_last: float = 0.25
    g_loss: str = "non_saturating"
    seed: int = 0
    dtype: str = "float64"
    snapshot_every: int = 100
    grid_size: int = 401
    update: str = "alternating"
    r1: float = 0.0
    r2: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "g_hidden", tuple(self.g_hidden))
        object.__setattr__(self, "d_hidden", tuple(self.d_hidden))
        object.__setattr__(self, "betas", tuple(self.betas))
        self._validate()

    def _validate(self):
        _validate_update(self)
        if not isinstance(self.target, (Normal, Uniform, Mixture)) and not hasattr(
            self.target, "sample"
        ):
            raise TypeError(
                f"target must be a distribution with sample(n, rng) and pdf(x), got {self.target!r}"
            )
        if getattr(self.target, "dim", 1) not in (1, 2):
            raise ValueError(
                f"target must be one- or two-dimensional, got dim {self.target.dim} (a 2D target "
                f"is trained with game=gan.targets2d.GAN2D, whose measurements are 2D)"
            )
        _choice("prior", self.prior, PRIORS)
        _positive_int("noise_dim", self.noise_dim)
        for name in ("g_hidden", "d_hidden"):
            widths = getattr(self, name)
            if not all(isinstance(w, (int, np.integer)) and w > 0 for w in widths):
                raise ValueError(f"{name} must be a tuple of positive integers, got {widths!r}")
        _choice("g_activation", self.g_activation, tuple(ACTIVATIONS))
        _choice("d_activation", self.d_activation, tuple(ACTIVATIONS))
        _positive_int("k", self.k)
        _positive_int("batch_size", self.batch_size)
        _positive_int("steps", self.steps)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        for name in ("lr_g", "lr_d"):
            lr = getattr(self, name)
            if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
                raise ValueError(f"{name} must be a positive finite number, got {lr!r}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        _choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        if not 0 <= self.decay_start < 1:
            raise ValueError(f"decay_start must be in [0, 1), got {self.decay_start!r}")
        if not 0 <= self.average_last < 1:
            raise ValueError(f"average_last must be in [0, 1), got {self.average_last!r}")
        _choice("g_loss", self.g_loss, GENERATOR_LOSSES)
        if (not isinstance(self.seed, (int, np.integer)) or isinstance(self.seed, bool)
                or self.seed < 0):
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        _choice("dtype", self.dtype, DTYPES)
        if not isinstance(self.snapshot_every, (int, np.integer)) or self.snapshot_every < 0:
            raise ValueError(
                f"snapshot_every must be a non-negative integer (0 = no snapshots), "
                f"got {self.snapshot_every!r}"
            )
        if not isinstance(self.grid_size, (int, np.integer)) or self.grid_size < 16:
            raise ValueError(f"grid_size must be an integer >= 16, got {self.grid_size!r}")

    @functools.cached_property
    def p_z(self):
        """The prior on the noise: N(0, I) or U(-1, 1)^noise_dim (built once: it is sampled
        every step)."""
        if self.prior == "normal":
            return Normal(0.0, 1.0, dim=self.noise_dim)
        return Uniform(-1.0, 1.0, dim=self.noise_dim)

    def replace(self, **changes):
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self):
        """Plain JSON-able values; the target as its own dict."""
        d = dataclasses.asdict(self)
        d["target"] = self.target.to_dict()
        d["g_hidden"], d["d_hidden"], d["betas"] = (
            list(self.g_hidden),
            list(self.d_hidden),
            list(self.betas),
        )
        return d

    @classmethod
    def from_dict(cls, d):
        """Inverse of `to_dict`; unknown keys are an error, not ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown config fields {sorted(unknown)}; known are {sorted(known)}")
        d = dict(d)
        if "target" in d and isinstance(d["target"], dict):
            d["target"] = distribution_from_dict(d["target"])
        return cls(**d)


def _validate_update(config):
    """The update rule and gradient penalties of gan.dynamics.training (issue 20). A module
    function, as gan.digits validates stand-ins for configs through GANConfig._validate."""
    update = getattr(config, "update", "alternating")
    _choice("update", update, UPDATES)
    for name in ("r1", "r2"):
        value = getattr(config, name, 0.0)
        if isinstance(value, bool) or not (isinstance(value, (int, float))
                                           and np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    if update != "alternating" and config.k != 1:
        raise ValueError(f"k must be 1 with update={update!r} (one D step per G step), "
                         f"got k={config.k!r}")


def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def _positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
