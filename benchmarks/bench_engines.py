"""The textbook engine (nn) beside the fast one (nn.fast) on the benchmarks' standard step.

The standard step is benchmarks.bench_step's (`standard_config`): one iteration of Algorithm 1
(k = 1) with G 1-32-32-1 and D 1-64-64-1, LeakyReLU(0.2), m = 256, Adam(1e-3, betas (0.5, 0.999)),
built by gan through GANConfig(engine=...). Both engines run in one process, one BLAS thread,
interleaved: each round times a block of steps of each engine, the order alternating between
rounds so that neither always runs first. The table gives each engine's median microseconds per
step over the rounds and the median of the rounds' paired ratios with their quartiles, which is
what a shared, noisy machine lets one compare (lessons/23_making_it_fast.py goes from one engine
to the other step by step, and compares its own run with the figures quoted in the README).

    python -m benchmarks.bench_engines [--steps 40] [--rounds 15]
"""

import argparse
import time

import numpy as np

import rng as project_rng
from benchmarks.bench_step import standard_config
from gan.game import build_players, make_optimizer
from gan.train import algorithm1_step
from nn.threads import blas_threads

ENGINES = ("textbook", "fast")


def make_step(engine, dtype):
    """One call, one standard step on the named engine, from seed 0."""
    config = standard_config(dtype).replace(engine=engine)
    # Each engine with its stream (bitwise the same numbers): the fast engine draws from the fast.
    train_rng = (project_rng.fast if engine == "fast" else project_rng).Generator(config.seed)
    G, D = build_players(config, train_rng)
    opt_d = make_optimizer("adam", D, config.lr_d, config.betas)
    opt_g = make_optimizer("adam", G, config.lr_g, config.betas)
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
    print(f"standard step, {args.rounds} interleaved rounds of {args.steps} steps per engine, "
          f"medians, 1 BLAS thread")
    print(f"{'dtype':<8} {'textbook us/step':>18} {'fast us/step':>13} "
          f"{'textbook / fast':>17} {'quartiles':>13}")
    with blas_threads(1):
        for dtype in ("float64", "float32"):
            times = timed_rounds({engine: make_step(engine, dtype) for engine in ENGINES},
                                 args.steps, args.rounds)
            ratios = times["textbook"] / times["fast"]          # paired within a round
            low, high = np.quantile(ratios, [0.25, 0.75])
            textbook, fast = (float(np.median(times[e])) * 1e6 for e in ENGINES)
            print(f"{dtype:<8} {textbook:>18.1f} {fast:>13.1f} {np.median(ratios):>16.2f}x "
                  f"{low:>6.2f}-{high:.2f}")


if __name__ == "__main__":
    main()
