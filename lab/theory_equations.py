"""Each equation of forward and backward propagation, paired with the matrices nn computed for it.

The page prints ``Equation.latex`` with ``st.latex`` and the panels as heatmaps with their values.
Every array comes from ``MLP.trace`` (or the model's own weights); the only products formed here are
the transposes and the factor ``delta2 W2^T``, shown to make one line of the chain rule visible.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from nn import Trace

from .theory_state import SmallNet


class Panel(NamedTuple):
    """One matrix of an equation; a tuple, as ``theory_figures.matrix_figure`` takes it."""

    key: str  # ascii name, unique on the page (tests find the heatmap by it)
    label: str  # what the heatmap's title shows
    values: np.ndarray  # 2-D; a vector is shown as one row


@dataclass(frozen=True)
class Equation:
    latex: str
    panels: list[Panel]


def _row(v: np.ndarray) -> np.ndarray:
    return v.reshape(1, -1)


def forward_equations(net: SmallNet, trace: Trace) -> list[Equation]:
    """z1 = x W1 + b1, a1 = tanh z1, z2 = a1 W2 + b2, yhat = softmax z2 (tutorial A's names)."""
    (W1, W2), (b1, b2) = net.model.W, net.model.b
    hidden, out = trace.layers
    return [
        Equation(r"z_1 = x\,W_1 + b_1", [
            Panel("x", "x", trace.x), Panel("W1", "W₁", W1), Panel("b1", "b₁", _row(b1)),
            Panel("z1", "z₁", hidden.z)]),
        Equation(r"a_1 = \tanh(z_1)", [Panel("a1", "a₁", hidden.a)]),
        Equation(r"z_2 = a_1 W_2 + b_2", [
            Panel("W2", "W₂", W2), Panel("b2", "b₂", _row(b2)), Panel("z2", "z₂", out.z)]),
        Equation(r"\hat y_{ik} = \mathrm{softmax}(z_2)_{ik} = \frac{e^{z_{2,ik}}}{\sum_j e^{z_{2,ij}}}",
                 [Panel("yhat", "ŷ", out.a), Panel("y", "y (one-hot)", trace.targets)]),
    ]


def backward_equations(net: SmallNet, trace: Trace) -> list[Equation]:
    """delta2, dW2, db2, delta1, dW1, db1 with the L2 term on the weights (summed loss)."""
    model = net.model
    (W1, W2), lam = model.W, model.l2
    hidden, out = trace.layers
    tanh_slope = model.act.df(hidden.a)  # 1 - a1**2, by the activation table
    back = out.delta @ W2.T  # (n, hidden): the error reaching the hidden units
    return [
        Equation(r"\delta_2 = \hat y - y", [Panel("delta2", "δ₂", out.delta)]),
        Equation(r"\frac{\partial L}{\partial W_2} = a_1^{\top} \delta_2 + \lambda W_2", [
            Panel("a1T", "a₁ᵀ", hidden.a.T), Panel("lamW2", "λW₂", lam * W2), Panel("dW2", "dW₂", out.dW)]),
        Equation(r"\frac{\partial L}{\partial b_2} = \sum_i \delta_{2,i}", [Panel("db2", "db₂", _row(out.db))]),
        Equation(r"\delta_1 = (1 - a_1^2) \circ \delta_2 W_2^{\top}", [
            Panel("tanh_slope", "1 − a₁²", tanh_slope), Panel("delta2W2T", "δ₂W₂ᵀ", back),
            Panel("delta1", "δ₁", hidden.delta)]),
        Equation(r"\frac{\partial L}{\partial W_1} = x^{\top} \delta_1 + \lambda W_1", [
            Panel("xT", "xᵀ", trace.x.T), Panel("lamW1", "λW₁", lam * W1), Panel("dW1", "dW₁", hidden.dW)]),
        Equation(r"\frac{\partial L}{\partial b_1} = \sum_i \delta_{1,i}", [Panel("db1", "db₁", _row(hidden.db))]),
    ]


def loss_latex(trace: Trace) -> str:
    """The loss with its terms and their values (summed cross-entropy + L2 on the weights)."""
    return (r"L = -\sum_{i=1}^{N} \log \hat y_{i, y_i} + \frac{\lambda}{2}\sum W^2"
            rf" = {trace.data_loss:.6f} + {trace.l2_loss:.6f} = {trace.loss:.6f}")
