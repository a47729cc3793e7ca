"""Weight initialisations: each draws a (fan_in, fan_out) matrix from the generator it is given.

Biases always start at zero. The scale is what matters: too large and tanh saturates
(uniform(-1, 1) on 784 inputs gives |z| ~ 16), too small and the signal fades layer by layer.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .validation import lookup

Initializer = Callable[[np.random.Generator, int, int], np.ndarray]

INITIALIZERS: dict[str, Initializer] = {
    # Tutorial B: every weight uniform in [-1, 1], whatever the layer's width.
    "uniform": lambda rng, fan_in, fan_out: rng.uniform(-1.0, 1.0, (fan_in, fan_out)),
    # Tutorial A: standard normal scaled by 1 / sqrt(fan_in), so z has unit variance.
    "scaled_normal": lambda rng, fan_in, fan_out: rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in),
    # Glorot & Bengio (2010): keeps the variance of activations and gradients for tanh.
    "xavier": lambda rng, fan_in, fan_out: rng.uniform(-1.0, 1.0, (fan_in, fan_out))
    * np.sqrt(6.0 / (fan_in + fan_out)),
    # He et al. (2015): relu zeroes half its inputs, so twice the variance.
    "he": lambda rng, fan_in, fan_out: rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in),
}


def get_initializer(name: str) -> Initializer:
    """The table entry for ``name``; a ValueError lists the valid names."""
    return lookup(INITIALIZERS, "init", name)
