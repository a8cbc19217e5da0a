"""The comparison's rows as a table: success rates and scores per variant and target, printed (by
`gan.lab.table`) and plotted."""

from __future__ import annotations

import math

import numpy as np

from gan.lab.success import JSDBelow
from gan.lab.table import cell, format_columns


# ---- the table --------------------------------------------------------------------------------
def summarise(rows, targets):
    """Per (target, variant), in the order first met: runs, successes, success rate, median and
    worst score (worst = largest JSD or fewest modes; diverged runs count as worst: JSD log 2,
    0 modes), median high-quality share for 2D, and the total training seconds."""
    by_name = {t.name: t for t in targets}
    groups = {}
    for row in rows:
        groups.setdefault((row["target"], row["variant"]), []).append(row)
    summary = []
    for (target_name, variant_name), group in groups.items():
        target = by_name[target_name]
        scores = np.array([_score(row, target) for row in group], dtype=float)
        worst = scores.max() if target.score == "jsd" else scores.min()
        entry = {"target": target_name, "variant": variant_name, "runs": len(group),
                 "successes": sum(row["success"] for row in group),
                 "diverged": sum(row["diverged"] for row in group),
                 "median": float(np.median(scores)), "worst": float(worst),
                 "seconds": float(sum(row["seconds"] for row in group))}
        entry["success_rate"] = entry["successes"] / entry["runs"]
        if target.dim == 2:
            entry["median_quality"] = float(np.median(
                [row["metrics"].get("high_quality", 0.0) for row in group]))
        summary.append(entry)
    return summary


def _score(row, target):
    if row["diverged"]:
        return math.log(2) if target.score == "jsd" else 0
    return row["metrics"][target.score]


# header -> its least width, as the table has always been printed (a longer cell widens it)
JSD_COLUMNS = {"variant": 20, "success": 8, "median JSD": 11, "worst JSD": 10, "diverged": 8,
               "seconds": 8}
MODES_COLUMNS = {"variant": 20, "success": 8, "median modes": 12, "fewest": 6, "median HQ": 9,
                 "diverged": 8, "seconds": 8}


def format_table(summary, targets):
    """The summary as printable text, one block per target with its criterion: a line per
    variant, its successes out of its runs, the median and worst score, for 2D the median
    high-quality share, the diverged runs and the training seconds (`gan.lab.table`)."""
    lines = []
    for target in targets:
        entries = [e for e in summary if e["target"] == target.name]
        if not entries:
            continue
        lines.append(f"{target.name}: success = {target.criterion.describe()}")
        if target.score == "jsd":
            columns = JSD_COLUMNS
            rows = [[e["variant"], _successes(e), cell(e["median"], "{:.2e}"),
                     cell(e["worst"], "{:.2e}"), str(e["diverged"]), cell(e["seconds"], "{:.1f}")]
                    for e in entries]
        else:
            columns = MODES_COLUMNS
            rows = [[e["variant"], _successes(e), cell(e["median"], "{:.1f}"),
                     cell(e["worst"], "{:.0f}"), cell(e["median_quality"], "{:.2f}"),
                     str(e["diverged"]), cell(e["seconds"], "{:.1f}")] for e in entries]
        lines += format_columns(list(columns), rows, widths=list(columns.values()),
                                separator=" ", indent="  ")
        lines.append("")
    return "\n".join(lines)


def _successes(entry):
    return f"{entry['successes']:>3}/{entry['runs']:<4}"


def plot_comparison(rows, targets):
    """Top: each seed's score per variant (JSD on a log axis, modes covered), successes filled,
    failures hollow, the threshold dotted. Bottom: success rate per variant. One column per target.
    """
    import matplotlib.pyplot as plt

    targets = [t for t in targets if any(row["target"] == t.name for row in rows)]
    fig, axes = plt.subplots(2, len(targets), figsize=(4.6 * len(targets), 7), squeeze=False,
                             layout="constrained")
    for column, target in enumerate(targets):
        mine = [row for row in rows if row["target"] == target.name]
        names = list(dict.fromkeys(row["variant"] for row in mine))
        top, bottom = axes[0][column], axes[1][column]
        for position, name in enumerate(names):
            group = [row for row in mine if row["variant"] == name]
            scores = np.array([_score(row, target) for row in group], dtype=float)
            success = np.array([row["success"] for row in group])
            jitter = np.linspace(-0.2, 0.2, len(group)) if len(group) > 1 else np.zeros(1)
            x = position + jitter
            top.scatter(x[success], scores[success], color="tab:green", s=18, zorder=3,
                        label="success" if position == 0 else None)
            top.scatter(x[~success], scores[~success], facecolors="none",
                        edgecolors="tab:red", s=18, zorder=3,
                        label="failure" if position == 0 else None)
            bottom.bar(position, success.mean(), color="tab:green")
            bottom.text(position, success.mean() + 0.02, f"{success.sum()}/{len(group)}",
                        ha="center", fontsize=8)
        criterion = target.criterion
        if target.score == "jsd":
            top.set_yscale("log")
            top.set_ylabel("final JSD (nats, log scale)")
            if isinstance(criterion, JSDBelow):
                top.axhline(criterion.threshold, color="gray", ls=":", label="threshold")
        else:
            top.set_ylabel("modes covered")
            top.axhline(criterion.modes, color="gray", ls=":", label="threshold")
        top.set_title(f"{target.name}: {criterion.describe()}", fontsize=9)
        top.legend(fontsize=7)
        for ax in (top, bottom):
            ax.set_xticks(range(len(names)))
            ax.set_xticklabels(names, rotation=35, ha="right", fontsize=8)
        bottom.set(ylim=(0, 1.12), ylabel="success rate")
    fig.suptitle("Every game on the same targets and seeds: per-seed result (top), "
                 "success rate (bottom)")
    return fig
