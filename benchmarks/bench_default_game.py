"""Time steps of the training loop as users run it: `gan.train.train`, beside PyTorch eager.

    python -m benchmarks.bench_default_game [--rounds 5] [--steps 300] [--games default,standard]

What is timed is the gap between consecutive per-step callbacks of `train(config, callback=...)`
(the loop `python -m gan train` runs: the learning-rate schedule, k D updates, one G update,
sampling, divergence checks, the loss history, weight averaging and snapshots), and the same gap
in a PyTorch eager loop that does the same per step with the same networks
(`benchmarks.torch_step.TorchGAN`): the schedule set into its optimisers, the same losses, the
losses read out and checked finite, G's weights averaged over the same last steps. Snapshots are
ours alone (PyTorch has none); the median gap leaves them out, and a default run's wall time,
snapshots included, is printed beside it.

Games (each in float64 and float32):
- "default": `GANConfig()`'s settings, the default `python -m gan train`: G 1-32-32-1 softplus,
  D 1-64-64-1 LeakyReLU(0.2), m = 256, k = 1, Adam(2e-3, (0.5, 0.999)), cosine schedule,
  G averaged over the last 25% of the steps, snapshots every 100 steps.
- "standard": benchmarks.bench_step's standard step (LeakyReLU G, Adam(1e-3), no snapshots), with
  the default's schedule and averaging.
Ours runs on the fast engine in both (`--engine fast`; the default command's engine is the
textbook one, whose step `benchmarks.bench_engines` compares with the fast one).

Every contender runs on one thread; the contenders take turns, a run of --steps steps each, round
after round in a shuffled order, so a change in the machine's load hits all alike. Reported: the
median gap of every contender over all its rounds, and ours / PyTorch as a ratio.
"""

import argparse
import math
import os
import random
import statistics
import time

import numpy as np

from benchmarks.bench_step import standard_config
from benchmarks.torch_step import TorchGAN
from gan.config import GANConfig
from gan.train import learning_rate_factor, train
from nn.threads import blas_threads

GAMES = ("default", "standard")


def game_config(game, dtype, steps):
    """The GANConfig of a game (see the module notes) with ``steps`` steps."""
    if game == "default":
        return GANConfig(dtype=dtype, steps=steps, engine="fast")
    if game == "standard":
        return standard_config(dtype).replace(steps=steps)
    raise ValueError(f"game must be one of {GAMES}, got {game!r}")


def our_gaps(config):
    """Seconds between consecutive callbacks of `train(config)`: one per step after the first."""
    stamps = []
    train(config, callback=lambda step, losses: stamps.append(time.perf_counter()))
    return np.diff(stamps).tolist()


def torch_gaps(torch, config):
    """The same loop in PyTorch eager (see the module notes): seconds between consecutive steps."""
    game, steps = TorchGAN(torch, config), config.steps
    history = np.empty((3, steps))
    average_from = steps - int(round(config.average_last * steps)) + 1
    G_average, n_averaged = None, 0
    stamps = []
    for step in range(1, steps + 1):
        game.set_learning_rates(
            learning_rate_factor(step, steps, config.lr_schedule, config.decay_start))
        d_value, g_value = game.step()
        if not (math.isfinite(d_value) and math.isfinite(g_value)):
            raise RuntimeError(f"torch run diverged at step {step}")
        history[:, step - 1] = d_value, g_value, -d_value
        if step >= average_from:
            n_averaged += 1
            with torch.no_grad():
                if G_average is None:
                    G_average = [p.detach().clone() for p in game.G.parameters()]
                else:
                    for average, p in zip(G_average, game.G.parameters()):
                        average += (p - average) / n_averaged
        stamps.append(time.perf_counter())
    return np.diff(stamps).tolist()


def time_games(games, dtypes, rounds, steps, seed=0):
    """{(game, dtype, contender): median gap in seconds} with contender "ours" or "torch" (when
    importable), run as the module notes say; and the names of skipped contenders."""
    try:
        import torch
    except ImportError:
        torch, skipped = None, ["torch (not importable)"]
    else:
        torch.set_num_threads(1)
        skipped = []
    runs = {}
    for game in games:
        for dtype in dtypes:
            config = game_config(game, dtype, steps)
            runs[(game, dtype, "ours")] = lambda config=config: our_gaps(config)
            if torch is not None:
                runs[(game, dtype, "torch")] = lambda config=config: torch_gaps(torch, config)
    gaps = {key: [] for key in runs}
    keys, order = list(runs), random.Random(seed)
    with blas_threads(1):
        for key in keys:                # warm up: imports, caches, allocators
            runs[key]()
        for _ in range(rounds):
            order.shuffle(keys)
            for key in keys:
                gaps[key] += runs[key]()
    return {key: statistics.median(values) for key, values in gaps.items()}, skipped


def default_wall_time():
    """Seconds of the whole default `train(GANConfig())` (its default engine), snapshots and final
    metrics included."""
    with blas_threads(1):
        started = time.perf_counter()
        result = train(GANConfig())
        return time.perf_counter() - started, result.metrics["seconds"]


def print_table(medians, games, dtypes):
    print(f"{'game':<11}{'dtype':<9}{'ours us/step':>14}{'torch us/step':>15}{'ours/torch':>12}")
    for game in games:
        for dtype in dtypes:
            ours = medians[(game, dtype, "ours")]
            theirs = medians.get((game, dtype, "torch"))
            line = f"{game:<11}{dtype:<9}{ours * 1e6:>14.0f}"
            if theirs is not None:
                line += f"{theirs * 1e6:>15.0f}{ours / theirs:>11.2f}x"
            print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=300, help="steps of each timed run")
    parser.add_argument("--games", default=",".join(GAMES))
    parser.add_argument("--dtype", default="float64,float32")
    args = parser.parse_args()
    games, dtypes = args.games.split(","), args.dtype.split(",")
    print(f"numpy {np.__version__}, {os.cpu_count()} cores, load average before: "
          f"{' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    medians, skipped = time_games(games, dtypes, args.rounds, args.steps)
    print(f"\nMedian gap between per-step callbacks of the training loop, one thread, "
          f"{args.rounds} rounds of {args.steps} steps per contender, shuffled")
    print_table(medians, games, dtypes)
    for name in skipped:
        print(f"skipped: {name}")
    wall, loop = default_wall_time()
    print(f"\nDefault python -m gan train (2000 steps, {GANConfig().engine} engine): {wall:.2f} s "
          f"wall, {loop:.2f} s in the loop (snapshots included)")
    print(f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
