"""The Moons playground's computations: data, training with snapshots, and the comparisons.

``run_playground(settings)`` is a pure function of the settings (same settings, same numbers), so
the page memoises it with ``st.cache_data``: a class opening one link trains once. It returns plain
arrays (weights, probabilities on a grid), never a live model, so a cached result cannot be
changed by a later run; ``PlaygroundRun.model()`` rebuilds a fresh MLP from them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from sklearn.linear_model import LogisticRegression

from nn import MLP, History, Progress
from nn.datasets import PlanarData, make_planar

from .playground import DATA_FIELDS, PlaygroundSettings

SNAPSHOT_PASSES = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
SWEEP_SIZES = (1, 2, 3, 4, 5, 20, 50)  # tutorial A's hidden-size sweep
FLAT_WINDOW = 100  # the loss has levelled off when, over the last 100 passes, ...
FLAT_TOLERANCE = 1e-3  # ... it stayed within a band 0.1% of its value wide (a bouncing loss has not)
OSCILLATION_WINDOW = 1000  # the last passes looked at for a loss that bounces ...
BOUNCE_MIN = 1e-3  # ... by at least 0.1% per pass (smaller bounces are invisible on the curve)
SEVERE_RATIO = 2.0  # a final loss twice the lowest one: not converging
GRID_STEPS = 80  # boundary grid: 80 x 80 points (contours interpolate between them)
SMALL_GRID_STEPS = 40  # snapshots, hidden units and the sweep's small multiples


@dataclass(frozen=True)
class Grid:
    """A rectangle of points around the data: xs (nx,), ys (ny,); ``points`` is (ny * nx, 2)."""

    xs: np.ndarray
    ys: np.ndarray

    @classmethod
    def around(cls, X: np.ndarray, steps: int, margin: float = 0.5) -> "Grid":
        lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
        return cls(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))

    @property
    def points(self) -> np.ndarray:
        gx, gy = np.meshgrid(self.xs, self.ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def image(self, values: np.ndarray) -> np.ndarray:
        """Values over ``points`` (ny * nx, ...) as an image (ny, nx, ...): float32 (half the bytes to
        send) unless a value is too large for it (a network that blew up), then float64."""
        image = values.reshape(len(self.ys), len(self.xs), *values.shape[1:])
        finite = image[np.isfinite(image)]
        return image.astype(np.float32) if not finite.size or np.abs(finite).max() < 1e38 else image


@dataclass(frozen=True)
class Snapshot:
    """The network after ``passes`` training steps (0: as initialised)."""

    passes: int
    proba: np.ndarray  # (ny, nx) P(class 1) over the small grid
    train_accuracy: float
    train_loss: float  # the objective, as trained (see PlaygroundRun.objective)


@dataclass(frozen=True)
class Oscillation:
    """A full-batch loss that bounces instead of falling smoothly: the steps overshoot."""

    turns: float  # fraction of the last passes on which the loss turned (up after down, or down after up)
    bounce: float  # median |change| of the loss per pass, relative to its final value
    final_over_lowest: float  # final loss / lowest loss of the run
    window: int  # how many passes were looked at

    @property
    def severe(self) -> bool:
        """Not converging: the loss ended well above the lowest value it reached."""
        return self.final_over_lowest >= SEVERE_RATIO


@dataclass(frozen=True, eq=False)
class PlaygroundRun:
    """Everything the page shows about one trained network; arrays only, nothing live."""

    settings: PlaygroundSettings
    data: PlanarData
    config: dict  # MLP(**config) rebuilds the network
    theta: np.ndarray  # its trained weights (flat)
    history: History
    passes_run: int
    flat_at: int | None  # the pass at which training stopped because the loss levelled off
    oscillation: Oscillation | None
    train_accuracy: float
    test_accuracy: float | None  # None without a test set (train ratio 1)
    train_loss: float  # mean cross-entropy per point, without the penalty
    test_loss: float | None
    objective: float  # what gradient descent minimised: summed (or mean) cross-entropy + penalty
    grid: Grid
    proba: np.ndarray  # (ny, nx) P(class 1) over ``grid``
    small_grid: Grid
    snapshots: tuple[Snapshot, ...]
    hidden: tuple[np.ndarray, ...]  # per hidden layer: (units, ny, nx) activations over the small grid
    seconds: float  # training time when it was computed (a cached result keeps its first time)

    def model(self, theta: np.ndarray | None = None) -> MLP:
        """A fresh MLP with the trained weights (or ``theta``)."""
        model = MLP(**self.config)
        model.theta[...] = self.theta if theta is None else theta
        return model

    @property
    def stop_text(self) -> str:
        """What training did, in one sentence."""
        total = self.settings.passes
        if self.history.diverged:
            return f"Trained {self.passes_run:,} passes, then the loss became infinite: training stopped."
        if self.flat_at is not None:
            return (f"Trained {self.passes_run:,} of {total:,} passes, then stopped: over the last "
                    f"{FLAT_WINDOW} passes the loss stayed within {FLAT_TOLERANCE:.2%} of its value.")
        return f"Trained all {self.passes_run:,} passes."


def load_data(settings: PlaygroundSettings) -> PlanarData:
    """The points the settings describe, split into train and test (stratified, seeded)."""
    return make_planar(settings.dataset, settings.n_points, settings.noise, settings.data_seed,
                       test_ratio=round(1.0 - settings.train_ratio, 10))


def new_model(settings: PlaygroundSettings) -> MLP:
    return MLP(settings.layer_sizes, activation=settings.activation, init=settings.init, l2=settings.l2,
               l1=settings.l1, reduction=settings.reduction, seed=settings.init_seed, dtype="float64")


def snapshot_passes(passes: int) -> list[int]:
    """Roughly log-spaced passes at which to keep the weights, up to ``passes``."""
    return [p for p in SNAPSHOT_PASSES if p <= passes]


def train(settings: PlaygroundSettings, data: PlanarData) -> tuple[MLP, History, dict[int, np.ndarray], int | None]:
    """Train on ``data.X_train``; returns the model, its history, weights kept at snapshot passes
    (and at the last pass), and the pass where the loss levelled off (None if it did not stop)."""
    model = new_model(settings)
    keep = set(snapshot_passes(settings.passes))
    kept = {0: model.theta.copy()}
    flat_at = None

    def watch(progress: Progress) -> bool:
        nonlocal flat_at
        if progress.kind != "epoch":
            return False
        done = progress.epoch + 1
        if done in keep:
            kept[done] = model.theta.copy()
        losses = progress.history.train_loss
        if settings.stop_when_flat and done % FLAT_WINDOW == 0 and len(losses) > FLAT_WINDOW:
            window = losses[-FLAT_WINDOW - 1:]  # levelled off: the loss stayed within a narrow band
            if max(window) - min(window) <= FLAT_TOLERANCE * abs(losses[-1]):
                flat_at = done
                return True
        return False

    history = model.fit(data.X_train, data.y_train, epochs=settings.passes, batch_size=settings.batch_size,
                        optimizer=settings.optimizer, lr=settings.lr, callback=watch)
    kept[len(history.epoch)] = model.theta.copy()
    return model, history, kept, flat_at


def oscillation(history: History, full_batch: bool) -> Oscillation | None:
    """Flag a full-batch loss that bounces: with a small enough step it can only fall (or drift slowly).

    Flagged when, over the last OSCILLATION_WINDOW passes, the loss turns on at least a quarter of
    them by at least BOUNCE_MIN of its value, or when it ends SEVERE_RATIO times above its lowest.
    Minibatch losses bounce anyway (each pass sees the points in a new order), so only full batch.
    """
    losses = np.asarray(history.train_loss)
    if not full_batch or len(losses) < 20 or not np.isfinite(losses).all():
        return None
    diffs = np.diff(losses[-OSCILLATION_WINDOW - 1:])
    moving = diffs[diffs != 0]
    turns = float(np.mean(np.sign(moving[1:]) != np.sign(moving[:-1]))) if len(moving) > 1 else 0.0
    bounce = float(np.median(np.abs(diffs)) / abs(losses[-1])) if losses[-1] else 0.0
    ratio = float(losses[-1] / losses.min()) if losses.min() > 0 else 1.0
    if (turns < 0.25 or bounce < BOUNCE_MIN) and ratio < SEVERE_RATIO:
        return None
    return Oscillation(turns, bounce, ratio, len(diffs))


def mean_cross_entropy(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """Cross-entropy per point, without the penalty: comparable between train and test."""
    X = model.check_X(X)
    return model.forward(X, model.targets(y, len(X))).loss_sum / len(X)


def run_playground(settings: PlaygroundSettings) -> PlaygroundRun:
    """Generate the data, train, and compute everything the page draws. Pure: cache it.

    A learning rate that blows the network up overflows on the way; the run reports it
    (``history.status == "diverged"``), so NumPy's overflow warnings are silenced here.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return _run_playground(settings)


def _run_playground(settings: PlaygroundSettings) -> PlaygroundRun:
    data = load_data(settings)
    start = time.perf_counter()
    model, history, kept, flat_at = train(settings, data)
    seconds = time.perf_counter() - start
    X_all = np.vstack([data.X_train, data.X_test])
    grid, small = Grid.around(X_all, GRID_STEPS), Grid.around(X_all, SMALL_GRID_STEPS)
    has_test = len(data.X_test) > 0

    snapshot_model = model.copy()
    snapshots = []
    for passes, theta in sorted(kept.items()):
        snapshot_model.theta[...] = theta
        snapshots.append(Snapshot(passes, small.image(snapshot_model.predict_proba(small.points)[:, 1]),
                                  snapshot_model.score(data.X_train, data.y_train),
                                  snapshot_model.loss(data.X_train, data.y_train)))
    hidden = tuple(small.image(a).transpose(2, 0, 1) for a in model.hidden_activations(small.points))
    return PlaygroundRun(
        settings=settings, data=data, config=dict(model.config), theta=model.theta.copy(), history=history,
        passes_run=len(history.epoch), flat_at=flat_at,
        oscillation=oscillation(history, settings.batch_size is None),
        train_accuracy=model.score(data.X_train, data.y_train),
        test_accuracy=model.score(data.X_test, data.y_test) if has_test else None,
        train_loss=mean_cross_entropy(model, data.X_train, data.y_train),
        test_loss=mean_cross_entropy(model, data.X_test, data.y_test) if has_test else None,
        objective=model.loss(data.X_train, data.y_train),
        grid=grid, proba=grid.image(model.predict_proba(grid.points)[:, 1]), small_grid=small,
        snapshots=tuple(snapshots), hidden=hidden, seconds=seconds)


@dataclass(frozen=True, eq=False)
class LogisticRun:
    """Logistic regression on the same training points: a straight-line boundary."""

    train_accuracy: float
    test_accuracy: float | None
    proba: np.ndarray  # (ny, nx) P(class 1) over the run's grid
    small_proba: np.ndarray  # the same over the run's small grid


def run_logistic(settings: PlaygroundSettings) -> LogisticRun:
    """scikit-learn's LogisticRegression (its defaults: L2 with C=1, lbfgs) on the settings' data."""
    data = load_data(settings.only(DATA_FIELDS))
    X_all = np.vstack([data.X_train, data.X_test])
    grid, small = Grid.around(X_all, GRID_STEPS), Grid.around(X_all, SMALL_GRID_STEPS)
    clf = LogisticRegression().fit(data.X_train, data.y_train)
    test = float(clf.score(data.X_test, data.y_test)) if len(data.X_test) else None
    return LogisticRun(float(clf.score(data.X_train, data.y_train)), test,
                       grid.image(clf.predict_proba(grid.points)[:, 1]),
                       small.image(clf.predict_proba(small.points)[:, 1]))


def sweep_settings(settings: PlaygroundSettings) -> list[PlaygroundSettings]:
    """Tutorial A's sweep: one hidden layer of each size in SWEEP_SIZES, the other settings as given."""
    return [replace(settings, hidden_layers=1, neurons=h) for h in SWEEP_SIZES]
