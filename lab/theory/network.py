"""The Theory page's small network: tutorial A's 2-3-2 tanh net on six moons points, and its
gradient check against backprop or a planted bug. NumPy and nn only.

The network lives in the user's session (``st.session_state``, passed in here as a plain mapping)
so that the page's "Step" button moves it one gradient step and every section shows the new numbers.
Everything shown is read from ``MLP.trace``: the same code that trains computes what is printed.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from lab.app.lessons.conditions import PASS_THRESHOLD
from nn import MLP, GradientCheck, Trace, gradient_check
from nn.datasets import make_planar

N_POINTS = 6  # small enough to print every matrix
LAYER_SIZES = [2, 3, 2]
L2 = 0.01  # tutorial A's regularisation strength
# Tutorial A's network: tanh hidden layer, randn / sqrt(fan_in) weights, summed loss, float64.
CONFIG = dict(activation="tanh", init="scaled_normal", l2=L2, reduction="sum", dtype="float64")
NET_KEY = "theory_net"  # st.session_state key


@dataclass
class SmallNet:
    """The page's network, its six training points, and the loss after each step taken so far."""

    model: MLP
    X: np.ndarray  # (6, 2)
    y: np.ndarray  # (6,) labels 0 or 1
    seed: int = 0
    losses: list[float] = field(default_factory=list)  # losses[0] before any step

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    @property
    def loss(self) -> float:
        return self.losses[-1]

    def step(self, lr: float) -> float:
        """One full-batch gradient step, by the training loop itself; returns the new loss."""
        self.model.fit(self.X, self.y, epochs=1, lr=lr)
        self.losses.append(self.model.loss(self.X, self.y))
        return self.loss

    def trace(self) -> Trace:
        return self.model.trace(self.X, self.y)


def moons_points(n: int = N_POINTS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n moons points (n, 2) and labels (n,), tutorial A's noise 0.2."""
    data = make_planar("moons", n_points=n, noise=0.2, seed=seed)
    return data.X_train, data.y_train


def new_net(seed: int = 0) -> SmallNet:
    """A fresh 2-3-2 tanh network (seeded) on the six points."""
    X, y = moons_points()
    model = MLP(LAYER_SIZES, seed=seed, **CONFIG)
    return SmallNet(model, X, y, seed, [model.loss(X, y)])


def get_net(state: MutableMapping) -> SmallNet:
    """The session's network, created on first use."""
    if NET_KEY not in state:
        state[NET_KEY] = new_net()
    return state[NET_KEY]


def reset_net(state: MutableMapping, seed: int = 0) -> SmallNet:
    state[NET_KEY] = new_net(seed)
    return state[NET_KEY]


# ---- gradient checking, and the classic bugs it catches ----------------------------------------

def tutorial_backprop(model: MLP, X: np.ndarray, y: np.ndarray, *,
                      forget_tanh_derivative: bool = False,
                      forget_one_over_n: bool = False) -> list[np.ndarray]:
    """Tutorial A's backprop written out for a one-hidden-layer tanh net: [dW1, db1, dW2, db2].

    Each switch plants a classic bug: dropping the (1 - a1**2) factor of delta1, or, for a mean
    loss, dropping the 1/N. With both off it agrees with ``MLP.gradients``. The deltas are numbered
    as in nn/model.py: delta2 = dL/dz2 at the output, delta1 = dL/dz1 at the hidden layer.
    """
    if len(model.W) != 2 or model.config["activation"] != "tanh" or model.l1 or \
            any(keep < 1 for keep in model.keep):
        raise ValueError("tutorial_backprop needs a one-hidden-layer tanh net without L1 or dropout")
    X = model.check_X(X)
    T = model.targets(y, len(X))  # (n, k) one-hot
    a1, yhat = model.forward(X, T).outputs
    W1, W2 = model.W
    delta2 = yhat - T  # (n, k)
    if model.reduction == "mean" and not forget_one_over_n:
        delta2 = delta2 / len(X)
    dW2 = a1.T @ delta2 + model.l2 * W2  # (hidden, k)
    db2 = delta2.sum(axis=0)  # (k,)
    delta1 = delta2 @ W2.T  # (n, hidden)
    if not forget_tanh_derivative:
        delta1 = delta1 * (1 - a1 ** 2)
    dW1 = X.T @ delta1 + model.l2 * W1  # (d, hidden)
    db1 = delta1.sum(axis=0)  # (hidden,)
    return [dW1, db1, dW2, db2]


# label shown on the page -> (gradient function or None for nn's backprop, loss reduction checked)
BUGS = {
    "No bug: nn's backprop": (None, "sum"),
    # delta1 = delta2 W2^T, without the factor (1 - a1**2)
    "Bug: forget tanh' in delta1": (partial(tutorial_backprop, forget_tanh_derivative=True), "sum"),
    # for the mean loss, delta2 = yhat - y without dividing by N
    "Bug: forget the 1/N of a mean loss": (partial(tutorial_backprop, forget_one_over_n=True), "mean"),
}


def with_reduction(model: MLP, reduction: str) -> MLP:
    """The same weights under another loss reduction ("sum" or "mean")."""
    if model.reduction == reduction:
        return model
    return model.copy(reduction=reduction)


def check(net: SmallNet, bug: str, eps: float = 1e-5) -> GradientCheck:
    """nn.gradient_check of the page's network, against backprop or against a planted bug."""
    gradients, reduction = BUGS[bug]
    return gradient_check(with_reduction(net.model, reduction), net.X, net.y, eps=eps,
                          gradients=gradients)


def check_rows(result: GradientCheck) -> list[dict]:
    """One row per parameter array: its name, shape, relative error and verdict."""
    return [{"parameter": name, "shape": "x".join(map(str, a.shape)), "relative error": err,
             "passes": bool(err < PASS_THRESHOLD)}
            for name, a, err in zip(result.names, result.analytic, result.errors)]


def entry_rows(result: GradientCheck) -> list[dict]:
    """One row per single weight or bias: backprop's value, the central difference, and the gap."""
    return [{"parameter": f"{name}[{','.join(map(str, index))}]", "backprop": float(a[index]),
             "central difference": float(n[index]), "difference": float(a[index] - n[index])}
            for name, a, n in zip(result.names, result.analytic, result.numerical)
            for index in np.ndindex(a.shape)]
