"""Save a 10 x 10 grid of procedural digits (one row a class) and time the data set's build.

    python -m experiments.show_digits [OUTPUT.png] [--seed S] [--grey] [--time]

The picture goes to lessons/out/digits.png unless a path is given.  With --time the
script also prints how long make_digits takes for a few sizes of data set, with the
font templates built once beforehand (their one-off cost is printed on its own line).
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gan.digits.datasets import make_digits  # noqa: E402

EXAMPLES_PER_CLASS = 10


def digit_grid(images, labels):
    """Rows of EXAMPLES_PER_CLASS images of each class 0..9, tiled into one picture."""
    order = np.argsort(labels, kind="stable")
    rows = images[order, 0].reshape(10, -1, *images.shape[2:])[:, :EXAMPLES_PER_CLASS]
    size = images.shape[-1]
    return rows.transpose(0, 2, 1, 3).reshape(10 * size, EXAMPLES_PER_CLASS * size)


def save_grid(path, seed, binarize):
    images, labels = make_digits(10 * EXAMPLES_PER_CLASS, seed=seed, binarize=binarize)
    figure, axes = plt.subplots(figsize=(6, 6))
    axes.imshow(digit_grid(images, labels), cmap="gray_r", vmin=0, vmax=1,
                interpolation="nearest")
    size = images.shape[-1]
    axes.set_yticks(np.arange(10) * size + size / 2, [str(c) for c in range(10)])
    axes.set_xticks([])
    axes.set_ylabel("class c")
    axes.set_title(f"Procedural digits x ~ p(x | c), seed {seed}: one row per class")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)


def time_builds(sizes=(1_000, 10_000, 60_000), repeats=3):
    start = time.perf_counter()
    make_digits(10, seed=0)
    print(f"font templates, built once per process: {time.perf_counter() - start:.2f} s\n")
    print(f"{'images':>8} {'binary s':>9} {'grey s':>8} {'us/image':>9} {'vs 1k':>6}")
    baseline = None
    for n in sizes:
        timings = {}
        for binarize in (True, False):
            best = np.inf
            for _ in range(repeats if n <= 10_000 else 1):
                start = time.perf_counter()
                make_digits(n, seed=1, binarize=binarize)
                best = min(best, time.perf_counter() - start)
            timings[binarize] = best
        baseline = baseline or timings[True] / n
        print(f"{n:>8} {timings[True]:>9.2f} {timings[False]:>8.2f} "
              f"{1e6 * timings[True] / n:>9.1f} {timings[True] / n / baseline:>6.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path,
                        default=Path("lessons") / "out" / "digits.png")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--grey", action="store_true", help="grey levels, not binarised")
    parser.add_argument("--time", action="store_true", help="print build times")
    arguments = parser.parse_args()
    if arguments.time:
        time_builds()  # first, so the template build is timed cold
    save_grid(arguments.output, arguments.seed, not arguments.grey)
    print(f"saved {arguments.output}")


if __name__ == "__main__":
    main()
