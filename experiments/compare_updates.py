"""Success rates of the update rules over seeds, through the ensembles.

    python -m experiments.compare_updates [--seeds 10] [--targets "N(-1, 1)" "ring of 8"]
        [--rules alternating consensus ...] [--set consensus=10 lr_g=1e-4 ...] [--csv runs.csv]
    python -m experiments.compare_updates --summarise runs.csv [more.csv ...]

Each rule (`gan.dynamics.training`: alternating = Algorithm 1, simultaneous, extragradient,
optimistic, consensus gamma = 1; alternating + R1 gamma = 1) trains on the course's targets with the
course's settings and success criteria (gan.lab.comparison.course: N(-1, 1) JSD < 0.01 nats at 800
steps, m = 64; the ring of 8: >= 7 modes and >= 50% high-quality samples at 5000 steps, m = 256).
The seeds of one rule train as one stacked ensemble (`gan.lab.ensemble.train_ensemble`, the fast
engine), whose member e is bitwise the single run `train(config.replace(seed=e))` on that engine
(tests/test_gan_dynamics_consensus.py and tests/test_gan_lab_ensemble.py hold this). Each seed's
outcome is appended to ``--csv``; the table (successes / runs, the 95% Wilson interval, the
difference from Algorithm 1's rate with its 95% bootstrap interval and Fisher's exact p, seconds per
run) is printed from those rows, so runs split over processes can be summarised together. ``--set
NAME=VALUE`` changes GANConfig fields of every rule run (a tuning grid's cell) and names them in the
rule's label; the comparison with Algorithm 1 is against rows labelled plain "alternating". The ring
takes minutes per rule.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

from scipy.stats import fisher_exact

from gan.lab.comparison.course import course_targets
from gan.lab.comparison.effects import bootstrap_interval, rate_difference
from gan.config import GANConfig
from gan.dynamics.training import UpdateRule
from gan.lab.ensemble import train_ensemble

# Each rule as the settings of an UpdateRule.
RULES = {"alternating": dict(), "simultaneous": dict(name="simultaneous"),
         "extragradient": dict(name="extragradient"), "optimistic": dict(name="optimistic"),
         "consensus": dict(name="consensus", consensus=1.0), "r1": dict(r1=1.0)}
RULE_FIELDS = ("r1", "r2", "consensus")     # --set names that belong to the rule, not the config
LABELS = {"alternating": "alternating (Algorithm 1)", "consensus": "consensus, gamma 1",
          "r1": "alternating + R1, gamma 1"}
FIELDS = ("target", "rule", "seed", "success", "score", "seconds_per_run")


def wilson(successes, n, z=1.96):
    """The Wilson score interval for a binomial proportion (Wilson 1927)."""
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def parse_settings(pairs):
    """``name=value`` pairs (``--set``) as changes of GANConfig fields or of the rule's weights
    (r1, r2, consensus): numbers where they parse, else strings (int, else float, else str); any
    other name raises ValueError naming it."""
    fields = set(GANConfig.__dataclass_fields__) | set(RULE_FIELDS)
    changes = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in fields or not value:
            raise ValueError(f"--set takes name=value with name a GANConfig field or one of "
                             f"{RULE_FIELDS}, got {pair!r}")
        for kind in (int, float, str):
            try:
                changes[name] = kind(value)
                break
            except ValueError:
                continue
    return changes


def rule_and_changes(rule, changes=None):
    """The UpdateRule of ``rule`` with the rule weights among ``changes`` (None for Algorithm 1
    itself), and the remaining changes of the config."""
    changes = changes or {}
    weights = {name: value for name, value in changes.items() if name in RULE_FIELDS}
    update = UpdateRule(**{**RULES[rule], **weights})
    others = {name: value for name, value in changes.items() if name not in RULE_FIELDS}
    return (None if update.is_algorithm1 else update), others


def run(target, rule, seeds, changes=None):
    """One ensemble of ``seeds`` members: rows of FIELDS, one per seed. ``changes`` (GANConfig
    fields and rule weights, e.g. from ``--set``) apply after the rule's own settings."""
    update, config_changes = rule_and_changes(rule, changes)
    configs = [target.config.replace(seed=seed, **config_changes) for seed in range(seeds)]
    results = train_ensemble(configs, update=update)
    rows = []
    for result in results:
        metrics = result.metrics
        diverged = "diverged_at" in metrics
        label = rule + "".join(f" {name}={value}" for name, value in (changes or {}).items())
        rows.append(dict(target=target.name, rule=label, seed=metrics["seed"],
                         success=int(not diverged and bool(target.criterion(metrics))),
                         score="diverged" if diverged else metrics[target.score],
                         seconds_per_run=metrics["seconds"] / seeds))
    return rows


def summarise(rows):
    """The table, one line per (target, rule), in the order the rows came."""
    lines = [f"{'target':10s} {'rule':27s} {'success':>7s} {'95% Wilson':>12s} "
             f"{'vs Algorithm 1 [95% bootstrap]':>31s} {'Fisher p':>8s} {'s / run':>7s}"]
    groups = {}
    for row in rows:
        groups.setdefault((row["target"], row["rule"]), []).append(row)
    for (target, rule), group in groups.items():
        outcomes = [int(row["success"]) for row in group]
        n, successes = len(outcomes), sum(outcomes)
        low, high = wilson(successes, n)
        baseline = [int(row["success"]) for row in groups.get((target, "alternating"), [])]
        if baseline and rule != "alternating":
            difference, d_low, d_high = bootstrap_interval(outcomes, baseline, rate_difference)
            versus = f"{difference:+5.0%} [{d_low:+5.0%}, {d_high:+5.0%}]"
            b = sum(baseline)
            p = f"{fisher_exact([[successes, n - successes], [b, len(baseline) - b]])[1]:.3f}"
        else:
            versus, p = "", ""
        seconds = float(group[0]["seconds_per_run"])
        lines.append(f"{target:10s} {LABELS.get(rule, rule):27s} {successes:>3d}/{n:<3d} "
                     f"[{low:4.0%}, {high:4.0%}] {versus:>31s} {p:>8s} {seconds:7.1f}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--targets", nargs="+", default=["N(-1, 1)"])
    parser.add_argument("--rules", nargs="+", choices=tuple(RULES), default=list(RULES))
    parser.add_argument("--set", nargs="+", default=[], metavar="NAME=VALUE",
                        help="GANConfig changes for every rule run, e.g. consensus=10 "
                             "optimizer=rmsprop lr_g=1e-4 lr_d=1e-4 (labelled in the table)")
    parser.add_argument("--csv", type=Path, default=None, help="append each seed's outcome here")
    parser.add_argument("--summarise", nargs="+", type=Path, default=None,
                        help="print the table of these CSV files and train nothing")
    args = parser.parse_args(argv)
    if args.summarise:
        rows = []
        for path in args.summarise:
            with open(path, newline="") as handle:
                rows += list(csv.DictReader(handle))
        print(summarise(rows))
        return
    if args.seeds < 2:
        parser.error(f"--seeds must be at least 2, got {args.seeds}")
    targets = {target.name: target for target in course_targets()}
    unknown = [name for name in args.targets if name not in targets]
    if unknown:
        parser.error(f"--targets must be among {sorted(targets)}, got {unknown}")
    try:
        changes = parse_settings(args.set)
        for name in args.targets:                  # every cell's config is valid before any run
            for rule in args.rules:
                update, config_changes = rule_and_changes(rule, changes)
                config = targets[name].config.replace(**config_changes)
                if update is not None:
                    update.check(config)
    except (ValueError, TypeError) as error:
        parser.error(str(error))
    rows = []
    for name in args.targets:
        for rule in args.rules:
            new = run(targets[name], rule, args.seeds, changes)
            rows += new
            if args.csv is not None:
                fresh = not args.csv.exists()
                with open(args.csv, "a", newline="") as handle:
                    writer = csv.DictWriter(handle, FIELDS)
                    if fresh:
                        writer.writeheader()
                    writer.writerows(new)
            print(summarise(new).splitlines()[1], flush=True)
    print(summarise(rows))


if __name__ == "__main__":
    main()
