"""Throughput of rng.fast.Generator beside numpy.random.default_rng(), and of the textbook
rng.Generator beside rng.fast.Generator, in one run.

    python -m benchmarks.bench_rng [--repeats 15]

For each method and size it times two generators alternately (so drift in the machine's speed
hits both alike), takes the median of the repeats and prints ns per number. The first table
compares the fast generator with numpy's (ratio > 1: ours is faster; targets: uniforms >= 1.5x
numpy's, normals >= 0.6x numpy's ziggurat). The second gives the price of the textbook
generator, one `LCG.next()` per uniform, on the draws the default `python -m gan train` makes:
minibatches of 256 normals, and 10^5 evaluation normals once.
"""

import argparse
import statistics
import time

import numpy as np

import rng

SIZES = (10**3, 10**5, 10**6)
TARGETS = {"random": 1.5, "standard_normal": 0.6}
TEXTBOOK_DRAWS = (("standard_normal", (256, 1)), ("standard_normal", 10**5), ("random", 10**5))


def seconds_per_call(draw, size, calls):
    start = time.perf_counter()
    for _ in range(calls):
        draw(size)
    return (time.perf_counter() - start) / calls


def measure(method, size, repeats, ours=rng.fast.Generator, theirs=np.random.default_rng):
    """Median seconds per number of ``ours(2014).method(size)`` and ``theirs(2014)``'s."""
    ours, theirs = getattr(ours(2014), method), getattr(theirs(2014), method)
    count = int(np.prod(size))
    calls = max(1, 10**6 // count)            # about 10^6 numbers per timing
    ours(size), theirs(size)                  # warm up: tables, caches, allocator
    our_times, their_times = [], []
    for _ in range(repeats):
        our_times.append(seconds_per_call(ours, size, calls))
        their_times.append(seconds_per_call(theirs, size, calls))
    return statistics.median(our_times) / count, statistics.median(their_times) / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats
    print(f"numpy {np.__version__}; medians of {repeats} alternating repeats\n")
    print("rng.fast.Generator against numpy.random.default_rng")
    print(f"{'method':<16}{'size':>9}{'ours ns/num':>13}{'numpy ns/num':>14}"
          f"{'ours/numpy':>12}{'target':>8}")
    for method, target in TARGETS.items():
        for size in SIZES:
            ours, theirs = measure(method, size, repeats)
            ratio = theirs / ours
            verdict = "met" if ratio >= target else "missed"
            print(f"{method:<16}{size:>9}{ours * 1e9:>13.2f}{theirs * 1e9:>14.2f}"
                  f"{ratio:>11.2f}x{f'>={target}x':>8} {verdict}")
    print("\nrng.Generator (textbook) against rng.fast.Generator, microseconds per call")
    print(f"{'method':<16}{'size':>9}{'textbook us':>13}{'fast us':>10}{'textbook/fast':>15}")
    for method, size in TEXTBOOK_DRAWS:
        textbook, fast = measure(method, size, max(3, repeats // 3), rng.Generator,
                                 rng.fast.Generator)
        count = int(np.prod(size))
        print(f"{method:<16}{str(size):>9}{textbook * count * 1e6:>13.1f}"
              f"{fast * count * 1e6:>10.1f}{textbook / fast:>14.1f}x")


if __name__ == "__main__":
    main()
