"""'What am I looking at?' on the MNIST page: the learning curves, the confusion matrix and the
first layer's weight images explained with the numbers of the run on screen (pure functions returning Markdown)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from nn import History

from lab.app.numbers import number


def curves_text(history: History, n_images: int) -> str:
    """The learning curves: how the loss and accuracy moved, and what validation says."""
    epochs = len(history.epoch)
    first, last = history.train_loss[0], history.train_loss[-1]
    text = (f"One **epoch** is one pass over all {n_images:,} training images. After epoch 1 the training loss "
            f"(how wrong the network is, on average) was {first:.3f}; after epoch {epochs} it was {last:.3f}")
    if history.train_accuracy:
        text += (f", and the share of training images it got right rose from {history.train_accuracy[0]:.1%} to "
                 f"{history.train_accuracy[-1]:.1%}")
    text += "."
    if history.val_loss:
        best = int(np.argmin(history.val_loss))
        text += (f" The validation images are held out: the network never learns from them, so they show how it "
                 f"does on new digits. Their loss was lowest after epoch {best + 1} ({history.val_loss[best]:.3f})"
                 + (f" and {history.val_loss[-1]:.3f} at the end: " if best + 1 < epochs else ", the last one: "))
        text += ("it has started to memorise its training images (overfitting); fewer epochs or dropout would help."
                 if history.val_loss[-1] > 1.05 * history.val_loss[best] else
                 "what it learns still carries over to new images.")
        if history.val_accuracy:
            text += f" Validation accuracy at the end: {history.val_accuracy[-1]:.1%}."
    return text


def confusion_text(confusion: np.ndarray, class_names: Sequence[str]) -> str:
    """The confusion matrix: the diagonal, the worst cell, the hardest class."""
    total, right = int(confusion.sum()), int(np.trace(confusion))
    off = confusion.astype(float).copy()
    np.fill_diagonal(off, -1)
    t, p = np.unravel_index(int(np.argmax(off)), off.shape)
    per_class = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)
    hardest = int(np.argmin(per_class))
    text = (f"Each row is the true class of a test image, each column what the network answered, so the diagonal "
            f"holds the right answers: {right:,} of {total:,} ({right / total:.1%}). ")
    if off[t, p] > 0:
        text += (f"The largest cell off the diagonal: {int(confusion[t, p])} images of **{class_names[t]}** "
                 f"taken for **{class_names[p]}**. ")
    return text + (f"The class found least often is {class_names[hardest]}: {per_class[hardest]:.1%} of its "
                   f"{int(confusion[hardest].sum())} images recognised.")


def weights_text(W1: np.ndarray, b1: np.ndarray, unit: int = 0, change: bool = False) -> str:
    """The first layer's weight images: what a unit computes, and where the first pictured unit's
    (``unit``, 0-based) strongest weights sit. ``change``: the pictures show weights after − before."""
    w = W1[:, unit]
    high, low = int(np.argmax(w)), int(np.argmin(w))
    shown = ("Here each picture shows what training added to those weights (after − before), which is where "
             "the pattern is: the random start is subtracted. " if change else "")
    return ("Each hidden unit of the first layer computes z = w₁·pixel₁ + … + w₇₈₄·pixel₇₈₄ + b: one weight per "
            "pixel, drawn at that pixel's place (red positive, blue negative). Ink on a red pixel raises z, ink on "
            f"a blue one lowers it, so each image is the pattern its unit looks for. {shown}The first picture is "
            f"unit {unit + 1}: its weights run from {number(float(w.min()))} (row {low // 28 + 1}, column "
            f"{low % 28 + 1}) to {number(float(w.max()))} (row {high // 28 + 1}, column {high % 28 + 1}), and its "
            f"bias is {number(float(b1[unit]))}. Across all {W1.shape[1]} units the weights average "
            f"{float(np.abs(W1).mean()):.3f} in size.")
