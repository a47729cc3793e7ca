"""The training loop: minibatches, an optimiser, a schedule, a history, and knowing when to stop.

``model`` is an ``nn.MLP`` throughout; this module does not import ``nn.model`` (the model imports
it, for ``MLP.fit``: imports go one way).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal, NamedTuple

import numpy as np

from .lbfgs import Objective, minimize
from .metrics import label_form, predicted_labels
from .optimizers import FULL_BATCH_OPTIMIZERS, OPTIMIZERS, SGD, Adam, Momentum, make_optimizer
from .schedules import get_schedule
from .validation import check_count, check_number, lookup


class Progress(NamedTuple):
    """What a callback hears after every batch (kind "batch") and every epoch (kind "epoch").

    Immutable. A NamedTuple rather than a frozen dataclass: made twice per pass, it costs 0.5 us
    instead of 2.7 us, an eighth of a small network's pass."""

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
    with full-batch training they are exactly the loss and accuracy before each step. With L-BFGS
    an epoch is one of its iterations (one pass over the full batch, or a few for its line search)."""

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


class Recorder:
    """What every optimiser shares after a batch and after an epoch: the callback, the history,
    the validation set and early stopping."""

    def __init__(self, model: "MLP", epochs: int, batches: int,
                 callback: Callable[[Progress], bool | None] | None,
                 validation: tuple[np.ndarray, np.ndarray] | None, early_stopping: int | None) -> None:
        self.model, self.epochs, self.batches, self.callback = model, epochs, batches, callback
        self.validation, self.early_stopping = validation, early_stopping
        self.history = History()
        self.best_loss, self.best_theta = math.inf, None
        self.start = time.perf_counter()

    def report(self, kind: str, epoch: int, batch: int, loss: float, lr: float) -> bool:
        """Tell the callback; True when it asks to stop (the history then says "stopped")."""
        if self.callback is None:
            return False
        progress = Progress(kind, epoch, self.epochs, batch, self.batches, loss, lr,
                            time.perf_counter() - self.start, self.history)
        if self.callback(progress):
            self.history.status = "stopped"
            return True
        return False

    def epoch(self, epoch: int, train_loss: float, accuracy: float | None, lr: float) -> bool:
        """Record one epoch (validation and early stopping included); True when training should end."""
        history, model = self.history, self.model
        history.epoch.append(epoch + 1)
        history.train_loss.append(train_loss)
        if accuracy is not None:
            history.train_accuracy.append(accuracy)
        history.lr.append(lr)
        if self.validation is not None:
            val_loss, val_accuracy = evaluate(model, *self.validation)
            history.val_loss.append(val_loss)
            if val_accuracy is not None:
                history.val_accuracy.append(val_accuracy)
            if self.early_stopping is not None:
                if val_loss < self.best_loss:
                    self.best_loss, self.best_theta, history.best_epoch = val_loss, model.theta.copy(), epoch + 1
                elif epoch + 1 - history.best_epoch >= self.early_stopping:
                    history.status = "early_stopped"
        history.elapsed.append(time.perf_counter() - self.start)
        self.report("epoch", epoch, self.batches, train_loss, lr)
        return history.status != "running"


def evaluate(model: "MLP", X: np.ndarray, T: np.ndarray) -> tuple[float, float | None]:
    """Loss (with the penalty) and accuracy (None for regression) on checked X (n, d), targets T (n, k),
    computed in chunks (X may be of any numeric dtype)."""
    loss_sum, correct = 0.0, 0
    for rows, fwd in model.chunks(X, T):
        loss_sum += fwd.loss_sum
        if model.loss_fn.classifier:
            correct += int(np.count_nonzero(fwd.yhat.argmax(axis=1) == T[rows].argmax(axis=1)))
    loss = model.data_loss(loss_sum, len(X)) + model.penalty()
    return loss, correct / len(X) if model.loss_fn.classifier else None


def train(model: "MLP", X: np.ndarray, y: np.ndarray, epochs: int = 10, batch_size: int | None = None,
          optimizer: str = "sgd", lr: float = 0.01, momentum: float | None = None, decay: float = 0.0,
          schedule: str | None = None, validation_data: tuple[np.ndarray, np.ndarray] | None = None,
          early_stopping: int | None = None,
          callback: Callable[[Progress], bool | None] | None = None) -> History:
    """Train ``model`` in place on X (n, d) and y (n,); returns the per-epoch History.

    X may be of any numeric dtype (float64, uint8, ...): it is checked once, then each batch is cast
    into one reused buffer of the model's dtype, so the training set is never copied whole.
    batch_size=None trains on the full batch. Minibatches are reshuffled every epoch with the
    model's generator. ``schedule`` is one of nn.schedules.SCHEDULES (default: "inverse_time"
    when decay > 0, else "constant"). ``early_stopping=k`` stops after k epochs without a lower
    validation loss and restores the best weights. ``callback`` returning True stops the run.
    A non-finite loss stops the run at once with status "diverged"; the weights stay finite. (NumPy
    may also warn of the overflow on the way: silencing it with np.errstate around every pass would
    cost 6-10% of a small network's time, so a caller who wants quiet wraps the call instead.)
    ``optimizer="lbfgs"`` minimises the full-batch loss with L-BFGS (nn.lbfgs): each epoch is one of
    its iterations, at most ``epochs``; it picks its own steps, so lr, momentum, decay and schedule
    do not apply.
    """
    if not (model.theta.flags.writeable and model.grad.flags.writeable):
        raise ValueError("this model is frozen (its parameters are read-only): train model.copy() instead")
    X = model.check_X(X, cast=False)
    T = model.targets(y, len(X))
    n = len(X)
    epochs = check_count("epochs", epochs)
    batch = n if batch_size is None else min(check_count("batch_size", batch_size), n)
    full_batch = lookup({**OPTIMIZERS, **dict.fromkeys(FULL_BATCH_OPTIMIZERS)}, "optimizer", optimizer) is None
    if full_batch and batch < n:
        raise ValueError(f"optimizer {optimizer!r} trains on the full batch: batch_size must be None, "
                         f"got {batch_size!r}")
    if full_batch and any(keep < 1.0 for keep in model.keep):
        raise ValueError(f"optimizer {optimizer!r} needs the same loss at every evaluation: dropout and "
                         "input_dropout must be 0")
    lr = check_number("lr", lr, 0.0, low_open=True)
    decay = check_number("decay", decay, 0.0)
    rate = get_schedule(schedule or ("inverse_time" if decay > 0 else "constant"))
    opt = None if full_batch else make_optimizer(optimizer, momentum)
    if early_stopping is not None:
        early_stopping = check_count("early_stopping", early_stopping)
        if validation_data is None:
            raise ValueError("early_stopping needs validation_data to watch")
    validation = None
    if validation_data is not None:
        X_val = model.check_X(validation_data[0], cast=False)
        validation = (X_val, model.targets(validation_data[1], len(X_val)))
    labels = label_form(T.argmax(axis=1), T.shape[1]) if model.loss_fn.classifier else None
    if batch == n:
        X = model.cast(X)  # the one batch, cast once

    recorder = Recorder(model, epochs, math.ceil(n / batch), callback, validation, early_stopping)
    if full_batch:
        _fit_lbfgs(model, X, T, labels, epochs, recorder)
    else:
        _descend(model, X, T, labels, epochs, batch, opt, lambda epoch: rate(lr, epoch, epochs, decay), recorder)
    history, theta = recorder.history, model.theta
    if history.status == "diverged":
        return history
    if recorder.best_theta is not None:
        theta[...] = recorder.best_theta
    if history.status == "running":
        history.status = "completed"
    done = f"{len(history.epoch)} {'iterations' if full_batch else 'epochs'}"
    history.message = history.message or {
        "completed": f"trained {done}",
        "stopped": f"stopped by request after {done}",
        "early_stopped": f"validation loss stopped improving; kept epoch {history.best_epoch}",
    }[history.status]
    return history


def _descend(model: "MLP", X: np.ndarray, T: np.ndarray, labels: np.ndarray | None, epochs: int, batch: int,
             opt: SGD | Momentum | Adam, rate: Callable[[int], float], recorder: Recorder) -> None:
    """Minibatch gradient descent: per batch, forward, backward and one optimiser step, in place."""
    n, history = len(X), recorder.history
    dropout = any(keep < 1.0 for keep in model.keep)
    theta, grad = model.theta, model.grad
    last_finite = theta.copy()
    work = model.workspace(batch)
    works = {batch: work}  # by batch size: the full batches, and the last, shorter one
    if n % batch:
        works[n % batch] = work.rows(n % batch)
    scaled = opt.scaled_step  # fold lr into backprop, and step from lr * grad

    for epoch in range(epochs):
        lr_t = rate(epoch)
        loss_sum, penalty_sum, correct, seen = 0.0, 0.0, 0, 0
        batches = minibatches(X, T, labels, batch, model.rng, model.dtype) if batch < n else ((X, T, labels),)
        for b, (xb, tb, yb) in enumerate(batches):
            rows = len(xb)
            fwd = model.forward(xb, tb, model.dropout_masks(rows) if dropout else None, work=works[rows])
            batch_loss = fwd.loss_sum
            if not math.isfinite(batch_loss):
                return _diverged(model, history, last_finite, epoch, b)
            if b == 0:  # a finite loss means finite weights: keep them in case of divergence
                np.copyto(last_finite, theta)
            penalty_sum += model.penalty() * rows  # before the step, as the data loss
            if yb is not None:
                correct += int(np.count_nonzero(predicted_labels(fwd.yhat) == yb))
            if scaled:
                model.backward(fwd, tb, work=works[rows], scale=lr_t)
                opt.step_scaled(theta, grad)
            else:
                model.backward(fwd, tb, work=works[rows])
                opt.step(theta, grad, lr_t)
            loss_sum += batch_loss
            seen += rows
            if recorder.callback and recorder.report("batch", epoch, b + 1, model.data_loss(batch_loss, rows), lr_t):
                break
        # scaled to the whole training set when a callback stopped the epoch early
        train_loss = model.data_loss(loss_sum * n / seen, n) + penalty_sum / seen
        if recorder.epoch(epoch, train_loss, correct / seen if labels is not None else None, lr_t):
            break
    if not np.isfinite(theta).all():  # the very last step overflowed
        _diverged(model, history, last_finite, epochs - 1, recorder.batches - 1)


def _fit_lbfgs(model: "MLP", X: np.ndarray, T: np.ndarray, labels: np.ndarray | None, max_iter: int,
               recorder: Recorder) -> None:
    """Train ``model`` on the full batch X (n, d) (the model's dtype), T (n, k) with L-BFGS.

    Every iteration is reported as one batch and one epoch, as a full-batch pass of gradient
    descent is: the history holds the loss and accuracy before each iteration.
    """
    objective = Objective(model, X, T, labels)
    history = recorder.history
    before = None  # (data loss, penalty, accuracy) before the coming iteration; first: at the start

    def on_iteration(theta: np.ndarray, loss: float) -> bool:
        nonlocal before
        data_loss, penalty, accuracy = before or objective.first
        epoch = len(history.epoch)
        model.theta[...] = theta  # callbacks and snapshots see this iteration's weights
        stop = recorder.report("batch", epoch, 1, data_loss, math.nan)
        stop = recorder.epoch(epoch, data_loss + penalty, accuracy, math.nan) or stop
        before = objective.at(theta)
        return stop

    # float32 losses carry about 7 digits: ask for no more than they can show
    ftol = max(2.2e-9, 10 * float(np.finfo(model.dtype).eps))
    result = minimize(objective, model.theta, max_iter, on_iteration, ftol=ftol)
    model.theta[...] = result.x
    iterations = len(history.epoch)
    if history.status == "running" and not np.isfinite(result.fun):
        history.status = "diverged"
        history.message = f"L-BFGS found no finite loss after {iterations} iterations"
    elif history.status == "running":
        how = "converged" if result.success else "stopped"
        detail = str(result.message).lower().replace("_", " ")
        history.message = f"L-BFGS {how} after {iterations} iterations ({detail})"


def minibatches(X: np.ndarray, T: np.ndarray, labels: np.ndarray | None, batch: int,
                rng: np.random.Generator, dtype: np.dtype | None = None
                ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """One epoch of (x, t, labels) batches of at most ``batch`` rows, in a fresh random order.

    The whole set is one batch, in order, when ``batch`` >= n. Otherwise the rows are gathered by
    indexing (on MNIST this measured faster than np.take into a kept buffer: 0.021 s against
    0.030 s an epoch); when X's dtype is not ``dtype`` each batch is cast into one reused buffer of
    ``dtype`` (float64 or uint8 to float32), so X is never cast whole. Batches are only valid until
    the next one is drawn.
    """
    n = len(X)
    if batch >= n:
        yield X, T, labels
        return
    x_buffer = None if dtype is None or X.dtype == dtype else np.empty((batch, X.shape[1]), dtype)
    order = rng.permutation(n)
    for lo in range(0, n, batch):
        rows = order[lo:lo + batch]
        x = X[rows]
        if x_buffer is not None:
            np.copyto(x_buffer[:len(rows)], x, casting="unsafe")
            x = x_buffer[:len(rows)]
        yield x, T[rows], None if labels is None else labels[rows]


def _diverged(model: "MLP", history: History, last_finite: np.ndarray, epoch: int, batch: int) -> History:
    """Stop: the loss is no longer a finite number. Keep finite weights, and say so."""
    if not np.isfinite(model.theta).all():
        model.theta[...] = last_finite
    history.status = "diverged"
    history.message = (f"the loss became infinite or NaN in epoch {epoch + 1}, batch {batch + 1}: "
                       "training stopped; try a smaller learning rate")
    return history
