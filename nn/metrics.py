"""Metrics for a trained classifier, computed by scikit-learn where it already does the job."""
from __future__ import annotations

from types import ModuleType

import numpy as np


def _sklearn_metrics() -> ModuleType:
    """scikit-learn's metrics, imported on first use: ``import nn`` then loads NumPy alone (about 30 MB
    instead of 180), which is all a process that only trains needs (lab/app/workers.py)."""
    from sklearn import metrics

    return metrics


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The fraction of labels (n,) predicted right."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(k, k) counts: row = true class, column = predicted class."""
    return _sklearn_metrics().confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))


def precision_recall(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision and recall, each (k,); 0 for a class never predicted or never present."""
    precision, recall, _, _ = _sklearn_metrics().precision_recall_fscore_support(
        y_true, y_pred, labels=np.arange(n_classes), zero_division=0)
    return precision, recall


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination of regression outputs (n, k)."""
    return float(_sklearn_metrics().r2_score(y_true, y_pred))
