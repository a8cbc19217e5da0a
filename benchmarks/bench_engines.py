"""The textbook engine (nn) beside the fast one (nn.fast) on the benchmark's reference step.

The reference step is benchmarks/bench_step.py's: one iteration of Algorithm 1 (k = 1) with
G 1-32-32-1 and D 1-64-64-1, LeakyReLU(0.2), m = 256, Adam(1e-3, betas (0.5, 0.999)), built by
gan through GANConfig(engine=...). Both engines run in one process, one BLAS thread,
interleaved: each round times a block of steps of each engine, the order alternating between
rounds so that neither always runs first. The table gives each engine's median microseconds per
step over the rounds and the median of the rounds' paired ratios with their quartiles, which is
what a shared, noisy machine lets one compare (lessons/23_making_it_fast.py goes from one engine
to the other step by step, and compares its own run with the figures quoted in the README).

    python benchmarks/bench_engines.py [--steps 40] [--rounds 15]
"""

import argparse
import time

import numpy as np

import rng as project_rng
from gan.config import GANConfig
from gan.game import build_players, make_optimizer
from gan.train import algorithm1_step
from nn.threads import blas_threads

G_HIDDEN, D_HIDDEN, M, LR, BETAS = (32, 32), (64, 64), 256, 1e-3, (0.5, 0.999)
ENGINES = ("textbook", "fast")


def make_step(engine, dtype):
    config = GANConfig(g_hidden=G_HIDDEN, d_hidden=D_HIDDEN, g_activation="leaky_relu",
                       d_activation="leaky_relu", batch_size=M, k=1, lr_g=LR, lr_d=LR,
                       betas=BETAS, snapshot_every=0, dtype=dtype, seed=0, engine=engine)
    # Each engine with its stream (bitwise the same numbers): the fast engine draws from the fast.
    train_rng = (project_rng.fast if engine == "fast" else project_rng).Generator(config.seed)
    G, D = build_players(config, train_rng)
    opt_d, opt_g = make_optimizer("adam", D, LR, BETAS), make_optimizer("adam", G, LR, BETAS)
    return lambda: algorithm1_step(G, D, opt_d, opt_g, config, train_rng)


def timed_rounds(steps, block, rounds):
    """Seconds per step of each step function, one entry per round, the order alternating."""
    times = {name: [] for name in steps}
    names = list(steps)
    for round_index in range(rounds):
        for name in (names if round_index % 2 == 0 else names[::-1]):
            steps[name]()                                    # warm: shapes, caches
            start = time.perf_counter()
            for _ in range(block):
                steps[name]()
            times[name].append((time.perf_counter() - start) / block)
    return {name: np.array(values) for name, values in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="steps per block")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds")
    args = parser.parse_args(argv)
    for name in ("steps", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be a positive integer, got {getattr(args, name)}")
    print(f"reference step, {args.rounds} interleaved rounds of {args.steps} steps per engine, "
          f"medians, 1 BLAS thread")
    print(f"{'dtype':<8} {'reference us/step':>18} {'fast us/step':>13} "
          f"{'reference / fast':>17} {'quartiles':>13}")
    with blas_threads(1):
        for dtype in ("float64", "float32"):
            times = timed_rounds({engine: make_step(engine, dtype) for engine in ENGINES},
                                 args.steps, args.rounds)
            ratios = times["textbook"] / times["fast"]          # paired within a round
            low, high = np.quantile(ratios, [0.25, 0.75])
            reference, fast = (float(np.median(times[e])) * 1e6 for e in ENGINES)
            print(f"{dtype:<8} {reference:>18.1f} {fast:>13.1f} {np.median(ratios):>16.2f}x "
                  f"{low:>6.2f}-{high:.2f}")


if __name__ == "__main__":
    main()
