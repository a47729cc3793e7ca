"""Output layers with their losses, one table entry each.

Each loss is paired with the output function that makes its gradient simple: softmax with
cross-entropy, the identity with squared error. For both pairs the error signal at the
output pre-activation is the same, ``delta = yhat - t`` per example (t the one-hot or real
target), which is why the backward pass in ``model.py`` needs no table lookup.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .validation import lookup


@dataclass(frozen=True)
class Loss:
    """``forward(z, t) -> (yhat, loss)``: the output (batch, k) for logits z (batch, k), and the
    loss summed over the batch for targets t (batch, k); with t=None the loss is None."""

    name: str
    forward: Callable[[np.ndarray, np.ndarray | None], tuple[np.ndarray, float | None]]
    formula: str  # LaTeX, for the Theory page
    classifier: bool  # True: targets are class labels, outputs probabilities


@functools.cache
def _ones(k: int, dtype: np.dtype) -> np.ndarray:
    ones = np.ones((k, k), dtype)
    ones.flags.writeable = False
    return ones


def softmax_cross_entropy(z: np.ndarray, t: np.ndarray | None) -> tuple[np.ndarray, float | None]:
    """Softmax probabilities (batch, k) and the summed cross-entropy; z is overwritten.

    Stable for any logits, and the loss is taken from log-sum-exp, never from log(p), so a
    probability of exactly 0 still gives the true (large, finite) loss.
    """
    # Softmax does not change when a constant is subtracted from a row. Subtracting the row's
    # maximum keeps every exp() <= 1; while the batch's logits span less than 30, the batch's
    # maximum does the same job in one cheap reduction (exp(-30) is far from underflow).
    top, bottom = np.maximum.reduce(z, axis=None), np.minimum.reduce(z, axis=None)
    z -= top if top - bottom < 30 else z.max(axis=1, keepdims=True)
    z_y = None if t is None else float(np.vdot(z, t))  # sum over rows of the true class's logit
    p = np.exp(z, out=z)  # (batch, k), in place: z is no longer needed
    # (batch, k): every row's sum in each of its k columns, as one product with a (k, k) matrix of
    # ones, so that the division is element by element (by a (batch, 1) column it broadcasts: 2.7x
    # slower on tutorial A's (200, 2))
    total = np.dot(p, _ones(p.shape[1], p.dtype))
    p /= total
    if t is None:
        return p, None
    # -sum t log p = sum t (log(sum_j e^z_j) - z) = sum t log total - z_y
    return p, float(np.vdot(np.log(total, out=total), t)) - z_y


def squared_error(z: np.ndarray, t: np.ndarray | None) -> tuple[np.ndarray, float | None]:
    """Identity output (batch, k) and half the squared error, summed over the batch."""
    if t is None:
        return z, None
    diff = z - t
    return z, 0.5 * float(np.vdot(diff, diff))


LOSSES: dict[str, Loss] = {
    "cross_entropy": Loss("cross_entropy", softmax_cross_entropy,
                          r"L = -\sum_k y_k \log \hat y_k,\quad \hat y = \mathrm{softmax}(z)", True),
    "mse": Loss("mse", squared_error, r"L = \tfrac12 \sum_k (\hat y_k - y_k)^2,\quad \hat y = z", False),
}


def get_loss(name: str) -> Loss:
    """The table entry for ``name``; a ValueError lists the valid names."""
    return lookup(LOSSES, "loss", name)
