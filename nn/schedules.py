"""Learning-rate schedules: the rate for epoch t (counting from 0) of a run of ``epochs``."""
from __future__ import annotations

import math
from typing import Callable

from .validation import lookup

Schedule = Callable[[float, int, int, float], float]  # (lr0, t, epochs, decay) -> lr


def _compounding(lr0: float, t: int, epochs: int, decay: float) -> float:
    # Tutorial B divides the current rate every epoch: lr_t = lr_{t-1} / (1 + decay * t).
    return lr0 / math.prod(1.0 + decay * s for s in range(1, t + 1))


SCHEDULES: dict[str, Schedule] = {
    "constant": lambda lr0, t, epochs, decay: lr0,
    # The standard inverse-time decay: lr0 / (1 + decay * t).
    "inverse_time": lambda lr0, t, epochs, decay: lr0 / (1.0 + decay * t),
    "compounding": _compounding,
    # Multiply by (1 - decay) every epoch: decay 0.2 is "lr x 0.8 per epoch".
    "exponential": lambda lr0, t, epochs, decay: lr0 * (1.0 - decay) ** t,
    # Divide by 10 at half and at three quarters of the run.
    "step": lambda lr0, t, epochs, decay: lr0 * 0.1 ** ((t >= epochs // 2) + (t >= 3 * epochs // 4)),
    # Half a cosine from lr0 down towards 0 over the run.
    "cosine": lambda lr0, t, epochs, decay: lr0 * 0.5 * (1.0 + math.cos(math.pi * t / epochs)),
}


def get_schedule(name: str) -> Schedule:
    """The table entry for ``name``; a ValueError lists the valid names."""
    return lookup(SCHEDULES, "schedule", name)
