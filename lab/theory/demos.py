"""The Theory page's smaller demos, each a pure function of its arguments computed by nn/.

They return plain arrays and numbers, never a model that a user could change, so that
``lab.theory.widgets`` can cache those that train or sweep.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn import ACTIVATIONS, FULL_BATCH_OPTIMIZERS, MLP, OPTIMIZERS, SCHEDULES
from nn.lbfgs import minimize
from nn.losses import softmax_cross_entropy
from nn.optimizers import make_optimizer

from lab.theory.network import moons_points

# ---- one neuron and the linear classifier -------------------------------------------------------

def neuron_outputs(w: tuple[float, float], b: float, X: np.ndarray) -> np.ndarray:
    """z (n,) of one neuron z = w.x + b (an MLP with 2 inputs, 1 output, no activation) for X (n, 2)."""
    model = MLP([2, 1], loss="mse", dtype="float64")
    model.W[0][:, 0], model.b[0][:] = w, b
    return model.predict(X)[:, 0]


def neuron_grid(w: tuple[float, float], b: float, X: np.ndarray, n: int = 60
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The neuron's z on an n x n grid around X: x values (n,), y values (n,), z (n, n)."""
    gx, gy, points = grid_points(X, n)
    return gx, gy, neuron_outputs(w, b, points).reshape(n, n)


def moons(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Tutorial A's moons: X (n, 2), y (n,)."""
    return moons_points(n, seed)


@dataclass(frozen=True)
class LinearClassifier:
    W: np.ndarray  # (2, 2): column k is the classifier (neuron) of class k
    b: np.ndarray  # (2,)
    accuracy: float
    grid_x: np.ndarray  # (g,)
    grid_y: np.ndarray  # (g,)
    grid_class: np.ndarray  # (g, g) predicted class on the grid, rows along grid_y


def linear_classifier(epochs: int = 2000, grid: int = 60) -> LinearClassifier:
    """Softmax regression, MLP([2, 2]) with no hidden layer, trained on the moons (tutorial A's baseline)."""
    X, y = moons()
    model = MLP([2, 2], init="xavier", dtype="float64")
    model.fit(X, y, epochs=epochs, lr=0.5)
    gx, gy, points = grid_points(X, grid)
    return LinearClassifier(model.W[0].copy(), model.b[0].copy(), model.score(X, y), gx, gy,
                            model.predict(points).reshape(grid, grid))


def grid_points(X: np.ndarray, n: int, margin: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An n x n grid around X: its x values (n,), y values (n,), and the points (n*n, 2), row-major in y."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    xx, yy = np.meshgrid(gx, gy)
    return gx, gy, np.column_stack([xx.ravel(), yy.ravel()])


# ---- softmax and cross-entropy ------------------------------------------------------------------

def softmax_loss(logits: np.ndarray, target: int, temperature: float = 1.0) -> tuple[np.ndarray, float]:
    """softmax(z / T) (k,) and the cross-entropy -log p_target, by nn's softmax_cross_entropy."""
    z = np.asarray(logits, np.float64).reshape(1, -1) / temperature  # a copy: the loss overwrites z
    t = np.zeros_like(z)
    t[0, target] = 1.0
    p, loss = softmax_cross_entropy(z, t)
    return p[0], loss


SWAP_TARGET = 0  # the true class of tutorial B's swap example ("class 0")
SWAP_EXAMPLES = (
    ("the network's output", (0.1, 0.7, 0.2)),
    ("true class swapped with the top wrong class", (0.7, 0.1, 0.2)),
    ("two wrong classes swapped", (0.1, 0.2, 0.7)),
)


def swap_example() -> list[dict]:
    """Tutorial B's example: swapping probabilities, and what it does to the cross-entropy (by nn's
    loss: softmax(log p) = p, so it gives -log p_target)."""
    return [{"probabilities": what, **{f"p(class {k})": pk for k, pk in enumerate(p)},
             f"loss −log p(class {SWAP_TARGET})": round(softmax_loss(np.log(p), SWAP_TARGET)[1], 4)}
            for what, p in SWAP_EXAMPLES]


# ---- activations --------------------------------------------------------------------------------

def activation_curves(lo: float = -4.0, hi: float = 4.0, n: int = 161) -> dict[str, dict[str, np.ndarray]]:
    """For each entry of nn.ACTIVATIONS: z, f(z), f'(z) from the table (written in a = f(z)),
    and the slope measured by central differences on a coarser grid."""
    z = np.linspace(lo, hi, n)
    zc = np.linspace(lo, hi, 17) + 0.01  # off the kinks of relu at 0
    h = 1e-5
    curves = {}
    for name, act in ACTIVATIONS.items():
        a = act.f(z.copy())
        curves[name] = {"z": z, "f": a, "df": act.df(a), "z_check": zc,
                        "slope": (act.f(zc + h) - act.f(zc - h)) / (2 * h)}
    return curves


# ---- regularisation ----------------------------------------------------------------------------

REG_SIZES = [2, 20, 20, 2]
NEAR_ZERO = 1e-2  # |w| below this counts as zero: with plain SGD, L1's zeros hop by about lr * l1 around 0


@dataclass(frozen=True)
class RegularisedRun:
    name: str  # "none", "L2" or "L1"
    weights: np.ndarray  # every weight of the trained net, flat (biases are not regularised)
    accuracy: float
    near_zero: float  # fraction of weights with |w| < NEAR_ZERO
    largest: float  # max |w|

    def row(self) -> dict:
        return {"regulariser": self.name, "training accuracy": self.accuracy,
                f"weights with |w| < {NEAR_ZERO:g}": self.near_zero, "largest |w|": self.largest}


def regularised_runs(strength: float, epochs: int = 1000, lr: float = 0.3) -> list[RegularisedRun]:
    """Three 2-20-20-2 tanh nets trained alike on the moons (mean loss, full batch): none, L2, L1."""
    X, y = moons()
    runs = []
    for name, reg in (("none", {}), ("L2", {"l2": strength}), ("L1", {"l1": strength})):
        model = MLP(REG_SIZES, activation="tanh", init="xavier", dtype="float64", seed=0, **reg)
        model.fit(X, y, epochs=epochs, lr=lr)
        w = model.theta[:model.n_weights].copy()
        runs.append(RegularisedRun(name, w, model.score(X, y), float(np.mean(np.abs(w) < NEAR_ZERO)),
                                   float(np.abs(w).max())))
    return runs


# ---- dropout --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DropoutDemo:
    a: np.ndarray  # (n, hidden) a1 = tanh(z1), no dropout: what prediction uses
    mask: np.ndarray  # (n, hidden) one draw: 0 or 1/keep
    h: np.ndarray  # (n, hidden) a1 * mask, what layer 2 reads in training
    mean_h: np.ndarray  # (n, hidden) h averaged over many draws: close to a
    draws: int


def dropout_demo(model: MLP, X: np.ndarray, keep: float, draw: int, draws: int = 2000) -> DropoutDemo:
    """Inverted dropout on the hidden layer of ``model``'s weights with keep probability ``keep``.

    ``draw`` seeds the mask shown; the average runs over ``draws`` further masks.
    """
    net = model.copy(dropout=1.0 - keep, seed=draw)
    X = net.check_X(X)
    a = net.forward(X).outputs[0]
    masks = net.dropout_masks(len(X))
    h = net.forward(X, masks=masks).inputs[1]
    # many draws at once: the points repeated, one fresh mask per copy
    many = net.forward(np.tile(X, (draws, 1)), masks=net.dropout_masks(draws * len(X))).inputs[1]
    mean_h = many.reshape(draws, *a.shape).mean(axis=0)
    return DropoutDemo(a, masks[1], h, mean_h, draws)


# ---- optimisation -------------------------------------------------------------------------------

CURVATURE = np.array([1.0, 10.0])  # f(theta) = 1/2 (theta_1^2 + 10 theta_2^2): condition number 10
START = np.array([-4.0, 2.0])


def quadratic(theta: np.ndarray) -> np.ndarray:
    """f = 1/2 sum_i c_i theta_i^2 over the last axis (any leading shape)."""
    return 0.5 * (theta ** 2 * CURVATURE).sum(axis=-1)


def quadratic_gradient(theta: np.ndarray) -> np.ndarray:
    return CURVATURE * theta


def optimizer_paths(lr: float, momentum: float, adam_lr: float, steps: int) -> dict[str, np.ndarray]:
    """theta after each step (steps + 1, 2) for each optimiser of nn.OPTIMIZERS, from START, and
    L-BFGS's path (iterations + 1, 2), which ends early once it has converged."""
    paths = {}
    for name in OPTIMIZERS:
        opt = make_optimizer(name, None if name == "sgd" else momentum)
        theta = START.copy()
        path = [theta.copy()]
        for _ in range(steps):
            grad = quadratic_gradient(theta)  # a fresh array: step may overwrite it
            opt.step(theta, grad, adam_lr if name == "adam" else lr)
            if not np.isfinite(theta).all():
                break
            path.append(theta.copy())
        paths[name] = np.array(path)
    paths["lbfgs"] = lbfgs_path(steps)
    return paths


def lbfgs_path(steps: int) -> np.ndarray:
    """theta after each iteration of nn.lbfgs.minimize on the quadratic, from START (at most ``steps``)."""
    path = [START.copy()]

    def keep(theta: np.ndarray, loss: float) -> bool:
        path.append(theta.copy())
        return False

    minimize(lambda theta: (float(quadratic(theta)), quadratic_gradient(theta)), START, steps, keep)
    return np.array(path)


def path_rows(paths: dict[str, np.ndarray], steps: int) -> list[dict]:
    """Per optimiser: steps taken, final theta and loss, and whether it diverged (ended higher than
    it started, or overflowed before ``steps``)."""
    start = float(quadratic(START))
    rows = []
    for name, path in paths.items():
        loss = float(quadratic(path[-1]))
        stopped_early = len(path) - 1 < steps and name not in FULL_BATCH_OPTIMIZERS  # L-BFGS stops once converged
        rows.append({"optimiser": name, "steps": len(path) - 1, "final θ₁": float(path[-1, 0]),
                     "final θ₂": float(path[-1, 1]), "final loss": loss, "diverged": loss > start or stopped_early})
    return rows


def quadratic_surface(n: int = 81) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """theta_1 values (n,) in [-5, 5], theta_2 values (n,) in [-3, 3], and f on the grid (n, n)."""
    g1, g2 = np.linspace(-5.0, 5.0, n), np.linspace(-3.0, 3.0, n)
    t1, t2 = np.meshgrid(g1, g2)
    return g1, g2, quadratic(np.stack([t1, t2], axis=-1))


# ---- schedules ----------------------------------------------------------------------------------

def schedule_curves(lr0: float, epochs: int, decay: float) -> dict[str, np.ndarray]:
    """The learning rate at each epoch (epochs,) for every entry of nn.SCHEDULES."""
    return {name: np.array([rate(lr0, t, epochs, decay) for t in range(epochs)])
            for name, rate in SCHEDULES.items()}


def schedule_rows(curves: dict[str, np.ndarray]) -> list[dict]:
    """Per schedule: the rate at the first and at the last epoch."""
    return [{"schedule": name, "η at epoch 0": float(lr[0]), f"η at epoch {len(lr) - 1}": float(lr[-1])}
            for name, lr in curves.items()]
