"""Time forward + backward of a DCGAN-sized generator and discriminator on 64 images of 32 x 32.

The stacks are the project's DCGAN (gan.digits.dcgan.dcgan_players, the rules of Radford et al.
2016) at base width w (default 64, the paper's first layer width; w = 32 quarters the work):
    G: z (100) -> Linear(100, 4w*4*4) -> Reshape(4w, 4, 4) -> BN -> ReLU
       -> ConvT(4w, 2w, 4, 2, 1) -> BN -> ReLU -> ConvT(2w, w, 4, 2, 1) -> BN -> ReLU
       -> ConvT(w, 1, 4, 2, 1) -> Tanh                               (4 -> 8 -> 16 -> 32 pixels)
    D: x (1, 32, 32) -> Conv(1, w, 4, 2, 1) -> LReLU -> Conv(w, 2w, 4, 2, 1) -> BN -> LReLU
       -> Conv(2w, 4w, 4, 2, 1) -> BN -> LReLU -> Flatten -> Linear(4w*4*4, 1)
Every layer's forward and backward (with parameter gradients) is timed on its own, and the dtypes
(and PyTorch's same G and D, when importable) run interleaved, round by round, so a change in
machine load hits all alike. Prints medians in us. --clock cpu times process CPU time instead of
wall time (on a shared machine the time spent waiting for a core is then left out, for both).

    python -m benchmarks.bench_conv [--width 64] [--repeats 30] [--clock wall|cpu]

BLAS runs on one thread unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS say
otherwise.
"""

import argparse
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")          # must precede the first import of numpy

import time  # noqa: E402

import numpy as np  # noqa: E402

from gan.digits.dcgan import dcgan_players  # noqa: E402

BATCH_SIZE, NOISE_SIZE = 64, 100


def time_layers(network, x, times, clock=time.perf_counter):
    """One forward and one backward pass, timing each layer; appends to times[(index, phase)].
    The layers run as the network's own forward and backward run them: with its flag for reused
    output arrays and in-place work set (nn.fast.layers), as in training."""
    network._reuse_outputs(True)
    try:
        y = x
        for index, layer in enumerate(network.layers):
            start = clock()
            y = layer.forward(y)
            times.setdefault((index, "forward"), []).append(clock() - start)
        grad = np.ones_like(y)
        for index in reversed(range(len(network.layers))):
            start = clock()
            grad = network.layers[index].backward(grad)
            times.setdefault((index, "backward"), []).append(clock() - start)
    finally:
        network._reuse_outputs(False)
    return y.copy()         # as Sequential.forward returns: the layers reuse their arrays


def torch_players(torch, width, dtype):
    """The same G and D in PyTorch (nn.Sequential, default initialisation: timing only)."""
    nn, w = torch.nn, width
    G = nn.Sequential(nn.Linear(NOISE_SIZE, 4 * w * 16), nn.Unflatten(1, (4 * w, 4, 4)),
                      nn.BatchNorm2d(4 * w), nn.ReLU(),
                      nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1), nn.BatchNorm2d(2 * w), nn.ReLU(),
                      nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.BatchNorm2d(w), nn.ReLU(),
                      nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh()).to(dtype)
    D = nn.Sequential(nn.Conv2d(1, w, 4, 2, 1), nn.LeakyReLU(0.2),
                      nn.Conv2d(w, 2 * w, 4, 2, 1), nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2),
                      nn.Conv2d(2 * w, 4 * w, 4, 2, 1), nn.BatchNorm2d(4 * w), nn.LeakyReLU(0.2),
                      nn.Flatten(), nn.Linear(4 * w * 16, 1)).to(dtype)
    return G, D


def torch_seconds(torch, players, z, clock=time.perf_counter):
    """One forward and backward (parameter gradients included) of G, then of D on G's images,
    each with dL/dy = 1 as ours: seconds."""
    G, D = players
    start = clock()
    x = G(z)
    x.backward(torch.ones_like(x))
    y = D(x.detach().requires_grad_(True))
    y.backward(torch.ones_like(y))
    return clock() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    arguments = parser.parse_args()
    clock = time.perf_counter if arguments.clock == "wall" else time.process_time
    dtypes = [np.float64, np.float32]
    rng = np.random.default_rng(0)
    networks = {dtype: dcgan_players(NOISE_SIZE, arguments.width, rng, dtype) for dtype in dtypes}
    z = rng.normal(size=(BATCH_SIZE, NOISE_SIZE))
    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(1)
        players = {dtype: torch_players(torch, arguments.width,
                                        getattr(torch, np.dtype(dtype).name)) for dtype in dtypes}
    times = {(dtype, name): {} for dtype in dtypes for name in "GD"}
    torch_times = {dtype: [] for dtype in dtypes}
    for round_index in range(arguments.repeats + 3):                 # the first 3 rounds warm up
        for dtype in dtypes:
            G, D = networks[dtype]
            G_times, D_times = ({} if round_index < 3 else times[dtype, name] for name in "GD")
            x = time_layers(G, z.astype(dtype), G_times, clock)
            time_layers(D, x, D_times, clock)
            if torch is not None:
                seconds = torch_seconds(torch, players[dtype], torch.from_numpy(z.astype(dtype)),
                                        clock)
                if round_index >= 3:
                    torch_times[dtype].append(seconds)
    print(f"DCGAN width {arguments.width}, batch {BATCH_SIZE} of 1 x 32 x 32, median of "
          f"{arguments.repeats} repeats, microseconds of {arguments.clock} time "
          f"(BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"{'layer':<44}{'phase':>9}" + "".join(f"{np.dtype(d).name:>11}" for d in dtypes)
          + f"{'32/64':>7}")
    totals = {dtype: 0.0 for dtype in dtypes}
    for name in "GD":
        for index, layer in enumerate(networks[dtypes[0]][0 if name == "G" else 1].layers):
            for phase in ("forward", "backward"):
                medians = [1e6 * np.median(times[dtype, name][index, phase]) for dtype in dtypes]
                for dtype, median in zip(dtypes, medians):
                    totals[dtype] += median
                label = f"{name}.{index} {layer!r}"[:43]
                print(f"{label:<44}{phase:>9}" + "".join(f"{m:>11.0f}" for m in medians)
                      + f"{medians[1] / medians[0]:>7.2f}")
    ratio = totals[dtypes[1]] / totals[dtypes[0]]
    print(f"{'G and D, forward + backward (sum of medians)':<53}"
          + "".join(f"{totals[dtype]:>11.0f}" for dtype in dtypes) + f"{ratio:>7.2f}")
    if torch is None:
        print("PyTorch not importable: no torch column")
        return
    print(f"{'PyTorch eager, one thread (median of whole passes)':<53}"
          + "".join(f"{1e6 * np.median(torch_times[d]):>11.0f}" for d in dtypes))
    print(f"{'ours / PyTorch':<53}"
          + "".join(f"{totals[d] / (1e6 * np.median(torch_times[d])):>11.2f}" for d in dtypes))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
