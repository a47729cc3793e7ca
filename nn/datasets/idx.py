"""Read the IDX format used by MNIST and Fashion-MNIST (tests/support/idx_files.py writes it).

An IDX file is a tiny header followed by raw bytes:

    2 zero bytes | 1 byte type code (0x08 = unsigned byte) | 1 byte ndim
    ndim big-endian uint32 sizes
    the data, row-major, prod(sizes) bytes

Label files are 1-D (magic number 2049 = 0x00000801), image files are
3-D n x 28 x 28 (magic number 2051 = 0x00000803).
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

IMAGE_SIDE = 28
IMAGE_MAGIC = 0x00000803  # 2051: type 0x08 (unsigned bytes), 3 dimensions
LABEL_MAGIC = 0x00000801  # 2049: unsigned bytes, 1 dimension


def decode_idx(data: bytes, magic: int, shape: tuple[int | None, ...]) -> np.ndarray:
    """Decode IDX bytes into a uint8 array, checking everything.

    `magic` is the expected 4-byte magic number; `shape` the expected sizes,
    None where any size is allowed (e.g. (None, 28, 28) for images).
    Raises ValueError on a wrong magic number, wrong dimensions, or data
    that is shorter or longer than the header announces.
    """
    ndim = len(shape)
    if len(data) < 4:
        raise ValueError(f"IDX data too short for a header: {len(data)} bytes")
    (found_magic,) = struct.unpack_from(">I", data, 0)
    if found_magic != magic:
        raise ValueError(f"IDX magic number is {found_magic:#010x}, expected {magic:#010x}")
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"IDX data too short for a header: {len(data)} bytes")
    sizes = struct.unpack_from(f">{ndim}I", data, 4)
    if any(want is not None and got != want for got, want in zip(sizes, shape)):
        raise ValueError(f"IDX dimensions are {sizes}, expected {shape}")
    offset = 4 + 4 * ndim
    expected = int(np.prod(sizes)) + offset
    if len(data) != expected:
        raise ValueError(f"IDX data is {len(data)} bytes, header announces {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(sizes).copy()


def read_images(path: Path) -> np.ndarray:
    """Read a (gzipped) IDX image file into uint8 (n, 784)."""
    images = decode_idx(_read_bytes(path), IMAGE_MAGIC, (None, IMAGE_SIDE, IMAGE_SIDE))
    return images.reshape(len(images), IMAGE_SIDE * IMAGE_SIDE)


def read_labels(path: Path) -> np.ndarray:
    """Read a (gzipped) IDX label file into int64 (n,) with values 0..9."""
    labels = decode_idx(_read_bytes(path), LABEL_MAGIC, (None,))
    if labels.size and labels.max() > 9:
        raise ValueError(f"{path.name}: label {labels.max()} is outside 0..9")
    return labels.astype(np.int64)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when its name ends in .gz."""
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError) as err:  # BadGzipFile is an OSError
        raise ValueError(f"{path.name} is not a valid gzip file: {err}") from err
