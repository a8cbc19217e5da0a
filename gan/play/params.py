"""What the page may ask for, checked before anything changes.

Every value arrives from the page as JSON (a number, or the text typed in a box) and is parsed
and checked here; a bad one raises ValueError naming the parameter, the value received and what
is allowed, and nothing has been applied.

Targets: a preset name (`PRESETS`), a 1D spec in the syntax of ``python -m gan train --target``
(`gan.cli.arguments.parse_distribution`: 'normal:MU,SIGMA', 'uniform:LOW,HIGH', 'W1*SPEC+W2*SPEC'), or a
2D mixture of isotropic normals written 'W1*normal:MU1,MU2,SIGMA+W2*normal:MU1,MU2,SIGMA'
(three numbers make a component two-dimensional; the components share one sigma, the scale the
mode-coverage metrics of `gan.targets2d` measure in).

Drawn targets. The page writes what is drawn on its chart, and a file of samples, as such a
mixture spec (a file of n samples as the Gaussian kernel density estimate with n equal-weight
components, one at each sample), and sends it like a typed one: it is checked here, in full,
whatever the page checked first. So the caps on a spec are set for those: at most
MAX_COMPONENTS components (MAX_SAMPLES samples in a file) and MAX_TARGET_LENGTH characters,
which with the other fields of a reset still fits in the server's body limit of 16 384 bytes
(`gan.play.server.MAX_BODY`).
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from gan.config import OPTIMIZERS
from gan.divergence import representable_scale
from gan.distributions import Mixture, Normal
from gan.objectives import GENERATOR_LOSSES

PRESETS = {
    "normal": "normal:-1,1",
    "bimodal": "0.5*normal:-2,0.5+0.5*normal:2,0.5",
    "ring": "ring",
    "grid": "grid",
}
MAX_TARGET_LENGTH = 15_000     # characters of a target spec (a reset body holds it, see above)
MAX_COMPONENTS = 500           # components of a mixture spec
MAX_SAMPLES = MAX_COMPONENTS   # samples in a file the page turns into a target, one each
MIN_SAMPLES = 5                # ... and at least this many
MAX_SAMPLE_MAGNITUDE = 1e6     # |x| of a sample in such a file
DRAWN_SIGMA = {1: 0.5, 2: 0.1}  # sigma of a mode clicked onto the chart, by dimension
MAX_SEED = 2**32 - 1
MAX_STEPS_PER_REQUEST = 2000
MAX_NUMBER_TEXT = 64           # characters of a number typed as text
PLANE_REACH = 5                # a 2D component's bulk: |mu_i| + PLANE_REACH sigma

# name -> (kind, low, high, low_open): the settings the page may change at any time
SETTINGS = {
    "k": ("int", 1, 50, False),
    "lr_d": ("float", 0.0, 1.0, True),
    "lr_g": ("float", 0.0, 1.0, True),
    "batch_size": ("int", 1, 4096, False),
    "noise_sigma": ("float", 0.0, 10.0, False),
    "g_loss": ("choice", GENERATOR_LOSSES),
    "optimizer": ("choice", OPTIMIZERS),
    "target": ("target",),
}
DEFAULTS = dict(k=1, lr_d=2e-3, lr_g=2e-3, batch_size=256, noise_sigma=0.0,
                g_loss="non_saturating", optimizer="adam", target="normal")


def shown(value, limit=60):
    """A value as an error message quotes it: its repr, cut to ``limit`` characters; a JSON array
    or object by its kind, an integer of many digits by its length."""
    if isinstance(value, (list, dict)):
        return f"a JSON {'array' if isinstance(value, list) else 'object'}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(name, value, kind):
    """A JSON number or the text of one -> int or float, exactly (an integer of any size stays
    an int, so the caller's range check refuses it); bools, NaN and infinities refused."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, bool) or not isinstance(text, (int, float, str)):
        raise ValueError(f"{name} must be a number, got {shown(value)}")
    if isinstance(text, int):
        return text
    if isinstance(text, str):
        if len(text) > MAX_NUMBER_TEXT:
            raise ValueError(f"{name} must be a number of at most {MAX_NUMBER_TEXT} characters, "
                             f"got {len(text)} characters")
        with_digits_only = text.lstrip("+-")
        if kind == "int" and with_digits_only.isascii() and with_digits_only.isdigit():
            return int(text)
    try:
        number = float(text)
    except (ValueError, OverflowError):
        raise ValueError(f"{name} must be a number, got {shown(value)}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {shown(value)}")
    if kind == "int":
        if not number.is_integer():
            raise ValueError(f"{name} must be an integer, got {shown(value)}")
        return int(number)
    return number


def check_setting(name, value):
    """The validated value of one setting (see `SETTINGS` for the ranges)."""
    if name not in SETTINGS:
        raise ValueError(f"unknown setting {shown(name)}; the settings are {sorted(SETTINGS)}")
    kind, *rest = SETTINGS[name]
    if kind == "choice":
        if not isinstance(value, str) or value not in rest[0]:
            raise ValueError(f"{name} must be one of {rest[0]}, got {shown(value)}")
        return value
    if kind == "target":
        parse_target(value)                   # raises on a bad spec
        return value.strip()
    low, high, low_open = rest
    number = _number(name, value, kind)
    if not ((low < number) if low_open else (low <= number)) or number > high:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bracket}{low:g}, {high:g}], got {shown(value)}")
    return float(number) if kind == "float" else number


def check_settings(changes):
    """All of ``changes`` (a dict from the page) validated, or ValueError for the first bad one."""
    if not isinstance(changes, dict):
        raise ValueError(f"settings must be a JSON object, got {shown(changes)}")
    return {name: check_setting(name, value) for name, value in changes.items()}


def check_seed(value):
    """A seed: an integer in [0, 2^32 - 1]."""
    seed = _number("seed", value, "int")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be an integer in [0, {MAX_SEED}], got {shown(value)}")
    return seed


def check_steps(value):
    """How many updates one request may ask for: an integer in [1, MAX_STEPS_PER_REQUEST]."""
    n = _number("n", value, "int")
    if not 1 <= n <= MAX_STEPS_PER_REQUEST:
        raise ValueError(f"n must be an integer in [1, {MAX_STEPS_PER_REQUEST}], got "
                         f"{shown(value)}")
    return n


def parse_target(spec):
    """A preset name or a typed spec -> the distribution (see the module docstring)."""
    from gan.targets2d import grid, ring

    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"target must be a preset {sorted(PRESETS)} or a spec such as "
                         f"'normal:-1,1', got {shown(spec)}")
    if len(spec) > MAX_TARGET_LENGTH:
        raise ValueError(f"target must be at most {MAX_TARGET_LENGTH} characters, "
                         f"got {len(spec)}")
    spec = PRESETS.get(spec.strip(), spec.strip()).replace(" ", "")
    if spec == "ring":
        return ring()
    if spec == "grid":
        return grid()
    parts = spec.split("+")
    if len(parts) > MAX_COMPONENTS:
        raise ValueError(f"target may have at most {MAX_COMPONENTS} components, got {len(parts)}")
    try:
        if any(len(part.partition(":")[2].split(",")) == 3 for part in parts):
            return _plane_mixture(parts, spec)
        from gan.cli.arguments import parse_distribution

        return parse_distribution(spec)
    except (argparse.ArgumentTypeError, ArithmeticError, TypeError, ValueError) as error:
        raise ValueError(f"target {shown(spec)} is malformed: {error}") from None


def _plane_mixture(parts, spec):
    """'W*normal:MU1,MU2,SIGMA+...' -> a Mixture of 2D Normals sharing one sigma."""
    weights, components = [], []
    for part in parts:
        weight, _, body = part.rpartition("*")
        name, _, numbers = body.partition(":")
        values = [float(v) for v in numbers.split(",")] if numbers else []
        if name != "normal" or len(values) != 3:
            raise ValueError(f"a 2D component must look like 'normal:MU1,MU2,SIGMA', got "
                             f"{shown(part)}")
        weights.append(float(weight) if weight else 1.0)
        components.append(Normal(values[:2], values[2]))
    if not all(math.isfinite(w) and w > 0 for w in weights):
        raise ValueError(f"weights must be positive finite numbers, got {weights}")
    reach = max(abs(mu) + PLANE_REACH * sigma for mu, sigma in
                ((mu, c.sigma) for c in components for mu in np.ravel(c.mu_vector)))
    limit = representable_scale("float64")
    if not reach <= limit:
        raise ValueError(f"a 2D component's bulk |mu_i| + {PLANE_REACH} sigma must be at most "
                         f"~{limit:.3g} (what float64 can train on), got {reach:.3g}")
    sigmas = {c.sigma for c in components}
    if len(sigmas) != 1:
        raise ValueError(f"the components of a 2D target must share one sigma, got "
                         f"{sorted(sigmas)} in {shown(spec)}")
    total = sum(weights)
    return Mixture(components, [w / total for w in weights])
