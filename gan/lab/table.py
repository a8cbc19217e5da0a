"""The lab's text tables: one line per row, one column per quantity, names left-aligned and
numbers right-aligned under their headers, each column as wide as its widest cell.

The comparison's table (`gan.lab.comparison.table`) and the digits' score tables
(`gan.digits.tables`) are both written by `format_columns`, their cells by `cell`: a number in
its format, "-" for a score a row does not have, and "mean ± spread" for a score over seeds.
"""

from __future__ import annotations

MISSING = "-"


def cell(value, number_format="{:g}"):
    """``value`` as text: ``number_format`` of a number, MISSING for None, and for a pair
    (mean, spread) over seeds "mean ± spread", each in ``number_format`` (MISSING if the
    mean is None)."""
    if value is None:
        return MISSING
    if isinstance(value, tuple):
        mean, spread = value
        if mean is None:
            return MISSING
        return f"{number_format.format(mean)} ± {number_format.format(spread)}"
    return number_format.format(value)


def format_columns(headers, rows, left=1, widths=None, separator="  ", indent="", rule=False):
    """The lines of a table: the headers, a rule of dashes under them if ``rule``, then one line
    per row of cells (strings). The first ``left`` columns are left-aligned, the others
    right-aligned; column i is as wide as its widest cell or header, and at least
    ``widths[i]`` if given. Columns are joined by ``separator``, every line starts with
    ``indent``."""
    headers, rows = [str(header) for header in headers], [list(row) for row in rows]
    if any(len(row) != len(headers) for row in rows):
        raise ValueError(f"rows must have one cell per header ({len(headers)}), got rows of "
                         f"{sorted({len(row) for row in rows})} cells")
    minimum = [0] * len(headers) if widths is None else list(widths)
    if len(minimum) != len(headers):
        raise ValueError(f"widths must give one width per header ({len(headers)}), got "
                         f"{len(minimum)}")
    widths = [max([len(line[i]) for line in rows + [headers]] + [minimum[i]])
              for i in range(len(headers))]

    def line(cells):
        return indent + separator.join(
            text.ljust(width) if i < left else text.rjust(width)
            for i, (text, width) in enumerate(zip(cells, widths)))

    lines = [line(headers)]
    if rule:
        lines.append(indent + "-" * (len(lines[0]) - len(indent)))
    return lines + [line(cells) for cells in rows]
