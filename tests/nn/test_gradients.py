"""Backpropagation against central differences, for every activation, loss and regulariser."""
import numpy as np
import pytest

from nn import ACTIVATIONS, LOSSES, MLP, gradient_check

RNG = np.random.default_rng(0)
X = RNG.standard_normal((7, 3))
LABELS = np.array([0, 1, 2, 0, 1, 2, 1])
REGRESSION_TARGETS = RNG.standard_normal((7, 3))


def targets(loss: str) -> np.ndarray:
    return LABELS if LOSSES[loss].classifier else REGRESSION_TARGETS


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("hidden", [[4], [4, 5], [4, 5, 3]], ids=["1 hidden", "2 hidden", "3 hidden"])
@pytest.mark.parametrize("penalty", [{}, {"l2": 0.3}, {"l1": 0.2}], ids=["none", "L2", "L1"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_backprop_matches_central_differences(activation, penalty, hidden, loss, reduction):
    model = MLP([3, *hidden, 3], activation=activation, init="xavier", loss=loss, reduction=reduction,
                seed=1, dtype="float64", **penalty)
    check = gradient_check(model, X, targets(loss))
    assert check.names == model.param_names
    assert check.max_error < 1e-6, dict(zip(check.names, check.errors))


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backprop_with_a_fixed_dropout_mask(activation):
    model = MLP([3, 6, 5, 3], activation=activation, dropout=0.5, input_dropout=0.3, l2=0.1,
                seed=2, dtype="float64")
    masks = model.dropout_masks(len(X))
    assert all(m is not None for m in masks)
    check = gradient_check(model, X, LABELS, masks=masks)
    assert check.max_error < 1e-6, dict(zip(check.names, check.errors))
    # the masked loss really is another function: without the mask the gradients differ
    assert not np.allclose(model.gradients(X, LABELS, masks)[0], model.gradients(X, LABELS)[0])


def test_the_check_catches_a_wrong_gradient():
    model = MLP([3, 4, 3], activation="tanh", seed=0, dtype="float64")

    def forgot_the_bias_gradient(m, X, y):
        grads = m.gradients(X, y)
        grads[1][:] = 0
        return grads

    check = gradient_check(model, X, LABELS, gradients=forgot_the_bias_gradient)
    assert check.errors[1] > 0.5
    assert max(check.errors[:1] + check.errors[2:]) < 1e-6


def test_the_input_gradient_matches_central_differences():
    model = MLP([3, 5, 3], activation="tanh", seed=3, dtype="float64")
    analytic = model.input_gradient(X[:2], 1)
    numeric = np.zeros_like(analytic)
    for i in range(2):
        for j in range(3):
            up, down = X[:2].copy(), X[:2].copy()
            up[i, j] += 1e-6
            down[i, j] -= 1e-6
            logit = lambda x: model.forward(model.check_X(x)).inputs[-1] @ model.W[-1] + model.b[-1]
            numeric[i, j] = (logit(up)[i, 1] - logit(down)[i, 1]) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
