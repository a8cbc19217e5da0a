"""Throughput of rng.Generator beside numpy.random.default_rng(), in one run.

    python -m benchmarks.bench_rng [--repeats 15]

For each method and size it times our generator and numpy's alternately (so drift in the
machine's speed hits both alike), takes the median of the repeats and prints ns per number
and the throughput ratio ours/numpy (> 1: ours is faster). The targets: uniforms >= 1.5x
numpy's, normals >= 0.6x numpy's (ziggurat).
"""

import argparse
import statistics
import time

import numpy as np

import rng

SIZES = (10**3, 10**5, 10**6)
TARGETS = {"random": 1.5, "standard_normal": 0.6}


def seconds_per_call(draw, size, calls):
    start = time.perf_counter()
    for _ in range(calls):
        draw(size)
    return (time.perf_counter() - start) / calls


def measure(method, size, repeats):
    ours = getattr(rng.Generator(2014), method)
    theirs = getattr(np.random.default_rng(2014), method)
    calls = max(1, 10**6 // size)            # about 10^6 numbers per timing
    ours(size), theirs(size)                  # warm up: tables, caches, allocator
    our_times, their_times = [], []
    for _ in range(repeats):
        our_times.append(seconds_per_call(ours, size, calls))
        their_times.append(seconds_per_call(theirs, size, calls))
    return statistics.median(our_times) / size, statistics.median(their_times) / size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats
    print(f"numpy {np.__version__}; medians of {repeats} alternating repeats\n")
    print(f"{'method':<16}{'size':>9}{'ours ns/num':>13}{'numpy ns/num':>14}"
          f"{'ours/numpy':>12}{'target':>8}")
    for method, target in TARGETS.items():
        for size in SIZES:
            ours, theirs = measure(method, size, repeats)
            ratio = theirs / ours
            verdict = "met" if ratio >= target else "missed"
            print(f"{method:<16}{size:>9}{ours * 1e9:>13.2f}{theirs * 1e9:>14.2f}"
                  f"{ratio:>11.2f}x{f'>={target}x':>8} {verdict}")


if __name__ == "__main__":
    main()
