"""Bad input is refused with a message that names the argument and the bad value."""
import numpy as np
import pytest

from nn import MLP

X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
Y = np.array([0, 1, 1])


@pytest.mark.parametrize("X_bad, message", [
    (np.array([1.0, 2.0]), r"X must be 2-D .* got shape \(2,\)"),
    (np.array([["a", "b"]]), "X must be numeric, got dtype <U1"),
    (np.array([[1.0, np.nan]]), r"X must be finite, got \[nan\]"),
    (np.array([[1.0, np.inf]]), r"X must be finite, got \[inf\]"),
    (np.ones((2, 3)), "X must have 2 columns .* got 3"),
    (np.ones((0, 2)), "X must have at least one row"),
])
def test_bad_X(X_bad, message):
    model = MLP([2, 3, 2])
    with pytest.raises(ValueError, match=message):
        model.predict(X_bad)
    with pytest.raises(ValueError, match=message):
        model.fit(X_bad, np.zeros(len(np.atleast_2d(X_bad)), int), epochs=1)


@pytest.mark.parametrize("y_bad, message", [
    (np.array([0, 1.5, 1]), r"y must hold integer class labels, got \[1.5\]"),
    (np.array(["a", "b", "c"]), "y must hold integer class labels, got dtype <U1"),
    (np.array([0, 2, 1]), r"y must be in 0..1 .* got \[2\]"),
    (np.array([0, -1, 1]), r"y must be in 0..1 .* got \[-1\]"),
    (np.array([0, 1]), r"y must have one label per row of X \(3\), got 2"),
    (np.array([[0], [1], [1]]), r"y must be 1-D"),
])
def test_bad_y(y_bad, message):
    with pytest.raises(ValueError, match=message):
        MLP([2, 3, 2]).fit(X, y_bad, epochs=1)


def test_whole_float_labels_are_accepted():
    MLP([2, 3, 2]).fit(X, Y.astype(float), epochs=1)


@pytest.mark.parametrize("option, message", [
    ({"lr": 0}, "lr must be in"),
    ({"lr": -0.1}, r"lr must be in \(0, inf\], got -0.1"),
    ({"lr": float("nan")}, "lr must be in"),
    ({"lr": "fast"}, "lr must be a number, got 'fast'"),
    ({"epochs": 0}, "epochs must be an integer >= 1, got 0"),
    ({"epochs": 2.5}, "epochs must be an integer >= 1, got 2.5"),
    ({"batch_size": 0}, "batch_size must be an integer >= 1, got 0"),
    ({"optimizer": "rmsprop"}, r"optimizer must be one of \[.*'lbfgs'.*\], got 'rmsprop'"),
    ({"optimizer": "lbfgs", "batch_size": 2}, "optimizer 'lbfgs' trains on the full batch: batch_size must be None, got 2"),
    ({"schedule": "warm"}, "schedule must be one of .* got 'warm'"),
    ({"decay": -1}, "decay must be in"),
    ({"momentum": 1.0, "optimizer": "momentum"}, r"momentum must be in \[0, 1\), got 1.0"),
])
def test_bad_training_options(option, message):
    with pytest.raises(ValueError, match=message):
        MLP([2, 3, 2]).fit(X, Y, **{"epochs": 1, **option})


@pytest.mark.parametrize("arguments, message", [
    ({"layer_sizes": [2, 0, 2]}, r"layer_sizes\[1\] must be an integer >= 1, got 0"),
    ({"layer_sizes": [2, 3.5, 2]}, r"layer_sizes\[1\] must be an integer >= 1, got 3.5"),
    ({"layer_sizes": [2]}, "layer_sizes must be a list of at least 2 sizes"),
    ({"layer_sizes": "2-3-2"}, "layer_sizes must be a list"),
    ({"layer_sizes": [2, 3, 1]}, r"a classifier needs at least 2 classes, got layer_sizes\[-1\]=1"),
    ({"dropout": 1.0}, r"dropout must be in \[0, 1\), got 1.0"),
    ({"dropout": -0.1}, r"dropout must be in \[0, 1\), got -0.1"),
    ({"input_dropout": 1.5}, r"input_dropout must be in \[0, 1\)"),
    ({"l2": -1}, "l2 must be in"),
    ({"l1": float("inf")}, "l1 must be in"),
    ({"activation": "swish"}, "activation must be one of .* got 'swish'"),
    ({"init": "zeros"}, "init must be one of .* got 'zeros'"),
    ({"loss": "hinge"}, "loss must be one of .* got 'hinge'"),
    ({"reduction": "max"}, "reduction must be one of .* got 'max'"),
    ({"dtype": "float16"}, "dtype must be one of .* got 'float16'"),
])
def test_bad_model_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        MLP(**{"layer_sizes": [2, 3, 2], **arguments})


def test_a_regression_network_may_have_one_output():
    model = MLP([2, 3, 1], loss="mse")
    with pytest.raises(ValueError, match="y must be finite"):
        model.fit(X, [0.0, np.nan, 1.0], epochs=1)
    with pytest.raises(ValueError, match=r"y must have shape \(3, 1\)"):
        model.fit(X, np.ones((3, 2)), epochs=1)


def test_huge_finite_values_are_accepted_even_when_their_sum_overflows():
    model = MLP([2, 3, 2], dtype="float32")
    model.predict(np.array([[3e38, 3e38], [3e38, 3e38]]))  # the float32 sum is infinite
    with pytest.raises(ValueError, match=r"X must be finite, got \[inf\]"):
        model.predict(np.array([[1e300, 0.0]]))  # finite in float64, infinite in the model's float32
