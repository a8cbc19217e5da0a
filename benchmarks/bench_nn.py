"""Time one training step of a discriminator-sized MLP on the fast engine: forward, backward, Adam.

MLP([1, 64, 64, 1]) with LeakyReLU(0.2), a batch of 512, loss bce_with_logits, Adam(1e-3,
betas (0.5, 0.999)). Each phase is timed separately and the whole step too; the dtypes run
interleaved, round by round, so a change in machine load hits both alike. Prints medians in us.

    python -m benchmarks.bench_nn [--repeats 2000]

BLAS runs on one thread unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS say
otherwise (at these sizes threads mostly add overhead, and on a shared 2-core machine they fight).
"""

import argparse
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")          # must precede the first import of numpy

import time  # noqa: E402

import numpy as np  # noqa: E402

from nn.fast import MLP  # noqa: E402
from nn.fast.losses import bce_with_logits  # noqa: E402
from nn.fast.optim import Adam  # noqa: E402


def make_step(dtype, batch_size=512, seed=0):
    rng = np.random.default_rng(seed)
    network = MLP([1, 64, 64, 1], activation="leaky_relu", rng=rng, dtype=dtype)
    optimiser = Adam(network, lr=1e-3, betas=(0.5, 0.999))
    x = rng.normal(size=(batch_size, 1)).astype(dtype)
    targets = (rng.uniform(size=(batch_size, 1)) < 0.5).astype(dtype)
    state = {}

    def forward():
        state["logits"] = network.forward(x)

    def loss_and_backward():
        _, grad_logits = bce_with_logits(state["logits"], targets)
        network.backward(grad_logits)

    def whole_step():
        forward()
        loss_and_backward()
        optimiser.step()

    return {"forward": forward, "loss + backward": loss_and_backward, "Adam step": optimiser.step,
            "whole step": whole_step}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000)
    arguments = parser.parse_args()
    dtypes = [np.float64, np.float32]
    steps = {dtype: make_step(dtype) for dtype in dtypes}
    phases = list(steps[dtypes[0]])
    times = {(dtype, phase): [] for dtype in dtypes for phase in phases}
    for dtype in dtypes:                                   # warm-up
        for _ in range(50):
            steps[dtype]["whole step"]()
    for _ in range(arguments.repeats):
        for dtype in dtypes:
            for phase in phases:
                function = steps[dtype][phase]
                start = time.perf_counter()
                function()
                times[dtype, phase].append(time.perf_counter() - start)
    print(f"MLP([1, 64, 64, 1]), batch 512, median of {arguments.repeats} repeats, microseconds "
          f"(BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"{'phase':<18}" + "".join(f"{np.dtype(d).name:>10}" for d in dtypes) + f"{'32/64':>8}")
    for phase in phases:
        medians = [1e6 * np.median(times[dtype, phase]) for dtype in dtypes]
        print(f"{phase:<18}" + "".join(f"{m:>10.1f}" for m in medians)
              + f"{medians[1] / medians[0]:>8.2f}")


if __name__ == "__main__":
    main()
