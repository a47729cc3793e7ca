"""The Moons page's training loop: full passes over the points, weights kept along the way,
and a stop once the loss has levelled off.

It imports NumPy and nn's core only, never scikit-learn or Streamlit, so that a worker process
running it (lab/app/workers.py) starts in about 30 MB. ``fit_with_snapshots`` takes and returns
plain values (a config dict, arrays, a History), which is what travels between processes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nn import MLP, History, Progress
from nn.stopping import BOUNCE_WINDOW, FLAT_TOLERANCE, FLAT_WINDOW, levelled_off  # noqa: F401 (re-exported)

SNAPSHOT_PASSES = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)


def snapshot_passes(passes: int) -> list[int]:
    """Roughly log-spaced passes at which to keep the weights, up to ``passes``."""
    return [p for p in SNAPSHOT_PASSES if p <= passes]


@dataclass(frozen=True)
class Fitted:
    """A trained network's weights, its history, the weights kept at snapshot passes (and at the
    last pass), and the pass where the loss levelled off (None if training did not stop for it)."""

    theta: np.ndarray
    history: History
    kept: dict[int, np.ndarray]
    flat_at: int | None


def fit_with_snapshots(config: dict[str, Any], X: np.ndarray, y: np.ndarray, fit: dict[str, Any],
                       stop_when_flat: bool) -> Fitted:
    """Train ``MLP(**config)`` on the inputs X (n, d) and targets y (n,) with ``MLP.fit(**fit)``.

    ``fit["epochs"]`` is the number of passes; with ``stop_when_flat`` training ends at the first
    multiple of FLAT_WINDOW passes where ``levelled_off`` holds. Same arguments, same numbers.
    """
    model = MLP(**config)
    keep = set(snapshot_passes(fit["epochs"]))
    kept = {0: model.theta.copy()}
    flat_at = None

    def watch(progress: Progress) -> bool:
        nonlocal flat_at
        if progress.kind != "epoch":
            return False
        done = progress.epoch + 1
        if done in keep:
            kept[done] = model.theta.copy()
        if stop_when_flat and done % FLAT_WINDOW == 0 and levelled_off(progress.history.train_loss):
            flat_at = done
            return True
        return False

    # Small matrices: a second BLAS thread only spins against other work (benchmarks/README.md).
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        history = model.fit(X, y, callback=watch, **fit)
    kept[len(history.epoch)] = model.theta.copy()
    return Fitted(model.theta, history, kept, flat_at)
