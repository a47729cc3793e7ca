"""The MNIST page's data: which sets there are, and a first look at one before training."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_PIXELS = 28 * 28
N_CLASSES = 10

# Radio labels of the data sources, keyed by the name load_mnist takes.
SOURCE_LABELS = {
    "sample": "Bundled sample: 10,000 digits (offline, instant)",
    "mnist": "Full MNIST: 70,000 digits (downloaded once, about 11 MB)",
    "fashion": "Fashion-MNIST: 70,000 clothing images (downloaded once, about 30 MB)",
}
SOURCE_TITLES = {"sample": "the bundled sample", "mnist": "full MNIST", "fashion": "Fashion-MNIST"}


@dataclass(frozen=True)
class DigitData:
    """A train / test split: images uint8 (n, 784), 0 = background, 255 = ink; labels int (n,)."""

    name: str  # "sample", "mnist" or "fashion"
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]


def to_network_input(X: np.ndarray) -> np.ndarray:
    """Pixels as the network reads them: float32 in [0, 1], (n, 784)."""
    return np.asarray(X, dtype=np.float32) * np.float32(1 / 255)


def class_counts(y: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    """How many examples of each class, (k,)."""
    return np.bincount(np.asarray(y), minlength=n_classes)


def class_means(X: np.ndarray, y: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    """The average image of each class, (k, 784) in pixel units 0-255 (zeros for an absent class)."""
    y = np.asarray(y)
    means = np.zeros((n_classes, X.shape[1]))
    for c in range(n_classes):
        if np.any(y == c):
            means[c] = X[y == c].mean(axis=0)
    return means


def examples_per_class(y: np.ndarray, per_class: int, seed: int = 0,
                       n_classes: int = N_CLASSES) -> np.ndarray:
    """Row indices (k, per_class) of randomly chosen examples of each class (-1 where too few)."""
    rng = np.random.default_rng(seed)
    picks = np.full((n_classes, per_class), -1)
    for c in range(n_classes):
        rows = np.flatnonzero(np.asarray(y) == c)
        chosen = rng.choice(rows, size=min(per_class, len(rows)), replace=False)
        picks[c, :len(chosen)] = chosen
    return picks
