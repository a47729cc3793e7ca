"""What the Moons network reads: feature inputs, and the two regression sets.

Feature inputs are TensorFlow Playground's: the network sees chosen functions of the point
(x1, x2), not only the point. With x1² and x2² a circle becomes a straight line in the
network's inputs (x1² + x2² = r²), so a network without a hidden layer separates circles.
Each is written once, as NumPy code over the points X (n, 2): the page evaluates that code and
"Copy as Python" prints it, so the two give the same numbers to the last bit.

    feature_matrix(X, ("x1_sq", "x2_sq"))   # (n, 2) -> (n, 2): columns x1², x2²
    make_regression("bump", 200, noise=0.1, seed=0, test_ratio=0.2)   # PlanarData, y float64
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split

from nn.datasets import PlanarData


@dataclass(frozen=True)
class Formula:
    """NumPy ``code`` over the points X (n, 2) giving one value per point (n,); ``label`` for the screen."""

    label: str
    code: str
    of: Callable[[np.ndarray], np.ndarray] = field(init=False, repr=False, compare=False)  # compiled

    def __post_init__(self) -> None:
        object.__setattr__(self, "of", eval(f"lambda X: {self.code}", {"np": np}))


FEATURES: dict[str, Formula] = {
    "x1": Formula("x₁", "X[:, 0]"),
    "x2": Formula("x₂", "X[:, 1]"),
    "x1_sq": Formula("x₁²", "X[:, 0] ** 2"),
    "x2_sq": Formula("x₂²", "X[:, 1] ** 2"),
    "x1_x2": Formula("x₁·x₂", "X[:, 0] * X[:, 1]"),
    "sin_x1": Formula("sin x₁", "np.sin(X[:, 0])"),
    "sin_x2": Formula("sin x₂", "np.sin(X[:, 1])"),
}
PLAIN = ("x1", "x2")  # the point itself, as tutorial A feeds it


def feature_matrix(X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The network's inputs (n, len(names)) for points X (n, 2), one column per feature."""
    if tuple(names) == PLAIN:
        return X
    return np.column_stack([FEATURES[name].of(X) for name in names]) if names else X[:, :0]


# ---- regression ------------------------------------------------------------------------------
SPAN = 1.5  # regression points are uniform on the square [-SPAN, SPAN]², about the moons' size
REGRESSION_SETS: dict[str, Formula] = {
    # a tilted plane, t = (x1 + x2) / 3, from -1 to 1: a network without hidden layer fits it
    "plane": Formula("plane", f"(X[:, 0] + X[:, 1]) / {2 * SPAN!r}"),
    # a Gaussian bump, t = 2 exp(-|x|² / (2 · 0.6²)) - 1: 1 at the centre, near -1 at the edges
    "bump": Formula("bump", "2 * np.exp(-(X ** 2).sum(axis=1) / (2 * 0.6 ** 2)) - 1"),
}


def make_regression(name: str, n_points: int, noise: float, seed: int, test_ratio: float = 0.0) -> PlanarData:
    """Points uniform on the square, targets t = f(x) + noise · N(0, 1): X (n, 2), y float64 (n,)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-SPAN, SPAN, size=(n_points, 2))
    y = REGRESSION_SETS[name].of(X) + noise * rng.standard_normal(n_points)
    if test_ratio <= 0:
        return PlanarData(X, y, X[:0], y[:0], name)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=math.ceil(test_ratio * n_points),
                                                        random_state=seed)
    return PlanarData(X_train, y_train, X_test, y_test, name)
