"""'What am I looking at?': short texts that explain each picture with the numbers of the run on screen.

Every number in these texts is computed here, by nn, from the network shown (``run.model(theta)``)
or from what the run measured; nothing is written by hand. Pure functions returning Markdown, so
they are tested without Streamlit (tests/app/test_explain.py checks numbers against nn directly).

    boundary_text(run)           # the decision boundary
    diagram_text(run, model)     # the network diagram: each unit's equation
    node_detail(run, model, (1, 0), point)   # one node opened: equation, values at a point, gradients
    boundary_alt(run)            # a chart's text alternative, for screen readers
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from nn import MLP

from lab.app.numbers import MINUS, number, significant as _g
from lab.moons.diagram import node_names
from lab.moons.figures import percent
from lab.moons.run import LogisticRun, MoonsRun

MAX_UNITS = 4  # a text spells out at most this many units' equations


def equation(weights: Sequence[float], names: Sequence[str], bias: float) -> str:
    """'1.31·x₁ − 0.42·x₂ + 0.08': the weighted sum of a node's inputs plus its bias."""
    parts = []
    for k, (w, name) in enumerate(zip(weights, names)):
        sign = (MINUS if w < 0 else "") if k == 0 else (f" {MINUS} " if w < 0 else " + ")
        parts.append(f"{sign}{abs(w):.2f}·{name}")
    parts.append(f" {MINUS} {abs(bias):.2f}" if bias < 0 else f" + {bias:.2f}")
    return "".join(parts).strip()


def _factor(value: float) -> str:
    """A factor of a product: negative ones in parentheses, '(−5.31)'."""
    return f"({number(value)})" if value < 0 else number(value)


def _on_colour(activation: str) -> str:
    """Where a unit's tile is orange, in terms of z."""
    return {"tanh": "orange where z > 0 (tanh keeps the sign of z, squeezed between −1 and 1)",
            "sigmoid": "orange where z > 0 (sigmoid maps z = 0 to 0.5, the middle of its range)",
            "relu": "0 (blue end) where z < 0, growing with z where z > 0",
            "identity": "its output is z itself: orange where z > 0"}.get(activation, "orange where z is high")


# ---- the Moons page ---------------------------------------------------------------------------
def boundary_text(run: MoonsRun, model: MLP) -> str:
    """The boundary chart: what the colours are, with one training point worked through."""
    data = run.data
    n_train, n_test = len(data.X_train), len(data.X_test)
    inputs, (x, y) = run.inputs(data.X_train[:1]), data.X_train[0]
    spot = "Every spot of this square is one possible input point (x₁, x₂)."
    example = f"For example the training point ({number(x)}, {number(y)})"
    if run.kind == "regression":
        value = float(model.predict(inputs)[0, 0])
        return (f"{spot} The network computes a number for each, and the background shows it: blue low, "
                f"orange high. The dots are the points it learnt from, coloured by their true value. "
                f"{example} has target {number(float(data.y_train[0]))}; the network predicts "
                f"{number(value)}. R² = {run.train_accuracy:.3f} on the {n_train} training points means its "
                f"predictions explain {max(run.train_accuracy, 0):.0%} of how much the targets vary (1 would "
                "be perfect)" + (f"; on the {n_test} held-out points R² = {run.test_accuracy:.3f}."
                                 if n_test else "."))
    proba = model.predict_proba(inputs)[0]
    k = int(np.argmax(proba))
    right = round(run.train_accuracy * n_train)
    text = (f"{spot} The network gives each spot a probability for every class, and the background takes "
            f"the colour of the class it finds most likely, paler where it is unsure. The black line is the "
            f"**decision boundary**: where two classes are equally likely. {example} is of class "
            f"{int(data.y_train[0])}; the network gives it probability {proba[k]:.2f} of class {k}, so it "
            f"falls on the class-{k} side. {right} of the {n_train} training points "
            f"({percent(run.train_accuracy)}) are on the side of their own class")
    if n_test:
        text += (f"; of the {n_test} test points, which the network never saw while learning, "
                 f"{round(run.test_accuracy * n_test)} ({percent(run.test_accuracy)})")
    return text + "."


def unit_equations(run: MoonsRun, model: MLP, layer: int = 1, limit: int = MAX_UNITS) -> list[str]:
    """'Hidden unit h1.2 computes z = ..., then tanh: ...' for the first ``limit`` units of ``layer``."""
    names = node_names(run.features, list(model.layer_sizes), run.kind)
    W, b = model.W[layer - 1], model.b[layer - 1]
    activation = run.settings.activation
    return [f"Hidden unit **{names[layer][j]}** computes z = {equation(W[:, j], names[layer - 1], b[j])}, "
            f"then {activation}" + (f": {_on_colour(activation)}." if j == 0 else ".")
            for j in range(min(limit, W.shape[1]))]


def diagram_text(run: MoonsRun, model: MLP) -> str:
    """The network diagram: how to read it, then the equations of the units with these weights."""
    sizes = list(model.layer_sizes)
    names = node_names(run.features, sizes, run.kind)
    inputs = ", ".join(names[0])
    lines = [f"Read it from left to right. Each input square shows one number the network reads ({inputs}) "
             "over the plane. Each line carries a number from one node to the next, multiplied by its "
             "**weight** (orange positive, blue negative, thicker when larger). A node adds up what arrives, "
             "adds its own **bias** (a constant that shifts where it switches on), and passes the sum z "
             "through its activation. Its square shows the result over the same plane."]
    if len(sizes) > 2:
        lines += unit_equations(run, model)
        if sizes[1] > MAX_UNITS:
            lines.append(f"…and {sizes[1] - MAX_UNITS} more units of the first hidden layer, the same way.")
    last_W, last_b = model.W[-1], model.b[-1]
    if run.kind == "regression":
        lines.append(f"The output computes {equation(last_W[:, 0], names[-2], last_b[0])}: that number is the "
                     "prediction, used as it is.")
    else:
        j = min(1, sizes[-1] - 1)
        lines.append(f"The output **{names[-1][j]}** computes a score z = "
                     f"{equation(last_W[:, j], names[-2], last_b[j])}; softmax then turns the {sizes[-1]} scores "
                     "into probabilities that add up to 1 (the largest score gets the largest probability). "
                     "Output biases are shown too: hover over an output square, or click it.")
    return "\n\n".join(lines)


def loss_text(run: MoonsRun, model: MLP) -> str:
    """The loss curve (per point, as the chart draws it): how far it fell, the penalty in it, train against test."""
    losses = run.history.train_loss
    first, last = run.per_point(losses[0]), run.per_point(losses[-1])
    n = len(run.data.X_train)
    with np.errstate(over="ignore", invalid="ignore"):  # a network that blew up: the numbers say so
        penalty = model.penalty()
    half = next((i + 1 for i, value in enumerate(losses) if value <= losses[0] - (losses[0] - losses[-1]) / 2),
                len(losses))
    text = (f"The **loss** measures how wrong the network is on its {n} training points: 0 would be perfect. "
            f"Each pass, gradient descent nudges every weight a little in the direction that lowers it, and the "
            f"curve shows the loss per point after every pass. It started at {first:.4g} and ended at {last:.4g} "
            f"after {len(losses):,} passes; half of that fall came in the first {half:,} passes. The curve includes "
            f"the penalty on large weights, (λ/2)·ΣW² = {penalty:.4g} at the end (λ = {run.settings.l2:g})"
            + (f", {run.per_point(penalty):.4g} per point." if run.settings.reduction == "sum" else "."))
    if run.test_loss is not None and run.train_loss > 0:
        ratio = run.test_loss / run.train_loss
        text += (f" Per point and without the penalty, the training loss is {run.train_loss:.3f} and the test loss "
                 f"{run.test_loss:.3f}, {ratio:.1f}× the train loss: ")
        text += ("the network fits its training points far better than new ones, a sign of overfitting."
                 if ratio >= 1.5 else "new points are about as well fitted as the training points, so what it "
                                      "learnt carries over." if ratio >= 0.67 else
                 "the test points happen to be easier than the training points.")
    return text


def snapshots_text(run: MoonsRun) -> str:
    """'Watch it learn': the training accuracy (or R²) at a few of the kept passes."""
    score = "R²" if run.kind == "regression" else "accuracy"
    shown = [s for s in run.snapshots if s.passes in (0, 10, 100, 1000) or s is run.snapshots[-1]]
    steps = "; ".join(("before training" if s.passes == 0 else f"after pass {s.passes:,}") + ": "
                      + (f"{s.train_accuracy:.3f}" if run.kind == "regression" else percent(s.train_accuracy))
                      for s in shown)
    return (f"Each frame is the network as it was after some passes of training, over the same plane. Training "
            f"{score} {steps}. Most of the change happens early: later passes only fine-tune the boundary.")


def units_text(run: MoonsRun) -> str:
    """The hidden units' tiles: how much of the plane each first-layer unit marks orange (positive)."""
    if not run.hidden:
        return ("This network has no hidden layer: its outputs are weighted sums of the inputs, so with x₁ and x₂ "
                "alone its boundary is a straight line.")
    first = run.hidden[0]
    middle = 0.5 if run.settings.activation == "sigmoid" else 0.0
    shares = [float(np.mean(unit > middle)) for unit in first[:MAX_UNITS]]
    names = [f"h1.{j + 1}" for j in range(len(shares))]
    listed = ", ".join(f"{name} on {share:.0%}" for name, share in zip(names, shares))
    return (f"Each tile is one hidden unit's output over the plane. A first-layer unit can only cut the plane "
            f"along one straight line (where its z = 0) into a high side and a low side: here {listed} of the "
            f"square is on the high (orange) side. The output layer then adds these pieces up, each with its own "
            f"weight, into the curved boundary.")


def compare_text(run: MoonsRun, logistic: LogisticRun) -> str:
    """The network against logistic regression, on the same points."""
    gap = (run.test_accuracy or 0.0) - (logistic.test_accuracy or 0.0)
    return (f"Logistic regression is the simplest classifier: one weighted sum of x₁ and x₂, so its boundary "
            f"is a straight line. On these points it gets {percent(logistic.train_accuracy)} of the training "
            f"points and {percent(logistic.test_accuracy)} of the test points right; the network, whose "
            f"hidden units let the boundary bend, gets {percent(run.train_accuracy)} and "
            f"{percent(run.test_accuracy)}: {abs(gap) * 100:.1f} points {'better' if gap >= 0 else 'worse'} "
            "on the test points.")


# ---- one node, opened ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NodeDetail:
    """One node of the diagram at the weights shown: its equation, its values at one point, its gradient."""

    name: str
    inputs: tuple[str, ...]  # names of what it reads
    weights: np.ndarray  # (fan_in,)
    bias: float
    point: tuple[float, float]
    values_in: np.ndarray  # (fan_in,) what it reads at ``point``
    z: float
    a: float
    grad_weights: np.ndarray  # (fan_in,) dLoss/dW over the training points, penalty included
    grad_bias: float
    loss: float  # the loss those gradients are of
    n_train: int

    def markdown(self, activation: str, lr: float, output: str) -> str:
        """The node, in words and numbers; ``output`` names what the output layer does (softmax, ...)."""
        is_output = output != ""
        f = output if is_output else activation
        sums = " + ".join(f"{_factor(w)}·{_factor(v)}" for w, v in zip(self.weights, self.values_in))
        grads = ", ".join(f"∂L/∂w({name}) = {_g(g)}" for name, g in zip(self.inputs, self.grad_weights))
        lines = [f"**{self.name}** computes z = {equation(self.weights, self.inputs, self.bias)}, "
                 f"then {f}.",
                 f"At the point ({number(self.point[0])}, {number(self.point[1])}) it reads "
                 + ", ".join(f"{n} = {number(v)}" for n, v in zip(self.inputs, self.values_in))
                 + f": z = {sums} + {_factor(self.bias)} = **{number(self.z, 3)}**, "
                 f"and a = {f}(z) = **{number(self.a, 3)}**"
                 + (" (softmax uses the other outputs' scores too)." if is_output and output == "softmax" else "."),
                 f"**How training would change it.** Over the {self.n_train} training points the loss is "
                 f"{self.loss:.4g}. Its gradient (from `MLP.trace`) says how fast the loss grows if a number "
                 f"grows: ∂L/∂b = {_g(self.grad_bias)}; {grads} (the weights' include the penalty). "
                 f"The next full-batch step (lr {lr:g}) would move the bias by {-lr * self.grad_bias:+.3g}: "
                 "against its gradient, downhill."]
        return "\n\n".join(lines)


def node_detail(run: MoonsRun, model: MLP, node: tuple[int, int], point: tuple[float, float]) -> NodeDetail:
    """The node ``(layer, unit)`` (layer 1..L) of ``model`` at ``point`` of the plane, with the gradient
    of the loss over the run's training points (``MLP.trace``, the code that trains)."""
    layer, unit = node
    names = node_names(run.features, list(model.layer_sizes), run.kind)
    X_point = run.inputs(np.array([point], dtype=float))
    trace_point = model.trace(X_point, run.data.y_train[:1])  # the forward values at the point (no dropout)
    values_in = X_point[0] if layer == 1 else trace_point.layers[layer - 2].a[0]
    with np.errstate(over="ignore", invalid="ignore"):
        trace = model.trace(run.inputs(run.data.X_train), run.data.y_train)
    here = trace.layers[layer - 1]
    return NodeDetail(names[layer][unit], names[layer - 1], model.W[layer - 1][:, unit].copy(),
                      float(model.b[layer - 1][unit]), (float(point[0]), float(point[1])),
                      np.asarray(values_in, dtype=float), float(trace_point.layers[layer - 1].z[0, unit]),
                      float(trace_point.layers[layer - 1].a[0, unit]), here.dW[:, unit].copy(),
                      float(here.db[unit]), float(trace.loss), len(run.data.X_train))


# ---- text alternatives: what a screen reader says instead of a chart ---------------------------
def _score(run: MoonsRun) -> str:
    name = "R²" if run.kind == "regression" else "accuracy"
    fmt = (lambda v: f"{v:.2f}") if run.kind == "regression" else (lambda v: f"{v:.0%}")
    test = "" if run.test_accuracy is None else f", test {name} {fmt(run.test_accuracy)}"
    return f"train {name} {fmt(run.train_accuracy)}{test}"


def boundary_alt(run: MoonsRun) -> str:
    """One sentence: what the boundary chart shows for this run, with its scores."""
    data = run.data
    n = len(data.y_train) + len(data.y_test)
    if run.kind == "regression":
        what = "the predicted value over the plane, blue low to orange high"
    elif run.kind == "multiclass":
        what = "the most likely class over the plane, one colour per class, with lines between the classes"
    else:
        what = "the probability of class 1 over the plane, blue for class 0 and orange for class 1, " \
               "with a line at 0.5: the decision boundary"
    return (f"{run.settings.dataset.capitalize()} data, {n} points; the network {run.architecture} shows {what}; "
            f"{_score(run)}.")


def loss_alt(run: MoonsRun) -> str:
    """One sentence: the training loss curve from its first to its last pass."""
    losses = run.history.train_loss
    if not len(losses):
        return "Training loss: no passes yet."
    stop = f", levelled off at pass {run.flat_at:,}" if run.flat_at else ""
    return (f"Training loss on log-log axes over {len(losses):,} passes, from {losses[0]:.4g} "
            f"to {losses[-1]:.4g}{stop}.")
