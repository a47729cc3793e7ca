"""MLP.copy(**overrides): the same network under another config, with its own copy of the weights."""
import numpy as np
import pytest

from nn import MLP

X = np.random.default_rng(0).random((20, 3))
Y = np.arange(20) % 2


def trained(**config) -> MLP:
    model = MLP([3, 5, 2], activation="tanh", seed=3, **config)
    model.fit(X, Y, epochs=5, lr=0.1)
    return model


def test_a_plain_copy_has_the_same_config_and_weights_in_arrays_of_its_own():
    model = trained()
    clone = model.copy()
    assert clone.config == model.config and type(clone) is MLP
    np.testing.assert_array_equal(clone.theta, model.theta)
    np.testing.assert_array_equal(clone.predict_proba(X), model.predict_proba(X))
    for a, b in zip([clone.theta, clone.grad, *clone.params], [model.theta, model.grad, *model.params]):
        assert not np.shares_memory(a, b)
    clone.fit(X, Y, epochs=3, lr=0.5)  # training the copy leaves the original alone
    assert not np.array_equal(clone.theta, model.theta)
    clone.W[0][0, 0] = 123.0
    assert model.W[0][0, 0] != 123.0


@pytest.mark.parametrize("overrides", [dict(dtype="float64"), dict(dropout=0.5), dict(reduction="sum"),
                                       dict(l2=0.01, l1=0.001), dict(seed=7), dict(activation="relu")])
def test_an_override_changes_that_setting_and_keeps_the_weights(overrides):
    model = trained()
    clone = model.copy(**overrides)
    assert clone.config == {**model.config, **overrides}
    np.testing.assert_allclose(clone.theta, model.theta, rtol=1e-7)  # float32 weights, exact in float64
    assert clone.theta.dtype == np.dtype(overrides.get("dtype", "float32"))
    if "dropout" in overrides:
        assert clone.keep[1] == 0.5 and model.keep[1] == 1.0
    if "reduction" in overrides:  # the same weights, a loss summed instead of averaged
        assert clone.loss(X, Y) == pytest.approx(len(X) * model.loss(X, Y), rel=1e-5)


def test_a_float32_copy_of_a_float64_network_rounds_its_weights_once():
    model = trained(dtype="float64")
    clone = model.copy(dtype="float32")
    np.testing.assert_array_equal(clone.theta, model.theta.astype(np.float32))


def test_a_copy_of_a_frozen_network_can_train():
    model = trained().freeze()
    clone = model.copy()
    clone.fit(X, Y, epochs=1, lr=0.1)
    assert clone.theta.flags.writeable and not model.theta.flags.writeable


def test_bad_overrides_are_refused_with_the_constructors_messages():
    model = trained()
    with pytest.raises(ValueError, match="layer sizes"):
        model.copy(layer_sizes=[3, 4, 2])
    with pytest.raises(ValueError, match="dropout"):
        model.copy(dropout=1.5)
    with pytest.raises(TypeError):
        model.copy(colour="red")
