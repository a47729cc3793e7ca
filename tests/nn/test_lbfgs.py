"""L-BFGS: the function handed to scipy is the model's loss and gradient, and the optimiser uses it well."""
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_moons

from nn import ACTIVATIONS, LOSSES, MLP
from nn.gradcheck import relative_error
from nn.lbfgs import Objective, minimize

RNG = np.random.default_rng(0)
X = RNG.standard_normal((7, 3))
LABELS = np.array([0, 1, 2, 0, 1, 2, 1])
REGRESSION_TARGETS = RNG.standard_normal((7, 3))
X_MOONS, Y_MOONS = make_moons(200, noise=0.20, random_state=0)


def tutorial_a() -> MLP:
    return MLP([2, 3, 2], activation="tanh", init="scaled_normal", l2=0.01, reduction="sum", seed=0, dtype="float64")


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("penalty", [{}, {"l2": 0.3}, {"l1": 0.2}], ids=["none", "L2", "L1"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_the_objective_is_the_loss_and_its_gradient_matches_central_differences(activation, penalty, loss, reduction):
    model = MLP([3, 4, 5, 3], activation=activation, loss=loss, reduction=reduction, seed=1, dtype="float64",
                **penalty)
    y = LABELS if LOSSES[loss].classifier else REGRESSION_TARGETS
    objective = Objective(model, X, model.targets(y, len(X)))
    theta = model.theta.copy()
    value, gradient = objective(theta)
    assert gradient.dtype == np.float64 and gradient.shape == theta.shape
    assert value == pytest.approx(model.loss(X, y), rel=1e-12)  # the same loss as MLP.loss, penalty included
    numerical = np.zeros_like(theta)
    for i in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[i] += 1e-6
        down[i] -= 1e-6
        numerical[i] = (objective(up)[0] - objective(down)[0]) / 2e-6
    assert relative_error(gradient, numerical) < 1e-6


def test_a_wrong_objective_would_be_caught():
    # the check above can fail: a gradient without the L2 term is far from the differences
    model = MLP([3, 4, 3], activation="tanh", l2=0.5, seed=0, dtype="float64")
    objective = Objective(model, X, model.targets(LABELS, len(X)))
    theta = model.theta.copy()
    _, gradient = objective(theta)
    gradient[:model.n_weights] -= 0.5 * theta[:model.n_weights]
    numerical = np.array([(objective(theta + e)[0] - objective(theta - e)[0]) / 2e-6
                          for e in np.eye(theta.size) * 1e-6])
    assert relative_error(gradient, numerical) > 1e-2


def test_on_tutorial_a_it_reaches_the_loss_of_20000_gradient_descent_passes():
    descent = tutorial_a()
    descent.fit(X_MOONS, Y_MOONS, epochs=20_000, lr=0.01)
    lbfgs = tutorial_a()
    history = lbfgs.fit(X_MOONS, Y_MOONS, epochs=20_000, optimizer="lbfgs")
    assert history.status == "completed" and "L-BFGS converged after" in history.message
    assert len(history.epoch) < 1000  # iterations, each one pass over the points
    assert lbfgs.loss(X_MOONS, Y_MOONS) <= descent.loss(X_MOONS, Y_MOONS)
    assert lbfgs.score(X_MOONS, Y_MOONS) >= 0.96


def test_one_history_entry_per_iteration_through_the_same_callback():
    heard = []

    def callback(progress):
        heard.append((progress.kind, progress.epoch, progress.batch, progress.loss))

    model = tutorial_a()
    before = model.loss(X_MOONS, Y_MOONS)
    history = model.fit(X_MOONS, Y_MOONS, epochs=30, optimizer="lbfgs", callback=callback,
                        validation_data=(X_MOONS[:50], Y_MOONS[:50]))
    iterations = len(history.epoch)
    assert history.epoch == list(range(1, iterations + 1))
    assert [len(c) for c in (history.train_loss, history.train_accuracy, history.val_loss, history.elapsed)] == \
        [iterations] * 4
    # as for a full-batch pass of gradient descent: the loss before each iteration
    assert history.train_loss[0] == pytest.approx(before, rel=1e-12)
    assert all(b <= a for a, b in zip(history.train_loss, history.train_loss[1:]))  # a line search never goes up
    assert model.loss(X_MOONS, Y_MOONS) < history.train_loss[-1]
    assert [h[:3] for h in heard[:4]] == [("batch", 0, 1), ("epoch", 0, 1), ("batch", 1, 1), ("epoch", 1, 1)]
    assert heard[1][3] == history.train_loss[0]


def test_the_callback_stops_it_and_the_weights_are_those_it_saw():
    seen = []

    def callback(progress):
        if progress.kind == "epoch":
            seen.append(model.theta.copy())
        return progress.kind == "epoch" and progress.epoch == 4

    model = tutorial_a()
    history = model.fit(X_MOONS, Y_MOONS, epochs=1000, optimizer="lbfgs", callback=callback)
    assert history.status == "stopped" and history.epoch == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(model.theta, seen[-1])


def test_refusals_and_other_settings():
    with pytest.raises(ValueError, match="trains on the full batch: batch_size must be None, got 16"):
        tutorial_a().fit(X_MOONS, Y_MOONS, batch_size=16, optimizer="lbfgs")
    with pytest.raises(ValueError, match="dropout and input_dropout must be 0"):
        MLP([2, 8, 2], dropout=0.2).fit(X_MOONS, Y_MOONS, optimizer="lbfgs")
    # float32, the mean, L1 and regression all train
    for model, y in ((MLP([2, 8, 2], l1=1e-3, seed=0), Y_MOONS),
                     (MLP([2, 8, 1], loss="mse", seed=0), np.sin(X_MOONS[:, 0]))):
        before = model.loss(X_MOONS, y)
        history = model.fit(X_MOONS, y, epochs=200, optimizer="lbfgs")
        assert history.status == "completed" and np.isfinite(model.theta).all()
        assert model.loss(X_MOONS, y) < 0.5 * before


def test_minimize_uses_curvature_on_a_narrow_valley():
    curvature = np.array([1.0, 10.0])
    path = []
    result = minimize(lambda t: (0.5 * float(curvature @ t**2), curvature * t), np.array([-4.0, 2.0]), 100,
                      lambda theta, loss: path.append(theta.copy()) and False)
    assert result.success and len(path) <= 10  # gradient descent at its best rate needs about 60 steps
    np.testing.assert_allclose(result.x, 0.0, atol=1e-5)


def test_import_nn_does_not_import_scipy():
    code = "import sys, nn; print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
