"""The 20-seed table: does the default `python -m gan train --seed S` converge, seed after seed?

    python -m experiments.convergence_table [--seeds 20] [--workers 2]
        [extra GANConfig fields as k=v]

A run passes when JSD(p_data || p_g) < 0.005 nats, |mean + 1| < 0.05, |std - 1| < 0.05 and
max |D(x) - 1/2| < 0.05 on p_data's central 95% (`gan.lab.success.DefaultRun`, the one definition
of success that sweeps use too). "seconds" is the training time of the run alone (other work on
the machine slows it; run with --workers 1 on a quiet machine for timings).
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor

from gan.config import GANConfig
from gan.lab.success import DefaultRun, succeeded
from gan.train import train


def config_of(seed, overrides):
    return GANConfig(seed=seed, snapshot_every=0, **overrides)


def run(arguments):
    return train(config_of(*arguments)).metrics


def criterion(overrides):
    """The default run's criterion (`gan.lab.success.DefaultRun`) for the target of the runs."""
    return DefaultRun.of(config_of(0, overrides).target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("overrides", nargs="*", help="GANConfig fields, e.g. steps=3000")
    args = parser.parse_args()
    overrides = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.overrides)}
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run, [(s, overrides) for s in range(args.seeds)]))
    passes = criterion(overrides)
    print(f"{'seed':>4} {'JSD (nats)':>11} {'mean':>8} {'std':>7} {'max|D-1/2|':>11} "
          f"{'seconds':>8}  pass")
    for m in results:
        verdict = "yes" if succeeded(m, passes) else "NO"
        print(f"{m['seed']:>4} {m['jsd']:>11.2e} {m['mean']:>8.4f} {m['std']:>7.4f} "
              f"{m['d_max_dev']:>11.4f} {m['seconds']:>8.2f}  {verdict}")
    passed = sum(succeeded(m, passes) for m in results)
    print(f"{passed} of {len(results)} seeds pass ({passes.describe()})")


if __name__ == "__main__":
    main()
