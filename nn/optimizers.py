"""Optimisers: each updates the flat parameter vector ``theta`` in place from its gradient.

All of a network's weights and biases live in one flat vector (``MLP.theta``), so an
optimiser is a few whole-vector operations, whatever the number of layers. ``grad`` is
scratch space: a step may overwrite it. Each optimiser owns its state (velocity, moments).
"""
from __future__ import annotations

import numpy as np

from .validation import check_number, lookup


class SGD:
    """Plain gradient descent: theta <- theta - lr * grad."""

    # The trainer folds lr into backpropagation (MLP.backward's ``scale``) and calls step_scaled:
    # multiplying the small output delta by lr saves a pass over every parameter.
    scaled_step = True

    def step(self, theta: np.ndarray, grad: np.ndarray, lr: float) -> None:
        grad *= lr
        self.step_scaled(theta, grad)

    def step_scaled(self, theta: np.ndarray, lr_grad: np.ndarray) -> None:
        """The step from lr * grad, already scaled: one pass over theta."""
        theta -= lr_grad


class Momentum(SGD):
    """Classical momentum, tutorial B's form: update <- lr * grad + mu * update; theta -= update."""

    def __init__(self, momentum: float = 0.9) -> None:
        self.momentum = check_number("momentum", momentum, 0.0, 1.0, high_open=True)
        self.update: np.ndarray | None = None

    def _accumulate(self, theta: np.ndarray, lr_grad: np.ndarray) -> np.ndarray:
        """update <- mu * update + lr * grad, from lr_grad = lr * grad."""
        if self.update is None:
            self.update = np.zeros_like(theta)
        self.update *= self.momentum
        self.update += lr_grad
        return self.update

    def step_scaled(self, theta: np.ndarray, lr_grad: np.ndarray) -> None:
        """The step from lr * grad, already scaled: three passes over theta in all."""
        theta -= self._accumulate(theta, lr_grad)


class Nesterov(Momentum):
    """Nesterov momentum: the same update, but theta moves by the look-ahead lr*grad + mu*update."""

    def step_scaled(self, theta: np.ndarray, lr_grad: np.ndarray) -> None:
        update = self._accumulate(theta, lr_grad)
        # theta -= lr * grad + mu * update (Sutskever et al. 2013; as in scikit-learn)
        theta -= lr_grad
        theta -= np.multiply(update, self.momentum, out=lr_grad)


class Adam:
    """Adam (Kingma & Ba 2015): per-parameter steps from running moments of the gradient."""

    scaled_step = False  # its eps is measured against the raw gradient

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.beta1 = check_number("beta1", beta1, 0.0, 1.0, high_open=True)
        self.beta2 = check_number("beta2", beta2, 0.0, 1.0, high_open=True)
        self.eps = eps
        self.t = 0
        self.m: np.ndarray | None = None
        self.v: np.ndarray | None = None
        self._scratch: np.ndarray | None = None

    def step(self, theta: np.ndarray, grad: np.ndarray, lr: float) -> None:
        if self.m is None:
            self.m, self.v, self._scratch = (np.zeros_like(theta) for _ in range(3))
        m, v, s = self.m, self.v, self._scratch
        self.t += 1
        m *= self.beta1
        m += np.multiply(grad, 1.0 - self.beta1, out=s)  # m = b1 m + (1 - b1) g
        v *= self.beta2
        grad *= grad
        grad *= 1.0 - self.beta2
        v += grad  # v = b2 v + (1 - b2) g^2
        # theta -= lr * m_hat / (sqrt(v_hat) + eps), with the bias corrections folded into lr
        step = lr * np.sqrt(1.0 - self.beta2**self.t) / (1.0 - self.beta1**self.t)
        eps = self.eps * np.sqrt(1.0 - self.beta2**self.t)
        np.sqrt(v, out=s)
        s += eps
        np.divide(m, s, out=s)
        s *= step
        theta -= s


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adam": Adam}
# Optimisers that choose their own steps from the full batch rather than follow a step rule:
# fit(optimizer="lbfgs") runs nn.lbfgs (scipy's L-BFGS-B on theta).
FULL_BATCH_OPTIMIZERS = ("lbfgs",)


def make_optimizer(name: str, momentum: float | None = None) -> SGD | Momentum | Adam:
    """A fresh optimiser. ``momentum=None`` means its default (0.9; for "sgd", none).

    "sgd" with momentum > 0 is classical momentum, as in scikit-learn and PyTorch. The full-batch
    optimisers (FULL_BATCH_OPTIMIZERS) have no step rule: ``nn.training.train`` runs them itself.
    """
    cls = lookup(OPTIMIZERS, "optimizer", name)
    if cls is SGD:
        return Momentum(momentum) if momentum else SGD()
    if cls is Adam:
        return Adam()
    return cls() if momentum is None else cls(momentum)
