"""L-BFGS, the full-batch optimiser: it uses curvature, not a learning rate.

Gradient descent steps by lr * gradient, the same multiple whatever the shape of the valley.
L-BFGS remembers its last few steps s = theta_{k+1} - theta_k and how each changed the gradient,
y = g_{k+1} - g_k. Those pairs measure the curvature along the way; from them it builds an
estimate H of the inverse Hessian, steps along -H g (long where the loss is flat, short where it
is steep), and a line search picks the step's length. There is no learning rate to choose.

scipy.optimize does the bookkeeping (imported here only, so that ``import nn`` stays light), on the
flat parameter vector ``MLP.theta``; nn supplies the loss and its gradient with the same forward and
backward passes, L2/L1 penalty and reduction as every other optimiser. ``nn.training`` runs it for
``fit(optimizer="lbfgs")``; this module imports neither the trainer nor the model (``model`` is an
``nn.MLP``, passed in).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

import numpy as np

from .metrics import predicted_labels

if TYPE_CHECKING:  # pragma: no cover
    from scipy.optimize import OptimizeResult

GTOL = 1e-5  # stop when every component of the gradient is this small (scipy's default)


class Objective:
    """theta (p,) -> (loss, gradient (p,)), both in float64: what L-BFGS minimises.

    Each call puts theta into ``model.theta`` and runs the model's forward and backward passes on
    the full batch X (n, d), targets T (n, k): the loss is the data loss (summed or averaged) plus the
    penalty, as ``MLP.loss`` has it. The last call's numbers are kept for the history (the accuracy
    when ``labels`` (n,) are given, in ``nn.metrics.label_form``).
    """

    def __init__(self, model: "MLP", X: np.ndarray, T: np.ndarray, labels: np.ndarray | None = None) -> None:
        self.model, self.X, self.T, self.labels = model, X, T, labels
        self.work = model.workspace(len(X))
        self.theta: np.ndarray | None = None  # where it was last called ...
        self.data_loss = self.penalty = math.nan  # ... and what it found there
        self.accuracy: float | None = None
        self.first: tuple[float, float, float | None] | None = None  # (data loss, penalty, accuracy) at the start

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        model = self.model
        model.theta[...] = theta
        fwd = model.forward(self.X, self.T, work=self.work)
        self.data_loss, self.penalty = model.data_loss(fwd.loss_sum, len(self.X)), model.penalty()
        if self.labels is not None:
            self.accuracy = int(np.count_nonzero(predicted_labels(fwd.yhat) == self.labels)) / len(self.X)
        model.backward(fwd, self.T, work=self.work)
        self.theta = np.array(theta, np.float64)
        if self.first is None:
            self.first = (self.data_loss, self.penalty, self.accuracy)
        return self.data_loss + self.penalty, model.grad.astype(np.float64)

    def at(self, theta: np.ndarray) -> tuple[float, float, float | None]:
        """(data loss, penalty, accuracy) at theta: remembered if that was the last call, else computed."""
        if self.theta is None or not np.array_equal(theta, self.theta):
            self(theta)
        return self.data_loss, self.penalty, self.accuracy


def minimize(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], theta0: np.ndarray, max_iter: int,
             on_iteration: Callable[[np.ndarray, float], bool] | None = None, ftol: float = 2.2e-9,
             gtol: float = GTOL) -> "OptimizeResult":
    """Minimise fun(theta) -> (loss, gradient) from theta0 (p,) with scipy's L-BFGS-B, at most
    ``max_iter`` iterations. ``on_iteration(theta, loss)`` hears every iteration; True stops the run.

    Stops once an iteration lowers the loss by less than ``ftol`` of its value, or every component
    of the gradient is below ``gtol``. Returns scipy's OptimizeResult (x, fun, nit, message, ...).
    """
    from scipy.optimize import minimize as scipy_minimize

    def callback(intermediate_result: "OptimizeResult") -> None:
        if on_iteration is not None and on_iteration(intermediate_result.x, float(intermediate_result.fun)):
            raise StopIteration  # scipy ends the run and returns the last iterate

    return scipy_minimize(fun, np.asarray(theta0, np.float64), jac=True, method="L-BFGS-B", callback=callback,
                          options=dict(maxiter=max_iter, maxfun=max(15000, 20 * max_iter), ftol=ftol, gtol=gtol))
