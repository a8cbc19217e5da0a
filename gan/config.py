"""GANConfig: every choice of a training run, validated when it is made.

A config holds plain values (numbers, strings, tuples) and two distributions, the target
p_data and the prior p_z; `to_dict`/`from_dict` round-trip it through JSON so a run's
`config.json` rebuilds the run.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass, field

import numpy as np

from gan.divergence import check_target_scale
from gan.distributions import Mixture, Normal, Uniform, from_dict as distribution_from_dict
from gan.limits import (MAX_COUNT, MAX_UPDATES, MAX_WIDTH, SEED_LIMIT, largest_term,
                        memory_estimate, memory_limit)
from gan.objectives import GENERATOR_LOSSES
from gan.engine import ENGINES
from nn.activations import ACTIVATIONS

OPTIMIZERS = ("adam", "sgd", "rmsprop")
LR_SCHEDULES = ("constant", "linear", "cosine")
PRIORS = ("normal", "uniform")
DTYPES = ("float64", "float32")


# Algorithm 1 as Goodfellow et al. (2014) state it, for ``GANConfig.paper()`` and
# ``python -m gan train --paper``. From the paper: minibatch SGD with momentum ("we used
# momentum in our experiments"), k = 1 ("the least expensive option"), G descending
# log(1 - D(G(z))) (the minimax loss of Algorithm 1), and no learning-rate schedule or weight
# averaging (the paper describes none). Not in the paper, chosen here: m = 100 and momentum
# 0.5 are the released code's MNIST settings (its momentum then rose to 0.7 over 250 epochs;
# held constant here); lr = 0.01 is a common default rate for SGD -- the released code's 0.1
# makes these networks diverge within a few dozen steps on N(-1, 1).
PAPER = {
    "optimizer": "sgd",
    "momentum": 0.5,
    "lr_g": 0.01,
    "lr_d": 0.01,
    "k": 1,
    "batch_size": 100,
    "g_loss": "minimax",
    "lr_schedule": "constant",
    "decay_start": 0.0,
    "average_last": 0.0,
}


def paper_values(given=None):
    """The fields `PAPER` sets that ``given`` (a dict of fields chosen explicitly) does not.

    The paper's momentum belongs to its SGD: with another optimizer given, momentum is left at
    its default 0 unless given too."""
    given = {} if given is None else given
    values = {name: value for name, value in PAPER.items() if name not in given}
    if given.get("optimizer", "sgd") != "sgd":
        values.pop("momentum", None)
    return values


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
    ``momentum`` is SGD's mu (``optimizer="sgd"`` only; Adam's own momentum is ``betas[0]``).
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
    momentum: float = 0.0       # SGD's mu: v <- mu v + g, theta <- theta - lr v (sgd only)
    lr_schedule: str = "cosine"
    decay_start: float = 0.0
    average_last: float = 0.25
    g_loss: str = "non_saturating"
    seed: int = 0
    dtype: str = "float64"
    snapshot_every: int = 100
    grid_size: int = 401
    engine: str = "textbook"    # "textbook" (nn, what a learner reads) or "fast" (nn.fast)

    def __post_init__(self):
        for name in ("g_hidden", "d_hidden", "betas"):
            object.__setattr__(self, name, _as_tuple(name, getattr(self, name)))
        self._validate()

    def _validate(self):
        """Every field checked before any work: the field, the value and what is allowed."""
        _check_target(self.target)
        _choice("prior", self.prior, PRIORS)
        _integer("noise_dim", self.noise_dim, 1, MAX_WIDTH)
        for name in ("g_hidden", "d_hidden"):
            _widths(name, getattr(self, name))
        _choice("g_activation", self.g_activation, tuple(ACTIVATIONS))
        _choice("d_activation", self.d_activation, tuple(ACTIVATIONS))
        for name in ("k", "batch_size", "steps"):
            _integer(name, getattr(self, name), 1, MAX_COUNT)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        for name in ("lr_g", "lr_d"):
            _real(name, getattr(self, name), "a positive finite number", lambda v: v > 0)
        if len(self.betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        for beta in self.betas:
            _real("betas", beta, "two numbers in [0, 1)", lambda v: 0 <= v < 1, self.betas)
        _real("momentum", self.momentum, "a number in [0, 1)", lambda v: 0 <= v < 1)
        if self.momentum and self.optimizer != "sgd":
            raise ValueError(f"momentum is SGD's (optimizer='sgd'); with optimizer="
                             f"{self.optimizer!r} it must be 0, got {self.momentum!r}")
        _choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        for name in ("decay_start", "average_last"):
            _real(name, getattr(self, name), "in [0, 1)", lambda v: 0 <= v < 1)
        _choice("g_loss", self.g_loss, GENERATOR_LOSSES)
        _integer("seed", self.seed, 0, SEED_LIMIT - 1)
        _choice("dtype", self.dtype, DTYPES)
        _choice("engine", self.engine, ENGINES)
        _integer("snapshot_every", self.snapshot_every, 0, MAX_COUNT, "(0 = no snapshots)")
        _integer("grid_size", self.grid_size, 16, MAX_COUNT)
        check_target_scale(self.target, self.dtype)
        if self.k * self.steps > MAX_UPDATES:
            raise ValueError(
                f"k * steps must be at most {MAX_UPDATES:.0e} discriminator updates (about a day "
                f"at ~1 ms each), got k={self.k} * steps={self.steps} = {self.k * self.steps:.3g}")
        needed = memory_estimate(self)
        if needed > memory_limit():
            raise ValueError(
                f"this run would need ~{needed / 2**30:.3g} GiB of memory, more than the "
                f"{memory_limit() / 2**30:.3g} GiB limit: reduce {largest_term(self)}")

    @functools.cached_property
    def p_z(self):
        """The prior on the noise: N(0, I) or U(-1, 1)^noise_dim (built once: it is sampled
        every step)."""
        if self.prior == "normal":
            return Normal(0.0, 1.0, dim=self.noise_dim)
        return Uniform(-1.0, 1.0, dim=self.noise_dim)

    @classmethod
    def paper(cls, **changes):
        """Algorithm 1 as the paper states it (`PAPER`: SGD with momentum, k = 1, m = 100, the
        minimax G loss, a constant learning rate, no averaging); ``changes`` override it, e.g.
        ``GANConfig.paper(g_loss="non_saturating")``, the switch the paper recommends."""
        return cls(**{**paper_values(changes), **changes})

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


def _choice(name, value, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def _is_integer(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _integer(name, value, low, high, note=""):
    """An integer in [low, high] (bools are not integers here)."""
    if not _is_integer(value) or not low <= value <= high:
        kind = {0: "a non-negative integer", 1: "a positive integer"}.get(low,
                                                                          f"an integer >= {low}")
        note = f" {note}" if note else ""
        raise ValueError(f"{name} must be {kind}{note}, got {value!r} "
                         f"(allowed: {low} to {_show_bound(high)})")


def _show_bound(high):
    if high == SEED_LIMIT - 1:
        return "2**64 - 1"
    exponent = round(math.log10(high))
    return f"1e{exponent}" if 10**exponent == high else str(high)


def _real(name, value, allowed, test, shown=None):
    """A finite real number (int or float, not bool, not a string) passing `test`; errors show
    `shown` (default: the value)."""
    shown = value if shown is None else shown
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                      np.floating))):
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__} {shown!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not (math.isfinite(number) and test(number)):
        raise ValueError(f"{name} must be {allowed}, got {shown!r}")


def _widths(name, widths):
    if not all(_is_integer(w) and 1 <= w <= MAX_WIDTH for w in widths) or len(widths) > 64:
        raise ValueError(f"{name} must be a tuple of positive integers (at most 64 widths, each "
                         f"at most {MAX_WIDTH:.0e}), got {widths!r}")


def _check_target(target):
    if not (isinstance(target, (Normal, Uniform, Mixture)) or (
            callable(getattr(target, "sample", None)) and callable(getattr(target, "pdf", None)))):
        raise TypeError(
            f"target must be a distribution with sample(n, rng) and pdf(x), got {target!r}")
    if getattr(target, "dim", 1) not in (1, 2):
        raise ValueError(
            f"target must be one- or two-dimensional, got dim {target.dim} (a 2D target "
            f"is measured in the plane by gan.targets2d.Plane)"
        )


def _as_tuple(name, value):
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list, np.ndarray)):
        raise TypeError(f"{name} must be a tuple of numbers, got {value!r}")
    return tuple(value.tolist() if isinstance(value, np.ndarray) else value)
