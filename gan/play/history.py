"""A bounded record of a live run: every update's losses, and the JSD at each view.

A run on the page may go on for hours, so nothing here grows without bound. A `Series` keeps
at most ``capacity`` rows that cover the whole run evenly: it keeps every ``stride``-th row
offered, and when it is full it drops every other row and doubles the stride. Memory stays
capacity x columns numbers; the chart always spans step 1 to now.
"""

from __future__ import annotations

import math

import numpy as np

CAPACITY = 4096
KINDS = {"iteration": 0, "d": 1, "g": 2}


class Series:
    """Rows of numbers, thinned evenly once ``capacity`` is reached (see the module docstring)."""

    def __init__(self, names, capacity=CAPACITY):
        if capacity < 2 or capacity % 2:
            raise ValueError(f"capacity must be an even integer >= 2, got {capacity!r}")
        self.names = tuple(names)
        self.data = np.empty((capacity, len(self.names)))
        self.size = 0          # rows held
        self.stride = 1        # one row kept per stride rows offered
        self.offered = 0

    def add(self, row):
        self.offered += 1
        if (self.offered - 1) % self.stride:
            return
        capacity = len(self.data)
        if self.size == capacity:                          # keep rows 0, 2s, 4s, ...
            self.data[: capacity // 2] = self.data[0:capacity:2]
            self.size, self.stride = capacity // 2, 2 * self.stride
            if (self.offered - 1) % self.stride:
                return
        self.data[self.size] = row
        self.size += 1

    def last(self, column):
        return self.data[self.size - 1, self.names.index(column)] if self.size else None

    def to_json(self, max_points):
        """At most about ``max_points`` evenly spaced rows (the last one always), as lists by
        column name; non-finite numbers become None (JSON has no NaN)."""
        rows = self.data[: self.size]
        if self.size > max_points:
            index = np.unique(np.append(np.arange(0, self.size, math.ceil(
                self.size / max_points)), self.size - 1))
            rows = rows[index]
        return {name: json_numbers(rows[:, i]) for i, name in enumerate(self.names)}


def json_numbers(values, digits=6):
    """A float array as a list for JSON: rounded to ``digits`` decimals, NaN and inf as None."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    rounded = np.round(values, digits).tolist()
    if finite.all():
        return rounded
    return [v if ok else None for v, ok in zip(rounded, finite.tolist())]


class SessionLog:
    """The losses of every update (t counts updates: an iteration, a lone D or G step) and the
    exact JSD at every view."""

    def __init__(self, capacity=CAPACITY):
        self.t = 0
        self.losses = Series(("t", "kind", "d_loss", "value", "g_loss"), capacity)
        self.jsd = Series(("t", "jsd"), capacity)
        self.jsd_at = None                             # the t of the last JSD offered

    def record(self, kind, d_loss, value, g_loss):
        self.t += 1
        self.losses.add((self.t, KINDS[kind], d_loss, value, g_loss))

    def record_jsd(self, jsd):
        if self.jsd_at != self.t:                      # one value per state of the players
            self.jsd_at = self.t
            self.jsd.add((self.t, jsd))

    def to_json(self, max_points=400):
        return {"t": self.t, "losses": self.losses.to_json(max_points),
                "jsd": self.jsd.to_json(max_points)}
