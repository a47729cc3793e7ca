"""Activation functions, each beside its derivative.

Every derivative is written from the activation's *output* a = f(z), the textbook form
(tanh' = 1 - a**2, sigmoid' = a (1 - a)), so the backward pass needs only the stored a.
For relu and leaky relu this works because a > 0 exactly when z > 0.
Functions write into ``out`` when given one, so the training loop can work in place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .validation import lookup

LEAKY_SLOPE = 0.01  # the slope of leaky relu for z < 0, as in most libraries


@dataclass(frozen=True)
class Activation:
    """f(z) and f'(z) expressed through a = f(z); both take and return arrays of one shape."""

    name: str
    f: Callable[..., np.ndarray]  # f(z, out=None) -> a
    df: Callable[[np.ndarray], np.ndarray]  # df(a) -> f'(z)
    formula: str  # LaTeX of f, for the Theory page
    derivative: str  # LaTeX of f' in terms of a


def _sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # 1 / (1 + e^-z) overflows for z << 0; (1 + tanh(z/2)) / 2 is the same function, and stable.
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _leaky_relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, z * LEAKY_SLOPE, out=out)


def _leaky_relu_derivative(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, 1.0, LEAKY_SLOPE).astype(a.dtype, copy=False)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("tanh", lambda z, out=None: np.tanh(z, out=out), lambda a: 1.0 - a * a,
                   r"\tanh z", r"1 - a^2"),
        Activation("sigmoid", _sigmoid, lambda a: a * (1.0 - a),
                   r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"a\,(1 - a)"),
        Activation("relu", lambda z, out=None: np.maximum(z, 0.0, out=out),
                   lambda a: (a > 0).astype(a.dtype), r"\max(0, z)", r"[a > 0]"),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_derivative,
                   r"\max(0.01 z, z)", r"1 \text{ if } a > 0 \text{ else } 0.01"),
        Activation("identity", lambda z, out=None: np.positive(z, out=out), np.ones_like,
                   r"z", r"1"),
    )
}


def get_activation(name: str) -> Activation:
    """The table entry for ``name``; a ValueError lists the valid names."""
    return lookup(ACTIVATIONS, "activation", name)
