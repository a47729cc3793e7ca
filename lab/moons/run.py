"""The Moons page's computations: data, training with snapshots, the measures, and the comparisons.

``run_moons(settings, points=None)`` is pure (same arguments, same numbers), so the page caches it
and a class opening one link trains once. It returns plain arrays, never a live model: a cached run
cannot change. ``MoonsRun.model()`` builds an MLP from them; ``with_weights(run, theta)`` measures
the same run for other weights (set or stepped by hand). What the grids hold (``MoonsRun.kind``):
"binary": P(class 1) (ny, nx); "multiclass": class probabilities (ny, nx, k); "regression": values (ny, nx).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from sklearn.linear_model import LogisticRegression

from nn import FULL_BATCH_OPTIMIZERS, MLP, History
from nn.datasets import PlanarData, make_planar

from lab.app import workers
from lab.moons.settings import DATA_FIELDS, MoonsSettings, architecture
from lab.moons.data import feature_matrix, make_regression
from lab.moons.points import Points
from lab.moons.training import BOUNCE_WINDOW, FLAT_TOLERANCE, FLAT_WINDOW, fit_with_snapshots, levelled_off

SWEEP_SIZES = (1, 2, 3, 4, 5, 20, 50)  # tutorial A's hidden-size sweep
OSCILLATION_WINDOW = 1000  # the last passes looked at for a loss that bounces ...
BOUNCE_MIN = 1e-3  # ... by at least 0.1% per pass (smaller bounces are invisible on the curve)
SEVERE_RATIO = 2.0  # a final loss twice the lowest one: not converging
STOP_RULE = "Stop when the loss levels off"  # the sidebar's name for the rule (lab/moons/settings.py)
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

    @classmethod
    def pair(cls, data: PlanarData) -> tuple["Grid", "Grid"]:
        """The boundary's grid and the small one (snapshots, hidden units) around all points of ``data``."""
        X = np.vstack([data.X_train, data.X_test])
        return cls.around(X, GRID_STEPS), cls.around(X, SMALL_GRID_STEPS)

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


Kind = Literal["binary", "multiclass", "regression"]


@dataclass(frozen=True)
class Snapshot:
    """The network after ``passes`` training steps (0: as initialised)."""

    passes: int
    proba: np.ndarray  # the network's output over the small grid (see the module docstring)
    train_accuracy: float  # R² for regression
    train_loss: float  # the objective, as trained (see MoonsRun.objective)
    theta: np.ndarray  # the weights then (flat)


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
class MoonsRun:
    """Everything the page shows about one trained network; arrays only, nothing live."""

    settings: MoonsSettings  # as trained: ``settings.for_training()``
    data: PlanarData
    own_points: bool  # trained on a student's points rather than a generated set
    config: dict  # MLP(**config) rebuilds the network
    theta: np.ndarray  # its weights (flat): as trained, or as ``with_weights`` was given them
    history: History
    passes_run: int
    flat_at: int | None  # the pass at which training stopped because the loss levelled off
    oscillation: Oscillation | None
    train_accuracy: float  # accuracy; R² for regression
    test_accuracy: float | None  # None without a test set (train ratio 1)
    train_loss: float  # mean data loss per point (cross-entropy, or half the squared error), no penalty
    test_loss: float | None
    objective: float  # what gradient descent minimised: summed (or mean) data loss + penalty
    grid: Grid
    proba: np.ndarray  # the network's output over ``grid`` (see the module docstring)
    small_grid: Grid
    snapshots: tuple[Snapshot, ...]
    hidden: tuple[np.ndarray, ...]  # per hidden layer: (units, ny, nx) activations over the small grid

    def model(self, theta: np.ndarray | None = None) -> MLP:
        model = MLP(**self.config)
        model.theta[...] = self.theta if theta is None else theta
        return model

    @property
    def kind(self) -> Kind:
        return kind_of(self.config)

    @property
    def features(self) -> tuple[str, ...]:
        return self.settings.features

    @property
    def architecture(self) -> str:
        """E.g. '2-3-2 tanh', from the network itself (own points decide the number of outputs)."""
        return architecture(self.config["layer_sizes"], self.settings.activation)

    def per_point(self, objective: float) -> float:
        """The objective as trained (summed over the training points, or their mean) per point: the
        one scale the page shows; the summed form appears only where tutorial A's sum is the lesson."""
        return objective / len(self.data.X_train) if self.settings.reduction == "sum" else objective

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """The network's inputs (n, d) for points of the plane X (n, 2)."""
        return feature_matrix(X, self.features)

    @property
    def stop_text(self) -> str:
        """What training did, in one sentence."""
        total, ran = self.settings.passes, self.passes_run
        flat = f"over the last {FLAT_WINDOW} {{}} the loss stayed within {FLAT_TOLERANCE:.2%} of its value."
        if self.settings.optimizer in FULL_BATCH_OPTIMIZERS:
            text = f"L-BFGS ran {ran:,} iterations (at most {total:,}), each one pass over the points"
            stopped = "." if self.flat_at is None else ", then stopped: " + flat.format("iterations")
            return text + stopped
        if self.history.diverged:
            return f"Trained {ran:,} passes, then the loss became infinite: training stopped."
        if self.flat_at is None:
            return f"Trained all {ran:,} passes."
        why = (f"the loss bounces, but its mean over the last {BOUNCE_WINDOW} passes was within "
               f"{FLAT_TOLERANCE:.2%} of its mean over the {BOUNCE_WINDOW} before."
               if levelled_off(self.history.train_loss) == "bouncing" else flat.format("passes"))
        return f"Trained {ran:,} of {total:,} passes, then stopped by *{STOP_RULE}*: {why}"


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, no longer writable: a cached run is shared, and must never change."""
    array.flags.writeable = False
    return array


def kind_of(config: dict) -> Kind:
    if config["loss"] == "mse":
        return "regression"
    return "binary" if config["layer_sizes"][-1] == 2 else "multiclass"


def load_data(settings: MoonsSettings, points: Points | None = None) -> PlanarData:
    """The points the settings describe (or the student's own), split into train and test (seeded)."""
    if points is not None:
        return points.data()
    test_ratio = round(1.0 - settings.train_ratio, 10)
    if settings.problem == "regression":
        return make_regression(settings.dataset, settings.n_points, settings.noise, settings.data_seed, test_ratio)
    return make_planar(settings.dataset, settings.n_points, settings.noise, settings.data_seed,
                       classes=settings.n_classes, test_ratio=test_ratio)


def network_config(settings: MoonsSettings, points: Points | None = None) -> dict:
    """``MLP(**config)`` of the settings: one output per class of ``points`` when given."""
    sizes = settings.layer_sizes
    if points is not None:
        sizes = sizes[:-1] + [max(2, points.n_classes)]
    if sizes[0] == 0:
        raise ValueError("tick at least one feature input: the network has nothing to read")
    return dict(layer_sizes=sizes, activation=settings.activation, init=settings.init, l2=settings.l2,
                l1=settings.l1, loss="mse" if settings.problem == "regression" else "cross_entropy",
                reduction=settings.reduction, seed=settings.init_seed, dtype="float64")


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


def mean_loss(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """Data loss per point (cross-entropy, or half the squared error), without the penalty:
    comparable between train and test. X are the network's inputs (n, d)."""
    X = model.check_X(X)
    return model.forward(X, model.targets(y, len(X))).loss_sum / len(X)


def surface(model: MLP, X: np.ndarray) -> np.ndarray:
    """What the pictures shade, for inputs X (n, d): P(class 1) (n,) for two classes, the class
    probabilities (n, k) for more, the predicted value (n,) for regression."""
    if not model.loss_fn.classifier:
        return model.predict(X)[:, 0]
    proba = model.predict_proba(X)
    return proba[:, 1] if proba.shape[1] == 2 else proba


def run_moons(settings: MoonsSettings, points: Points | None = None) -> MoonsRun:
    """Generate the data (or take ``points``), train, and measure everything the page draws. Pure: cache it.

    ``settings`` are ``settings.for_training()`` (the page's cache key). The network is built once,
    by the training loop (nn checks the settings there, with its own messages); the weights it
    returns are measured once. A learning rate that blows the network up overflows on the way; the
    run reports it (``history.status == "diverged"``), so NumPy's overflow warnings are silenced.
    Own points that cannot train a classifier (fewer than two classes) raise ValueError saying so.
    """
    if points is not None and points.problem():
        raise ValueError(points.problem())
    data, config = load_data(settings, points), network_config(settings, points)
    X_train = feature_matrix(data.X_train, settings.features)
    fit = dict(epochs=settings.passes, batch_size=settings.batch_size, optimizer=settings.optimizer, lr=settings.lr)
    # The training loop, in a worker process when there are some (lab/app/workers.py).
    fitted = workers.run(fit_with_snapshots, config, X_train, data.y_train, fit, settings.stop_when_flat)
    grid, small = Grid.pair(data)
    small_inputs = feature_matrix(small.points, settings.features)
    model, snapshots = MLP(**config), []
    with np.errstate(over="ignore", invalid="ignore"):
        for passes, theta in sorted(fitted.kept.items()):
            model.theta[...] = theta
            snapshots.append(Snapshot(passes, small.image(surface(model, small_inputs)),
                                      model.score(X_train, data.y_train), model.loss(X_train, data.y_train),
                                      read_only(theta)))
        model.theta[...] = fitted.theta
        return MoonsRun(settings=settings, data=data, own_points=points is not None, config=config,
                        history=fitted.history, passes_run=len(fitted.history.epoch), flat_at=fitted.flat_at,
                        oscillation=oscillation(fitted.history, settings.batch_size is None), grid=grid,
                        small_grid=small, snapshots=tuple(snapshots),
                        **measure(model, data, settings.features, grid, small))


def with_weights(run: MoonsRun, theta: np.ndarray) -> MoonsRun:
    """The same run measured for the weights ``theta`` (flat), e.g. set or stepped by hand.

    The history, the snapshots and the data stay those of training. Nothing is retrained.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return replace(run, **measure(run.model(theta), run.data, run.features, run.grid, run.small_grid))


def measure(model: MLP, data: PlanarData, features: tuple[str, ...], grid: Grid, small: Grid) -> dict:
    """The fields of a MoonsRun that depend on the weights: metrics, the grid's shading, hidden units."""
    X_train, X_test = feature_matrix(data.X_train, features), feature_matrix(data.X_test, features)
    has_test = len(X_test) > 0
    return dict(theta=read_only(model.theta.copy()), train_accuracy=model.score(X_train, data.y_train),
                test_accuracy=model.score(X_test, data.y_test) if has_test else None,
                train_loss=mean_loss(model, X_train, data.y_train),
                test_loss=mean_loss(model, X_test, data.y_test) if has_test else None,
                objective=model.loss(X_train, data.y_train),
                proba=grid.image(surface(model, feature_matrix(grid.points, features))),
                hidden=tuple(small.image(a).transpose(2, 0, 1)
                             for a in model.hidden_activations(feature_matrix(small.points, features))))


@dataclass(frozen=True, eq=False)
class LogisticRun:
    """Logistic regression on the same training points: a straight-line boundary."""

    train_accuracy: float
    test_accuracy: float | None
    proba: np.ndarray  # P(class 1) (ny, nx), or the class probabilities (ny, nx, k), over the run's grid
    small_proba: np.ndarray  # the same over the run's small grid


def run_logistic(settings: MoonsSettings, points: Points | None = None) -> LogisticRun:
    """scikit-learn's LogisticRegression (its defaults: L2 with C=1, lbfgs) on the data, from x1 and x2.

    Classification only. With ``points`` the class probabilities cover every label up to the
    largest (a class without points gets probability 0), like the network's outputs.
    """
    data = load_data(settings.only(DATA_FIELDS), points)
    grid, small = Grid.pair(data)
    clf = LogisticRegression().fit(data.X_train, data.y_train)
    k = max(2, points.n_classes) if points is not None else settings.n_classes

    def proba(X: np.ndarray) -> np.ndarray:
        p = np.zeros((len(X), k))
        p[:, clf.classes_] = clf.predict_proba(X)
        return p[:, 1] if k == 2 else p

    test = float(clf.score(data.X_test, data.y_test)) if len(data.X_test) else None
    return LogisticRun(float(clf.score(data.X_train, data.y_train)), test,
                       grid.image(proba(grid.points)), small.image(proba(small.points)))


def sweep_settings(settings: MoonsSettings) -> list[MoonsSettings]:
    """Tutorial A's sweep: one hidden layer of each size in SWEEP_SIZES, the other settings as given."""
    return [replace(settings, hidden_layers=1, neurons=h) for h in SWEEP_SIZES]
