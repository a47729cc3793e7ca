"""The Draw page's digit model: the default network shipped with the app, and what a network
computes for one drawing (probabilities, hidden activations, saliency).

The default network is ``default_digit_model.npz`` beside this file (a 784-128-10 ReLU network,
about 400 KB), trained on the bundled 8,000-digit sample plus shifted copies of it, so a drawing
whose centre of mass lands a pixel or two off still reads well. ``default_digit_model.json``
beside it records how it was trained and its accuracy on the sample's 2,000 test digits.
Regenerate both (about a minute on 2 cores; the training code is in that script) with:

    python scripts/train_default_digit_model.py
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from lab.app.session import TrainedModel
from nn import MLP
from nn.datasets import class_names

MODEL_PATH = Path(__file__).parent / "default_digit_model.npz"
INFO_PATH = Path(__file__).parent / "default_digit_model.json"
NOT_SURE_BELOW = 0.7  # a top probability under this is reported as "not sure"


@lru_cache(maxsize=1)
def load_default_model() -> TrainedModel:
    """The shipped default network with its recorded test accuracy. Shared by every session, so
    its arrays are made read-only: nothing can train or edit it by accident."""
    info = json.loads(INFO_PATH.read_text())
    model = MLP.load(MODEL_PATH).freeze()  # every array and view read-only, the gradient buffers too
    return TrainedModel(model=model, name=info["name"], dataset=info["dataset"],
                        test_accuracy=info["test_accuracy"], class_names=class_names(info["dataset"]))


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
