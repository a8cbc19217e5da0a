"""The checkpoint format both engines share: one .npz file, no pickle.

A checkpoint holds the network's arrays under their state_dict names and, under the key
ARCHITECTURE_KEY, a 0-d unicode array with the JSON of the network's architecture plus
{"format": FORMAT_VERSION}. A network saved by either engine (nn or nn.fast) is read by the
same two functions, so it loads into the other.

Reading trusts the file's bytes, never its word. The archive is read by nn.files.read_npz:
each member's .npy header is checked against the bytes the file really holds and a memory cap
before its data is read. Then, before any layer is built, the architecture is checked as a
structure (`check_architecture`), its size is bounded (at most MAX_PARAMETERS parameters,
counted from the JSON in Python integers), and the file's arrays must be exactly the ones its
layers will hold (`expected_state`: each name, its shape and a float dtype, computed from the
JSON). Non-finite weights, or float64 weights beyond float32's range for a float32 network,
are refused unless allow_non_finite=True. Every error is a CheckpointError (a ValueError)
naming the file; none suggests pickle.
"""

import json
import math
import os
from contextlib import contextmanager

import numpy as np

from nn.files import ArchiveError, read_npz

ARCHITECTURE_KEY = "__architecture__"
FORMAT_VERSION = 1
MAX_ARCHITECTURE_BYTES = 2**20
MAX_PARAMETERS = 50_000_000     # 400 MB of float64 weights, built with as many gradients
DTYPES = ("float32", "float64")

__all__ = ["ARCHITECTURE_KEY", "ArchiveError", "CheckpointError", "checkpoint_path",
           "read_checkpoint", "read_npz", "write_checkpoint"]


class CheckpointError(ArchiveError):
    """A file that is not a checkpoint this format can load: the message names the file."""


def checkpoint_path(path):
    """The path a checkpoint is written to: `path`, with ".npz" added when it lacks it."""
    path = os.fspath(path)
    return path if path.endswith(".npz") else path + ".npz"


def write_checkpoint(path, architecture, state):
    """Write `state` ({name: array}) and `architecture` (a JSON-serialisable dict) to a .npz
    file; returns the path written."""
    path = checkpoint_path(path)
    metadata = dict(architecture, format=FORMAT_VERSION)
    np.savez(path, **{ARCHITECTURE_KEY: np.array(json.dumps(metadata))}, **state)
    return path


def read_checkpoint(path, *, allow_non_finite=False, max_bytes=None, layer_types=None):
    """(architecture, state) from a checkpoint written by write_checkpoint, checked as the
    module notes say, before any network is built; CheckpointError naming the file for
    anything wrong with it. layer_types (a layer registry, {type name: class}) lets layer
    types without a shape rule here be checked by their parameter names."""
    arrays = read_npz(path, max_bytes=max_bytes, error=CheckpointError)
    if ARCHITECTURE_KEY not in arrays:
        raise CheckpointError(f"{path} is not a network checkpoint: no {ARCHITECTURE_KEY!r} entry")
    text = arrays.pop(ARCHITECTURE_KEY)
    if text.dtype.kind != "U" or text.ndim != 0 or text.nbytes > MAX_ARCHITECTURE_BYTES:
        raise CheckpointError(f"{path}: {ARCHITECTURE_KEY!r} must be one JSON string of at most "
                              f"{MAX_ARCHITECTURE_BYTES} bytes, got {text.dtype} {text.shape}")
    try:
        architecture = json.loads(str(text))
    except (json.JSONDecodeError, RecursionError) as reason:
        raise CheckpointError(f"{path}: the architecture is not valid JSON "
                              f"({str(reason)[:200]})") from None
    with checkpoint_errors(path):
        check_architecture(architecture)
        architecture.pop("format", None)
        architecture = without_null_stack(architecture)
        check_state(architecture, arrays, layer_types)
        check_values(arrays, architecture["dtype"], allow_non_finite)
    return architecture, arrays


@contextmanager
def checkpoint_errors(path):
    """Re-raise a ValueError, TypeError or KeyError from building or filling a network from the
    checkpoint at `path` as a CheckpointError that names the file."""
    try:
        yield
    except CheckpointError:
        raise
    except (ValueError, TypeError, KeyError) as reason:
        raise CheckpointError(f"{path}: {reason}") from None


def check_architecture(architecture):
    """ValueError unless `architecture` has the structure write_checkpoint writes: a dict with a
    string "class", a "dtype" of DTYPES, and "sizes" (MLP) or "layers" (Sequential) well formed."""
    if not isinstance(architecture, dict):
        raise ValueError(f"the architecture must be a JSON object, "
                         f"got {type(architecture).__name__}")
    if architecture.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        raise ValueError(f"checkpoint format {architecture['format']!r} is not the supported "
                         f"{FORMAT_VERSION}")
    if not isinstance(architecture.get("class"), str):
        raise ValueError(f"the architecture needs a string 'class', "
                         f"got {architecture.get('class')!r}")
    if architecture.get("dtype") not in DTYPES:
        raise ValueError(f"the architecture's dtype must be one of {DTYPES}, got "
                         f"{architecture.get('dtype')!r}")
    if "sizes" in architecture or architecture["class"] == "MLP":
        sizes = architecture.get("sizes")
        if not (isinstance(sizes, list) and len(sizes) >= 2 and all(map(_is_count, sizes))):
            raise ValueError(f"the architecture's sizes must be a list of at least 2 positive "
                             f"integers, got {sizes!r}")
        stack = architecture.get("stack")
        if stack is not None and not _is_count(stack):
            raise ValueError(f"the architecture's stack must be null or a positive integer, got "
                             f"{stack!r}")
    else:
        layers = architecture.get("layers")
        if not (isinstance(layers, list)
                and all(isinstance(layer, dict) and isinstance(layer.get("type"), str)
                        for layer in layers)):
            raise ValueError(f"the architecture's layers must be a list of objects with a string "
                             f"'type', got {layers!r}"[:300])


def without_null_stack(architecture):
    """The architecture without "stack": null entries (the network's, each layer's). Unstacked
    networks and layers record no stack; files written before that record a null one, and read
    this way they load as the same unstacked network into either engine."""
    def cleaned(entries):
        return {key: value for key, value in entries.items()
                if not (key == "stack" and value is None)}

    architecture = cleaned(architecture)
    if isinstance(architecture.get("layers"), list):
        architecture["layers"] = [cleaned(layer) for layer in architecture["layers"]]
    return architecture


def expected_state(architecture, layer_types=None):
    """{name: shape} of the arrays a network of `architecture` holds, computed from the JSON
    alone (no layer is built): an MLP's Linear layers sit at 0, 2, 4, ...; a Sequential's
    layers hold W, b (Linear, Conv2d, ConvTranspose2d), gamma, beta, running_mean,
    running_var (BatchNorm) or T (MinibatchDiscrimination). A type this module has no rule
    for holds nothing if the registry `layer_types` says it has no parameters or buffers;
    otherwise (or if unknown) ValueError."""
    if "sizes" in architecture:
        sizes, stack = architecture["sizes"], architecture.get("stack")
        linears = ({"type": "Linear", "in_features": fan_in, "out_features": fan_out,
                    "stack": stack} for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
        indexed = zip(range(0, 2 * len(sizes), 2), linears)
    else:
        indexed = enumerate(architecture["layers"])
    state = {}
    for index, layer in indexed:
        for name, shape in _layer_state(layer, layer_types).items():
            state[f"{index}.{name}"] = shape
    return state


def _layer_state(layer, layer_types):
    """{name: shape} of one layer config (see each layer's config())."""
    def count(name, default=None):
        value = layer.get(name, default)
        if not _is_count(value):
            raise ValueError(f"layer {layer['type']}'s {name} must be a positive integer, "
                             f"got {value!r}"[:300])
        return value

    def pair(name):
        value = layer.get(name)
        values = value if isinstance(value, list) else [value, value]
        if len(values) != 2 or not all(map(_is_count, values)):
            raise ValueError(f"layer {layer['type']}'s {name} must be a positive integer or a "
                             f"pair of them, got {value!r}"[:300])
        return tuple(values)

    kind = layer["type"]
    if kind == "Linear":
        members = () if layer.get("stack") is None else (count("stack"),)
        return {"W": members + (count("in_features"), count("out_features")),
                "b": members + (count("out_features"),)}
    if kind in ("Conv2d", "ConvTranspose2d"):
        channels = (count("out_channels"), count("in_channels"))
        order = channels if kind == "Conv2d" else channels[::-1]
        return {"W": order + pair("kernel_size"), "b": (count("out_channels"),)}
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        side = (count("num_features"),)
        return {"gamma": side, "beta": side, "running_mean": side, "running_var": side}
    if kind == "MinibatchDiscrimination":
        return {"T": (count("in_features"), count("kernels"), count("kernel_dim"))}
    layer_class = (layer_types or {}).get(kind)
    if layer_class is None:
        raise ValueError(f"unknown layer type {kind!r}"
                         + (f"; known types: {sorted(layer_types)}" if layer_types else ""))
    if layer_class.parameter_names or layer_class.buffer_names:
        raise ValueError(f"layer type {kind!r} holds arrays but nn.checkpoint has no rule for "
                         f"their shapes")
    return {}


def check_state(architecture, state, layer_types=None):
    """ValueError unless the architecture describes at most MAX_PARAMETERS numbers and `state`
    holds exactly the arrays of expected_state(architecture): the same names, each of that
    shape and of a float dtype (float32 or float64, either byte order)."""
    expected = expected_state(architecture, layer_types)
    total = sum(math.prod(shape) for shape in expected.values())
    if total > MAX_PARAMETERS:
        raise ValueError(f"the architecture describes {total} parameters "
                         f"(~{total * 8 / 2**20:.3g} MiB in float64), more than the "
                         f"{MAX_PARAMETERS} a checkpoint may describe "
                         f"(nn.checkpoint.MAX_PARAMETERS)")
    missing = [name for name in expected if name not in state]
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ValueError(f"the arrays do not match the architecture: missing "
                         f"{missing[:10]}, unexpected {unexpected[:10]}")
    for name, shape in expected.items():
        array = state[name]
        if array.shape != shape:
            raise ValueError(f"array {name!r} has shape {array.shape}, the architecture "
                             f"needs {shape}")
        if array.dtype.kind != "f" or array.dtype.itemsize not in (4, 8):
            raise ValueError(f"array {name!r} must hold float32 or float64, got "
                             f"{array.dtype.name} ({array.dtype.str})")


def check_values(state, dtype, allow_non_finite=False):
    """ValueError for arrays that are not floats, or (unless allow_non_finite) hold NaN or inf
    or values beyond the range of the network's dtype (float64 1e300 would become inf)."""
    largest = float(np.finfo(np.dtype(dtype)).max)
    for name, array in state.items():
        if array.dtype.kind != "f":
            raise ValueError(f"array {name!r} must hold floats, got {array.dtype}")
        if allow_non_finite or array.size == 0:
            continue
        with np.errstate(invalid="ignore"):
            bad = ~(np.abs(array) <= largest)
        if bad.any():
            raise ValueError(f"array {name!r} holds {np.count_nonzero(bad)} values that are not "
                             f"finite in {dtype}, e.g. {array[bad].flat[0]!r}; pass "
                             f"allow_non_finite=True to load them anyway")


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
