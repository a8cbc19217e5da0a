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
import os

import numpy as np

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


class DataFileError(ValueError):
    """A data file is not what it claims to be (its bytes, sizes or values); the message names
    the file. A ValueError, so callers that catch ValueError keep working."""


def read_idx(path):
    """The array stored in an IDX file (gzip-compressed or not), in native byte order.

    Reads the 4-byte magic (0, 0, type code, k), k big-endian int32 sizes, then
    prod(sizes) big-endian values; raises ValueError for a bad magic number, an unknown
    type code, a truncated file or trailing bytes.
    """
    path = _check_path(path)
    with open(path, "rb") as file:
        data = file.read()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: corrupt gzip stream ({error})") from None
    if len(data) < 4:
        raise ValueError(f"{path}: truncated IDX file, {len(data)} bytes is shorter than "
                         f"the 4-byte magic number")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: bad IDX magic number 0x{data[:4].hex()}; the first two "
                         f"bytes must be 0x00 0x00")
    code, ndim = data[2], data[3]
    if code not in TYPE_CODES:
        allowed = ", ".join(f"0x{known:02X} ({dtype})" for known, dtype in TYPE_CODES.items())
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X}; allowed: {allowed}")
    header_length = 4 + 4 * ndim
    if len(data) < header_length:
        raise ValueError(f"{path}: truncated IDX file, {len(data)} bytes but the header of "
                         f"{ndim} dimensions needs {header_length}")
    shape = tuple(int(side) for side in np.frombuffer(data, ">i4", count=ndim, offset=4))
    if any(side < 0 for side in shape):
        raise ValueError(f"{path}: negative dimension size in IDX header {shape}")
    dtype = TYPE_CODES[code].newbyteorder(">")
    expected = header_length + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "has trailing bytes"
        raise ValueError(f"{path}: IDX file {problem}: shape {shape} of {TYPE_CODES[code]} "
                         f"needs {expected} bytes, found {len(data)}")
    values = np.frombuffer(data, dtype, offset=header_length).reshape(shape)
    return values.astype(TYPE_CODES[code])


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
