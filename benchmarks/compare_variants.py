"""Issue 6, item 8: every variant and the plain GAN on the same targets and seeds.

    python benchmarks/compare_variants.py [--seeds 10] [--workers 2] [--steps N] [--out DIR]

Targets, settings and success criteria are those of `gan.comparison.course_targets` and
`course_variants` (the settings of lessons 09-15); the conditional GAN and InfoGAN run on the
two-mode mixture only (they need classes or codes). Prints the table (success rate, median and
worst JSD or modes covered, training seconds summed over seeds) and the wall time, and saves
the figure and the rows (JSON) under --out. "seconds" is training time under whatever else
runs on the machine; compare it within one run only.
"""

import argparse
import json
import time
from pathlib import Path

import matplotlib

from gan.comparison import (course_targets, course_variants, format_table, plot_comparison,
                            run_comparison, summarise)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=None,
                        help="replace every target's steps (default: 800 in 1D, 5000 in 2D)")
    parser.add_argument("--out", type=Path, default=Path("runs/compare_variants"))
    args = parser.parse_args()
    matplotlib.use("Agg")
    targets, variants = course_targets(), course_variants()
    started = time.perf_counter()
    rows = run_comparison(variants, targets, range(args.seeds), workers=args.workers,
                          steps=args.steps)
    wall = time.perf_counter() - started
    print(format_table(summarise(rows, targets), targets))
    print(f"{len(rows)} runs, {args.seeds} seeds, {args.workers} workers: {wall:.0f} s wall time")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "rows.json").write_text(json.dumps(rows, indent=1))
    figure = plot_comparison(rows, targets)
    figure.savefig(args.out / "comparison.png", dpi=110, bbox_inches="tight")
    print(f"figure and rows under {args.out}")


if __name__ == "__main__":
    main()
