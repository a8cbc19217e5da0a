"""The score tables the digits lessons and the digits command print: one line per sampler, one
column per score, a score either one number or (mean, spread) over seeds ("12.3 ± 0.4"), laid
out by the lab's one table (`gan.lab.table`)."""

from __future__ import annotations

from gan.digits.scores import mean_and_spread
from gan.language import _
from gan.lab.table import cell, format_columns

# key -> (header, format of one number); the order is the tables' column order
COLUMNS = {
    "label_accuracy": ("label acc", "{:.3f}"),
    "cas": ("CAS", "{:.3f}"),
    "class_entropy": ("classes H", "{:.2f}"),
    "frechet_distance": ("Frechet", "{:.1f}"),
    "precision": ("prec.", "{:.2f}"),
    "recall": ("recall", "{:.2f}"),
    "density": ("dens.", "{:.2f}"),
    "coverage": ("cover.", "{:.2f}"),
    "nearest_median_ratio": ("NN ratio", "{:.2f}"),
    "copied_share": ("copies", "{:.3f}"),
    "grey_share": ("grey", "{:.3f}"),
    "seconds": ("seconds", "{:.1f}"),
}
SCORES = tuple(COLUMNS)


def copy_verdict(row, low=0.75, high=1.33, copies=0.05):
    """Words for the nearest-neighbour check of one row, chosen by its numbers: "new digits"
    only when the NN ratio lies in [low, high] and at most `copies` are flagged; in the
    language `gan.language` speaks (a lesson in Chinese, python -m gan --lang zh)."""
    ratio, share = row["nearest_median_ratio"], row["copied_share"]
    if ratio < low or share > copies:
        words = _("closer to training digits than real held-out digits are (NN ratio "
                  "{ratio:.2f}, {share:.1%} flagged): possible copies")
    elif ratio > high:
        words = _("not copies: farther from every training digit than real held-out digits "
                  "are (NN ratio {ratio:.2f})")
    else:
        words = _("new digits, about as far from the training set as real held-out digits "
                  "(NN ratio {ratio:.2f}, {share:.1%} flagged)")
    return words.format(ratio=ratio, share=share)


def format_table(rows, columns=None):
    """The rows (dicts with a "model" entry) as a text table (`gan.lab.table`: names left, numbers
    right, a rule under the headers); columns: the keys of COLUMNS to show, by default every one
    that some row has (a missing entry shows "-")."""
    rows = list(rows)
    if columns is None:
        columns = [key for key in COLUMNS if any(row.get(key) is not None for row in rows)]
    unknown = [key for key in columns if key not in COLUMNS]
    if unknown:
        raise ValueError(f"columns must be keys of COLUMNS {tuple(COLUMNS)}, got {unknown}")
    cells = [[str(row["model"])] + [cell(row.get(key), COLUMNS[key][1]) for key in columns]
             for row in rows]
    headers = ["model"] + [COLUMNS[key][0] for key in columns]
    return "\n".join(format_columns(headers, cells, rule=True))


def summarise_seeds(rows_by_seed):
    """One row per model from the tables of several seeds (a list of lists of rows, the same
    models in the same order): each score becomes (mean, sample standard deviation)."""
    rows_by_seed = [list(rows) for rows in rows_by_seed]
    if len(rows_by_seed) < 2:
        raise ValueError(f"rows_by_seed must hold the tables of at least 2 seeds, got "
                         f"{len(rows_by_seed)}")
    models = [[row["model"] for row in rows] for rows in rows_by_seed]
    if any(names != models[0] for names in models):
        raise ValueError(f"every seed's table must list the same models, got {models}")
    summary = []
    for index, name in enumerate(models[0]):
        seeds = [rows[index] for rows in rows_by_seed]
        row = {"model": name}
        for key in SCORES:
            if any(key in seed for seed in seeds):
                row[key] = mean_and_spread(seed.get(key) for seed in seeds)
        summary.append(row)
    return summary
