"""The code you read is the code that ran: one iteration of the default `python -m gan train`,
traced line by line, runs only the files of the README's reading path, on the textbook engine and
the textbook random stream, in few enough lines to read in a sitting.

The trace starts in `train`'s callback after one step and stops in the callback after the next,
so it holds everything Algorithm 1's loop does between two steps: the learning-rate schedule,
k D updates and one G update, the divergence checks and the bookkeeping of the loop itself.
"""

import sys
from pathlib import Path

import pytest

from gan.config import GANConfig
from gan.train import train

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rng", "nn", "gan")
# The files the README's reading path names for one iteration, in the order a learner reads them:
# the mathematics, then the guard against a run that blows up and the argument checks at the
# public functions the loop calls (Normal.sample, Generator.standard_normal).
READING_PATH = (
    "gan/train.py", "gan/game.py", "gan/objectives.py", "gan/distributions/parametric.py",
    "nn/network.py", "nn/layers.py", "nn/activations.py", "nn/optim.py",
    "rng/generator.py", "rng/lcg.py", "rng/normal.py",
    "gan/divergence.py", "gan/distributions/_checks.py", "rng/arguments.py",
)
# A ceiling, so the path cannot quietly grow: 175 lines ran when it was set (70 of gan, 54 of
# nn, 37 of rng, 14 of them argument checks). The fast engine's iteration runs over 250.
MAX_LINES, MAX_FILES = 180, len(READING_PATH)


def trace_one_iteration(config, at_step=10):
    """{project file: set of line numbers} executed between the callbacks of steps ``at_step``
    and ``at_step + 1`` of ``train(config)``."""
    executed = {}

    def tracer(frame, event, arg):
        path = Path(frame.f_code.co_filename).resolve()
        if path.is_relative_to(ROOT) and path.relative_to(ROOT).parts[0] in PACKAGES:
            if event == "line":
                executed.setdefault(path.relative_to(ROOT).as_posix(), set()).add(frame.f_lineno)
            return tracer
        return None     # frames outside the project (NumPy, the standard library) are not read

    def callback(step, losses):
        if step == at_step:
            sys.settrace(tracer)
            caller = sys._getframe().f_back          # the training loop itself, already running
            while caller is not None:
                caller.f_trace = tracer
                caller = caller.f_back
        elif step == at_step + 1:
            sys.settrace(None)
            caller = sys._getframe().f_back
            while caller is not None:
                caller.f_trace = None
                caller = caller.f_back

    previous = sys.gettrace()
    try:
        train(config, callback=callback)
    finally:
        sys.settrace(previous)
    callback_file = Path(__file__).resolve()
    executed.pop(callback_file.relative_to(ROOT).as_posix(), None)
    return executed


@pytest.fixture(scope="module")
def default_iteration():
    # The default config, but 20 steps: the loop's code is the same at any length, and steps 10 to
    # 11 take no snapshot and do no averaging (those happen every 100 steps and in the last 25%).
    return trace_one_iteration(GANConfig(steps=20))


def test_one_default_iteration_runs_few_lines_in_few_files(default_iteration):
    lines = sum(len(numbers) for numbers in default_iteration.values())
    report = ", ".join(f"{name} {len(numbers)}" for name, numbers in
                       sorted(default_iteration.items()))
    assert lines <= MAX_LINES, f"{lines} lines ran: {report}"
    assert len(default_iteration) <= MAX_FILES, f"{len(default_iteration)} files ran: {report}"


def test_one_default_iteration_runs_only_the_reading_path(default_iteration):
    # nothing of the fast engine or the fast random stream, nothing a learner is not pointed to
    assert set(default_iteration) <= set(READING_PATH), sorted(set(default_iteration)
                                                             - set(READING_PATH))
    for name in default_iteration:
        assert not name.startswith("nn/fast/") and name not in ("rng/fast.py", "rng/streams.py")


def test_the_fast_engine_runs_elsewhere():
    # The check is not blind: the same trace with --engine fast leaves the reading path.
    executed = trace_one_iteration(GANConfig(steps=20, engine="fast"))
    assert any(name.startswith("nn/fast/") for name in executed)
