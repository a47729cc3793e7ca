"""Training a digit classifier for the MNIST page: the knobs, the presets, and the driver.

The driver is the one code path the page and ``benchmarks/bench_mnist.py`` share:

    run = start_run(config, "mnist")
    run_training(run, X_train, y_train, on_update=panel.update)    # X_train uint8 (n, 784)

``on_update(progress)`` is called at most every ``interval`` seconds (and once at the very end),
so drawing progress bars costs almost nothing next to the training itself.
"""
from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from nn import MLP, History, Progress
from nn.model import parameter_count

from lab.mnist.data import N_CLASSES, N_PIXELS, to_network_input

BATCH_SIZES = (16, 32, 64, 128, 256, 512, None)  # None: the full training set in one batch
REPORT_INTERVAL = 0.25  # seconds between progress updates: 4 per second, so the page never looks frozen
# One BLAS thread per training run. This net's matrix products are small (batch 64 x 784 x 256), so a
# second thread gains little, and when the cores are busy (other users' runs, other processes) two
# spinning OpenBLAS threads per run were measured 7-10x slower than one (benchmarks/README.md).
BLAS_THREADS = 1
# One server holds a whole class, so no single run may take a large share of its memory: 2 million
# parameters (8 MB a copy; training keeps 4 or 5 copies) and, all in, about 400 MB for one run
# (one run's float copy of full MNIST is 170 MB of it). See "Run it for a class" in README.md.
MAX_PARAMETERS = 2_000_000
MAX_HIDDEN_LAYERS = 5  # with MAX_PARAMETERS: what one forward pass may cost (an upload is held to it too)
MAX_WIDTH = 4096  # units in one hidden layer
MAX_TRAINING_BYTES = 400 * 2**20
OPTIMIZER_BUFFERS = {"sgd": 0, "momentum": 1, "nesterov": 1, "adam": 2}  # parameter-sized buffers


def network_name(layer_sizes: list[int] | tuple[int, ...], activation: str) -> str:
    """E.g. "784-256-10 relu"."""
    return "-".join(str(s) for s in layer_sizes) + f" {activation}"


@dataclass(frozen=True)
class TrainingConfig:
    """Every knob of the MNIST page. Defaults: the fast preset (>= 98% on full MNIST in seconds)."""

    hidden: tuple[int, ...] = (256,)  # one wide layer learns MNIST fast; depth helps little here
    activation: str = "relu"  # no saturation, so large learning rates work
    init: str = "he"  # variance 2 / fan_in keeps relu activations at a sane scale
    optimizer: str = "momentum"  # SGD with momentum: cheap steps, fast progress
    lr: float = 0.1  # the largest rate that stays stable for this net with batch 64
    momentum: float = 0.9  # used by "momentum" and "nesterov" only
    schedule: str = "exponential"  # lr x (1 - decay) per epoch: big steps first, fine ones later
    decay: float = 0.2  # lr x 0.8 per epoch
    batch_size: int | None = 64  # small batches: many updates per epoch; None = full batch
    epochs: int = 8  # 98% on full MNIST after 3-4 epochs; the rest polishes
    l2: float = 0.0  # not needed for a short run
    l1: float = 0.0
    dropout: float = 0.0  # on hidden layers
    val_fraction: float = 0.1  # held out of the training set to draw the validation curves
    seed: int = 0  # one seed fixes the initial weights, the shuffling, dropout and the split

    def layer_sizes(self) -> list[int]:
        return [N_PIXELS, *self.hidden, N_CLASSES]

    def training_bytes(self, n_rows: int) -> int:
        """About how much memory training on ``n_rows`` images takes (float32): the float copy of the
        images, the parameters with their gradient, optimiser buffers and the saved initial weights,
        and one batch's activations, deltas and dropout masks."""
        parameters = parameter_count(self.layer_sizes())
        copies = 3 + OPTIMIZER_BUFFERS.get(self.optimizer, 2)
        batch = min(self.batch_size or n_rows, n_rows)
        return 4 * (n_rows * N_PIXELS + parameters * copies + 3 * batch * sum(self.layer_sizes()))

    def check_budget(self, n_rows: int) -> None:
        """ValueError, with a message for the page, if this run would be too big for a shared server."""
        parameters = parameter_count(self.layer_sizes())
        if parameters > MAX_PARAMETERS:
            raise ValueError(f"a {self.network_name()} network has {parameters:,} weights and biases; "
                             f"this app trains at most {MAX_PARAMETERS:,}: use fewer or smaller hidden layers")
        needed = self.training_bytes(n_rows)
        if needed > MAX_TRAINING_BYTES:
            raise ValueError(f"training it on {n_rows:,} images with batch size "
                             f"{self.batch_size or 'full'} would take about {needed / 2**20:,.0f} MB of the "
                             f"shared server's memory (the limit is {MAX_TRAINING_BYTES / 2**20:,.0f} MB): "
                             "choose a smaller batch size or smaller hidden layers")

    def build_model(self) -> MLP:
        """A fresh network with these settings (float32; ValueError for a bad setting)."""
        return MLP(self.layer_sizes(), activation=self.activation, init=self.init, l2=self.l2,
                   l1=self.l1, dropout=self.dropout, seed=self.seed)

    def fit_options(self) -> dict:
        """Keyword arguments of ``MLP.fit`` for these settings."""
        return dict(epochs=self.epochs, batch_size=self.batch_size, optimizer=self.optimizer,
                    lr=self.lr, momentum=self.momentum if self.optimizer in ("momentum", "nesterov")
                    else None, schedule=self.schedule, decay=self.decay)

    def network_name(self) -> str:
        return network_name(self.layer_sizes(), self.activation)

    def summary(self) -> dict:
        """The settings as one flat row, for the table of runs."""
        row = {"network": self.network_name(), "init": self.init, "optimizer": self.optimizer,
               "lr": self.lr, "schedule": f"{self.schedule} {self.decay:g}" if self.decay or
               self.schedule != "constant" else "constant",
               "batch": self.batch_size or "full", "epochs": self.epochs}
        for name in ("l2", "l1", "dropout"):
            row[name] = getattr(self, name)
        return row

    def replace(self, **changes) -> "TrainingConfig":
        return dataclasses.replace(self, **changes)


PRESETS: dict[str, TrainingConfig] = {
    # The default: >= 98% on full MNIST within seconds (see benchmarks/README.md).
    "Fast": TrainingConfig(),
    # Tutorial B: 784-30-10 tanh, weights uniform in [-1, 1], momentum, a compounding decay.
    # Its large initial weights saturate tanh: a lesson in why initialisation matters.
    "Tutorial B": TrainingConfig(hidden=(30,), activation="tanh", init="uniform", optimizer="momentum",
                                 lr=0.05, momentum=0.9, schedule="compounding", decay=0.01,
                                 batch_size=32, epochs=10),
    # The best within a minute: wider, dropout and L2 against overfitting, a cosine schedule.
    "Best": TrainingConfig(hidden=(512,), dropout=0.2, l2=1e-4, lr=0.1, schedule="cosine", decay=0.0,
                           batch_size=64, epochs=16, val_fraction=0.05),
}
DEFAULT_PRESET = "Fast"


def parse_hidden(text: str) -> tuple[int, ...]:
    """Hidden layer sizes from text like "256" or "128, 64"; "" means no hidden layer.

    Raises ValueError with a message fit for the page.
    """
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    sizes = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= MAX_WIDTH:
            raise ValueError(f"hidden layer sizes must be whole numbers from 1 to {MAX_WIDTH}, "
                             f"separated by commas; got {part!r}")
        sizes.append(int(part))
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(sizes)}")
    return tuple(sizes)


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

    The page keeps this object in st.session_state from the first step, so the model and the
    history (both updated in place) survive a Stop click at any moment.
    """

    config: TrainingConfig
    dataset: str
    model: MLP
    initial_weights: list[np.ndarray]  # W1, W2, ... before training, for the histograms
    history: History | None = None
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


class TrainingSlots:
    """At most ``size`` runs train at once on this server; the others wait their turn, first come
    first served. With one slot per core, a run takes as long as it would alone and the cores stay
    free enough for everyone else's pages; memory stays bounded by ``size`` runs.

        ticket = slots.join()
        while (ahead := slots.wait(ticket, timeout=0.5)) is not None: ...   # show `ahead`
        try: train() finally: slots.finish()
    A waiter that gives up calls ``slots.leave(ticket)``.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"at least one training slot is needed, got {size}")
        self.size = size
        self.running = 0
        self._queue: deque[object] = deque()
        self._changed = threading.Condition()

    @classmethod
    def from_environment(cls, default: int = 2) -> "TrainingSlots":
        """Slots from NEURAL_LAB_TRAINING_SLOTS (default: 2, one per core of a small server)."""
        value = os.environ.get("NEURAL_LAB_TRAINING_SLOTS", "")
        return cls(int(value) if value.strip().isdigit() and int(value) > 0 else default)

    def join(self) -> object:
        """Queue up; returns the ticket to wait with."""
        ticket = object()
        with self._changed:
            self._queue.append(ticket)
        return ticket

    def wait(self, ticket: object, timeout: float) -> int | None:
        """Wait up to ``timeout`` s for ``ticket``'s turn: None once it holds a slot (call ``finish``
        after training), else how many runs are ahead of it (training or queued)."""
        with self._changed:
            self._changed.wait_for(lambda: self._queue[0] is ticket and self.running < self.size, timeout)
            if self._queue[0] is ticket and self.running < self.size:
                self._queue.popleft()
                self.running += 1
                self._changed.notify_all()
                return None
            return self.running + self._queue.index(ticket)

    def leave(self, ticket: object) -> None:
        """Give up waiting."""
        with self._changed:
            if ticket in self._queue:
                self._queue.remove(ticket)
                self._changed.notify_all()

    def finish(self) -> None:
        """A run that held a slot is over."""
        with self._changed:
            self.running -= 1
            self._changed.notify_all()

    @property
    def waiting(self) -> int:
        return len(self._queue)


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
