"""The memory estimate against the truth: the peak resident memory of real runs.

Each case runs in a fresh interpreter that imports everything first, reads its high-water mark
(VmHWM in /proc/self/status, the peak resident set), trains, and reads it again: the difference
is what the run itself needed at its peak. gan.limits promises its estimate within 30% of it.
The sizes allocate hundreds of MB (so the interpreter's noise is small beside them) but train a
few steps: the peaks come from the arrays' sizes, not from the number of steps.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gan.config import GANConfig
from gan.lab.sweep import members_per_chunk
from gan.limits import ensemble_memory_estimate, memory_estimate

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys

def high_water_mark():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024

import numpy as np, scipy.special
import gan.limits
gan.limits.MEMORY_CEILING = 2**40          # measure what the guard would refuse, too
from gan.config import GANConfig
from gan.lab.ensemble import train_ensemble
from gan.train import train

fields, members = json.loads(sys.argv[1])
config = GANConfig(**fields)
before = high_water_mark()
if members:
    train_ensemble([config.replace(seed=seed) for seed in range(members)])
else:
    train(config)
print(high_water_mark() - before)
"""

STEPS = dict(steps=3, snapshot_every=0)
CASES = {   # name: (GANConfig fields, members of a stacked ensemble or 0 for one train run)
    "small, textbook": (dict(g_hidden=(64, 64), **STEPS), 0),
    "wide layers, textbook": (dict(g_hidden=(128, 128), d_hidden=(8,), **STEPS), 0),
    "wide layers, fast": (dict(g_hidden=(256,), d_hidden=(8,), engine="fast", **STEPS), 0),
    "large batch, fast": (dict(g_hidden=(8,), d_hidden=(256, 256), batch_size=15_000,
                               engine="fast", **STEPS), 0),
    "large batch, float32": (dict(g_hidden=(8,), d_hidden=(512,), batch_size=30_000,
                                  dtype="float32", **STEPS), 0),
    "fine grid and snapshots": (dict(g_hidden=(8,), d_hidden=(128, 128), grid_size=120_000,
                                     steps=2, snapshot_every=1), 0),
    "sweep ensemble": (dict(g_hidden=(32,), d_hidden=(32,), batch_size=64, engine="fast",
                            **STEPS), 40),
}


def peak_of(fields, members):
    """Bytes the run needed at its peak above the interpreter and its imports."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps([fields, members])],
                          capture_output=True, text=True, env=environment, check=True)
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status")
@pytest.mark.parametrize("name", CASES)
def test_the_estimate_is_within_30_percent_of_the_measured_peak(name):
    fields, members = CASES[name]
    config = GANConfig(**fields)
    estimate = ensemble_memory_estimate(config, members) if members else memory_estimate(config)
    peak = peak_of(fields, members)
    assert peak > 100 * 2**20, f"{name}: a case too small to measure well ({peak} bytes)"
    assert abs(estimate - peak) <= 0.3 * peak, (
        f"{name}: estimated {estimate / 2**20:.0f} MiB, measured {peak / 2**20:.0f} MiB")


def test_a_sweep_too_large_at_once_is_cut_into_chunks_that_fit():
    base = GANConfig(g_hidden=(16, 16), d_hidden=(32, 32), batch_size=64, steps=1000,
                     snapshot_every=0, engine="fast")
    limit = 64 * 2**20 + ensemble_memory_estimate(base, 1)
    alone, side_by_side = members_per_chunk(base, 64, 1, limit), members_per_chunk(base, 64, 2,
                                                                                     limit)
    assert 1 <= side_by_side < alone < 64
    assert ensemble_memory_estimate(base, alone) <= limit < ensemble_memory_estimate(base,
                                                                                     alone + 1)
    assert 2 * ensemble_memory_estimate(base, side_by_side) <= limit
    assert members_per_chunk(base, 64, 1, 2**40) == 64          # plenty: the cap stands


def test_only_a_run_that_cannot_fit_alone_is_refused_naming_what_to_reduce():
    base = GANConfig(g_hidden=(256, 256), snapshot_every=0, engine="fast")
    one = ensemble_memory_estimate(base, 1)
    with pytest.raises(ValueError, match=r"~[\d.]+ GiB of memory, more than the [\d.]+ GiB "
                                         r"limit: reduce g_hidden/d_hidden \(~[\d.]+ GiB of it\)"):
        members_per_chunk(base, 64, 1, limit=one - 1)
    with pytest.raises(ValueError, match=r"2 workers side by side ~[\d.]+ GiB, more than the "
                                         r"[\d.]+ GiB limit: reduce workers \(at most 1 fit\)"):
        members_per_chunk(base, 64, 2, limit=one + 1)
