"""Real MNIST test digits for the Draw page, for whoever cannot draw (no pointer, a screen reader).

A picked digit takes the same road as a drawing: it is enlarged to the canvas's size (white ink on
black, like the canvas), then ``mnist_style`` crops, scales and centres it for the network.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from nn.datasets import load_mnist

from lab.draw.preprocess import SIDE, mnist_style

CANVAS_SCALE = 10  # the canvas is 280 px: 10 canvas pixels per MNIST pixel


@lru_cache(maxsize=1)
def sample_test_digits() -> tuple[np.ndarray, np.ndarray]:
    """The bundled sample's test split, read once: images (2000, 784) uint8 and labels (2000,) int64.

    Read-only: every session shares these arrays.
    """
    _, _, X, y = load_mnist("sample")
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def indices_of(digit: int) -> np.ndarray:
    """Row numbers (m,) of the test images labelled ``digit``."""
    return np.flatnonzero(sample_test_digits()[1] == digit)


def pick(digit: int, n: int) -> tuple[int, np.ndarray]:
    """The n-th test image of ``digit`` (wrapping around): its row number and its canvas-sized
    ink (280, 280) float32 in [0, 1], as the canvas would send it after ``to_grey``."""
    rows = indices_of(digit)
    if not len(rows):
        raise ValueError(f"no test image of {digit!r} in the sample")
    row = int(rows[n % len(rows)])
    image = sample_test_digits()[0][row].reshape(SIDE, SIDE).astype(np.float32) / 255
    return row, np.kron(image, np.ones((CANVAS_SCALE, CANVAS_SCALE), np.float32))


def picked_pixels(digit: int, n: int) -> tuple[int, np.ndarray]:
    """The n-th test image of ``digit`` through the Draw page's preprocessing: (row, pixels (784,))."""
    row, canvas = pick(digit, n)
    pixels = mnist_style(canvas)
    if pixels is None:  # a real digit always has ink; keep the contract explicit
        raise ValueError(f"test image {row} is blank")
    return row, pixels
