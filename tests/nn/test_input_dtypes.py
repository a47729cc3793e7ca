"""Input of any numeric dtype trains and predicts the same: each batch is cast, X is never copied whole."""
import tracemalloc

import numpy as np
import pytest

from nn import MLP
from nn.model import CHUNK_ROWS

RNG = np.random.default_rng(0)
PIXELS = RNG.integers(0, 256, (300, 20), dtype=np.uint8)  # like MNIST: whole numbers 0..255
LABELS = (PIXELS[:, :10].sum(axis=1) > PIXELS[:, 10:].sum(axis=1)).astype(int)


def as_dtypes(X: np.ndarray) -> dict[str, np.ndarray]:
    return {"uint8": X, "float32": X.astype(np.float32), "float64": X.astype(np.float64)}


@pytest.mark.parametrize("options", [
    dict(epochs=3, batch_size=32, optimizer="momentum", lr=1e-4),  # 300 = 9 batches of 32 and one of 12
    dict(epochs=3, batch_size=32, optimizer="adam", lr=1e-3),
    dict(epochs=20, optimizer="sgd", lr=1e-5),  # full batch
    dict(epochs=20, optimizer="lbfgs"),
], ids=["momentum", "adam", "full batch", "lbfgs"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float64_float32_and_uint8_input_train_to_the_same_weights(options, dtype):
    weights, losses = {}, {}
    for name, X in as_dtypes(PIXELS).items():
        model = MLP([20, 16, 2], activation="relu", init="he", l2=1e-3, seed=0, dtype=dtype)
        history = model.fit(X, LABELS, **options)
        assert history.status == "completed", history.message
        weights[name], losses[name] = model.theta.copy(), history.train_loss
    assert not np.array_equal(weights["float64"], MLP([20, 16, 2], init="he", seed=0, dtype=dtype).theta)  # it trained
    eps = np.finfo(dtype).eps
    for name in ("uint8", "float32"):
        np.testing.assert_allclose(weights[name], weights["float64"], rtol=10 * eps, atol=10 * eps, err_msg=name)
        np.testing.assert_allclose(losses[name], losses["float64"], rtol=10 * eps, err_msg=name)


def test_prediction_is_the_same_for_every_input_dtype_and_in_chunks():
    model = MLP([20, 16, 3], activation="tanh", seed=0)
    X = RNG.integers(0, 256, (2 * CHUNK_ROWS + 17, 20), dtype=np.uint8)  # three chunks
    y = RNG.integers(0, 3, len(X))
    whole = model.forward(X.astype(np.float32)).yhat  # one forward pass over every row
    for name, data in as_dtypes(X).items():
        np.testing.assert_allclose(model.predict_proba(data), whole, rtol=1e-5, atol=1e-6, err_msg=name)
        np.testing.assert_array_equal(model.predict(data), model.predict_proba(data).argmax(axis=1))
        assert model.score(data, y) == pytest.approx(np.mean(whole.argmax(axis=1) == y))
        # the mean cross-entropy, summed chunk by chunk
        assert model.loss(data, y) == pytest.approx(-np.log(whole[np.arange(len(y)), y]).mean(), rel=1e-4)


def test_fit_and_predict_make_no_copy_of_the_whole_input():
    X = RNG.random((40_000, 100))  # float64, 32 MB; a float32 copy would be 16 MB
    y = (X[:, 0] > 0.5).astype(int)
    model = MLP([100, 32, 2], activation="relu", seed=0)
    tracemalloc.start()
    try:
        model.fit(X, y, epochs=1, batch_size=128, optimizer="momentum", lr=0.05,
                  validation_data=(X[:20_000], y[:20_000]))
        _, fit_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        accuracy = model.score(X, y)
        _, predict_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert accuracy > 0.9
    # batches, the workspace, the labels and targets (40,000 x 2): a few MB at most
    assert fit_peak < 6e6, fit_peak
    assert predict_peak < 6e6, predict_peak


def test_bad_values_are_refused_before_any_training_whatever_the_dtype():
    model = MLP([2, 3, 2], dtype="float32")
    theta = model.theta.copy()
    for X, shown in ((np.array([[0.0, 1.0], [np.nan, 0.0]]), r"\[nan\]"),
                     (np.array([[0.0, 1.0], [1e39, 0.0]]), r"\[inf\]"),  # finite in float64, not in float32
                     (np.array([[0.0, 1.0], [-np.inf, 0.0]], np.float32), r"\[-inf\]")):
        with pytest.raises(ValueError, match=f"X must be finite, got {shown} at 1 places"):
            model.fit(X, [0, 1], epochs=1)
    np.testing.assert_array_equal(model.theta, theta)
    model.fit(np.array([[0, 255], [255, 0]], np.uint8), [0, 1], epochs=1)  # integers are always finite
