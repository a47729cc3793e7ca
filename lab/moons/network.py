"""A student's own copy of the network, to step by hand and to edit weight by weight.

The cached run is never touched: ``HandNetwork`` holds a fresh MLP built from the weights on
screen (lives in ``st.session_state``), and ``with_weights(run, hand.model.theta)`` measures and
draws it. Nothing retrains behind the student's back: the weights shown are the ones edited.

    hand = HandNetwork.start(run, passes=0)      # from the weights as initialised
    hand.step(run)                               # one batch of training, as the run trains
    hand.set(("W", 1, 0, 2), 1.5)                # W1 from input 1 to hidden unit 3
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nn import MLP, Progress

from lab.moons.data import feature_matrix
from lab.moons.diagram import Param
from lab.moons.run import MoonsRun


def params_of(sizes: list[int]) -> list[tuple[str, int]]:
    """The parameter arrays of a network of ``sizes``, in nn's order: [("W", 1), ("b", 1), ("W", 2), ...]."""
    return [(kind, layer) for layer in range(1, len(sizes)) for kind in ("W", "b")]


def get_param(model: MLP, param: Param) -> float:
    kind, layer, i, j = param
    return float(model.W[layer - 1][i, j] if kind == "W" else model.b[layer - 1][i])


@dataclass
class HandNetwork:
    """The network a student drives: started from a snapshot of a run, then stepped and edited."""

    source: Any  # what identifies the run it came from; a different run makes it stale
    model: MLP
    start_pass: int
    steps: int = 0
    edited: list[Param] = field(default_factory=list)  # in the order first set
    last_loss: float | None = None  # the loss per point of the last batch stepped on (with the penalty)

    @classmethod
    def start(cls, run: MoonsRun, source: Any, passes: int | None = None) -> "HandNetwork":
        """A fresh copy of the run's network after ``passes`` (a snapshot; None: the end of training)."""
        snapshot = next((s for s in run.snapshots if s.passes == passes), run.snapshots[-1])
        theta = run.theta if passes is None else snapshot.theta
        return cls(source, run.model(theta), run.passes_run if passes is None else snapshot.passes)

    def step(self, run: MoonsRun) -> float:
        """Train on one batch (the full batch unless the run uses minibatches), as the run trained.

        Each step calls nn's fit for one batch: plain SGD is exactly the run's next step; momentum
        and Adam start their running averages afresh at each step.
        """
        s, data, losses = run.settings, run.data, []

        def one_batch(progress: Progress) -> bool:
            losses.append(progress.loss)
            return progress.kind == "batch"

        self.model.fit(feature_matrix(data.X_train, s.features), data.y_train, epochs=1, batch_size=s.batch_size,
                       optimizer=s.optimizer, lr=s.lr, callback=one_batch)
        self.steps += 1
        n = len(data.X_train)  # per point, the page's one scale: a summed batch loss over its points
        self.last_loss = losses[0] / (min(s.batch_size or n, n) if s.reduction == "sum" else 1)
        return self.last_loss

    def set(self, param: Param, value: float) -> None:
        """Write one weight or bias in place (``model.W``/``model.b`` are views into ``model.theta``)."""
        kind, layer, i, j = param
        if kind == "W":
            self.model.W[layer - 1][i, j] = value
        else:
            self.model.b[layer - 1][i] = value
        if param not in self.edited:
            self.edited.append(param)

    def describe(self, label: Any) -> str:
        """What was done to the network, in one sentence; ``label(param)`` names a parameter."""
        start = "the initial weights" if self.start_pass == 0 else f"the weights after pass {self.start_pass:,}"
        parts = []
        if self.steps:
            parts.append(f"{self.steps:,} step{'s' * (self.steps != 1)} taken by hand (last batch's loss "
                         f"per point {self.last_loss:.4g})")
        if self.edited:
            shown = ", ".join(f"{label(p)} = {get_param(self.model, p):.4g}" for p in self.edited[:3])
            more = f" and {len(self.edited) - 3} more" if len(self.edited) > 3 else ""
            parts.append(f"set by hand: {shown}{more}")
        return f"Your network: from {start}, " + ("; ".join(parts) or "unchanged") + "."
