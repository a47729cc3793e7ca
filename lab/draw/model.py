"""The Draw page's digit model: the default network shipped with the app, and what a network
computes for one drawing (probabilities, hidden activations, saliency).

The default network is ``default_digit_model.npz`` beside this file (a 784-128-10 ReLU network,
about 400 KB), trained on the bundled 8,000-digit sample plus shifted copies of it, so a drawing
whose centre of mass lands a pixel or two off still reads well. ``default_digit_model.json``
beside it records how it was trained and its accuracy on the sample's 2,000 test digits.
Regenerate both (about a minute on 2 cores) with:

    python scripts/train_default_digit_model.py
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st
from scipy import ndimage

from lab.app.session import TrainedModel
from nn import MLP
from nn.datasets import class_names, load_mnist

MODEL_PATH = Path(__file__).parent / "default_digit_model.npz"
INFO_PATH = Path(__file__).parent / "default_digit_model.json"

ARCHITECTURE = dict(layer_sizes=[784, 128, 10], activation="relu", init="he", dtype="float32")
MAX_SHIFT = 2  # pixels, each way: how far off MNIST's centring a prepared drawing may land
COPIES = 3  # shifted copies of each training digit, added to the originals
TRAINING = dict(epochs=20, batch_size=128, optimizer="adam", lr=1e-3)


# ---- training (used by scripts/train_default_digit_model.py) ---------------------------------
def shifted_copies(X: np.ndarray, copies: int, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """``copies`` versions of each image in X (n, 784), each moved by a random whole-pixel shift
    in [-max_shift, max_shift] down and across (ink leaving the field is lost). (copies * n, 784)."""
    images = np.tile(X.reshape(-1, 28, 28), (copies, 1, 1))  # (copies * n, 28, 28)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))
    out = np.empty_like(images)
    for dy, dx in np.unique(shifts, axis=0):  # one ndimage call per distinct shift
        rows = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
        out[rows] = ndimage.shift(images[rows], (0, dy, dx), order=0, mode="constant", cval=0.0)
    return out.reshape(len(images), -1)


def train_default_model(seed: int = 0) -> tuple[MLP, dict]:
    """Train the default network on the sample with shifted copies; returns it and its record."""
    X_train, y_train, X_test, y_test = load_mnist("sample", scale=True)
    rng = np.random.default_rng(seed)
    X = np.concatenate([X_train, shifted_copies(X_train, COPIES, MAX_SHIFT, rng)])
    y = np.tile(y_train, COPIES + 1)
    model = MLP(**ARCHITECTURE, seed=seed)
    history = model.fit(X, y, **TRAINING)
    info = dict(
        name="784-128-10 ReLU, trained on the bundled MNIST sample with shifted copies",
        dataset="sample",
        test_accuracy=round(float(model.score(X_test, y_test)), 4),
        test_digits=int(len(X_test)),
        training_rows=int(len(X)),
        architecture=ARCHITECTURE,
        augmentation=dict(max_shift=MAX_SHIFT, copies=COPIES),
        training=TRAINING,
        seed=seed,
        train_seconds=round(float(history.elapsed[-1]), 1),
    )
    return model, info


def save_default_model(model: MLP, info: dict) -> None:
    """Write the network to MODEL_PATH and its record (with the file's SHA-256) to INFO_PATH."""
    model.save(MODEL_PATH)
    info = {**info, "sha256": hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()}
    INFO_PATH.write_text(json.dumps(info, indent=2) + "\n")


# ---- loading: one shared, read-only copy for every user --------------------------------------
@st.cache_resource(show_spinner=False)
def load_default_model() -> TrainedModel:
    """The shipped default network with its recorded test accuracy. Shared by every session, so
    its arrays are made read-only: nothing can train or edit it by accident."""
    info = json.loads(INFO_PATH.read_text())
    model = MLP.load(MODEL_PATH).freeze()  # every array and view read-only, the gradient buffers too
    return TrainedModel(model=model, name=info["name"], dataset=info["dataset"],
                        test_accuracy=info["test_accuracy"], class_names=class_names(info["dataset"]))


# ---- what the network computes for one drawing -----------------------------------------------
NOT_SURE_BELOW = 0.7  # a top probability under this is reported as "not sure"


@dataclass(frozen=True)
class Reading:
    """One drawing as the network sees and scores it."""

    pixels: np.ndarray  # (784,) the input x, in [0, 1]
    probabilities: np.ndarray  # (k,) softmax output
    top: int  # the most probable class
    hidden: list[np.ndarray]  # [(width_l,), ...] hidden activations a_l
    saliency: np.ndarray  # (28, 28) d z_top / d x: how each pixel moves the top class's score

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.top])

    @property
    def sure(self) -> bool:
        return self.confidence >= NOT_SURE_BELOW


def read_drawing(model: MLP, pixels: np.ndarray) -> Reading:
    """Run ``model`` on one prepared drawing ``pixels`` (784,)."""
    x = model.check_X(np.asarray(pixels).reshape(1, -1))  # (1, 784)
    probabilities = model.predict_proba(x)[0]
    top = int(probabilities.argmax())
    return Reading(pixels=x[0], probabilities=probabilities, top=top,
                   hidden=[a[0] for a in model.hidden_activations(x)],
                   saliency=model.input_gradient(x, top)[0].reshape(28, 28))


def digit_model_problem(candidate: object) -> str | None:
    """Why ``candidate`` (what another page left in the session) can't read drawings, or None."""
    model = getattr(candidate, "model", None)
    names = getattr(candidate, "class_names", ())
    if not isinstance(model, MLP):
        return "it is not a network"
    if model.layer_sizes[0] != 784 or not model.loss_fn.classifier:
        return f"it is not a classifier of 28x28 images (layers {list(model.layer_sizes)})"
    if len(names) != model.n_classes:
        return f"it has {model.n_classes} outputs but {len(names)} class names"
    return None
