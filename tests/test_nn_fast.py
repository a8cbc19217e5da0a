"""The fast engine is a diff of the textbook one: nn/fast/ mirrors nn/ file for file, every fast
class is a subclass of its textbook twin that leaves the constructor and config() to it, the
textbook files know nothing of the fast engine's stacked members, and the two engines keep their
own layer registries and refuse each other's layers inside one network."""

import importlib
import inspect
import pathlib
import re

import numpy as np
import pytest

import nn
import nn.fast
import nn.fast.minibatch_discrimination
import nn.minibatch_discrimination
from nn.fast.layers import LAYER_TYPES as FAST_LAYER_TYPES
from nn.layers import LAYER_TYPES as TEXTBOOK_LAYER_TYPES

NN = pathlib.Path(nn.__file__).parent
# the textbook modules with classes (nn's other files are helpers both engines share)
TWINNED = ("layers", "activations", "network", "optim", "losses", "conv", "norm", "shape",
           "minibatch_discrimination")
SHARED = ("init", "checks", "checkpoint", "files", "gradcheck", "threads")
FAST_ONLY = ("im2col",)
# what a fast class may define although its textbook twin has it: stack=E is the fast engine's
# own argument, so Linear and MLP take it in their constructor and record it (any other fast
# constructor only extends its twin's, see below)
ADDS_STACK = {"Linear": {"__init__", "config"}, "MLP": {"__init__", "architecture"}}
WRITTEN_ONCE = {"__init__", "config", "architecture", "state_dict", "load_state_dict", "save",
                "_load_new", "_load_into", "copy", "from_architecture", "_build", "train", "eval"}


def _public_classes(module):
    return {name: value for name, value in vars(module).items()
            if inspect.isclass(value) and value.__module__ == module.__name__
            and not name.startswith("_")}


def test_nn_fast_holds_the_files_of_nn_and_one_helper():
    textbook_files = {path.stem for path in NN.glob("*.py")} - {"__init__"}
    fast_files = {path.stem for path in (NN / "fast").glob("*.py")} - {"__init__"}
    assert textbook_files == set(TWINNED) | set(SHARED)
    assert fast_files == set(TWINNED) | set(FAST_ONLY)
    assert all(name in nn.fast.__doc__ for name in FAST_ONLY)


@pytest.mark.parametrize("module_name", TWINNED)
def test_every_textbook_class_has_a_fast_subclass_of_the_same_name(module_name):
    textbook = importlib.import_module(f"nn.{module_name}")
    fast = importlib.import_module(f"nn.fast.{module_name}")
    for name, textbook_class in _public_classes(textbook).items():
        fast_class = getattr(fast, name, None)
        assert inspect.isclass(fast_class), f"nn.fast.{module_name} has no {name}"
        assert fast_class.__module__ == fast.__name__, name
        assert issubclass(fast_class, textbook_class), name


@pytest.mark.parametrize("module_name", TWINNED)
def test_fast_classes_leave_constructor_config_and_checkpoints_to_their_twins(module_name):
    fast = importlib.import_module(f"nn.fast.{module_name}")
    for name, fast_class in _public_classes(fast).items():
        twins = [base for base in fast_class.__mro__[1:] if base.__module__.startswith("nn.")
                 and not base.__module__.startswith("nn.fast")]
        if not twins:
            continue            # a fast-only class (Memberwise optimisers)
        written_here = set(vars(fast_class)) & WRITTEN_ONCE
        if "__init__" in written_here and name not in ADDS_STACK:
            # a constructor here may only extend the textbook's (a flat buffer, a scratch array)
            assert "super().__init__(" in inspect.getsource(fast_class.__init__), name
            written_here.remove("__init__")
        assert written_here <= ADDS_STACK.get(name, set()), (name, written_here)


@pytest.mark.parametrize("module_name", TWINNED)
def test_textbook_modules_mention_no_stacked_members(module_name):
    source = (NN / f"{module_name}.py").read_text()
    assert not re.search(r"\bstack", source), module_name


def test_each_engine_registers_and_rebuilds_its_own_layers():
    assert set(TEXTBOOK_LAYER_TYPES) == set(FAST_LAYER_TYPES)
    rng = np.random.default_rng(0)
    for name in TEXTBOOK_LAYER_TYPES:
        textbook_class, fast_class = TEXTBOOK_LAYER_TYPES[name], FAST_LAYER_TYPES[name]
        assert not textbook_class.__module__.startswith("nn.fast"), name
        assert fast_class.__module__.startswith("nn.fast."), name
        assert issubclass(fast_class, textbook_class), name
    pairs = [(nn.Linear(3, 2, rng), nn.fast.Linear(3, 2, rng)),
             (nn.LeakyReLU(0.1), nn.fast.LeakyReLU(0.1)),
             (nn.Conv2d(1, 2, 3, rng=rng), nn.fast.Conv2d(1, 2, 3, rng=rng))]
    for textbook_layer, fast_layer in pairs:
        assert textbook_layer.config() == fast_layer.config()
        config = textbook_layer.config()
        assert type(nn.layers.layer_from_config(config)) is type(textbook_layer)
        assert type(nn.fast.layers.layer_from_config(config)) is type(fast_layer)


@pytest.mark.parametrize("outer, inner", [(nn, nn.fast), (nn.fast, nn)])
def test_a_network_refuses_the_layers_of_the_other_engine(outer, inner):
    rng = np.random.default_rng(1)
    with pytest.raises(TypeError, match=r"layers\[1\] must be a Layer of"):
        outer.Sequential([outer.Linear(2, 3, rng), inner.Tanh(), outer.Linear(3, 1, rng)])
    with pytest.raises(TypeError, match=r"layers\[0\] must be a Layer of"):
        outer.Sequential([inner.Linear(2, 3, rng)])


def test_an_unstacked_fast_network_records_the_textbook_architecture():
    rng = np.random.default_rng(2)
    fast = nn.fast.MLP([2, 4, 1], "tanh", rng=rng)
    textbook = nn.MLP([2, 4, 1], "tanh", rng=np.random.default_rng(2))
    assert fast.architecture() == textbook.architecture()
    assert "stack" in nn.fast.MLP([2, 4, 1], rng=rng, stack=3).architecture()
