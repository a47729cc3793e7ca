"""Activation functions, each beside its derivative.

Every derivative is written from the activation's *output* a = f(z), the textbook form
(tanh' = 1 - a**2, sigmoid' = a (1 - a)), so the backward pass needs only the stored a.
For relu and leaky relu this works because a > 0 exactly when z > 0.
Functions and derivatives write into ``out`` when given one, so the training loop can work in place.
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
    df: Callable[..., np.ndarray]  # df(a, out=None) -> f'(z)
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


def _leaky_relu_derivative(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.empty_like(a) if out is None else out
    out.fill(LEAKY_SLOPE)
    np.copyto(out, 1.0, where=a > 0)
    return out


def _tanh_derivative(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)  # 1 - a**2


def _sigmoid_derivative(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.subtract(1.0, a, out=out)
    out *= a  # a (1 - a)
    return out


def _ones(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return np.ones_like(a)
    out.fill(1.0)
    return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("tanh", np.tanh, _tanh_derivative,  # the ufunc itself: np.tanh(z, out=z) works in place
                   r"\tanh z", r"1 - a^2"),
        Activation("sigmoid", _sigmoid, _sigmoid_derivative,
                   r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"a\,(1 - a)"),
        Activation("relu", lambda z, out=None: np.maximum(z, 0.0, out=out),
                   lambda a, out=None: np.greater(a, 0, out=out if out is not None else np.empty_like(a)),
                   r"\max(0, z)", r"[a > 0]"),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_derivative,
                   r"\max(0.01 z, z)", r"1 \text{ if } a > 0 \text{ else } 0.01"),
        Activation("identity", lambda z, out=None: np.positive(z, out=out), _ones,
                   r"z", r"1"),
    )
}


def get_activation(name: str) -> Activation:
    """The table entry for ``name``; a ValueError lists the valid names."""
    return lookup(ACTIVATIONS, "activation", name)
