"""Text alternatives for the Moons charts: what a screen reader says instead of the picture."""
from __future__ import annotations

from lab.moons.run import MoonsRun


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
