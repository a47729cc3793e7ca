"""Small 2-D classification sets for the playground.

Every generator in PLANAR_DATASETS takes (n_points, noise, seed, classes),
checks them and returns X float64 (n_points, 2) and y int64 (n_points,),
with classes balanced (counts equal or off by one). The same seed always
gives the same points; no global random state is used.

    X, y = PLANAR_DATASETS["moons"](200, noise=0.2, seed=0)
    data = make_planar("spiral", classes=3, test_ratio=0.25, standardize=True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.model_selection import train_test_split

from ..validation import check_count, check_number, lookup

MIN_POINTS = 4
MAX_POINTS = 5000
BLOB_SPREAD = 0.4  # standard deviation of a blob when noise = 0

Arrays = tuple[np.ndarray, np.ndarray]


def _moons(n_points: int, noise: float, seed: int, classes: int = 2) -> Arrays:
    """Two interleaving half circles; `noise` is the std of Gaussian jitter."""
    X, y = make_moons(n_points, noise=noise, random_state=seed)
    return _typed(X, y)


def _circles(n_points: int, noise: float, seed: int, classes: int = 2) -> Arrays:
    """A ring (class 0, radius 1) around a disc edge (class 1, radius 0.5)."""
    X, y = make_circles(n_points, noise=noise, factor=0.5, random_state=seed)
    return _typed(X, y)


def _xor(n_points: int, noise: float, seed: int, classes: int = 2) -> Arrays:
    """Points in the four quadrants; class 1 where x and y have opposite signs."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n_points) % 2)
    magnitude = rng.uniform(0.1, 1.0, size=(n_points, 2))  # 0.1 keeps a gap at the axes
    sign_x = rng.choice([-1.0, 1.0], size=n_points)
    sign_y = np.where(y == 1, -sign_x, sign_x)
    X = magnitude * np.column_stack([sign_x, sign_y])
    X += rng.normal(0.0, noise, size=X.shape)
    return _typed(X, y)


def _spiral(n_points: int, noise: float, seed: int, classes: int = 2) -> Arrays:
    """`classes` arms winding out from the centre; `noise` jitters the angle."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n_points) % classes)
    radius = rng.uniform(0.05, 1.0, size=n_points)
    angle = 2 * math.pi * y / classes + 3 * math.pi * radius  # 1.5 turns per arm
    angle += rng.normal(0.0, noise, size=n_points)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _typed(X, y)


def _blobs(n_points: int, noise: float, seed: int, classes: int = 2) -> Arrays:
    """One Gaussian blob per class, centres evenly on a circle of radius 2.

    Each blob's standard deviation is BLOB_SPREAD + noise.
    """
    angles = 2 * math.pi * np.arange(classes) / classes
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    X, y = make_blobs(n_points, centers=centres, cluster_std=BLOB_SPREAD + noise,
                      random_state=seed)
    return _typed(X, y)


def _linear(n_points: int, noise: float, seed: int, classes: int = 2) -> Arrays:
    """Two blobs either side of the line x + y = 0, centres (-2, -2) and (2, 2).

    Each blob's standard deviation is BLOB_SPREAD + noise, so the default
    noise (0.2) leaves almost 5 standard deviations to the line: separable.
    """
    X, y = make_blobs(n_points, centers=[(-2.0, -2.0), (2.0, 2.0)],
                      cluster_std=BLOB_SPREAD + noise, random_state=seed)
    return _typed(X, y)


def _typed(X: np.ndarray, y: np.ndarray) -> Arrays:
    return X.astype(np.float64), y.astype(np.int64)


@dataclass(frozen=True)
class PlanarGenerator:
    """A generator plus the class counts it supports; call it like the function.

    Two-class sets take `classes` only to share one signature (it must be 2).
    """

    make: Callable[[int, float, int, int], Arrays]
    min_classes: int = 2
    max_classes: int = 2

    def __call__(self, n_points: int = 200, noise: float = 0.2, seed: int = 0,
                 classes: int = 2) -> Arrays:
        """X float64 (n_points, 2), y int64 (n_points,); arguments checked."""
        n_points = _check_range("n_points", n_points, MIN_POINTS, MAX_POINTS)
        classes = _check_range("classes", classes, self.min_classes, self.max_classes)
        seed = _check_range("seed", seed, 0, 2**32 - 1)
        noise = check_number("noise", noise, low=0.0)
        return self.make(n_points, noise, seed, classes)


PLANAR_DATASETS: dict[str, PlanarGenerator] = {
    "moons": PlanarGenerator(_moons),
    "circles": PlanarGenerator(_circles),
    "xor": PlanarGenerator(_xor),
    "spiral": PlanarGenerator(_spiral, max_classes=3),
    "blobs": PlanarGenerator(_blobs, max_classes=4),
    "linear": PlanarGenerator(_linear),
}


@dataclass(frozen=True, eq=False)
class PlanarData:
    """A 2-D set split for training: X_* float64 (n, 2), y_* int64 (n,)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str


def make_planar(
    name: str,
    n_points: int = 200,
    noise: float = 0.2,
    seed: int = 0,
    classes: int = 2,
    test_ratio: float = 0.0,
    standardize: bool = False,
) -> PlanarData:
    """Generate set `name` and split it (stratified, seeded) into train / test.

    With test_ratio = 0 the test arrays are empty, shapes (0, 2) and (0,).
    standardize=True rescales both parts with the train mean and std.
    """
    generate = lookup(PLANAR_DATASETS, "name", name)
    test_ratio = check_number("test_ratio", test_ratio, 0.0, 1.0, high_open=True)
    X, y = generate(n_points, noise, seed, classes)
    if test_ratio > 0:
        n_test = math.ceil(test_ratio * n_points)  # how sklearn rounds
        if min(n_test, n_points - n_test) < classes:
            raise ValueError(f"test_ratio={test_ratio} leaves {n_test} test and "
                             f"{n_points - n_test} train points; each needs >= {classes}")
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=n_test, stratify=y, random_state=seed
        )
    else:
        X_train, y_train, X_test, y_test = X, y, X[:0], y[:0]
    if standardize:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std[std == 0] = 1.0
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return PlanarData(X_train, y_train, X_test, y_test, name)


def _check_range(argument: str, value: int, low: int, high: int) -> int:
    """value as an int in [low, high]; bools and fractions are refused."""
    value = check_count(argument, value, low)
    if value > high:
        raise ValueError(f"{argument} must be at most {high}, got {value}")
    return value
