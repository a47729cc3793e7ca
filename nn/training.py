"""The training loop: minibatches, an optimiser, a schedule, a history, and knowing when to stop."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal

import numpy as np

from .model import MLP
from .optimizers import make_optimizer
from .schedules import get_schedule
from .validation import check_count, check_number


@dataclass(frozen=True)
class Progress:
    """What a callback hears after every batch (kind "batch") and every epoch (kind "epoch")."""

    kind: Literal["batch", "epoch"]
    epoch: int  # 0-based
    epochs: int
    batch: int  # batches done in this epoch
    batches: int
    loss: float  # this batch's loss, or the epoch's training loss
    lr: float
    elapsed: float  # seconds since training started
    history: "History"


@dataclass
class History:
    """One entry per epoch. ``train_loss`` and ``train_accuracy`` are measured on the batches as
    they were trained (so with dropout, and with weights moving during the epoch, as in Keras);
    with full-batch training they are exactly the loss and accuracy before each step."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    elapsed: list[float] = field(default_factory=list)
    status: Literal["running", "completed", "stopped", "early_stopped", "diverged"] = "running"
    best_epoch: int | None = None  # with early stopping: the epoch whose weights were kept
    message: str = ""

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    def rows(self) -> list[dict]:
        """One dict per epoch, for tables and charts."""
        names = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "elapsed"]
        columns = [getattr(self, n) for n in names]
        return [{n: c[i] if i < len(c) else None for n, c in zip(names, columns)}
                for i in range(len(self.epoch))]


# Overflow on the way to a diverged run is expected: it is detected from the loss and reported.
@np.errstate(over="ignore", invalid="ignore")
def train(model: MLP, X: np.ndarray, y: np.ndarray, epochs: int = 10, batch_size: int | None = None,
          optimizer: str = "sgd", lr: float = 0.01, momentum: float | None = None, decay: float = 0.0,
          schedule: str | None = None, validation_data: tuple[np.ndarray, np.ndarray] | None = None,
          early_stopping: int | None = None,
          callback: Callable[[Progress], bool | None] | None = None) -> History:
    """Train ``model`` in place on X (n, d) and y (n,); returns the per-epoch History.

    batch_size=None trains on the full batch. Minibatches are reshuffled every epoch with the
    model's generator. ``schedule`` is one of nn.schedules.SCHEDULES (default: "inverse_time"
    when decay > 0, else "constant"). ``early_stopping=k`` stops after k epochs without a lower
    validation loss and restores the best weights. ``callback`` returning True stops the run.
    A non-finite loss stops the run at once with status "diverged"; the weights stay finite.
    """
    X = model.check_X(X)
    T = model.targets(y, len(X))
    n = len(X)
    epochs = check_count("epochs", epochs)
    batch = n if batch_size is None else min(check_count("batch_size", batch_size), n)
    lr = check_number("lr", lr, 0.0, low_open=True)
    decay = check_number("decay", decay, 0.0)
    rate = get_schedule(schedule or ("inverse_time" if decay > 0 else "constant"))
    opt = make_optimizer(optimizer, momentum)
    if early_stopping is not None:
        early_stopping = check_count("early_stopping", early_stopping)
        if validation_data is None:
            raise ValueError("early_stopping needs validation_data to watch")
    if validation_data is not None:
        X_val = model.check_X(validation_data[0])
        T_val = model.targets(validation_data[1], len(X_val))

    history = History()
    classifier = model.loss_fn.classifier
    dropout = any(keep < 1.0 for keep in model.keep)
    labels = T.argmax(axis=1) if classifier else None
    batches = math.ceil(n / batch)
    best_loss, best_theta = math.inf, None
    theta, grad = model.theta, model.grad
    last_finite = theta.copy()
    start = time.perf_counter()

    def report(kind: str, epoch: int, b: int, loss: float, lr_t: float) -> bool:
        progress = Progress(kind, epoch, epochs, b, batches, loss, lr_t,
                            time.perf_counter() - start, history)
        return bool(callback(progress))

    for epoch in range(epochs):
        lr_t = rate(lr, epoch, epochs, decay)
        loss_sum, penalty_sum, correct, seen = 0.0, 0.0, 0, 0
        for b, (xb, tb, yb) in enumerate(minibatches(X, T, labels, batch, model.rng)):
            fwd = model.forward(xb, tb, model.dropout_masks(len(xb)) if dropout else None)
            batch_loss = fwd.loss_sum
            if not math.isfinite(batch_loss):
                return _diverged(model, history, last_finite, epoch, b)
            if b == 0:  # a finite loss means finite weights: keep them in case of divergence
                last_finite = theta.copy()
            penalty_sum += model.penalty() * len(xb)  # before the step, as the data loss
            model.backward(fwd, tb)
            opt.step(theta, grad, lr_t)
            loss_sum += batch_loss
            seen += len(xb)
            if classifier:
                correct += int(np.count_nonzero(fwd.yhat.argmax(axis=1) == yb))
            if callback and report("batch", epoch, b + 1, model.data_loss(batch_loss, len(xb)), lr_t):
                history.status = "stopped"
                break
        history.epoch.append(epoch + 1)
        # scaled to the whole training set when a callback stopped the epoch early
        history.train_loss.append(model.data_loss(loss_sum * n / seen, n) + penalty_sum / seen)
        if classifier:
            history.train_accuracy.append(correct / seen)
        history.lr.append(lr_t)
        if validation_data is not None:
            fwd = model.forward(X_val, T_val)
            val_loss = model.data_loss(fwd.loss_sum, len(X_val)) + model.penalty()
            history.val_loss.append(val_loss)
            if classifier:
                history.val_accuracy.append(float(np.mean(fwd.yhat.argmax(axis=1) == T_val.argmax(axis=1))))
            if early_stopping is not None:
                if val_loss < best_loss:
                    best_loss, best_theta, history.best_epoch = val_loss, theta.copy(), epoch + 1
                elif epoch + 1 - history.best_epoch >= early_stopping:
                    history.status = "early_stopped"
        history.elapsed.append(time.perf_counter() - start)
        if callback and report("epoch", epoch, batches, history.train_loss[-1], lr_t):
            history.status = "stopped"
        if history.status != "running":
            break

    if not np.isfinite(theta).all():  # the very last step overflowed
        return _diverged(model, history, last_finite, epochs - 1, batches - 1)
    if best_theta is not None:
        theta[...] = best_theta
    if history.status == "running":
        history.status = "completed"
    history.message = {
        "completed": f"trained {len(history.epoch)} epochs",
        "stopped": f"stopped by request after {len(history.epoch)} epochs",
        "early_stopped": f"validation loss stopped improving; kept epoch {history.best_epoch}",
    }[history.status] if not history.message else history.message
    return history


def minibatches(X: np.ndarray, T: np.ndarray, labels: np.ndarray | None, batch: int,
                rng: np.random.Generator) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """One epoch of (x, t, labels) batches of at most ``batch`` rows, in a fresh random order.

    The whole set is one batch, in order, when ``batch`` >= n. Otherwise each batch is
    gathered into the same two small buffers, which stay in the processor's cache.
    The batches are only valid until the next one is drawn.
    """
    n = len(X)
    if batch >= n:
        yield X, T, labels
        return
    x_buffer = np.empty((batch, X.shape[1]), X.dtype)
    t_buffer = np.empty((batch, T.shape[1]), T.dtype)
    order = rng.permutation(n)
    for lo in range(0, n, batch):
        rows = order[lo:lo + batch]
        yield (np.take(X, rows, axis=0, out=x_buffer[:len(rows)]),
               np.take(T, rows, axis=0, out=t_buffer[:len(rows)]),
               None if labels is None else labels[rows])


def _diverged(model: MLP, history: History, last_finite: np.ndarray, epoch: int, batch: int) -> History:
    """Stop: the loss is no longer a finite number. Keep finite weights, and say so."""
    if not np.isfinite(model.theta).all():
        model.theta[...] = last_finite
    history.status = "diverged"
    history.message = (f"the loss became infinite or NaN in epoch {epoch + 1}, batch {batch + 1}: "
                       "training stopped; try a smaller learning rate")
    return history
