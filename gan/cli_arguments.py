"""Turning the command line's text into values, with the reason kept when it cannot be done.

argparse reports a `type` function's failure as "invalid <function name> value" and drops the
message, unless the function raises argparse.ArgumentTypeError: every parser here does that.
"""

from __future__ import annotations

import argparse
import math

from gan.distributions import Mixture, Normal, Uniform


def parse_distribution(spec):
    """'normal:-1,1', 'uniform:0,2' or '0.3*normal:-2,0.5+0.7*normal:2,0.5' -> a distribution.

    A bad spec raises argparse.ArgumentTypeError with the reason (argparse shows only the
    text of that exception type; a ValueError would become "invalid parse_distribution value").
    """
    try:
        return _parse_distribution(spec)
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"target {spec!r}: {error}") from None


def _parse_distribution(spec):
    parts = spec.split("+")
    if len(parts) > 1:
        weights, components = [], []
        for part in parts:
            weight, _, body = part.rpartition("*")
            try:
                weights.append(float(weight) if weight else 1.0)
            except ValueError:
                raise ValueError(f"mixture weight {weight!r} is not a number") from None
            components.append(_parse_distribution(body))
        if not all(math.isfinite(w) and w >= 0 for w in weights):
            raise ValueError(f"mixture weights must be finite and non-negative, got {weights}")
        total = sum(weights)
        if not total > 0:
            raise ValueError(f"mixture weights must not all be 0, got {weights}")
        return Mixture(components, [w / total for w in weights])
    name, _, args = spec.partition(":")
    try:
        numbers = [float(a) for a in args.split(",")]
    except ValueError:
        numbers = []
    makers = {"normal": Normal, "uniform": Uniform}
    if name not in makers or len(numbers) != 2:
        raise ValueError(
            f"must look like 'normal:MU,SIGMA', 'uniform:LOW,HIGH' or a '+'-joined "
            f"mixture 'W1*normal:MU,SIGMA+W2*...' of them, got {spec!r}"
        )
    return makers[name](*numbers)


def _tuple_of(kind):
    def parse(text):
        try:
            return tuple(kind(t) for t in text.split(",") if t.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}")

    return parse


def attach_dashed_values(parser, argv):
    """['--target', '-1*normal:0,1+...'] -> ['--target=-1*normal:0,1+...']: argparse takes a
    value that starts with '-' for an option (unless it looks like a plain negative number),
    so a mixture with a negative weight or '--lr -1e-3' would say only "expected one argument"
    instead of reaching the check that says what is wrong with it."""
    takes_value, options = set(), set()
    for action in _all_actions(parser):
        options.update(action.option_strings)
        if action.option_strings and action.nargs is None:
            takes_value.update(action.option_strings)
    joined, index = [], 0
    while index < len(argv):
        arg = argv[index]
        if (arg in takes_value and index + 1 < len(argv) and argv[index + 1].startswith("-")
                and argv[index + 1].split("=")[0] not in options):
            joined.append(f"{arg}={argv[index + 1]}")
            index += 2
        else:
            joined.append(arg)
            index += 1
    return joined


def _all_actions(parser):
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _all_actions(sub)
