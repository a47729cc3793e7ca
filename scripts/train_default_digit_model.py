"""Regenerate the Draw page's default network: lab/draw/default_digit_model.npz and its record .json.

    python scripts/train_default_digit_model.py

Trains on the bundled MNIST sample (8,000 digits plus shifted copies, so a drawing whose centre
of mass lands a pixel or two off still reads well), measures it on the sample's 2,000 test digits
and writes both files. Deterministic for a given seed and machine; takes about a minute.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab.draw.model import INFO_PATH, MODEL_PATH  # noqa: E402
from nn import MLP  # noqa: E402
from nn.datasets import load_mnist  # noqa: E402

ARCHITECTURE = dict(layer_sizes=[784, 128, 10], activation="relu", init="he", dtype="float32")
MAX_SHIFT = 2  # pixels, each way: how far off MNIST's centring a prepared drawing may land
COPIES = 3  # shifted copies of each training digit, added to the originals
TRAINING = dict(epochs=20, batch_size=128, optimizer="adam", lr=1e-3)


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


def main() -> None:
    model, info = train_default_model(seed=0)
    save_default_model(model, info)
    size_kb = MODEL_PATH.stat().st_size / 1024
    print(f"{info['name']}\ntest accuracy {info['test_accuracy']:.2%} on {info['test_digits']} sample "
          f"test digits; trained in {info['train_seconds']} s\nwrote {MODEL_PATH} ({size_kb:.0f} KB) "
          f"and {INFO_PATH}")


if __name__ == "__main__":
    main()
