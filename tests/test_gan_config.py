"""GANConfig checks every field first: a bad value raises ValueError or TypeError whose
message starts with the field's name and shows the value; nothing reaches train()."""

import math
import tracemalloc

import numpy as np
import pytest

from gan.config import GANConfig
from gan.distributions import Normal

BAD_VALUES = {   # field: values that must be refused (the list, and their neighbours)
    "target": [None, "normal:0,1", Normal(0, 1e300), object()],
    "prior": ["cauchy", None, 1],
    "noise_dim": [0, -1, 1.0, True, None, "1", 10**7],
    "g_hidden": [None, (0,), (True,), (8, -1), (1.5,), "8,8", 8, (10**7,), (1,) * 65],
    "d_hidden": [None, (0,), (False, 4), [np.nan]],
    "g_activation": ["swish", None, ["softplus"]],
    "d_activation": ["gelu", 0],
    "k": [0, -1, 2.0, True, None, "1", 10**10],
    "batch_size": [0, -3, 1.5, True, None],
    "steps": [0, 2.5, True, None, 10**10, np.float64(10)],
    "optimizer": ["adagrad", None, "ADAM"],
    "lr_g": [0, -1e-3, math.nan, math.inf, True, None, "1e-3", 10**400, 1e400, [1e-3]],
    "lr_d": [0.0, -math.inf, False, np.nan],
    "betas": [None, (0.5,), (0.5, 1.0), (-0.1, 0.9), (True, 0.9), ("0.5", 0.9),
              (0.5, math.nan), (0.5, 0.9, 0.1), "0.5,0.9"],
    "momentum": [-0.1, 1.0, math.nan, True, None, "0.5", 0.5],   # 0.5: the default optimizer is Adam
    "lr_schedule": ["step", None],
    "decay_start": ["0.1", None, 1, 1.0, -0.1, math.nan, True],
    "average_last": [None, 1.0, -0.1, "0", math.inf, False],
    "g_loss": ["wasserstein", None],
    "seed": [-1, 2**64, 2**70, 1.5, True, None, "0", np.float64(3)],
    "dtype": ["float16", None, np.float64],
    "snapshot_every": [-1, 1.5, True, None],
    "grid_size": [3, 15, 1.5, None, True, 10**10],
}
CASES = [(field, value) for field, values in BAD_VALUES.items() for value in values]


def _case_id(field, value):
    """The test's id: the value's repr, without a memory address (an id must be the same in
    every process, e.g. each pytest-xdist worker)."""
    text = "object()" if type(value) is object else repr(value)
    return f"{field}={text}"[:50]


@pytest.mark.parametrize("field, value", CASES, ids=[_case_id(f, v) for f, v in CASES])
def test_a_bad_field_is_refused_naming_the_field_and_showing_the_value(field, value):
    with pytest.raises((TypeError, ValueError)) as caught:
        GANConfig(**{field: value})
    message = str(caught.value)
    assert message.startswith(field) or message.startswith(f"{field} "), message
    if field != "target":
        shown = [repr(value), str(value)] + ([repr(tuple(value))] if isinstance(value, list)
                                             else [])
        assert any(text[:20] in message for text in shown), message


@pytest.mark.parametrize("changes", [
    dict(seed=2**64 - 1), dict(seed=0), dict(k=10**4, steps=10**4), dict(lr_g=1e9, lr_d=1e-9),
    dict(betas=(0.0, 0.0)), dict(decay_start=0.999), dict(average_last=0), dict(grid_size=16),
    dict(g_hidden=(), d_hidden=[3]), dict(noise_dim=np.int64(2)), dict(target=Normal(1e6, 1)),
    dict(optimizer="sgd", momentum=0.999), dict(optimizer="sgd", momentum=0),
])
def test_values_at_the_edges_of_their_ranges_are_accepted(changes):
    GANConfig(**changes)


@pytest.mark.parametrize("changes, term", [
    (dict(batch_size=10**9), "batch_size"), (dict(grid_size=10**9), "grid_size"),
    (dict(g_hidden=(10**5, 10**5)), "g_hidden/d_hidden"), (dict(noise_dim=10**6), "noise_dim"),
])
def test_a_run_too_large_for_memory_is_refused_before_anything_is_allocated(changes, term):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"would need ~[\d.e+]+ GiB") as caught:
            GANConfig(**changes)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"reduce {term}" in str(caught.value)
    assert peak < 10 * 2**20                               # nothing of the run's size


def test_the_memory_estimate_is_within_a_small_factor_of_a_real_run():
    # The estimate against the peak traced memory of a real (small) run: same order.
    from gan.limits import memory_estimate
    from gan.train import train

    config = GANConfig(steps=20, batch_size=4096, g_hidden=(64, 64), d_hidden=(64, 64),
                       snapshot_every=10)
    tracemalloc.start()
    try:
        train(config)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak / 4 < memory_estimate(config) < 8 * peak


def test_k_times_steps_is_bounded():
    with pytest.raises(ValueError, match=r"k \* steps must be at most 1e\+08"):
        GANConfig(k=10**9, steps=10)
