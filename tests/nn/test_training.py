"""The training loop: optimisers, schedules, history, callbacks, stopping, determinism, dtypes."""
import math

import numpy as np
import pytest
from sklearn.datasets import make_moons

from nn import MLP, SCHEDULES
from nn.optimizers import Adam, Momentum, Nesterov, SGD, make_optimizer

X, Y = make_moons(120, noise=0.2, random_state=1)


def small(**options) -> MLP:
    return MLP([2, 8, 2], **{"activation": "tanh", "seed": 0, **options})


def test_same_seed_same_data_same_settings_give_bit_identical_weights():
    runs = []
    for _ in range(2):
        model = small(dropout=0.2, input_dropout=0.1)
        model.fit(X, Y, epochs=5, batch_size=16, optimizer="adam", lr=0.01)
        runs.append(model.theta.copy())
    assert np.array_equal(runs[0], runs[1])
    other = small(seed=1, dropout=0.2, input_dropout=0.1)
    other.fit(X, Y, epochs=5, batch_size=16, optimizer="adam", lr=0.01)
    assert not np.array_equal(runs[0], other.theta)


def test_no_global_random_state_is_touched():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    small(dropout=0.3).fit(X, Y, epochs=2, batch_size=10)
    assert np.array_equal(before, np.random.get_state()[1])


def test_float32_training_stays_float32():
    model = small()
    history = model.fit(X.astype(np.float64), Y, epochs=3, batch_size=32, optimizer="adam", lr=0.01,
                        validation_data=(X, Y))
    assert model.theta.dtype == np.float32 and model.grad.dtype == np.float32
    assert all(p.dtype == np.float32 for p in model.params)
    assert model.predict_proba(X).dtype == np.float32
    assert all(isinstance(v, float) for v in history.train_loss + history.val_loss)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam"])
def test_every_optimizer_lowers_the_loss_on_minibatches(optimizer):
    model = small()
    before = model.loss(X, Y)
    history = model.fit(X, Y, epochs=30, batch_size=16, optimizer=optimizer,
                        lr=0.01 if optimizer == "adam" else 0.1)
    assert history.status == "completed"
    assert model.loss(X, Y) < 0.6 * before
    assert model.score(X, Y) > 0.85


def test_optimizer_steps_follow_their_formulas():
    theta0, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    theta = theta0.copy()
    SGD().step(theta, g.copy(), 0.1)
    np.testing.assert_allclose(theta, theta0 - 0.1 * g)

    theta, m = theta0.copy(), Momentum(0.9)
    m.step(theta, g.copy(), 0.1)
    m.step(theta, g.copy(), 0.1)  # update = 0.1 g, then 0.9 * 0.1 g + 0.1 g
    np.testing.assert_allclose(theta, theta0 - 0.1 * g - 0.19 * g)

    theta, n = theta0.copy(), Nesterov(0.9)
    n.step(theta, g.copy(), 0.1)  # moves by lr g + mu (lr g) = 0.19 g
    np.testing.assert_allclose(theta, theta0 - 0.19 * g)

    theta, a = theta0.copy(), Adam()
    a.step(theta, g.copy(), 0.1)  # first Adam step: lr * sign(g), up to eps
    np.testing.assert_allclose(theta, theta0 - 0.1 * np.sign(g), rtol=1e-6)


def test_make_optimizer_defaults_and_refusals():
    assert isinstance(make_optimizer("sgd"), SGD)
    assert isinstance(make_optimizer("sgd", momentum=0.5), Momentum)
    assert make_optimizer("momentum").momentum == 0.9
    with pytest.raises(ValueError, match="optimizer must be one of"):
        make_optimizer("rmsprop")
    with pytest.raises(ValueError, match="momentum"):
        make_optimizer("momentum", momentum=1.5)


def test_schedules():
    lrs = {name: [f(1.0, t, 8, 0.5) for t in range(8)] for name, f in SCHEDULES.items()}
    assert lrs["constant"] == [1.0] * 8
    np.testing.assert_allclose(lrs["inverse_time"], [1 / (1 + 0.5 * t) for t in range(8)])
    # tutorial B: each epoch divides the current rate by 1 + d * epoch
    np.testing.assert_allclose(lrs["compounding"][:3], [1.0, 1 / 1.5, 1 / 1.5 / 2.0])
    np.testing.assert_allclose(lrs["exponential"][:3], [1.0, 0.5, 0.25])
    assert lrs["step"] == [1.0] * 4 + [0.1] * 2 + [pytest.approx(0.01)] * 2
    assert lrs["cosine"][0] == 1.0 and lrs["cosine"][4] == pytest.approx(0.5)
    history = small().fit(X, Y, epochs=3, lr=0.2, decay=1.0)  # decay alone means inverse time
    np.testing.assert_allclose(history.lr, [0.2, 0.1, 0.2 / 3])


def test_history_records_every_epoch():
    history = small().fit(X, Y, epochs=4, batch_size=32, lr=0.1, validation_data=(X[:30], Y[:30]))
    assert history.epoch == [1, 2, 3, 4]
    for column in (history.train_loss, history.train_accuracy, history.val_loss, history.val_accuracy,
                   history.lr, history.elapsed):
        assert len(column) == 4
    assert history.elapsed == sorted(history.elapsed)


def test_full_batch_history_is_the_loss_before_each_step():
    model = small(l2=0.01)
    losses = [model.loss(X, Y)]
    for _ in range(3):
        model.fit(X, Y, epochs=1, lr=0.5)
        losses.append(model.loss(X, Y))
    fresh = small(l2=0.01)
    history = fresh.fit(X, Y, epochs=3, lr=0.5)
    np.testing.assert_allclose(history.train_loss, losses[:3], rtol=1e-5)


def test_callback_hears_batches_and_epochs_and_can_stop():
    heard = []

    def callback(progress):
        heard.append((progress.kind, progress.epoch, progress.batch))
        return progress.kind == "batch" and progress.epoch == 1 and progress.batch == 2

    model = small()
    history = model.fit(X, Y, epochs=10, batch_size=40, lr=0.1, callback=callback)
    assert heard[:4] == [("batch", 0, 1), ("batch", 0, 2), ("batch", 0, 3), ("epoch", 0, 3)]
    assert heard[-1] == ("epoch", 1, 3)  # the interrupted epoch is still recorded
    assert history.status == "stopped" and history.epoch == [1, 2]
    assert np.isfinite(model.theta).all() and model.score(X, Y) > 0.5


def test_early_stopping_restores_the_best_weights():
    X_train, Y_train, X_val, Y_val = X[:60], Y[:60], X[60:], Y[60:]
    model = MLP([2, 50, 50, 2], activation="relu", init="he", seed=0)
    history = model.fit(X_train, Y_train, epochs=400, batch_size=8, optimizer="adam", lr=0.02,
                        validation_data=(X_val, Y_val), early_stopping=10)
    assert history.status == "early_stopped"
    assert len(history.epoch) == history.best_epoch + 10
    best = min(history.val_loss)
    assert history.val_loss[history.best_epoch - 1] == best
    assert model.loss(X_val, Y_val) == pytest.approx(best, rel=1e-5)
    with pytest.raises(ValueError, match="early_stopping needs validation_data"):
        small().fit(X, Y, epochs=2, early_stopping=3)


def test_divergence_stops_at_once_and_keeps_finite_weights():
    model = MLP([2, 20, 2], activation="relu", init="he", seed=0, dtype="float32")
    history = model.fit(X * 1e3, Y, epochs=200, lr=1e6, optimizer="sgd")
    assert history.status == "diverged" and history.diverged
    assert "smaller learning rate" in history.message
    assert len(history.epoch) < 200
    assert np.isfinite(model.theta).all()
    assert all(math.isfinite(v) for v in history.train_loss)
    assert model.predict(X).shape == (len(X),)


def test_numerical_edges():
    model = MLP([2, 2], activation="identity", reduction="sum", dtype="float64")
    W, b = model.params
    W[...] = [[1000.0, -1000.0], [0.0, 0.0]]
    b[...] = 0
    x = np.array([[1.0, 0.0]])
    # logits [1000, -1000]: probabilities exactly 1 and 0; the losses are the true 0 and 2000
    np.testing.assert_array_equal(model.predict_proba(x), [[1.0, 0.0]])
    assert model.loss(x, [0]) == 0.0
    assert model.loss(x, [1]) == pytest.approx(2000.0)
    assert all(np.isfinite(g).all() for g in model.gradients(x, [1]))
    # an all-zero input, one sample, a batch with one class missing
    zero = np.zeros((1, 2))
    np.testing.assert_allclose(model.predict_proba(zero), [[0.5, 0.5]])
    three = MLP([2, 4, 3], seed=0)
    history = three.fit(X[:5], np.zeros(5, int), epochs=3, batch_size=1, lr=0.1)
    assert history.status == "completed" and np.isfinite(three.theta).all()


def test_regression_with_mean_squared_error():
    x = np.linspace(-2, 2, 80)[:, None]
    y = np.sin(x[:, 0])
    model = MLP([1, 16, 1], activation="tanh", loss="mse", seed=0, dtype="float64")
    history = model.fit(x, y, epochs=300, batch_size=16, optimizer="adam", lr=0.02)
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]
    assert model.score(x, y) > 0.95
    assert model.predict(x).shape == (80, 1)
    with pytest.raises(ValueError, match="predict_proba needs a classifier"):
        model.predict_proba(x)


def test_trace_agrees_with_gradients_and_loss():
    model = small(l2=0.1, l1=0.01, dtype="float64")
    trace = model.trace(X[:5], Y[:5])
    assert trace.loss == pytest.approx(model.loss(X[:5], Y[:5]), rel=1e-12)
    assert trace.l2_loss > 0 and trace.l1_loss > 0
    grads = model.gradients(X[:5], Y[:5])
    for layer, dW, db in zip(trace.layers, grads[::2], grads[1::2]):
        np.testing.assert_allclose(layer.dW, dW)
        np.testing.assert_allclose(layer.db, db)
    np.testing.assert_allclose(trace.layers[0].a, np.tanh(trace.layers[0].z))
