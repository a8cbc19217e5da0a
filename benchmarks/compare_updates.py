"""Success rates of the update rules (issue 20, item 5) over seeds, with 95% Wilson intervals.

    python benchmarks/compare_updates.py [--seeds 10] [--targets "N(-1, 1)" "ring of 8"]

Each rule (`gan.dynamics.training`: alternating = Algorithm 1, simultaneous, extragradient,
optimistic; alternating + R1 gamma = 1) trains on the course's targets with the course's settings
and success criteria (gan.comparison.course: N(-1, 1) JSD < 0.01 nats at 800 steps, m = 64; the
ring of 8: >= 7 modes and >= 50% high quality at 5000 steps), one run per seed, one at a time.
Prints a table of successes / runs, the Wilson interval and the wall time per run. The ring takes
minutes per run on a shared machine: it is in the default targets only when asked for.
"""

from __future__ import annotations

import argparse
import math
import time

from gan.comparison.course import course_targets
from gan.game import GAN
from gan.train import TrainingDiverged, train

RULES = {"alternating (Algorithm 1)": dict(), "simultaneous": dict(update="simultaneous"),
         "extragradient": dict(update="extragradient"), "optimistic": dict(update="optimistic"),
         "alternating + R1 1": dict(r1=1.0)}


def wilson(successes, n, z=1.96):
    """The Wilson score interval for a binomial proportion (Wilson 1927)."""
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--targets", nargs="+", default=["N(-1, 1)"])
    args = parser.parse_args(argv)
    targets = {target.name: target for target in course_targets()}
    print(f"{'target':10s} {'rule':28s} {'success':>8s} {'95% interval':>16s} {'s / run':>8s}")
    for name in args.targets:
        target = targets[name]
        game = GAN                     # measured on the line or in the plane by target.dim
        for rule, changes in RULES.items():
            successes, started = 0, time.perf_counter()
            for seed in range(args.seeds):
                try:
                    result = train(target.config.replace(seed=seed, **changes), game=game)
                    successes += bool(target.criterion(result.metrics))
                except TrainingDiverged:
                    pass
            seconds = (time.perf_counter() - started) / args.seeds
            low, high = wilson(successes, args.seeds)
            print(f"{name:10s} {rule:28s} {successes:>3d}/{args.seeds:<4d} "
                  f"[{low:5.0%}, {high:5.0%}] {seconds:8.2f}", flush=True)


if __name__ == "__main__":
    main()
