"""The grader's machinery: properties, their expectations, finite differences, parts and scores.

A part of the course is graded by a function ``check(grader)`` that states properties of the
student's code, each in a block:

    with grader.property("dL/dW = x^T dL/dy, against finite differences") as prop:
        prop.close(layer.grad_W, numerical, "dL/dW", "finite differences", name="W")

An expectation that fails records a message naming what differs and where ("dL/dW differs from
finite differences at W[0, 1]: 0.31 vs 0.12"). An exception inside a block fails that property
only -- NotImplementedError, the student edition's blank, as "not implemented" -- and the next
property runs. A part's score is its share of properties that hold; it passes when all hold.
"""

from __future__ import annotations

import contextlib
import time
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

MAX_MESSAGES = 3          # failure messages kept per property


class Property:
    """One property of a part: its name, whether every expectation held, and why not."""

    def __init__(self, name):
        self.name = name
        self.messages = []
        self.not_implemented = False
        self.checked = 0

    @property
    def passed(self):
        return not self.messages and self.checked > 0

    def fail(self, message):
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)
        return False

    def expect(self, condition, message):
        """Holds when `condition` is true; otherwise records `message`. Returns the condition."""
        self.checked += 1
        return True if bool(condition) else self.fail(message)

    def close(self, actual, expected, what, against, name=None, rtol=1e-6, atol=1e-9):
        """|actual - expected| <= atol + rtol |expected| elementwise, else the worst element (the
        largest excess over the tolerance):
        "<what> differs from <against> at <name>[i, j]: <actual> vs <expected>"."""
        self.checked += 1
        expected = np.asarray(expected, dtype=np.float64)
        try:
            actual = np.asarray(actual, dtype=np.float64)
        except (TypeError, ValueError):
            return self.fail(f"{what} is not an array of numbers: got {type(actual).__name__}")
        if actual.shape != expected.shape:
            return self.fail(f"{what} has shape {actual.shape}, expected {expected.shape} "
                             f"(as {against})")
        if not np.all(np.isfinite(actual)):
            index = tuple(int(i) for i in np.argwhere(~np.isfinite(actual))[0])
            return self.fail(f"{what} is not finite{_where(name, index)}: {actual[index]!r}")
        excess = np.abs(actual - expected) - (atol + rtol * np.abs(expected))
        if np.all(excess <= 0):
            return True
        index = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
        index = tuple(int(i) for i in index)
        return self.fail(f"{what} differs from {against}{_where(name, index)}: "
                         f"{actual[index]:.6g} vs {expected[index]:.6g}")


def _where(name, index):
    """' at W[0, 1]' for name 'W' and index (0, 1), ' at [0, 1]' without a name, ' at W' for a
    named scalar, '' for an unnamed one (the message's subject already says what it is)."""
    inside = f"[{', '.join(str(i) for i in index)}]" if index else ""
    return f" at {name or ''}{inside}" if name or inside else ""


class Grader:
    """Collects the properties one part states, each run in its own `property` block."""

    def __init__(self):
        self.properties = []

    @contextlib.contextmanager
    def property(self, name):
        prop = Property(name)
        self.properties.append(prop)
        try:
            yield prop
        except NotImplementedError as error:
            prop.not_implemented = True
            prop.fail(f"not implemented ({error})" if str(error) else "not implemented")
        except Exception as error:                   # the student's code, whatever it raises
            prop.fail(f"raised {_describe(error)}")


def _describe(error):
    """'ValueError: message (nn/layers.py:88)': the exception and the last frame it passed."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({_short_path(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}{where}" if text else f"{type(error).__name__}{where}"


def _short_path(filename):
    parts = filename.replace("\\", "/").split("/")
    for top in ("rng", "nn", "gan"):
        if top in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(top):])
    return parts[-1]


# ---- finite differences -------------------------------------------------------------------
def finite_differences(f, array, h=1e-6):
    """df/da_i ~ (f(a + h e_i) - f(a - h e_i)) / (2 h) for every element of `array`, perturbed
    in place and restored (central differences: truncation error h^2 f''' / 6)."""
    gradient = np.zeros(array.shape)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + h
        above = float(f())
        array[index] = original - h
        below = float(f())
        array[index] = original
        gradient[index] = (above - below) / (2 * h)
    return gradient


# ---- parts and their results --------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """A graded part: its name, its points, what it checks (one line) and the check."""

    name: str
    max_score: float
    statement: str
    check: object


@dataclass
class PartResult:
    """What grading one part found: its properties (each held or not, and why), or an error
    raised outside them."""

    name: str
    max_score: float
    statement: str = ""
    properties: list = field(default_factory=list)
    error: str = ""          # an exception outside any property block
    seconds: float = 0.0

    @property
    def not_implemented(self):
        return any(prop.not_implemented for prop in self.properties)

    @property
    def passed(self):
        return not self.error and bool(self.properties) and all(
            prop.passed for prop in self.properties)

    @property
    def score(self):
        """max_score times the share of properties that hold (0 after an error outside them)."""
        if self.error or not self.properties:
            return 0.0
        held = sum(prop.passed for prop in self.properties)
        return round(self.max_score * held / len(self.properties), 2)

    @property
    def status(self):
        if self.passed:
            return "passed"
        if self.not_implemented:
            return "not implemented"
        return "error" if self.error else "failed"

    def summary(self):
        """One line: what held, or the first failure (naming the property and where)."""
        if self.error:
            return f"error: {self.error}"
        failed = [prop for prop in self.properties if not prop.passed]
        if not failed:
            return f"all {len(self.properties)} properties hold"
        if self.not_implemented:
            blanks = [prop for prop in self.properties if prop.not_implemented]
            return (f"{blanks[0].messages[0]}; {len(blanks)} of {len(self.properties)} "
                    f"properties reach a NotImplementedError")
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        first = failed[0]
        message = first.messages[0] if first.messages else "no expectation was checked"
        return f"{message}{more}"

    def report(self):
        """Every property, one line each, with the failures' messages below it."""
        lines = [f"{self.name}: {self.status}, {self.score:g} / {self.max_score:g}"
                 + (f" -- {self.statement}" if self.statement else "")]
        if self.error:
            lines.append(f"  error: {self.error}")
        for prop in self.properties:
            lines.append(f"  [{'ok' if prop.passed else 'FAIL'}] {prop.name}")
            lines.extend(f"        {message}" for message in prop.messages)
        return "\n".join(lines)


def run_part(part):
    """Grade one part; nothing it raises escapes."""
    grader = Grader()
    started = time.perf_counter()
    result = PartResult(part.name, part.max_score, part.statement, grader.properties)
    try:
        # A student's NaN or overflow is reported by the property it breaks, not as a warning.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            part.check(grader)
    except NotImplementedError as error:
        prop = Property("the part runs")
        prop.not_implemented = True
        prop.fail(f"not implemented ({error})" if str(error) else "not implemented")
        grader.properties.append(prop)
    except Exception as error:                        # setup code of the part, or an import
        result.error = f"raised {_describe(error)}"
    result.seconds = time.perf_counter() - started
    return result


def run_parts(parts):
    """Grade each part in turn; an exception in one never stops the others."""
    return [run_part(part) for part in parts]


def score_table(results):
    """The table printed by ``python -m gan check``: part, score, max score, one line."""
    width = max([len("part")] + [len(result.name) for result in results])
    lines = [f"{'part':<{width}}  {'score':>6}  {'max':>4}  result",
             f"{'-' * width}  {'-' * 6}  {'-' * 4}  {'-' * 40}"]
    for result in results:
        lines.append(f"{result.name:<{width}}  {result.score:>6g}  {result.max_score:>4g}  "
                     f"{result.summary()}")
    total = sum(result.score for result in results)
    maximum = sum(result.max_score for result in results)
    lines.append(f"{'-' * width}  {'-' * 6}  {'-' * 4}")
    passed = sum(result.passed for result in results)
    lines.append(f"{'total':<{width}}  {round(total, 2):>6g}  {maximum:>4g}  "
                 f"{passed} of {len(results)} parts pass")
    return "\n".join(lines)
