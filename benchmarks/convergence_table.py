"""The 20-seed table of issue 4: does the default `python -m gan train --seed S` converge?

    python benchmarks/convergence_table.py [--seeds 20] [--workers 2]
        [extra GANConfig fields as k=v]

A run passes when JSD(p_data || p_g) < 0.005 nats, |mean + 1| < 0.05, |std - 1| < 0.05 and
max |D(x) - 1/2| < 0.05 on p_data's central 95%. "seconds" is the training time of the
run alone (other work on the machine slows it; run with --workers 1 on a quiet machine
for timings).
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor

from gan.config import GANConfig
from gan.lab.success import DefaultRun
from gan.train import train

passes = DefaultRun.of(GANConfig().target)      # the README's criterion (gan.lab.success)


def run(arguments):
    seed, overrides = arguments
    return train(GANConfig(seed=seed, snapshot_every=0, **overrides)).metrics


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("overrides", nargs="*", help="GANConfig fields, e.g. steps=3000")
    args = parser.parse_args()
    overrides = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.overrides)}
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run, [(s, overrides) for s in range(args.seeds)]))
    print(f"{'seed':>4} {'JSD (nats)':>11} {'mean':>8} {'std':>7} {'max|D-1/2|':>11} "
          f"{'seconds':>8}  pass")
    for m in results:
        print(
            f"{m['seed']:>4} {m['jsd']:>11.2e} {m['mean']:>8.4f} {m['std']:>7.4f} "
            f"{m['d_max_dev']:>11.4f} {m['seconds']:>8.2f}  {'yes' if passes(m) else 'NO'}"
        )
    passed = sum(passes(m) for m in results)
    print(f"{passed} of {len(results)} seeds pass ({passes.describe()})")


if __name__ == "__main__":
    main()
