"""Turning the command line's text into values, with the reason kept when it cannot be done; the
help texts and choices of GANConfig's flags (shared by `gan.cli.train` and `gan.cli.sweep`);
and `user_error`, the one way a command reports a user error (one line, exit code 2).

argparse reports a `type` function's failure as "invalid <function name> value" and drops the
message, unless the function raises argparse.ArgumentTypeError: every parser here does that.
"""

from __future__ import annotations

import argparse
import math
import sys

from gan import language
from gan.config import DTYPES, GENERATOR_LOSSES, LR_SCHEDULES, OPTIMIZERS, PRIORS
from gan.dynamics import RULES
from gan.distributions import KDE, Mixture, Normal, Uniform, read_samples
from gan.engine import ENGINES


def parse_distribution(spec):
    """'normal:-1,1', 'uniform:0,2' or '0.3*normal:-2,0.5+0.7*normal:2,0.5' -> a distribution;
    a FILE of samples (.csv or .npy, one column for 1D, two for 2D) -> their Gaussian KDE by
    Scott's rule, FILE:silverman by Silverman's, FILE:0.25 with the bandwidth h = 0.25
    (`gan.distributions.KDE`).

    A bad spec raises argparse.ArgumentTypeError with the reason (argparse shows only the
    text of that exception type; a ValueError would become "invalid parse_distribution value").
    """
    try:
        named = _file_and_bandwidth(spec)
        if named is not None:
            path, bandwidth = named
            return KDE(read_samples(path), bandwidth, source=path)
        return _parse_distribution(spec)
    except (TypeError, ValueError, OSError) as error:
        raise argparse.ArgumentTypeError(
            language._("target {spec!r}: {error}").format(spec=spec, error=error)) from None


def _file_and_bandwidth(spec):
    """(path, bandwidth) when spec names a samples file (FILE or FILE:BANDWIDTH, FILE ending in
    .csv or .npy), else None; BANDWIDTH is scott (the default), silverman or h."""
    def is_file(path):
        return path.lower().endswith((".csv", ".npy"))

    if is_file(spec):
        return spec, "scott"
    path, _, bandwidth = spec.rpartition(":")
    if not path or not is_file(path):
        return None
    if bandwidth in ("scott", "silverman"):
        return path, bandwidth
    try:
        return path, float(bandwidth)
    except ValueError:
        raise ValueError(language._("the bandwidth after ':' must be scott, silverman or a "
                                    "positive number h, got {bandwidth!r}")
                         .format(bandwidth=bandwidth)) from None


def _parse_distribution(spec):
    parts = spec.split("+")
    if len(parts) > 1:
        weights, components = [], []
        for part in parts:
            weight, _, body = part.rpartition("*")
            try:
                weights.append(float(weight) if weight else 1.0)
            except ValueError:
                raise ValueError(language._("mixture weight {weight!r} is not a number")
                                 .format(weight=weight)) from None
            components.append(_parse_distribution(body))
        if not all(math.isfinite(w) and w >= 0 for w in weights):
            raise ValueError(language._("mixture weights must be finite and non-negative, "
                                        "got {weights}").format(weights=weights))
        total = sum(weights)
        if not total > 0:
            raise ValueError(language._("mixture weights must not all be 0, got {weights}")
                             .format(weights=weights))
        return Mixture(components, [w / total for w in weights])
    name, _, args = spec.partition(":")
    try:
        numbers = [float(a) for a in args.split(",")]
    except ValueError:
        numbers = []
    makers = {"normal": Normal, "uniform": Uniform}
    if name not in makers or len(numbers) != 2:
        raise ValueError(language._(
            "must look like 'normal:MU,SIGMA', 'uniform:LOW,HIGH' or a '+'-joined mixture "
            "'W1*normal:MU,SIGMA+W2*...' of them, got {spec!r}").format(spec=spec))
    return makers[name](*numbers)


def integer_in(name, low, high):
    """An argparse type: the text as an integer in [low, high], else an error naming ``name``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                language._("{name} must be an integer in [{low}, {high}], got {text!r}")
                .format(name=name, low=low, high=high, text=text))
        return value
    return parse


def _tuple_of(kind):
    def parse(text):
        try:
            return tuple(kind(t) for t in text.split(",") if t.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                language._("expected comma-separated numbers, got {text!r}").format(text=text))

    return parse


# ---- the help texts and choices of GANConfig's flags, shared by train and sweep ----------------
HELP = {
    "target": "p_data: 'normal:MU,SIGMA', 'uniform:LOW,HIGH', or a mixture "
    "'W1*normal:MU,SIGMA+W2*normal:MU,SIGMA' (weights optional, equal if omitted), or a "
    "FILE of samples (.csv or .npy, 1 column; 2 for 2D), whose Gaussian kernel density "
    "estimate is the target (FILE:silverman or FILE:H for another bandwidth than Scott's)",
    "prior": "p_z, the noise prior: N(0, I) or U(-1, 1)^noise_dim",
    "noise_dim": "dimension of the noise z",
    "g_hidden": "widths of G's hidden layers, comma-separated",
    "d_hidden": "widths of D's hidden layers, comma-separated",
    "g_activation": "G's hidden activation (smooth softplus: a smooth p_g; see the README)",
    "d_activation": "D's hidden activation",
    "k": "discriminator steps per generator step (Algorithm 1's k)",
    "batch_size": "minibatch size m (m real and m fake samples per D step, m noise per G step)",
    "steps": "training iterations (generator steps)",
    "optimizer": "optimiser of both players",
    "lr_g": "generator's base learning rate",
    "lr_d": "discriminator's base learning rate",
    "betas": "Adam's (beta1,beta2), comma-separated",
    "momentum": "SGD's momentum mu in [0, 1): v <- mu v + g, theta <- theta - lr v (sgd only)",
    "lr_schedule": "learning-rate schedule: constant, or decayed to 0 linearly or by a half cosine",
    "decay_start": "fraction of the steps after which the learning rate starts to decay",
    "average_last": "fraction of the last steps over which G's weights are averaged (0 = off)",
    "g_loss": "generator loss: the paper's minimax log(1 - D(G(z))) or non-saturating -log D(G(z))",
    "seed": "seed of every random draw (same seed, bitwise same run)",
    "dtype": "floating-point type of networks and data",
    "snapshot_every": "record D(x), p_g and JSD every this many steps (0 = none)",
    "grid_size": "points of the x grid on which D(x) and p_g are recorded",
    "engine": "engine of the players and their random stream; textbook: nn and rng.Generator, "
    "the code the reading path shows; fast: nn.fast and rng.fast, its optimised subclasses",
    "update": "update rule: alternating (Algorithm 1), or both players from one point "
    "(simultaneous, extragradient, optimistic, consensus; k = 1)",
    "r1": "R1 penalty weight gamma on real samples (Mescheder et al. 2018; 0 = off)",
    "r2": "R2 penalty weight gamma on generated samples (0 = off)",
    "consensus": "consensus weight gamma of --update consensus (Mescheder et al. 2017; > 0 "
    "exactly with that rule; on N(-1, 1) with Adam 0.01 trains, 0.1 and above collapse G)",
}


CHOICES = {
    "prior": PRIORS,
    "optimizer": OPTIMIZERS,
    "lr_schedule": LR_SCHEDULES,
    "g_loss": GENERATOR_LOSSES,
    "dtype": DTYPES,
    "engine": ENGINES,
}


def add_update_arguments(parser):
    """--update, --r1, --r2, --consensus: the update rule (`gan.dynamics.training.UpdateRule`)."""
    parser.add_argument("--update", choices=RULES, default="alternating", help=HELP["update"])
    for name in ("r1", "r2", "consensus"):
        parser.add_argument("--" + name, type=float, default=0.0, help=HELP[name])


def update_rule(args):
    """The `UpdateRule` of --update, --r1, --r2, --consensus (validated), or None for Algorithm 1
    itself (alternating without penalties)."""
    from gan.dynamics.training import UpdateRule   # the rules load only when they are used

    rule = UpdateRule(args.update, r1=args.r1, r2=args.r2, consensus=args.consensus)
    return None if rule.is_algorithm1 else rule

OVERWRITE_HELP = ("replace an earlier run in --out (its files are removed); without it a folder "
                  "holding a run is refused")


def user_error(error):
    """A user error (the arguments or the files they name): its message, exit code 2."""
    print(language._("error: {message}").format(message=language.translate_error(error)),
          file=sys.stderr)
    return 2
