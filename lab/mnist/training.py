"""Training a digit classifier for the MNIST page: one run, its progress, and the driver.

The driver is the one code path the page (through ``train_job``, in a thread of
lab.app.workers) and ``benchmarks/bench_mnist.py`` share:

    run = start_run(config, "mnist")
    run_training(run, X_train, y_train, on_update=print)    # X_train uint8 (n, 784)

``on_update(progress)`` is called at most every ``interval`` seconds (and once at the very end);
returning True stops the training.
"""
from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from typing import Any
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from nn import MLP, History, Progress

from lab.mnist.data import to_network_input
from lab.mnist.settings import TrainingConfig

REPORT_INTERVAL = 0.25  # seconds between progress updates: 4 per second, so the page never looks frozen
# One BLAS thread per training run: this net's matrix products are small, and on busy cores two
# spinning OpenBLAS threads per run are much slower than one (benchmarks/README.md).
BLAS_THREADS = 1


def split_validation(X: np.ndarray, y: np.ndarray, fraction: float,
                     seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Hold out a random ``fraction`` of rows: X_fit, y_fit, X_val, y_val (val None if fraction 0)."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"the validation fraction must be in [0, 1), got {fraction}")
    n_val = round(len(X) * fraction)
    if n_val == 0:
        return X, y, None, None
    order = np.random.default_rng(seed).permutation(len(X))
    val, fit = order[:n_val], order[n_val:]
    return X[fit], y[fit], X[val], y[val]


@dataclass
class TrainingRun:
    """One press of Train: the settings, the network as it learns, and what it went through.

    The model and the history are updated in place, so a run stopped at any moment keeps them.
    """

    config: TrainingConfig
    dataset: str
    model: MLP
    initial_weights: list[np.ndarray]  # W1, W2, ... before training, for the histograms
    history: History | None = None
    last_batch: Progress | None = None  # the last batch reported: where a Stop found it

    def complete_epochs(self) -> int:
        """Epochs trained to their last batch (a Stop mid-epoch leaves that epoch in the history too)."""
        p = self.last_batch
        if p is None:
            return len(self.history.epoch) if self.history else 0
        return p.epoch + (p.batch == p.batches)
    seconds: float = 0.0  # wall time of fit, reporting included
    report_seconds: float = 0.0  # of which spent in on_update
    finished: bool = False


def start_run(config: TrainingConfig, dataset: str, n_rows: int = 0) -> TrainingRun:
    """A run with a freshly initialised network (ValueError for a bad setting, or one too big to
    train on ``n_rows`` images on a shared server)."""
    config.check_budget(n_rows)
    model = config.build_model()
    return TrainingRun(config, dataset, model, [W.copy() for W in model.W])


class ThrottledReporter:
    """The ``fit`` callback: hands Progress to ``on_update`` at most every ``interval`` seconds.

    Always reports the last epoch, so the final state is drawn. ``on_update`` returning True stops
    training. ``on_epoch`` (not throttled) hears every epoch's end. The reporter keeps the run's
    history reference current and adds the time spent in ``on_update`` to ``run.report_seconds``.
    """

    def __init__(self, run: TrainingRun, on_update: Callable[[Progress], bool | None] | None,
                 interval: float = REPORT_INTERVAL, clock: Callable[[], float] = time.perf_counter,
                 on_epoch: Callable[[Progress], None] | None = None):
        self.run, self.on_update, self.interval, self.clock = run, on_update, interval, clock
        self.on_epoch = on_epoch
        self.last = -math.inf
        self.calls = 0  # how many times on_update ran

    def __call__(self, progress: Progress) -> bool:
        self.run.history = progress.history
        if progress.kind == "batch":
            self.run.last_batch = progress
        if self.on_epoch is not None and progress.kind == "epoch":
            self.on_epoch(progress)
        if self.on_update is None:
            return False
        now = self.clock()
        final = progress.kind == "epoch" and progress.epoch + 1 == progress.epochs
        if now - self.last < self.interval and not final:
            return False
        self.last = now
        self.calls += 1
        stop = self.on_update(progress)
        self.run.report_seconds += self.clock() - now
        return bool(stop)


def run_training(run: TrainingRun, X_train: np.ndarray, y_train: np.ndarray,
                 on_update: Callable[[Progress], bool | None] | None = None,
                 interval: float = REPORT_INTERVAL, report: bool = True,
                 blas_threads: int | None = BLAS_THREADS,
                 on_epoch: Callable[[Progress], None] | None = None) -> History:
    """Train ``run.model`` on uint8 images X_train (n, 784) and labels (n,); return the History.

    Pixels go in as X / 255 (float32). A ``val_fraction`` of the rows is held out for the
    validation curves. ``on_update`` hears Progress at most every ``interval`` seconds, ``on_epoch``
    after every epoch. With ``report=False`` no callback is passed to fit at all (the benchmark
    measures the reporting overhead this way). ``blas_threads``: threads for the matrix products
    (None: leave the BLAS library's setting alone).
    """
    config = run.config
    X_fit, y_fit, X_val, y_val = split_validation(X_train, y_train, config.val_fraction, config.seed)
    X_fit = to_network_input(X_fit)  # split first: one float copy of the images, not two
    X_val = None if X_val is None else to_network_input(X_val)
    reporter = ThrottledReporter(run, on_update, interval, on_epoch=on_epoch) if report else None
    start = time.perf_counter()
    limits = None
    try:
        limits = threadpool_limits(blas_threads, user_api="blas") if blas_threads else None
        history = run.model.fit(X_fit, y_fit, validation_data=None if X_val is None else (X_val, y_val),
                                callback=reporter, **config.fit_options())
    finally:
        run.seconds = time.perf_counter() - start
        if limits is not None:
            limits.restore_original_limits()
    run.history = history
    run.finished = True
    return history


def train_job(job: Any, run: TrainingRun, X_train: np.ndarray, y_train: np.ndarray) -> TrainingRun:
    """The page's training, as a job of lab.app.workers (a thread of its own): ``job.report`` keeps
    each throttled Progress, with a copy of the history that training cannot change while the page
    draws it, and answers True once Stop was pressed."""
    run_training(run, X_train, y_train,
                 on_update=lambda p: job.report(p._replace(history=copy.deepcopy(p.history))))
    return run


@dataclass(frozen=True)
class ProgressText:
    """What the progress bars show for one Progress report."""

    epoch_fraction: float  # [0, 1] of the run
    batch_fraction: float  # [0, 1] of the current epoch
    epoch_label: str
    batch_label: str


def describe_progress(p: Progress) -> ProgressText:
    """Bar fractions and labels, with the elapsed time and an estimate of the time left."""
    done_in_epoch = p.batch / p.batches if p.batches else 1.0
    if p.kind == "epoch":
        done_in_epoch = 1.0
    done = (p.epoch + done_in_epoch) / p.epochs  # fraction of the whole run
    left = p.elapsed * (1.0 - done) / done if done > 0 else math.nan
    left_text = "estimating..." if math.isnan(left) else f"about {_seconds(left)} left"
    epoch_label = (f"Epoch {min(p.epoch + 1, p.epochs)} of {p.epochs} · {_seconds(p.elapsed)} elapsed · "
                   f"{left_text}")
    batch_label = f"Batch {p.batch} of {p.batches} · loss {p.loss:.4f} · learning rate {p.lr:.4g}"
    return ProgressText(min(done, 1.0), min(done_in_epoch, 1.0), epoch_label, batch_label)


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {int(s % 60):02d} s"
