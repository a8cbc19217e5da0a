"""Crafted files for the readers' tests: bombs, truncations, huge declared sizes, NaN weights.

Each builder writes one file into a folder and returns its path; CRAFTED lists them with the
loader that must refuse them and the error type it must raise. `run_under_limit` loads a file in
a fresh Python process under resource.setrlimit(RLIMIT_AS) and reports what happened and the
process's peak resident memory.

    python tests/crafted_files.py [--large]     prints the table of outcomes and memory peaks
                                                (--large: the bombs expand to 2 GiB, not 256 MiB)
"""

import gzip
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 1 << 30          # RLIMIT_AS of the loading process: 1 GiB of address space
CHUNK = 1 << 20


def _npy_header(shape, dtype="<f8"):
    header = {"descr": dtype, "fortran_order": False, "shape": tuple(shape)}
    text = repr(header).encode("latin1")
    text += b" " * (63 - (len(text) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text


def _deflate_zeros(prefix, size):
    """A deflate stream of prefix + `size` zero bytes, made chunk by chunk (little memory)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts, crc, zeros = [compressor.compress(prefix)], zlib.crc32(prefix), bytes(CHUNK)
    for _ in range(size // CHUNK):
        parts.append(compressor.compress(zeros))
        crc = zlib.crc32(zeros, crc)
    parts.append(compressor.flush())
    return b"".join(parts), crc


def _zip_one_entry(path, name, data, crc, compressed_size, declared_size):
    """A zip file with one deflated entry whose headers declare `declared_size` bytes."""
    name = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, compressed_size,
                        declared_size, len(name), 0) + name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                          compressed_size, declared_size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                      len(local) + len(data), 0)
    path.write_bytes(local + data + central + end)
    return path


def npz_bomb(folder, expands_to=256 << 20):
    """An honest deflate bomb: a few hundred KB whose entry declares and expands to
    `expands_to` bytes of a float64 array."""
    header = _npy_header((expands_to // 8,))
    data, crc = _deflate_zeros(header, expands_to)
    return _zip_one_entry(folder / "bomb.npz", "W.npy", data, crc, len(data),
                          len(header) + expands_to)


def npz_bomb_declared_small(folder, expands_to=256 << 20):
    """A lying bomb: the zip declares 1 KB, the .npy header and the stream say `expands_to`."""
    header = _npy_header((expands_to // 8,))
    data, crc = _deflate_zeros(header, expands_to)
    return _zip_one_entry(folder / "liar.npz", "W.npy", data, crc, len(data), 1024)


def npy_header_lies(folder):
    """An honest zip whose 1 KB .npy entry's header claims 10^9 float64 values (8 GB)."""
    path = folder / "header.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("W.npy", _npy_header((10**9,)) + bytes(900))
    return path


def checkpoint_of(folder, name, architecture, state):
    path = folder / name
    np.savez(path, __architecture__=np.array(json.dumps({**architecture, "format": 1})), **state)
    return path


def _mlp(sizes, dtype="float64"):
    return {"class": "MLP", "sizes": sizes, "activation": {"type": "LeakyReLU", "slope": 0.2},
            "output_activation": None, "stack": None, "dtype": dtype}


def _mlp_state(value=0.0, dtype=np.float64):
    return {"0.W": np.full((1, 4), value, dtype), "0.b": np.zeros(4, dtype),
            "2.W": np.zeros((4, 1), dtype), "2.b": np.zeros(1, dtype)}


def huge_architecture(folder):
    """2 KB, whose architecture [1, 15000, 15000, 1] would need 1.8 GB of weights."""
    return checkpoint_of(folder, "huge.npz", _mlp([1, 15000, 15000, 1]), _mlp_state())


def nan_weights(folder):
    return checkpoint_of(folder, "nan.npz", _mlp([1, 4, 1]), _mlp_state(np.nan))


def inf_weights(folder):
    return checkpoint_of(folder, "inf.npz", _mlp([1, 4, 1]), _mlp_state(np.inf))


def beyond_float32(folder):
    """float64 weights of 1e300 in a float32 network's checkpoint (they would become inf)."""
    return checkpoint_of(folder, "big32.npz", _mlp([1, 4, 1], "float32"), _mlp_state(1e300))


def truncated_checkpoint(folder):
    good = checkpoint_of(folder, "good.npz", _mlp([1, 4, 1]), _mlp_state(0.5))
    path = folder / "truncated.npz"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return path


def empty_checkpoint(folder):
    path = folder / "empty.npz"
    path.write_bytes(b"")
    return path


def text_as_npz(folder):
    path = folder / "text.npz"
    path.write_text("these are not weights\n")
    return path


def bad_json(folder):
    path = folder / "badjson.npz"
    np.savez(path, __architecture__=np.array("{'class': 'MLP',"), **_mlp_state())
    return path


def no_sizes(folder):
    architecture = _mlp([1, 4, 1])
    del architecture["sizes"]
    return checkpoint_of(folder, "nosizes.npz", architecture, _mlp_state())


def layers_not_a_list(folder):
    return checkpoint_of(folder, "layers.npz",
                         {"class": "Sequential", "layers": 7, "dtype": "float64"}, _mlp_state())


def object_entry(folder):
    """An entry that only pickle could read."""
    path = folder / "object.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__architecture__.npy", _npy_header((), "|O") + b"\x80\x04N.")
    return path


def idx_gzip_huge_declared(folder):
    """A small gzip IDX file whose header declares 65536 x 65536 bytes (4.3 GB)."""
    path = folder / "huge-idx3-ubyte.gz"
    header = bytes([0, 0, 0x08, 2]) + struct.pack(">2i", 65536, 65536)
    path.write_bytes(gzip.compress(header + bytes(CHUNK), mtime=0))
    return path


def idx_wrapping_sizes(folder):
    """(65536,) x 4 uint8: the int64 product of the sizes wraps around to 0."""
    path = folder / "wrap-idx4-ubyte"
    path.write_bytes(bytes([0, 0, 0x08, 4]) + struct.pack(">4i", *[65536] * 4))
    return path


def idx_gzip_bomb(folder, expands_to=256 << 20):
    """A gzip IDX file whose header is honest: (n, 1024, 1024) uint8 that really decompresses
    to `expands_to` bytes of zeros, from a file of a few hundred KB."""
    path = folder / "bomb-idx3-ubyte.gz"
    header = bytes([0, 0, 0x08, 3]) + struct.pack(">3i", expands_to // CHUNK, 1024, 1024)
    with gzip.open(path, "wb", compresslevel=9) as file:
        file.write(header)
        zeros = bytes(CHUNK)
        for _ in range(expands_to // CHUNK):
            file.write(zeros)
    return path


def idx_truncated(folder):
    path = folder / "short-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 0x08, 1]) + struct.pack(">i", 1000)
                                   + bytes(10), mtime=0))
    return path


CHECKPOINT = "from nn.fast import MLP; MLP.load({path!r})"
IDX = "from gan.digits.datasets.idx import read_idx; read_idx({path!r})"
IMAGES = "from gan.digits.datasets.images import load_images; load_images({path!r})"
DATA = "from gan.digits.data import locate_data; locate_data({path!r})"

CRAFTED = [  # (builder, loader, error type, a piece of the message)
    (npz_bomb, CHECKPOINT, "CheckpointError", "declare"),
    (npz_bomb_declared_small, CHECKPOINT, "CheckpointError", "Bad CRC-32"),
    (npy_header_lies, CHECKPOINT, "CheckpointError", "(8000000000 bytes) in"),
    (npz_bomb, IMAGES, "DataFileError", "declare"),
    (npz_bomb, DATA, "DataFileError", "declare"),
    (huge_architecture, CHECKPOINT, "CheckpointError", "describes 225060001 parameters"),
    (nan_weights, CHECKPOINT, "CheckpointError", "not finite in float64"),
    (inf_weights, CHECKPOINT, "CheckpointError", "not finite in float64"),
    (beyond_float32, CHECKPOINT, "CheckpointError", "not finite in float32"),
    (truncated_checkpoint, CHECKPOINT, "CheckpointError", "not a readable .npz"),
    (empty_checkpoint, CHECKPOINT, "CheckpointError", "not a readable .npz"),
    (text_as_npz, CHECKPOINT, "CheckpointError", "not a readable .npz"),
    (bad_json, CHECKPOINT, "CheckpointError", "not valid JSON"),
    (no_sizes, CHECKPOINT, "CheckpointError", "sizes must be a list"),
    (layers_not_a_list, CHECKPOINT, "CheckpointError", "layers must be a list"),
    (object_entry, CHECKPOINT, "CheckpointError", "holds Python objects"),
    (idx_gzip_huge_declared, IDX, "DataFileError", "declares shape (65536, 65536)"),
    (idx_wrapping_sizes, IDX, "DataFileError", "truncated"),
    (idx_gzip_bomb, IDX, "DataFileError", "more than the limit"),
    (idx_gzip_bomb, IMAGES, "DataFileError", "more than the limit"),
    (idx_truncated, IDX, "DataFileError", "truncated"),
]

_PROBE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
outcome = {{"error": None, "message": ""}}
try:
    {loader}
except BaseException as error:
    outcome = {{"error": type(error).__name__, "message": str(error)}}
try:   # VmHWM: this process's own peak (ru_maxrss may carry the forking parent's)
    status = open("/proc/self/status").read()
    outcome["peak_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(outcome))
"""


def run_under_limit(loader, path, limit=MEMORY_LIMIT, timeout=120):
    """{"error", "message", "peak_mb"} of `loader` run on `path` in a fresh process under
    RLIMIT_AS = limit (peak_mb: its peak resident memory, VmHWM, imports included)."""
    code = _PROBE.format(limit=limit, loader=loader.format(path=str(path)))
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}", "message": done.stderr[-500:], "peak_mb": 0}
    return json.loads(lines[-1])


def main():
    import tempfile

    large = "--large" in sys.argv
    print(f"{'file':28} {'loader':10} {'size KB':>9} {'peak MB':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for builder, loader, expected, fragment in CRAFTED:
            kwargs = {"expands_to": 2 << 30} if large and "bomb" in builder.__name__ else {}
            path = builder(Path(folder), **kwargs)
            outcome = run_under_limit(loader, path)
            clear = outcome["error"] == expected and fragment in outcome["message"] and \
                str(path) in outcome["message"]
            kind = loader.split(" import ")[1].split(";")[0]
            print(f"{builder.__name__:28} {kind:10} {path.stat().st_size / 1024:9.1f} "
                  f"{outcome['peak_mb']:8.1f}  {'clear' if clear else 'UNCLEAR'}: "
                  f"{outcome['error']}: {outcome['message'][:90]}")


if __name__ == "__main__":
    main()
