"""Input checks shared by the core. Each refusal is a ValueError naming the argument and the value."""
from __future__ import annotations

import math
from typing import Mapping, Sequence, TypeVar

import numpy as np

T = TypeVar("T")


def lookup(table: Mapping[str, T], argument: str, name: object) -> T:
    """``table[name]``, or a ValueError that lists the valid names for ``argument``."""
    try:
        return table[name]  # type: ignore[index]
    except (KeyError, TypeError):
        raise ValueError(f"{argument} must be one of {sorted(table)}, got {name!r}") from None


def _preview(values: np.ndarray) -> str:
    return np.array2string(np.asarray(values).ravel()[:5], separator=", ", threshold=5)


def check_features(X: object, n_features: int, dtype: np.dtype, name: str = "X", cast: bool = True) -> np.ndarray:
    """X as a finite (n, n_features) array of ``dtype`` (no copy when it already is one).

    With ``cast=False`` X keeps its own numeric dtype and is not copied; it is checked to be finite
    once cast to ``dtype`` (so that casting it later, a batch at a time, cannot fail).
    """
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {X.shape}")
    if X.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} columns (the input layer's size), "
                         f"got {X.shape[1]}")
    if not cast and X.dtype.kind != "f":
        return X  # integers and booleans are finite in any float dtype
    with np.errstate(over="ignore", invalid="ignore"):  # overflow becomes infinity, refused below
        if cast:
            X = X.astype(dtype, copy=False)
        if not _all_finite(X, np.dtype(dtype)):
            bad = X.astype(dtype)
            bad = bad[~np.isfinite(bad)]
            raise ValueError(f"{name} must be finite, got {_preview(bad)} at {bad.size} places")
    return X


def _all_finite(X: np.ndarray, dtype: np.dtype) -> bool:
    """Whether every entry of the float array X is finite once cast to ``dtype``, in one pass over X."""
    if X.flags.c_contiguous:
        flat = X.reshape(-1)
        # A finite sum of squares means every entry is finite (NaN and infinity spread through it);
        # only when it is not finite (or overflowed) is a slower check needed.
        with np.errstate(over="ignore", invalid="ignore"):
            squares = float(np.vdot(flat, flat))
        if X.itemsize <= dtype.itemsize:  # casting up (or not at all) keeps finite values finite
            return np.isfinite(squares) or bool(np.isfinite(X).all())
        top = float(np.finfo(dtype).max)
        if squares < top * top:  # casting down: then every |x| is below the largest value of dtype
            return True
    # The slow path: the extremes, cast as the batches will be (NaN comes out of max and min).
    extremes = np.array([X.max(), X.min()]).astype(dtype)
    return bool(np.isfinite(extremes).all())


def check_labels(y: object, n_samples: int, n_classes: int, name: str = "y") -> np.ndarray:
    """y as an int64 (n_samples,) array of class labels in 0 .. n_classes - 1."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n_samples,), got shape {y.shape}")
    if len(y) != n_samples:
        raise ValueError(f"{name} must have one label per row of X ({n_samples}), got {len(y)}")
    if y.dtype.kind == "f":
        bad = ~np.isfinite(y) | (y != np.round(y))
        if bad.any():
            raise ValueError(f"{name} must hold integer class labels, got {_preview(y[bad])}")
    elif y.dtype.kind not in "biu":
        raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    y = y.astype(np.int64)
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        raise ValueError(f"{name} must be in 0..{n_classes - 1} (the output layer has {n_classes} "
                         f"units), got {_preview(y[bad])}")
    return y


def check_regression_targets(y: object, n_samples: int, n_outputs: int, dtype: np.dtype,
                             name: str = "y") -> np.ndarray:
    """y as a finite (n_samples, n_outputs) array of ``dtype``; a 1-D y is one output column."""
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {y.dtype}")
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[1] != n_outputs:
        raise ValueError(f"{name} must have shape ({n_samples}, {n_outputs}), got {y.shape}")
    if len(y) != n_samples:
        raise ValueError(f"{name} must have one target per row of X ({n_samples}), got {len(y)}")
    y = y.astype(dtype)
    if not np.isfinite(y).all():
        raise ValueError(f"{name} must be finite, got {_preview(y[~np.isfinite(y)])}")
    return y


def check_number(name: str, value: object, low: float = -math.inf, high: float = math.inf,
                 low_open: bool = False, high_open: bool = False) -> float:
    """value as a finite float in the interval [low, high] (ends open where asked)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if not math.isfinite(number) or too_low or too_high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return number


def check_count(name: str, value: object, low: int = 1) -> int:
    """value as an int >= low (bools and fractional numbers are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def parameter_count(layer_sizes: Sequence[int]) -> int:
    """Weights and biases of a fully connected network with these layer sizes: sum of (fan_in + 1) * fan_out."""
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]))
