"""Reading a file on what it really holds, never on what its header claims.

Every reader of the project (checkpoints, .npz archives and caches, IDX image files, JSON
settings) asks this module before it allocates: a header's claim (an array's shape times its
item size, a JSON file's length) is compared, in Python integers (no product wraps around),
with two bounds, and refused with an error that names the file, the claim and the bound:

- the bytes really present: `stored_bytes(path)`, the file's size, or less for a sparse file
  (holes cost no disk and read as zeros, so a 4 KB file may claim a terabyte honestly); an
  uncompressed claim must fit in them, a compressed one in `expansion` times them (a policy:
  np.savez stores ~1 x, MNIST's gzip files expand ~5 x, the binary digits cache ~80 x);
- a memory cap, `MAX_READ_BYTES` unless the caller states a smaller one.

Nothing is ever unpickled: .npz members holding Python objects are refused.
"""

import json
import math
import os
import zipfile

import numpy as np

MAX_READ_BYTES = 1 << 30         # the memory cap: no reader allocates more for one file
MIN_BYTE_LIMIT = 64 * 2**20      # a compressed file may always expand to this much
EXPANSION_LIMIT = 64             # beyond that, to at most this many times its stored bytes
MAX_JSON_BYTES = 1 << 20         # settings files: a megabyte is a thousand times enough
MAX_ENTRIES = 10_000             # members of one .npz archive


class ArchiveError(ValueError):
    """A file that cannot be read safely: the message names the file and the reason. A
    ValueError, so callers that catch ValueError keep working."""


def check_path(path, name="path"):
    """`path` as a str; TypeError naming `name` unless it is a str or os.PathLike."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(path).__name__}")
    return os.fspath(path)


def stored_bytes(path):
    """The bytes a file really holds: its size, or its allocated blocks (st_blocks x 512) when
    those are fewer, as for a sparse file whose holes were never written."""
    status = os.stat(path)
    blocks = getattr(status, "st_blocks", None)
    return status.st_size if blocks is None else min(status.st_size, 512 * blocks)


def byte_limit(path, *, compressed, expansion=EXPANSION_LIMIT, cap=MAX_READ_BYTES):
    """The most a file at `path` may expand to once read: its stored bytes (uncompressed), or
    max(MIN_BYTE_LIMIT, expansion x its stored bytes) (compressed); never above `cap`."""
    present = stored_bytes(path)
    bound = max(MIN_BYTE_LIMIT, expansion * present) if compressed else present
    return min(bound, cap)


def check_claim(path, claimed, what, *, limit, error=ArchiveError, cap=MAX_READ_BYTES):
    """`error` naming the file unless `claimed` bytes fit in `limit` (from byte_limit); the
    message reads "<path>: <what> <claimed> bytes, more than ..." and names the bound passed:
    the memory cap, or the bytes the file really holds."""
    if claimed <= limit:
        return claimed
    if limit >= cap:
        raise error(f"{path}: {what} {claimed} bytes, more than the memory cap of {cap} bytes "
                    f"(nn.files.MAX_READ_BYTES = {MAX_READ_BYTES})")
    raise error(f"{path}: {what} {claimed} bytes, more than the limit of {limit} bytes for the "
                f"{stored_bytes(path)} bytes the file really holds (its size is "
                f"{os.path.getsize(path)}); a header claiming more than its file holds is "
                f"refused unread")


def read_exact(stream, needed, path, what, error=ArchiveError):
    """Exactly `needed` bytes from `stream` into a new uint8 array (the caller has checked
    `needed`); `error` naming the file if the stream ends first."""
    data = np.empty(needed, dtype=np.uint8)
    view, filled = memoryview(data), 0
    while filled < needed:
        count = stream.readinto(view[filled:])
        if not count:
            raise error(f"{path}: {what} is truncated: {filled} of {needed} bytes")
        filled += count
    return data


def read_text(path, *, max_bytes, error=ArchiveError, what="a settings file"):
    """The UTF-8 text of the file at `path`, after checking its size against max_bytes (the file
    is not read otherwise); `error` naming the file (and saying it is `what` that may hold at
    most max_bytes) for a missing, large or non-UTF-8 file."""
    path = check_path(path)
    if not os.path.isfile(path):
        raise error(f"{path}: no such file")
    size = os.path.getsize(path)
    if size > max_bytes:
        raise error(f"{path}: {size} bytes, more than the {max_bytes} bytes {what} may hold; "
                    f"refused unread")
    with open(path, "rb") as file:
        data = file.read(max_bytes + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None


def read_json(path, *, max_bytes=MAX_JSON_BYTES, error=ArchiveError):
    """The JSON value in the file at `path`, read by `read_text` (its size checked first);
    `error` naming the file for a missing, large, non-UTF-8, malformed or too deeply nested
    file."""
    text = read_text(path, max_bytes=max_bytes, error=error)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as reason:
        kind = "too deeply nested" if isinstance(reason, RecursionError) else "not valid JSON"
        raise error(f"{path}: {kind} ({str(reason)[:200]})") from None


def read_npz(path, *, max_bytes=None, expansion=EXPANSION_LIMIT, error=ArchiveError):
    """{name: array} of an .npz archive, each member's .npy header checked before its data is
    read (see the module notes); `error` (ArchiveError by default) names the file. The bound
    is byte_limit(path, compressed=True, expansion=expansion), or max_bytes when given."""
    path = check_path(path)
    if not os.path.isfile(path):
        raise error(f"{path}: no such file")
    limit = byte_limit(path, compressed=True, expansion=expansion) if max_bytes is None \
        else max_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            entries = _checked_entries(path, archive.infolist(), limit, error)
            return {name: _read_entry(path, archive, info, error) for name, info in entries}
    except zipfile.BadZipFile as reason:
        raise error(f"{path}: not a readable .npz archive (a zip of .npy files): "
                    f"{reason}") from None
    except (EOFError, OSError, zipfile.LargeZipFile, NotImplementedError) as reason:
        raise error(f"{path}: truncated or corrupt .npz archive ({reason})") from None


def _checked_entries(path, infos, limit, error):
    if len(infos) > MAX_ENTRIES:
        raise error(f"{path}: {len(infos)} entries, more than the {MAX_ENTRIES} allowed")
    present = stored_bytes(path)
    if sum(info.compress_size for info in infos) > present:
        raise error(f"{path}: its entries declare {sum(i.compress_size for i in infos)} stored "
                    f"bytes but the file really holds {present}")
    for info in infos:
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise error(f"{path}: entry {info.filename!r} is stored uncompressed in "
                        f"{info.compress_size} bytes but declares {info.file_size}")
    declared = sum(info.file_size for info in infos)
    check_claim(path, declared, "its entries declare", limit=limit, error=error)
    entries = []
    for info in infos:
        if not info.filename.endswith(".npy"):
            raise error(f"{path}: entry {info.filename!r} is not a .npy array")
        entries.append((info.filename[:-4], info))
    names = [name for name, _ in entries]
    if len(set(names)) != len(names):
        raise error(f"{path}: repeated entry names")
    return entries


def npy_header(stream, path, what, error=ArchiveError):
    """(shape, fortran_order, dtype) from a .npy header, parsed without evaluating anything
    but literals (numpy's own parser); `error` naming the file for a malformed header or a
    dtype holding Python objects."""
    try:
        version = np.lib.format.read_magic(stream)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"unsupported .npy format version {version}")
        shape, fortran, dtype = read_header(stream)
    except (ValueError, SyntaxError, EOFError, TypeError) as reason:
        raise error(f"{path}: {what} has no valid .npy header ({reason})") from None
    if dtype.hasobject:
        raise error(f"{path}: {what} holds Python objects ({dtype}); only numeric arrays are "
                    f"read")
    return tuple(int(side) for side in shape), fortran, dtype


def _read_entry(path, archive, info, error):
    """One .npy entry: its header parsed and its shape x item size checked against the size
    the zip declared (and so against the limit), then exactly that many bytes read."""
    what = f"entry {info.filename!r}"
    with archive.open(info) as stream:
        shape, fortran, dtype = npy_header(stream, path, what, error)
        needed = math.prod(shape) * dtype.itemsize
        if needed > info.file_size - stream.tell():
            raise error(f"{path}: {what} declares shape {shape} of {dtype} ({needed} bytes) "
                        f"in {info.file_size} bytes")
        data = read_exact(stream, needed, path, what, error)
        if stream.read(1):                   # and at the end, zipfile checks the CRC-32
            raise error(f"{path}: {what} has bytes after its array")
    return data.view(dtype).reshape(shape, order="F" if fortran else "C")
