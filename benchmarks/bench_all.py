"""One table of the speeds users wait for, each as a ratio to its anchor, in one run.

    python -m benchmarks.bench_all [--rounds 3] [--steps 200]

Rows (every contender on one thread; the pieces are the other benchmarks' own functions):
- the default game and the standard step, timed in the training loop (`bench_default_game`:
  median gap between per-step callbacks of `train`) against PyTorch eager running the same loop;
- ensembles of E = 64 (`bench_ensemble`'s small GAN): throughput against single runs, beside the
  ceiling the same run's matrix products alone allow, and the share of that ceiling reached;
  then the share of the ceiling those products plus the fewest elementwise passes of a step
  allow (`bench_ensemble.make_floor_step`: what an ensemble written in NumPy could reach);
- DCGAN at base width 32 (`bench_conv`): G and D forward + backward on 64 images, ours against
  PyTorch eager, alternating pass by pass;
- the RNG (`bench_rng`): throughput of rng.fast.Generator against numpy.random at 10^5 numbers.
Where PyTorch is not importable its rows are left out. The machine's load is printed: on a
shared machine compare the ratios, taken in one run, not the absolute times.
"""

import argparse
import os
import random
import statistics
import time

import numpy as np

from benchmarks import bench_conv, bench_rng
from benchmarks.bench_default_game import time_games
from benchmarks.bench_ensemble import (
    SMALL, make_ensemble_step, make_floor_step, make_products_step, make_single_step)
from gan.config import GANConfig
from nn.threads import blas_threads

# The project's speed targets: times as a share of PyTorch eager's in the same loop.
TARGETS = {("default", "float64"): 0.5, ("standard", "float64"): 0.40,
           ("standard", "float32"): 0.30}


def ensemble_ratios(dtype, members, rounds, steps):
    """(ensemble throughput / single runs, products alone / single runs, products and the fewest
    elementwise passes / single runs), medians of rounds in a shuffled order (see
    bench_ensemble)."""
    base = GANConfig(**SMALL, dtype=dtype, steps=10**6)
    contenders = {"single": (1, make_single_step(base)),
                  "ensemble": (members, make_ensemble_step(
                      [base.replace(seed=seed) for seed in range(members)])),
                  "products": (members, make_products_step(members, dtype)),
                  "floor": (members, make_floor_step(members, dtype, base.g_activation))}
    rates = {name: [] for name in contenders}
    names, order, number = list(contenders), random.Random(0), 0
    for _, step in contenders.values():
        for _ in range(3):
            step(1)
    for _ in range(rounds):
        order.shuffle(names)
        for name in names:
            size, step = contenders[name]
            started = time.perf_counter()
            for _ in range(steps):
                number += 1
                step(number)
            rates[name].append(size * steps / (time.perf_counter() - started))
    single = statistics.median(rates["single"])
    return tuple(statistics.median(rates[name]) / single
                 for name in ("ensemble", "products", "floor"))


def dcgan_ratio(torch, dtype, rounds, width=32):
    """Ours / PyTorch: medians of whole G + D forward + backward passes, alternating."""
    rng = np.random.default_rng(0)
    G, D = bench_conv.dcgan_players(bench_conv.NOISE_SIZE, width, rng, dtype)
    players = bench_conv.torch_players(torch, width, getattr(torch, np.dtype(dtype).name))
    z = rng.normal(size=(bench_conv.BATCH_SIZE, bench_conv.NOISE_SIZE)).astype(dtype)
    z_torch = torch.from_numpy(z)
    ours, theirs = [], []
    for index in range(rounds + 2):            # the first two rounds warm up
        started = time.perf_counter()
        bench_conv.time_layers(D, bench_conv.time_layers(G, z, {}), {})
        seconds = time.perf_counter() - started
        torch_seconds = bench_conv.torch_seconds(torch, players, z_torch)
        if index >= 2:
            ours.append(seconds)
            theirs.append(torch_seconds)
    return statistics.median(ours), statistics.median(theirs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each contender")
    parser.add_argument("--steps", type=int, default=200, help="steps of each training run")
    args = parser.parse_args()
    print(f"numpy {np.__version__}, {os.cpu_count()} cores, load average before: "
          f"{' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(1)
    rows = []
    medians, _ = time_games(("default", "standard"), ("float64", "float32"), args.rounds,
                            args.steps)
    for game in ("default", "standard"):
        for dtype in ("float64", "float32"):
            theirs = medians.get((game, dtype, "torch"))
            if theirs is not None:
                ours = medians[(game, dtype, "ours")]
                rows.append((f"{game} game step, training loop", dtype,
                             f"{ours * 1e6:.0f} us", f"PyTorch {theirs * 1e6:.0f} us",
                             ours / theirs, TARGETS.get((game, dtype)), "<="))
    with blas_threads(1):
        for dtype in ("float64", "float32"):
            gain, ceiling, floor = ensemble_ratios(dtype, 64, 3 * args.rounds, 10)
            rows.append(("ensemble E = 64 vs single runs", dtype, f"{gain:.1f}x",
                         f"ceiling {ceiling:.1f}x", gain / ceiling, 0.8, ">="))
            rows.append(("  the same vs NumPy's floor", dtype, f"{gain:.1f}x",
                         f"floor {floor:.1f}x", gain / floor, None, ">="))
        if torch is not None:
            for dtype in (np.float32, np.float64):
                ours, theirs = dcgan_ratio(torch, dtype, 3 * args.rounds)
                rows.append(("DCGAN w = 32 fwd + bwd", np.dtype(dtype).name,
                             f"{ours * 1e3:.0f} ms", f"PyTorch {theirs * 1e3:.0f} ms",
                             ours / theirs, 1.0, "<=" if dtype == np.float32 else "<"))
                # the target: float32 at most PyTorch's time; float64 stays ahead of it
    for method, target in bench_rng.TARGETS.items():
        ours, theirs = bench_rng.measure(method, 10**5, 5)
        rows.append((f"RNG {method}, 10^5", "float64", f"{ours * 1e9:.2f} ns",
                     f"numpy {theirs * 1e9:.2f} ns", theirs / ours, target, ">="))
    print(f"\n{'what':<36}{'dtype':<9}{'ours':>11}{'anchor':>22}{'ratio':>8}{'target':>9}")
    for what, dtype, ours, anchor, ratio, target, sense in rows:
        goal = "" if target is None else f"{sense} {target:g}"
        met = "" if target is None else (
            "met" if {"<=": ratio <= target, "<": ratio < target, ">=": ratio >= target}[sense]
            else "missed")
        print(f"{what:<36}{dtype:<9}{ours:>11}{anchor:>22}{ratio:>8.2f}{goal:>9} {met}")
    print("ratio: times ours / anchor (lower is better); ensembles, the gain over single runs /"
          " the products-alone ceiling; RNG, numpy's time / ours (higher is better)")
    print(f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
