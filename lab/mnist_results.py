"""What a trained digit classifier gets right and wrong on the test split, and moving it in and out."""
from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nn import MLP, History
from nn.metrics import confusion_matrix, precision_recall

from .mnist_data import N_CLASSES, N_PIXELS, to_network_input
from .mnist_training import MAX_PARAMETERS, TrainingConfig, n_parameters

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a 784-512-10 float32 model is about 1.6 MB
# Unzipped, a model's arrays are at most MAX_PARAMETERS float64 numbers (and its JSON header): a
# small compressed file that unpacks to gigabytes is refused before anything is unpacked.
MAX_UNPACKED_BYTES = 8 * MAX_PARAMETERS + 2**20
MAX_ARRAYS = 64


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


def screen_model_file(data: bytes) -> None:
    """Refuse, before ``MLP.load`` unpacks anything, a file whose arrays would not fit in memory.

    Reads only the zip directory, each array's .npy header and the JSON header: every array must
    declare no more bytes than the archive says it holds, all of them at most MAX_UNPACKED_BYTES, and
    the header's network at most MAX_PARAMETERS weights (MLP.load allocates it before reading them).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_ARRAYS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise ValueError(f"it unpacks to more than {MAX_UNPACKED_BYTES / 2**20:.0f} MB of arrays")
        header = None
        for member in members:
            with archive.open(member) as f:
                version = np.lib.format.read_magic(f)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                    else np.lib.format.read_array_header_2_0
                shape, _, dtype = read_header(f)
                if dtype.hasobject:
                    raise ValueError("it holds pickled Python objects")
                if math.prod(shape) * dtype.itemsize > member.file_size:
                    raise ValueError(f"its array {member.filename!r} claims more data than the file holds")
            if member.filename == "header.npy":
                with archive.open(member) as f:
                    header = np.lib.format.read_array(f, allow_pickle=False)
    except ValueError as err:
        raise ValueError(f"not a Neural Lab model file (.npz): {err}") from None
    except Exception as err:  # zipfile and numpy raise many kinds on corrupt input
        raise ValueError(f"not a Neural Lab model file (.npz): {type(err).__name__}: {err}") from None
    try:
        sizes = json.loads(str(header))["layer_sizes"]
        count = n_parameters([int(n) for n in sizes])
    except Exception:  # no readable sizes: MLP.load refuses the file with the precise reason
        return
    if count > MAX_PARAMETERS:
        raise ValueError(f"the network in it has {count:,} weights and biases; this app reads at most "
                         f"{MAX_PARAMETERS:,}")


def load_digit_model(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> MLP:
    """A digit classifier from an uploaded .npz; ValueError saying why anything else is refused.

    The bytes are read in memory, never written to disk; ``MLP.load`` reads no pickles.
    """
    if len(data) > max_bytes:
        raise ValueError(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    screen_model_file(data)
    try:
        model = MLP.load(data)  # ValueError for anything malformed
    except ValueError:
        raise
    except Exception as err:  # nn/ lets a few other kinds through on odd headers (e.g. a NaN seed)
        raise ValueError(f"not a Neural Lab model file: {type(err).__name__}: {err}") from None
    if model.layer_sizes[0] != N_PIXELS or model.layer_sizes[-1] != N_CLASSES:
        raise ValueError(f"this network maps {model.layer_sizes[0]} inputs to {model.layer_sizes[-1]} "
                         f"outputs; a digit classifier needs {N_PIXELS} pixels in and {N_CLASSES} classes out")
    if not model.loss_fn.classifier:
        raise ValueError("this network is a regression model (loss 'mse'); a classifier needs 'cross_entropy'")
    return model
