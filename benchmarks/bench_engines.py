"""The textbook engine (nn) beside the fast one (nn.fast) on the benchmark's reference step.

The reference step is benchmarks/bench_step.py's: one iteration of Algorithm 1 (k = 1) with
G 1-32-32-1 and D 1-64-64-1, LeakyReLU(0.2), m = 256, Adam(1e-3, betas (0.5, 0.999)), built by
gan through GANConfig(engine=...). Both engines run in one process, interleaved round by round,
one BLAS thread; the table gives the best round's microseconds per step and the ratio, which is
what a shared, noisy machine lets one compare.

    python benchmarks/bench_engines.py [--steps 200] [--rounds 5]
"""

import argparse
import time

import rng as project_rng
from gan.config import GANConfig
from gan.game import build_players, make_optimizer
from gan.train import algorithm1_step
from nn.threads import blas_threads

G_HIDDEN, D_HIDDEN, M, LR, BETAS = (32, 32), (64, 64), 256, 1e-3, (0.5, 0.999)


def make_step(engine, dtype):
    config = GANConfig(g_hidden=G_HIDDEN, d_hidden=D_HIDDEN, g_activation="leaky_relu",
                       d_activation="leaky_relu", batch_size=M, k=1, lr_g=LR, lr_d=LR,
                       betas=BETAS, snapshot_every=0, dtype=dtype, seed=0, engine=engine)
    train_rng = project_rng.Generator(config.seed)
    G, D = build_players(config, train_rng)
    opt_d, opt_g = make_optimizer("adam", D, LR, BETAS), make_optimizer("adam", G, LR, BETAS)
    return lambda: algorithm1_step(G, D, opt_d, opt_g, config, train_rng)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (the best is reported)")
    args = parser.parse_args(argv)
    print(f"reference step, {args.rounds} rounds of {args.steps} steps, best round, 1 BLAS thread")
    print(f"{'dtype':<8} {'reference us/step':>18} {'fast us/step':>13} {'reference / fast':>17}")
    with blas_threads(1):
        for dtype in ("float64", "float32"):
            steps = {engine: make_step(engine, dtype) for engine in ("reference", "fast")}
            best = dict.fromkeys(steps, float("inf"))
            for _ in range(args.rounds):
                for engine, step in steps.items():
                    step()                                   # warm: shapes, caches
                    start = time.perf_counter()
                    for _ in range(args.steps):
                        step()
                    best[engine] = min(best[engine], (time.perf_counter() - start) / args.steps)
            reference, fast = best["reference"] * 1e6, best["fast"] * 1e6
            print(f"{dtype:<8} {reference:>18.1f} {fast:>13.1f} {reference / fast:>16.2f}x")


if __name__ == "__main__":
    main()
