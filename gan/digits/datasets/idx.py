"""The IDX file format, in which MNIST is published.

Layout (LeCun, Cortes and Burges, "The MNIST database of handwritten digits",
http://yann.lecun.com/exdb/mnist/, section "File formats"):

    bytes 0-1   0x00 0x00
    byte  2     type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions k
    then        k sizes, each a big-endian int32
    then        the values in C order (last index fastest), big-endian

A file may be gzip-compressed, as the MNIST files are distributed (.gz).
"""

import gzip
import math
import os
import zlib

import numpy as np

from nn.files import ArchiveError, MAX_READ_BYTES, byte_limit, check_claim, read_exact

TYPE_CODES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(np.int16),
    0x0C: np.dtype(np.int32),
    0x0D: np.dtype(np.float32),
    0x0E: np.dtype(np.float64),
}
_CODE_OF_TYPE = {dtype: code for code, dtype in TYPE_CODES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


class DataFileError(ArchiveError):
    """A data file is not what it claims to be (its bytes, sizes or values); the message names
    the file. A ValueError, so callers that catch ValueError keep working."""


def idx_header(path, *, max_bytes=None):
    """(shape, dtype) an IDX file declares, checked against what the file really holds before
    anything else is read: prod(shape) x item size in Python integers (no int64 wrap-around)
    must equal the bytes after the header (uncompressed; and fit in the bytes really stored,
    so a sparse file claiming terabytes is refused) or fit in nn.files.byte_limit (gzip: at
    most 64 x the stored bytes), and never pass max_bytes (default nn.files.MAX_READ_BYTES).
    DataFileError naming the file otherwise."""
    with _opened(path) as (stream, compressed):
        return _checked_header(path, stream, compressed, max_bytes)[:2]


def read_idx(path, *, max_bytes=None):
    """The array stored in an IDX file (gzip-compressed or not), in native byte order.

    Reads the 4-byte magic (0, 0, type code, k), k big-endian int32 sizes, then
    prod(sizes) big-endian values. The header's claim is checked first (see idx_header), then
    exactly that many bytes are read or decompressed, so memory follows the data, not the
    header. DataFileError (a ValueError) naming the file for a bad magic number, an unknown
    type code, a size beyond the bytes present or the cap, a truncated file or trailing bytes.
    """
    with _opened(path) as (stream, compressed):
        shape, dtype, needed = _checked_header(path, stream, compressed, max_bytes)
        data = read_exact(stream, needed, path, f"IDX file of shape {shape} of {dtype}",
                          DataFileError)
        if compressed and stream.read(1):
            raise DataFileError(f"{path}: IDX file has trailing bytes after the {needed} bytes "
                                f"that shape {shape} of {dtype} needs")
    values = data.view(dtype.newbyteorder(">")).reshape(shape)
    if dtype.itemsize > 1:                                 # big-endian to native, in place
        values = values.byteswap(inplace=True)
    return values.view(dtype)


class _opened:
    """Context manager: (stream, compressed) of the IDX file at path, gzip or not; corrupt
    gzip streams become DataFileError naming the file."""

    def __init__(self, path):
        self.path = _check_path(path)
        if not os.path.isfile(self.path):
            raise DataFileError(f"{self.path}: no such file")

    def __enter__(self):
        self.raw = open(self.path, "rb")
        compressed = self.raw.read(2) == _GZIP_MAGIC
        self.raw.seek(0)
        stream = gzip.GzipFile(fileobj=self.raw, mode="rb") if compressed else self.raw
        return stream, compressed

    def __exit__(self, kind, error, traceback):
        self.raw.close()
        if isinstance(error, (OSError, EOFError, zlib.error)):
            raise DataFileError(f"{self.path}: corrupt gzip stream ({error})") from None
        return False


def _checked_header(path, stream, compressed, max_bytes):
    magic = stream.read(4)
    if len(magic) < 4:
        raise DataFileError(f"{path}: truncated IDX file, {len(magic)} bytes is shorter than "
                            f"the 4-byte magic number")
    if magic[0] != 0 or magic[1] != 0:
        raise DataFileError(f"{path}: bad IDX magic number 0x{magic.hex()}; the first two "
                            f"bytes must be 0x00 0x00")
    code, ndim = magic[2], magic[3]
    if code not in TYPE_CODES:
        allowed = ", ".join(f"0x{known:02X} ({dtype})" for known, dtype in TYPE_CODES.items())
        raise DataFileError(f"{path}: unknown IDX type code 0x{code:02X}; allowed: {allowed}")
    header_length = 4 + 4 * ndim
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise DataFileError(f"{path}: truncated IDX file, {4 + len(sizes)} bytes but the "
                            f"header of {ndim} dimensions needs {header_length}")
    shape = tuple(int.from_bytes(sizes[i:i + 4], "big", signed=True)
                  for i in range(0, 4 * ndim, 4))
    if any(side < 0 for side in shape):
        raise DataFileError(f"{path}: negative dimension size in IDX header {shape}")
    dtype = TYPE_CODES[code]
    needed = math.prod(shape) * dtype.itemsize           # Python integers: exact
    if not compressed:
        found = os.path.getsize(path) - header_length
        if found != needed:
            problem = "truncated" if found < needed else "has trailing bytes"
            raise DataFileError(f"{path}: IDX file {problem}: shape {shape} of {dtype} needs "
                                f"{header_length + needed} bytes, found {header_length + found}")
    cap = MAX_READ_BYTES if max_bytes is None else max_bytes
    limit = byte_limit(path, compressed=compressed, cap=cap)
    if not compressed:
        limit = max(0, limit - header_length)
    check_claim(path, needed, f"the IDX header declares shape {shape} of {dtype},",
                limit=limit, error=DataFileError, cap=cap)
    return shape, dtype, needed


def write_idx(path, array):
    """Write `array` as an IDX file: magic (0, 0, type code, k), k big-endian int32 sizes,
    big-endian values in C order; gzip-compressed when the name ends in .gz.

    The dtype must be one the format names (uint8, int8, int16, int32, float32, float64);
    nothing is converted silently.
    """
    path = _check_path(path)
    if not isinstance(array, np.ndarray):
        raise TypeError(f"array must be a numpy.ndarray, got {type(array).__name__}")
    dtype = array.dtype.newbyteorder("=")
    if dtype not in _CODE_OF_TYPE:
        allowed = ", ".join(str(known) for known in TYPE_CODES.values())
        raise TypeError(f"array dtype must be one of {allowed}, got {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"array must have between 1 and 255 dimensions, got {array.ndim}")
    if max(array.shape) > np.iinfo(np.int32).max:
        raise ValueError(f"array dimension sizes must fit in an int32, got {array.shape}")
    header = bytes([0, 0, _CODE_OF_TYPE[dtype], array.ndim])
    header += np.asarray(array.shape, dtype=">i4").tobytes()
    data = header + np.ascontiguousarray(array, dtype=dtype.newbyteorder(">")).tobytes()
    if str(path).endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as file:
            file.write(data)  # mtime=0 and no name: the same array gives the same bytes
    else:
        with open(path, "wb") as file:
            file.write(data)


def _check_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return os.fspath(path)
