"""Challenge conditions: pure functions of what ``nn`` computed in one run, no Streamlit.

Each takes the result a page already holds and returns a ``Check``: met or not, and how far the run
is from the goal in words ("test accuracy 91.5%, goal 95%"). The lesson layer knows no page: what it
reads of a page's result is stated below as a Protocol (``MoonsRun``, ``MnistOutcome``,
``DrawReading``), or handed over as measured values (the Theory page's ``BugAnswer``).

    check = circles_no_hidden(run)
    check.met        # True once dataset circles, no hidden layer and test accuracy >= 95%
    check.progress   # "test accuracy 100.0%, goal 95%"
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from nn import MLP, GradientCheck, History
from nn.validation import parameter_count

SMALL_WEIGHT = 1e-3  # |w| below this counts as zero for the L1 challenge
PASS_THRESHOLD = 1e-6  # a relative error below this is a passed gradient check (the Theory page's too)


class MoonsRun(Protocol):
    """What the conditions read of a Moons page run (``lab.moons``)."""

    settings: Any  # as trained: dataset, hidden_layers, neurons, noise, lr, ... by name
    history: History
    passes_run: int
    oscillation: Any  # None while the loss falls smoothly, else ``.turns``: the share of passes it turned
    train_accuracy: float
    test_accuracy: float | None  # None without test points
    test_loss: float | None

    def model(self) -> MLP: ...


class MnistOutcome(Protocol):
    """What the conditions read of the MNIST page's result (``lab.mnist``): ``evaluation.accuracy``."""

    model: MLP
    evaluation: Any
    status: str  # History.status, or "uploaded"


class DrawReading(Protocol):
    """What the conditions read of the Draw page's reading of a drawing: the top class's probability."""

    confidence: float


@dataclass(frozen=True)
class Check:
    """Whether a run meets a challenge, and how far from the goal it is, in one line."""

    met: bool
    progress: str


def _judge(measures: list[tuple[str, bool]], setup: list[str]) -> Check:
    """``measures``: (text, reached) per goal; ``setup``: what the run still lacks, in words."""
    text = "; ".join([*(m for m, _ in measures), *setup])
    return Check(not setup and all(ok for _, ok in measures), text)


def _percent(name: str, value: float | None, goal: float, below: bool = False) -> tuple[str, bool]:
    """A share against its goal: at least ``goal``, or (``below``) under it."""
    if value is None:
        return f"{name} unknown (no test points), goal {goal:.0%}", False
    reached = value < goal if below else value >= goal - 1e-12
    return f"{name} {value:.1%}, goal {'below ' if below else ''}{goal:.0%}", reached


def _needs(run: MoonsRun, **wanted: Any) -> list[str]:
    """The settings ``run`` lacks: ``name=value`` for an exact value, ``name=(low, high)`` for a range."""
    missing = []
    for name, want in wanted.items():
        have = getattr(run.settings, name)
        if isinstance(want, tuple):
            low, high = want
            if not ((low is None or have >= low) and (high is None or have <= high)):
                bound = f"at least {low:g}" if high is None else (f"at most {high:g}" if low is None
                                                                    else f"{low:g} to {high:g}")
                missing.append(f"{name} is {have:g}, needs {bound}")
        elif have != want:
            missing.append(f"{name} is {have}, needs {want}")
    return missing


def _test_accuracy(run: MoonsRun, goal: float, **wanted: Any) -> Check:
    """Test accuracy at least ``goal`` with the settings ``wanted`` (as in ``_needs``)."""
    return _judge([_percent("test accuracy", run.test_accuracy, goal)], _needs(run, **wanted))


# ---- Moons --------------------------------------------------------------------------------------
def circles_no_hidden(run: MoonsRun) -> Check:
    """Circles, no hidden layer, test accuracy >= 95%."""
    return _test_accuracy(run, 0.95, dataset="circles", hidden_layers=0)


def xor_no_hidden(run: MoonsRun) -> Check:
    """Xor, no hidden layer, test accuracy >= 95%."""
    return _test_accuracy(run, 0.95, dataset="xor", hidden_layers=0)


def spiral_capacity(run: MoonsRun) -> Check:
    """The two-arm spiral, test accuracy >= 90%."""
    return _test_accuracy(run, 0.90, dataset="spiral", classes=2)


def deep_sigmoid(run: MoonsRun) -> Check:
    """Moons, at least 4 sigmoid hidden layers, test accuracy >= 95%."""
    return _test_accuracy(run, 0.95, dataset="moons", activation="sigmoid", hidden_layers=(4, None))


def train_test_gap(run: MoonsRun) -> float | None:
    """Train minus test accuracy (None without test points)."""
    return None if run.test_accuracy is None else run.train_accuracy - run.test_accuracy


def moons_overfit(run: MoonsRun) -> Check:
    """Moons, train accuracy at least 10 points above test accuracy."""
    gap = train_test_gap(run)
    measure = ("no test points: the train/test gap is unknown", False) if gap is None else (
        f"train {run.train_accuracy:.1%} − test {run.test_accuracy:.1%} = {gap * 100:.1f} points, "
        "goal at least 10", gap >= 0.10 - 1e-9)
    return _judge([measure], _needs(run, dataset="moons"))


def overfit_tamed(run: MoonsRun) -> Check:
    """The overfitting setup (moons, noise >= 0.35, >= 50 neurons): test >= 85% and gap <= 5 points."""
    gap = train_test_gap(run)
    measures = [_percent("test accuracy", run.test_accuracy, 0.85)]
    if gap is not None:
        measures.append((f"gap {gap * 100:.1f} points, goal at most 5", gap <= 0.05 + 1e-9))
    return _judge(measures, _needs(run, dataset="moons", noise=(0.35, None), neurons=(50, None),
                                   hidden_layers=(1, None)))


def small_weight_share(run: MoonsRun) -> float:
    """The share of weights (not biases) with |w| < SMALL_WEIGHT."""
    weights = run.model().W
    return sum(int((np.abs(w) < SMALL_WEIGHT).sum()) for w in weights) / sum(w.size for w in weights)


def l1_sparse(run: MoonsRun) -> Check:
    """Moons, half the weights at zero (|w| < 0.001) and test accuracy >= 95%."""
    share = small_weight_share(run)
    return _judge([(f"{share:.0%} of the weights are zero, goal at least 50%", share >= 0.5),
                   _percent("test accuracy", run.test_accuracy, 0.95)], _needs(run, dataset="moons"))


def lr_diverge(run: MoonsRun) -> Check:
    """nn's History.status says 'diverged'."""
    status = run.history.status
    return Check(status == "diverged", f"nn's training status is {status!r}, goal 'diverged'")


def lr_bounce(run: MoonsRun) -> Check:
    """Moons, full batch: the loss bounces (the page's oscillation measure) without diverging."""
    bounce = (f"the loss turned up or down on {run.oscillation.turns:.0%} of the last passes"
              if run.oscillation else "the loss falls smoothly")
    return _judge([(f"{bounce}, goal: it bounces", run.oscillation is not None),
                   (f"status {run.history.status!r}, goal: not 'diverged'", not run.history.diverged)],
                  _needs(run, dataset="moons", batch_size=None))


def _passes(run: MoonsRun, most: int) -> tuple[str, bool]:
    return f"{run.passes_run:,} passes, goal at most {most}", run.passes_run <= most


def fast_optimizer(run: MoonsRun) -> Check:
    """Moons, train accuracy >= 97% within 100 passes."""
    return _judge([_percent("train accuracy", run.train_accuracy, 0.97), _passes(run, 100)],
                  _needs(run, dataset="moons"))


def batch_steps(run: MoonsRun) -> Check:
    """Moons, plain SGD at lr >= 0.1: test loss <= 0.2 within 200 passes."""
    loss = run.test_loss
    return _judge([(f"test loss {'unknown' if loss is None else f'{loss:.3f}'}, goal at most 0.2",
                    loss is not None and loss <= 0.2), _passes(run, 200)],
                  _needs(run, dataset="moons", optimizer="sgd", lr=(0.1, None)))


# ---- MNIST --------------------------------------------------------------------------------------
def _mnist(outcome: MnistOutcome, goal: float, size: tuple[str, bool]) -> Check:
    """Test accuracy at least ``goal``, trained here (not diverged, not uploaded), and a size goal."""
    return _judge([_percent("test accuracy", outcome.evaluation.accuracy, goal),
                   (f"status {outcome.status!r}", outcome.status not in ("diverged", "uploaded")), size], [])


def mnist_small(outcome: MnistOutcome) -> Check:
    """Trained here: test accuracy >= 95% with at most 50,000 weights and biases."""
    count = parameter_count(outcome.model.layer_sizes)
    return _mnist(outcome, 0.95, (f"{count:,} weights and biases, goal at most 50,000", count <= 50_000))


def mnist_linear(outcome: MnistOutcome) -> Check:
    """Trained here: no hidden layer, test accuracy >= 90%."""
    hidden = len(outcome.model.layer_sizes) - 2
    return _mnist(outcome, 0.90, (f"{hidden} hidden layer{'s' * (hidden != 1)}, goal none", hidden == 0))


# ---- Draw ---------------------------------------------------------------------------------------
def draw_unsure(reading: DrawReading) -> Check:
    """The top class's probability is below 50%."""
    return _judge([_percent("top probability", reading.confidence, 0.5, below=True)], [])


def draw_sure(reading: DrawReading) -> Check:
    """The top class's probability is at least 99%."""
    return _judge([_percent("top probability", reading.confidence, 0.99)], [])


# ---- Theory: the gradient check of a planted bug --------------------------------------------------
LAYERS = {"layer 1": ("W1", "b1"), "layer 2": ("W2", "b2"), "both layers": ("W1", "b1", "W2", "b2")}


@dataclass(frozen=True)
class BugAnswer:
    """The layer a student names (a key of LAYERS, or None) and nn's gradient check of the bug."""

    answer: str | None
    check: GradientCheck


def broken_layer(check: GradientCheck) -> str | None:
    """The key of LAYERS whose arrays are exactly those failing the check (None: none fail)."""
    failing = {name for name, error in zip(check.names, check.errors) if error >= PASS_THRESHOLD}
    return next((layer for layer, names in LAYERS.items() if set(names) == failing), None)


def theory_find_bug(given: BugAnswer) -> Check:
    """Met when the named layer is the one whose gradient check fails."""
    if given.answer is None:
        return Check(False, "no layer named yet")
    right = given.answer == broken_layer(given.check)
    why = "and exactly its parameters fail the gradient check" if right else \
        "but the check's relative errors say otherwise"
    return Check(right, f"you named {given.answer}, {why}")
