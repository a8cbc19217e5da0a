"""Every variant and the plain GAN on the same targets and seeds.

    python -m experiments.compare_variants [--seeds 10] [--workers 2] [--steps N] [--out DIR]
        [--targets "N(-1, 1),ring of 8"] [--variants "plain GAN,WGAN"] [--per-seed]

Targets, settings and success criteria are those of `gan.lab.comparison.course_targets` and
`course_variants` (the settings of lessons 09-15); the conditional GAN and InfoGAN run on the
two-mode mixture only (they need classes or codes). Prints the table (success rate, median and
worst JSD or modes covered, training seconds summed over seeds) and the wall time, and saves
the figure and the rows (JSON) under --out. "seconds" is training time under whatever else
runs on the machine; compare it within one run only.

Then, per (target, variant), the effect against the plain GAN: the success-rate difference and
log10 of the ratio of median scores, each with a 95% bootstrap interval over the seeds, Fisher's
exact p, and what the test can detect at this number of seeds (`gan.lab.comparison.effects`).
Minibatch discrimination on the two modes is measured against its matched control (the plain
game with lesson 12's deeper G and steps), not the plain GAN.

The plain game's seeds on a 1D target train as one ensemble (`gan.lab.comparison.stacked`), bitwise
the single runs; every variant with a game of its own, and the ring, train one run per seed.
"""

import argparse
import json
import re
import time
from pathlib import Path

import matplotlib

from gan.lab.comparison import (COURSE_CONTROLS, course_targets, course_variants, format_table,
                                plot_comparison, run_comparison, stackable, summarise)
from gan.lab.comparison.effects import against_baseline, detection_note, format_effects


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=None,
                        help="replace every target's steps (default: 800 in 1D, 5000 in 2D)")
    parser.add_argument("--out", type=Path, default=Path("runs/compare_variants"))
    parser.add_argument("--targets", default=None,
                        help="comma-separated target names (default: all), e.g. 'ring of 8'")
    parser.add_argument("--variants", default=None,
                        help="comma-separated variant names (default: all)")
    parser.add_argument("--per-seed", action="store_true", help="print every run's row too")
    args = parser.parse_args()
    matplotlib.use("Agg")
    targets = chosen(course_targets(), args.targets, "targets")
    variants = chosen(course_variants(), args.variants, "variants")
    started = time.perf_counter()
    if args.seeds < 1:
        raise SystemExit(f"--seeds must be a positive integer, got {args.seeds}")
    stacked = [f"{v.name} on {t.name}" for t in targets for v in variants
               if v.runs_on(t) and stackable(v, t)]
    print(f"As one ensemble per game (gan.lab.ensemble, bitwise the single runs): "
          f"{', '.join(stacked) or 'none'}; every other game and target as single runs.")
    rows = run_comparison(variants, targets, range(args.seeds), workers=args.workers,
                          steps=args.steps)
    wall = time.perf_counter() - started
    if args.per_seed:
        for row in rows:
            numbers = ", ".join(f"{key} {value:.3g}" for key, value in row["metrics"].items()
                                if isinstance(value, (int, float)))
            print(f"  {row['target']:10s} {row['variant']:18s} seed {row['seed']:2d}: "
                  f"{'success' if row['success'] else 'failure'}  {numbers}  "
                  f"{row['seconds']:.1f} s")
        print()
    summary = summarise(rows, targets)
    print(format_table(summary, targets))
    print("\nEffects against the plain GAN or a matched control (95% bootstrap intervals over the "
          "seeds):")
    print(format_effects(against_baseline(rows, targets, controls=COURSE_CONTROLS)))
    for entry in summary:
        if entry["variant"] == "plain GAN":
            print(f"  {entry['target']}: {detection_note(args.seeds, entry['success_rate'])}")
    print(f"{len(rows)} runs, {args.seeds} seeds, {args.workers} workers: {wall:.0f} s wall time")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "rows.json").write_text(json.dumps(rows, indent=1))
    figure = plot_comparison(rows, targets)
    figure.savefig(args.out / "comparison.png", dpi=110, bbox_inches="tight")
    print(f"figure and rows under {args.out}")


def chosen(items, names, what):
    """The items whose names are listed (comma-separated), in their own order; all if None."""
    if names is None:
        return items
    wanted = split_names(names)
    known = [item.name for item in items]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise SystemExit(f"--{what}: unknown {unknown}; known are {known}")
    return tuple(item for item in items if item.name in wanted)


def split_names(names):
    """Comma-separated names, a comma inside parentheses not a separator: "N(-1, 1),WGAN"."""
    return [name.strip() for name in re.split(r",(?![^()]*\))", names) if name.strip()]


if __name__ == "__main__":
    main()
