"""The checkpoint format both engines share: one .npz file, no pickle.

A checkpoint holds the network's arrays under their state_dict names and, under the key
ARCHITECTURE_KEY, a 0-d unicode array with the JSON of the network's architecture plus
{"format": FORMAT_VERSION}. A network saved by either engine (nn or nn.fast) is read by the
same two functions, so it loads into the other.

Reading trusts the file's bytes, never its word. Before any entry is read, the zip's directory
is checked: at most MAX_ENTRIES entries, each a .npy, their declared uncompressed sizes summing
to at most `byte_limit(path)` (Python integers: no product wraps around). Each entry's .npy
header is parsed first; its shape times its item size must fit in the size the zip declared, and
zipfile stops decompressing at that size, so a deflate bomb allocates nothing beyond the limit.
The architecture is validated as a structure (`check_architecture`) and the parameters it
describes must be held by the file's arrays (`check_parameter_count`) before any network is
built. Non-finite weights, or float64 weights beyond float32's range for a float32 network, are
refused unless allow_non_finite=True. Every error is a CheckpointError (a ValueError) naming the
file; none suggests pickle.
"""

import json
import math
import os
import zipfile
from contextlib import contextmanager

import numpy as np

ARCHITECTURE_KEY = "__architecture__"
FORMAT_VERSION = 1
MAX_ENTRIES = 10_000
MIN_BYTE_LIMIT = 64 * 2**20         # bytes any checkpoint may expand to
EXPANSION_LIMIT = 16                # beyond that, at most this many times the file's size
MAX_ARCHITECTURE_BYTES = 2**20
DTYPES = ("float32", "float64")


class ArchiveError(ValueError):
    """An .npz archive that cannot be read safely: the message names the file and the reason."""


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


def byte_limit(path):
    """The most the entries of the archive at `path` may expand to: max(64 MiB, 16 x its size)
    (.npz files from np.savez are stored, not compressed: ~1 x)."""
    return max(MIN_BYTE_LIMIT, EXPANSION_LIMIT * os.path.getsize(path))


def read_npz(path, *, max_bytes=None, error=ArchiveError):
    """{name: array} of an .npz archive, read on its real size (see the module notes); raises
    `error` (ArchiveError by default) naming the file. max_bytes overrides `byte_limit`."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise error(f"{path}: no such file")
    limit = byte_limit(path) if max_bytes is None else max_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            entries = _checked_entries(path, archive.infolist(), limit, error)
            return {name: _read_entry(path, archive, info, error) for name, info in entries}
    except zipfile.BadZipFile as reason:
        raise error(f"{path}: not a readable .npz archive (a zip of .npy files): "
                    f"{reason}") from None
    except (EOFError, OSError, zipfile.LargeZipFile) as reason:
        raise error(f"{path}: truncated or corrupt .npz archive ({reason})") from None


def _checked_entries(path, infos, limit, error):
    if len(infos) > MAX_ENTRIES:
        raise error(f"{path}: {len(infos)} entries, more than the {MAX_ENTRIES} allowed")
    declared = sum(info.file_size for info in infos)
    if declared > limit:
        raise error(f"{path}: its entries declare {declared} bytes uncompressed, more than the "
                    f"limit of {limit} bytes for a file of {os.path.getsize(path)} bytes")
    entries = []
    for info in infos:
        if not info.filename.endswith(".npy"):
            raise error(f"{path}: entry {info.filename!r} is not a .npy array")
        entries.append((info.filename[:-4], info))
    names = [name for name, _ in entries]
    if len(set(names)) != len(names):
        raise error(f"{path}: repeated entry names")
    return entries


def _read_entry(path, archive, info, error):
    """One .npy entry: header parsed and its data size checked against the declared size, then
    the data read into an array of exactly that size."""
    with archive.open(info) as stream:
        try:
            version = np.lib.format.read_magic(stream)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:
                raise ValueError(f"unsupported .npy format version {version}")
            shape, fortran, dtype = read_header(stream)
        except (ValueError, SyntaxError, EOFError) as reason:
            raise error(f"{path}: entry {info.filename!r} has no valid .npy header "
                        f"({reason})") from None
        if dtype.hasobject:
            raise error(f"{path}: entry {info.filename!r} holds Python objects ({dtype}); "
                        f"only numeric arrays are read")
        needed = math.prod(int(side) for side in shape) * dtype.itemsize
        if needed > info.file_size - stream.tell():
            raise error(f"{path}: entry {info.filename!r} declares shape {shape} of {dtype} "
                        f"({needed} bytes) in {info.file_size} bytes")
        data = np.empty(needed, dtype=np.uint8)
        filled, view = 0, memoryview(data)
        while filled < needed:
            count = stream.readinto(view[filled:])
            if not count:
                raise error(f"{path}: entry {info.filename!r} is truncated: {filled} of "
                            f"{needed} bytes")
            filled += count
        if stream.read(1):                   # and at the end, zipfile checks the CRC-32
            raise error(f"{path}: entry {info.filename!r} has bytes after its array")
    return data.view(dtype).reshape(shape, order="F" if fortran else "C")


def read_checkpoint(path, *, allow_non_finite=False, max_bytes=None):
    """(architecture, state) from a checkpoint written by write_checkpoint, checked as the
    module notes say; CheckpointError naming the file for anything wrong with it."""
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
        raise CheckpointError(f"{path}: the architecture is not valid JSON ({reason})") from None
    with checkpoint_errors(path):
        check_architecture(architecture)
        architecture.pop("format", None)
        architecture = without_null_stack(architecture)
        check_parameter_count(architecture, arrays)
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


def parameter_count(architecture):
    """Numbers of parameters and buffers the architecture describes (a lower bound for layer
    types it does not know, which count 0). Python integers: no overflow."""
    if "sizes" in architecture:
        sizes, members = architecture["sizes"], architecture.get("stack") or 1
        return members * sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    return sum(_layer_count(layer) for layer in architecture["layers"])


def _layer_count(layer):
    """Parameters and buffers of one layer config (see each layer's config())."""
    def count(name, default=None):
        value = layer.get(name, default)
        values = value if isinstance(value, list) else [value]
        if not values or not all(map(_is_count, values)):
            raise ValueError(f"layer {layer['type']}'s {name} must be a positive integer, "
                             f"got {value!r}")
        return math.prod(values)

    kind = layer["type"]
    if kind == "Linear":
        members = 1 if layer.get("stack") is None else count("stack")
        return members * (count("in_features") + 1) * count("out_features")
    if kind in ("Conv2d", "ConvTranspose2d"):
        kernel = layer.get("kernel_size")
        area = count("kernel_size") ** (2 if not isinstance(kernel, list) else 1)
        return count("out_channels") * (count("in_channels") * area + 1)
    if kind.startswith("BatchNorm"):
        return 4 * count("num_features")            # gamma, beta, running mean and variance
    if kind == "MinibatchDiscrimination":
        return count("in_features") * count("kernels") * count("kernel_dim")
    return 0


def check_parameter_count(architecture, state):
    """ValueError if the architecture describes more parameters than the arrays in `state`
    hold: a network of that size is never built from a file that cannot fill it."""
    needed = parameter_count(architecture)
    held = sum(int(np.size(array)) for array in state.values())
    if needed > held:
        raise ValueError(f"the architecture describes {needed} parameters "
                         f"(~{needed * 8 / 2**20:.3g} MiB in float64) but the file's arrays hold "
                         f"only {held} values")


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
