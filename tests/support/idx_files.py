"""Write IDX files (the MNIST format that nn.datasets.idx reads) for tests to read back."""
from __future__ import annotations

import struct

import numpy as np

UBYTE = 0x08  # the type code of unsigned bytes, the only one MNIST uses


def encode_idx(array: np.ndarray) -> bytes:
    """Encode a uint8 array of any shape (1 to 255 dimensions) as IDX bytes."""
    if array.dtype != np.uint8:
        raise ValueError(f"array.dtype must be uint8, got {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"array.ndim must be 1..255, got {array.ndim}")
    header = struct.pack(f">BBBB{array.ndim}I", 0, 0, UBYTE, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array).tobytes()
