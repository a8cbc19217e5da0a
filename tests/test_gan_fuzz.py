"""A fuzz suite that stays: whatever GANConfig fields or command-line arguments are given, the
outcome is a finite result, a clear error naming the field, or a divergence error; never another
exception, a NaN metric or a hang. Valid sizes are kept tiny so each example trains in a fraction
of a second; the invalid ones include values far beyond every limit."""

import dataclasses
import math
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from gan.cli import main
from gan.config import GANConfig
from gan.distributions import Mixture, Normal, Uniform
from gan.divergence import TrainingDiverged
from gan.train import train

FIELDS = [f.name for f in dataclasses.fields(GANConfig)]
junk = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.just(math.nan),
                 st.just(math.inf), st.just(-1), st.just(0), st.just(2**64), st.just(10**12),
                 st.just(1e300), st.just((True,)), st.just(()), st.floats(allow_nan=True))
tiny_width = st.integers(1, 4)
targets = st.one_of(
    st.builds(Normal, st.floats(-3, 3), st.floats(0.2, 2)),
    st.builds(Uniform, st.just(-1.0), st.floats(-0.5, 2)),
    st.builds(lambda a, b: Mixture([Normal(a, 0.5), Normal(b, 0.5)], [0.5, 0.5]),
              st.floats(-3, 0), st.floats(0, 3)),
    st.builds(Normal, st.just(0.0), st.sampled_from([1e20, 1e160, 1e300])),
)
VALID = {
    "target": targets,
    "prior": st.sampled_from(["normal", "uniform"]),
    "noise_dim": tiny_width,
    "g_hidden": st.lists(tiny_width, max_size=2).map(tuple),
    "d_hidden": st.lists(tiny_width, min_size=1, max_size=2).map(tuple),
    "g_activation": st.sampled_from(["softplus", "relu", "leaky_relu", "tanh"]),
    "d_activation": st.sampled_from(["leaky_relu", "relu", "sigmoid"]),
    "k": st.integers(1, 3),
    "batch_size": st.integers(1, 8),
    "steps": st.integers(1, 6),
    "optimizer": st.sampled_from(["adam", "sgd", "rmsprop"]),
    "lr_g": st.floats(1e-6, 1e12),
    "lr_d": st.floats(1e-6, 1e12),
    "betas": st.tuples(st.floats(0, 0.999), st.floats(0, 0.9999)),
    "momentum": st.sampled_from([0.0, 0.0, 0.5, 0.9]),    # > 0 only with sgd: else refused
    "lr_schedule": st.sampled_from(["constant", "linear", "cosine"]),
    "decay_start": st.floats(0, 0.99),
    "average_last": st.floats(0, 0.99),
    "g_loss": st.sampled_from(["minimax", "non_saturating"]),
    "seed": st.integers(0, 2**64 - 1),
    "dtype": st.sampled_from(["float64", "float32"]),
    "engine": st.sampled_from(["fast", "textbook"]),
    "snapshot_every": st.integers(0, 3),
    "grid_size": st.integers(16, 24),
}
assert sorted(VALID) == sorted(FIELDS)


def fields():
    """Every field drawn valid (tiny), then none, one or two of them replaced by junk or by a
    value far out of range."""
    valid = st.fixed_dictionaries({name: VALID[name] for name in FIELDS})
    spoilt = st.lists(st.tuples(st.sampled_from(FIELDS), junk), max_size=2)
    return st.tuples(valid, spoilt).map(lambda pair: {**pair[0], **dict(pair[1])})


def is_named_error(error):
    message = str(error)
    return (any(message.startswith(name) for name in FIELDS) or message.startswith("k * steps")
            or message.startswith("this run would need"))


@settings(max_examples=120)
@given(fields())
def test_every_config_gives_a_finite_result_a_named_error_or_a_divergence(values):
    try:
        config = GANConfig(**values)
    except (TypeError, ValueError) as error:
        assert is_named_error(error), error
        event("refused naming the field")
        return
    try:
        result = train(config)
    except TrainingDiverged as error:
        assert "training diverged at step" in str(error) and "Likely cause" in str(error)
        event("diverged")
        return
    event("finite result")
    for name, value in result.metrics.items():
        assert np.all(np.isfinite(value)), (name, value)
    assert result.history.d_loss.shape == (config.steps,)


flag_values = {
    "--steps": ["1", "3", "0", "-2", "x", "1e3", "1000000000", str(2**64)],
    "--k": ["1", "2", "0", "1000000000", "1.5"],
    "--batch-size": ["2", "8", "0", "1000000000"],
    "--g-hidden": ["2", "3,2", "0", "100000,100000", "a", ""],
    "--d-hidden": ["2", "x,", "-1"],
    "--noise-dim": ["1", "2", "1000000000"],
    "--grid-size": ["16", "3", "1000000000"],
    "--lr-g": ["1e-3", "1e3", "1e9", "nan", "-1", "inf", "1e400"],
    "--lr-d": ["1e-3", "1e9", "0"],
    "--optimizer": ["adam", "sgd", "rmsprop", "adagrad"],
    "--dtype": ["float64", "float32", "float16"],
    "--engine": ["fast", "textbook", "reference"],
    "--seed": ["0", "7", "-1", str(2**64), "1.5"],
    "--betas": ["0.5,0.9", "0.5", "1,1", "a,b"],
    "--momentum": ["0", "0.5", "1", "-0.5", "x"],
    "--target": ["normal:0,1", "uniform:0,2", "normal:0,-1", "0*normal:0,1+0*normal:1,1",
                 "-1*normal:0,1+normal:1,1", "nan*normal:0,1+normal:1,1", "normal:1e308,1e308",
                 "gauss:1,2", "normal:0,1e300", "1*normal:-1,0.5+3*normal:1,0.5"],
    "--snapshot-every": ["0", "2", "-1"],
    "--average-last": ["0", "0.5", "1", "x"],
}


@settings(max_examples=80)
@given(st.lists(st.sampled_from(sorted(flag_values)), max_size=5, unique=True).flatmap(
    lambda flags: st.tuples(*[st.tuples(st.just(flag), st.sampled_from(flag_values[flag]))
                              for flag in flags])), st.booleans())
def test_every_command_line_exits_0_1_or_2_and_a_failure_leaves_no_files(pairs, with_out):
    argv = ["train", "--steps", "3", "--g-hidden", "2", "--d-hidden", "2", "--batch-size", "4",
            "--grid-size", "16", "--snapshot-every", "0", "--no-progress", "--no-figures"]
    for flag, value in pairs:
        argv += [flag, value]
    with tempfile.TemporaryDirectory() as folder:
        if with_out:
            argv += ["--out", str(Path(folder) / "run")]
        code = main(argv)
        event(f"exit {code}")
        assert code in (0, 1, 2)
        left = sorted(p.name for p in Path(folder).iterdir())
        assert left == (["run"] if code == 0 and with_out else [])


def test_the_default_profile_is_derandomised_and_reads_no_example_database():
    # The README's `python -m pytest -q` (no CI, no profile asked for) must draw the same
    # examples every run and never replay failures from .hypothesis/.
    import os
    import subprocess
    import sys

    tests = os.path.dirname(os.path.abspath(__file__))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import conftest; "
            "from hypothesis import settings; "
            "print(settings.default.derandomize, settings.default.database)")
    done = subprocess.run([sys.executable, "-c", code, tests], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.stdout.split() == ["True", "None"], done.stderr
