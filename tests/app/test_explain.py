"""lab.moons.explain: the 'What am I looking at?' texts carry the numbers nn computes for the run on screen."""
import re
from dataclasses import replace

import numpy as np
import pytest

from lab.app.numbers import number
from lab.mnist import explain as mnist_explain
from lab.moons import explain
from lab.moons.settings import DEFAULTS
from lab.moons.run import run_moons, with_weights
from nn import MLP
from nn.metrics import confusion_matrix
from nn.training import History


@pytest.fixture(scope="module")
def run():
    return run_moons(DEFAULTS)


def _numbers(text: str) -> list[float]:
    return [float(n.replace("−", "-")) for n in re.findall(r"[−-]?\d+\.\d+", text)]


def test_equation_spells_signs_and_bias():
    assert explain.equation([1.314, -0.42], ["x₁", "x₂"], 0.08) == "1.31·x₁ − 0.42·x₂ + 0.08"
    assert explain.equation([-2.0], ["h1.1"], -0.5) == "−2.00·h1.1 − 0.50"


def test_hidden_unit_equations_are_the_networks_weights(run):
    model = run.model()
    lines = explain.unit_equations(run, model)
    assert len(lines) == 3
    for j, line in enumerate(lines):
        assert line.startswith(f"Hidden unit **h1.{j + 1}** computes z = ")
        w1, w2, b = _numbers(line.split("z = ")[1].split(", then")[0].replace("− ", "−"))
        assert (w1, w2, b) == (round(float(model.W[0][0, j]), 2), round(float(model.W[0][1, j]), 2),
                               round(float(model.b[0][j]), 2))


def test_diagram_text_follows_edited_weights(run):
    theta = run.theta.copy()
    model = run.model(theta)
    model.W[0][0, 1], model.b[0][1] = 1.25, -0.5
    shown = with_weights(run, model.theta.copy())
    text = explain.diagram_text(shown, shown.model())
    assert "**h1.2** computes z = 1.25·x₁" in text and "− 0.50, then tanh" in text
    assert "Output biases are shown too" in text


def test_loss_text_ratio_and_penalty_come_from_nn(run):
    model = run.model()
    text = explain.loss_text(run, model)
    assert f"(λ/2)·ΣW² = {model.penalty():.4g}" in text
    n = len(run.data.X_train)  # tutorial A sums over its points; the curve is per point
    assert f"started at {run.history.train_loss[0] / n:.4g}" in text
    assert f"{len(run.history.train_loss):,} passes" in text and f"{model.penalty() / n:.4g} per point" in text
    X_test = run.inputs(run.data.X_test)
    test_loss = model.forward(model.check_X(X_test), model.targets(run.data.y_test, len(X_test))).loss_sum / len(X_test)
    assert f"the test loss {test_loss:.3f}" in text
    assert f"{test_loss / run.train_loss:.1f}× the train loss" in text


def test_boundary_text_counts_right_points_with_nn(run):
    model = run.model()
    text = explain.boundary_text(run, model)
    right = int(np.sum(model.predict(run.inputs(run.data.X_train)) == run.data.y_train))
    assert f"{right} of the {len(run.data.X_train)} training points" in text
    p = model.predict_proba(run.data.X_train[:1])[0]
    assert f"probability {p.max():.2f} of class {int(p.argmax())}" in text


def test_node_detail_matches_forward_and_trace(run):
    model = run.model()
    point = (0.5, -0.25)
    detail = explain.node_detail(run, model, (1, 1), point)
    z = point[0] * model.W[0][0, 1] + point[1] * model.W[0][1, 1] + model.b[0][1]
    assert detail.z == pytest.approx(z) and detail.a == pytest.approx(np.tanh(z))
    # The gradient is nn's, over the training points: compare with MLP.gradients.
    grads = model.gradients(run.data.X_train, run.data.y_train)
    assert detail.grad_bias == pytest.approx(grads[1][1])
    np.testing.assert_allclose(detail.grad_weights, grads[0][:, 1])
    text = detail.markdown("tanh", 0.01, "")
    assert "**h1.2** computes z = " in text and f"**{number(detail.z, 3)}**" in text


def test_output_node_is_openable_with_its_bias(run):
    model = run.model()
    detail = explain.node_detail(run, model, (2, 1), (0.0, 0.0))
    assert detail.name == "P(class 1)" and detail.bias == pytest.approx(model.b[1][1])
    assert detail.a == pytest.approx(model.predict_proba(np.zeros((1, 2)))[0, 1])
    assert "then softmax" in detail.markdown("tanh", 0.01, "softmax")


def test_regression_and_no_hidden_layer_texts_render():
    regression = run_moons(replace(DEFAULTS, dataset="bump", lr=0.003, passes=500))
    model = regression.model()
    assert "predicts" in explain.boundary_text(regression, model)
    assert "the prediction, used as it is" in explain.diagram_text(regression, model)
    linear = run_moons(replace(DEFAULTS, hidden_layers=0, passes=200))
    assert "no hidden layer" in explain.units_text(linear)
    assert "Hidden unit" not in explain.diagram_text(linear, linear.model())


def test_mnist_texts():
    history = History(epoch=[1, 2, 3], train_loss=[0.5, 0.3, 0.2], train_accuracy=[0.8, 0.9, 0.95],
                      val_loss=[0.4, 0.3, 0.35], val_accuracy=[0.85, 0.9, 0.89])
    text = mnist_explain.curves_text(history, 9000)
    assert "lowest after epoch 2 (0.300)" in text and "overfitting" in text and "89.0%" in text
    y_true, y_pred = np.array([0, 0, 1, 1, 1, 2]), np.array([0, 1, 1, 1, 1, 1])
    cm = confusion_matrix(y_true, y_pred, 3)
    text = mnist_explain.confusion_text(cm, ("zero", "one", "two"))
    assert "4 of 6 (66.7%)" in text and "The class found least often is two: 0.0%" in text
    model = MLP([784, 4, 10], init="he", seed=0)
    text = mnist_explain.weights_text(model.W[0], model.b[0], unit=2, change=True)
    high = int(np.argmax(model.W[0][:, 2]))
    assert "unit 3: its weights run from" in text and "after − before" in text
    assert f"(row {high // 28 + 1}, column {high % 28 + 1})" in text
    assert f"{model.W[0][:, 2].max():.2f}" in text
