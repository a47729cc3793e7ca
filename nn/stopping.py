"""Stopping rules for ``MLP.fit``'s callback: stop once the training loss has levelled off.

    history = model.fit(X, y, epochs=20000, lr=0.01, callback=StopWhenFlat())
    # history.status == "stopped" when the rule ended training early

The Moons playground trains with this rule (its "Stop when the loss levels off" switch), so a
script using it reproduces the page's numbers exactly.
"""
from __future__ import annotations

from typing import Literal, Sequence

from .training import Progress

FLAT_WINDOW = 100  # the loss has levelled off when, over the last 100 passes, ...
FLAT_TOLERANCE = 1e-3  # ... it stayed within a band 0.1% of its value wide, ...
BOUNCE_WINDOW = 500  # ... or, bouncing, its mean over 500 passes is within 0.1% of the 500 before


def levelled_off(losses: Sequence[float], window: int = FLAT_WINDOW, tolerance: float = FLAT_TOLERANCE,
                 bounce_window: int = BOUNCE_WINDOW) -> Literal["steady", "bouncing"] | None:
    """Whether the loss (one value per pass) has stopped moving, and how; None while it moves.

    "steady": over the last ``window`` passes it stayed within a band ``tolerance`` of its value
    wide. "bouncing": it jumps up and down, but around a level it no longer leaves: its mean over the
    last ``bounce_window`` passes is within ``tolerance`` of its mean over the ``bounce_window`` before.
    A loss still falling, even while it bounces, is neither.
    """
    if len(losses) > window:
        recent = losses[-window - 1:]
        if max(recent) - min(recent) <= tolerance * abs(losses[-1]):
            return "steady"
    if len(losses) >= 2 * bounce_window:
        last = sum(losses[-bounce_window:]) / bounce_window
        before = sum(losses[-2 * bounce_window:-bounce_window]) / bounce_window
        if abs(last - before) <= tolerance * abs(last):
            return "bouncing"
    return None


class StopWhenFlat:
    """A ``fit`` callback: every ``window`` epochs, stop if ``levelled_off`` holds for the training loss.

    ``stopped_at`` is the epoch (1-based) where it stopped training, None if it did not.
    """

    def __init__(self, window: int = FLAT_WINDOW, tolerance: float = FLAT_TOLERANCE,
                 bounce_window: int = BOUNCE_WINDOW) -> None:
        self.window, self.tolerance, self.bounce_window = window, tolerance, bounce_window
        self.stopped_at: int | None = None

    def __call__(self, progress: Progress) -> bool:
        if progress.kind != "epoch":
            return False
        done = progress.epoch + 1
        if done % self.window == 0 and levelled_off(progress.history.train_loss, self.window, self.tolerance,
                                                    self.bounce_window):
            self.stopped_at = done
            return True
        return False
