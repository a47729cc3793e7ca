"""What a trained digit classifier gets right and wrong on the test split, and moving it in and out."""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nn import MLP, History
from nn.metrics import confusion_matrix, precision_recall

from lab.mnist.data import N_CLASSES, N_PIXELS, to_network_input
from lab.mnist.settings import MAX_HIDDEN_LAYERS, MAX_PARAMETERS, MAX_WIDTH, TrainingConfig

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a 784-512-10 float32 model is about 1.6 MB


@dataclass(frozen=True)
class Evaluation:
    """A network's answers on a test split of n images."""

    y_true: np.ndarray  # (n,) labels
    proba: np.ndarray  # (n, k) predicted probabilities
    y_pred: np.ndarray  # (n,) argmax of proba
    accuracy: float
    confusion: np.ndarray  # (k, k) counts, row = true class, column = predicted class
    precision: np.ndarray  # (k,)
    recall: np.ndarray  # (k,)

    def pair_indices(self, true_class: int, predicted_class: int) -> np.ndarray:
        """Test rows whose label is ``true_class`` and which the network called ``predicted_class``."""
        return np.flatnonzero((self.y_true == true_class) & (self.y_pred == predicted_class))

    def confident_mistakes(self, count: int) -> np.ndarray:
        """The ``count`` wrong answers given with the highest probability, most confident first."""
        wrong = np.flatnonzero(self.y_true != self.y_pred)
        confidence = self.proba[wrong, self.y_pred[wrong]]
        return wrong[np.argsort(-confidence, kind="stable")[:count]]

    def most_confused_pair(self) -> tuple[int, int]:
        """The (true, predicted) off-diagonal cell with the most digits; (0, 0) if there is none."""
        off = self.confusion.copy()
        np.fill_diagonal(off, -1)
        if off.max() <= 0:
            return 0, 0
        t, p = np.unravel_index(int(np.argmax(off)), off.shape)
        return int(t), int(p)

    def table(self, rows: np.ndarray, class_names: tuple[str, ...]) -> pd.DataFrame:
        """One row per test image in ``rows``: its index, true and predicted class, all k probabilities."""
        table = pd.DataFrame(self.proba[rows], columns=[f"p({n})" for n in class_names]).round(3)
        table.insert(0, "predicted", [class_names[p] for p in self.y_pred[rows]])
        table.insert(0, "true", [class_names[t] for t in self.y_true[rows]])
        table.insert(0, "test image #", rows)
        return table

    def per_class_rows(self, class_names: tuple[str, ...]) -> list[dict]:
        """One row per class: precision, recall and how many test examples it has."""
        support = self.confusion.sum(axis=1)
        return [{"class": name, "precision": float(p), "recall": float(r), "test examples": int(s)}
                for name, p, r, s in zip(class_names, self.precision, self.recall, support)]


def evaluate(model: MLP, X_test: np.ndarray, y_test: np.ndarray) -> Evaluation:
    """Run ``model`` on uint8 test images X_test (n, 784) with labels y_test (n,)."""
    proba = model.predict_proba(to_network_input(X_test))
    y_pred = proba.argmax(axis=1)
    y_true = np.asarray(y_test)
    k = model.n_classes
    precision, recall = precision_recall(y_true, y_pred, k)
    return Evaluation(y_true, proba, y_pred, float(np.mean(y_true == y_pred)),
                      confusion_matrix(y_true, y_pred, k), precision, recall)


@dataclass
class Outcome:
    """The model the results section shows: trained here (with its history) or uploaded."""

    model: MLP
    name: str  # e.g. "784-256-10 relu"
    dataset: str  # the split it was evaluated on
    evaluation: Evaluation
    status: str  # History.status, or "uploaded"
    message: str
    history: History | None = None
    initial_weights: list[np.ndarray] | None = None  # W1, W2, ... before training
    seconds: float | None = None  # training wall time
    config: TrainingConfig | None = None  # None for an uploaded model


def model_bytes(model: MLP) -> bytes:
    """The model as a .npz file's bytes (MLP.save)."""
    buffer = io.BytesIO()
    model.save(buffer)
    return buffer.getvalue()


def load_digit_model(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> MLP:
    """A digit classifier from an uploaded .npz; ValueError saying why anything else is refused.

    The bytes are read in memory, never written to disk. ``MLP.load`` reads no pickles and builds
    nothing before it knows it fits the limits this app trains within: layers, width and weights.
    """
    if len(data) > max_bytes:
        raise ValueError(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    model = MLP.load(data, max_parameters=MAX_PARAMETERS, max_layers=MAX_HIDDEN_LAYERS + 1,
                     max_width=max(MAX_WIDTH, N_PIXELS))
    if model.layer_sizes[0] != N_PIXELS or model.layer_sizes[-1] != N_CLASSES:
        raise ValueError(f"this network maps {model.layer_sizes[0]} inputs to {model.layer_sizes[-1]} "
                         f"outputs; a digit classifier needs {N_PIXELS} pixels in and {N_CLASSES} classes out")
    if not model.loss_fn.classifier:
        raise ValueError("this network is a regression model (loss 'mse'); a classifier needs 'cross_entropy'")
    return model
