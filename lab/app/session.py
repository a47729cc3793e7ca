"""What pages hand each other through the user's session (never shared between users)."""
from __future__ import annotations

from dataclasses import dataclass

from nn import MLP

# st.session_state key under which the MNIST page leaves the model the Draw page uses.
TRAINED_MODEL_KEY = "trained_digit_model"


@dataclass
class TrainedModel:
    """A digit classifier trained (or uploaded) in this session, with what the pages show of it."""

    model: MLP  # input 784 pixels scaled to [0, 1], output 10 classes
    name: str  # e.g. "784-256-10 relu, full MNIST"
    dataset: str  # "sample", "mnist" or "fashion"
    test_accuracy: float | None  # on that dataset's held-out test split
    class_names: tuple[str, ...] = tuple(str(d) for d in range(10))
