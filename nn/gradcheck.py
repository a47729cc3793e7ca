"""Gradient checking: backpropagation against central differences of the loss."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .model import MLP


@dataclass
class GradientCheck:
    """Analytic and numerical gradients per parameter array, and their relative errors."""

    names: list[str]
    analytic: list[np.ndarray]
    numerical: list[np.ndarray]
    errors: list[float]  # ||analytic - numerical|| / (||analytic|| + ||numerical||), per array

    @property
    def max_error(self) -> float:
        return max(self.errors)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), and 0 when both are zero."""
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def gradient_check(model: MLP, X: np.ndarray, y: np.ndarray, eps: float = 1e-6,
                   masks: list[np.ndarray | None] | None = None,
                   gradients: Callable[[MLP, np.ndarray, np.ndarray], list[np.ndarray]] | None = None,
                   ) -> GradientCheck:
    """Compare ``gradients(model, X, y)`` (default: backprop) with (L(p + eps) - L(p - eps)) / 2 eps.

    Runs on a float64 copy of the model, so the check measures the math, not float32 rounding.
    ``masks`` fixes one dropout draw so that the loss is a deterministic function of the weights.
    """
    model = model.copy(dtype="float64")
    analytic = (gradients or (lambda m, X, y: m.gradients(X, y, masks)))(model, X, y)

    def loss() -> float:
        return model.loss(X, y, masks)

    numerical = np.zeros_like(model.theta)
    for i in range(model.theta.size):
        saved = model.theta[i]
        model.theta[i] = saved + eps
        up = loss()
        model.theta[i] = saved - eps
        down = loss()
        model.theta[i] = saved
        numerical[i] = (up - down) / (2 * eps)
    numerical_views = model.param_views(numerical)
    return GradientCheck(model.param_names, [np.asarray(a, np.float64) for a in analytic], numerical_views,
                         [relative_error(a, n) for a, n in zip(analytic, numerical_views)])
