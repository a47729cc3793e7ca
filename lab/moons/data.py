"""What the Moons network reads: feature inputs, and the two regression sets.

Feature inputs are TensorFlow Playground's: the network sees chosen functions of the point
(x1, x2), not only the point. With x1² and x2² a circle becomes a straight line in the
network's inputs (x1² + x2² = r²), so a network without a hidden layer separates circles.

    feature_matrix(X, ("x1_sq", "x2_sq"))   # (n, 2) -> (n, 2): columns x1², x2²
    make_regression("bump", 200, noise=0.1, seed=0, test_ratio=0.2)   # PlanarData, y float64
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Callable

import numpy as np
from sklearn.model_selection import train_test_split

from nn.datasets import PlanarData


@dataclass(frozen=True)
class Feature:
    """One input of the network: ``of(X)`` maps points (n, 2) to one value each (n,)."""

    label: str  # as printed on screen, e.g. "x₁²"
    of: Callable[[np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    "x1": Feature("x₁", lambda X: X[:, 0]),
    "x2": Feature("x₂", lambda X: X[:, 1]),
    "x1_sq": Feature("x₁²", lambda X: X[:, 0] ** 2),
    "x2_sq": Feature("x₂²", lambda X: X[:, 1] ** 2),
    "x1_x2": Feature("x₁·x₂", lambda X: X[:, 0] * X[:, 1]),
    "sin_x1": Feature("sin x₁", lambda X: np.sin(X[:, 0])),
    "sin_x2": Feature("sin x₂", lambda X: np.sin(X[:, 1])),
}
PLAIN = ("x1", "x2")  # the point itself, as tutorial A feeds it


def feature_matrix(X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The network's inputs (n, len(names)) for points X (n, 2), one column per feature."""
    if tuple(names) == PLAIN:
        return X
    return np.column_stack([FEATURES[name].of(X) for name in names]) if names else X[:, :0]


# ---- regression ------------------------------------------------------------------------------
SPAN = 1.5  # regression points are uniform on the square [-SPAN, SPAN]², about the moons' size


def _plane(X: np.ndarray) -> np.ndarray:
    """A tilted plane, t = (x1 + x2) / 3, from -1 to 1: a network without hidden layer fits it."""
    return (X[:, 0] + X[:, 1]) / (2 * SPAN)


def _bump(X: np.ndarray) -> np.ndarray:
    """A Gaussian bump, t = 2 exp(-|x|² / (2 · 0.6²)) - 1: 1 at the centre, near -1 at the edges."""
    return 2 * np.exp(-(X ** 2).sum(axis=1) / (2 * 0.6 ** 2)) - 1


REGRESSION_SETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {"plane": _plane, "bump": _bump}


def make_regression(name: str, n_points: int, noise: float, seed: int, test_ratio: float = 0.0) -> PlanarData:
    """Points uniform on the square, targets t = f(x) + noise · N(0, 1): X (n, 2), y float64 (n,)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-SPAN, SPAN, size=(n_points, 2))
    y = REGRESSION_SETS[name](X) + noise * rng.standard_normal(n_points)
    if test_ratio <= 0:
        return PlanarData(X, y, X[:0], y[:0], name)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=math.ceil(test_ratio * n_points),
                                                        random_state=seed)
    return PlanarData(X_train, y_train, X_test, y_test, name)
