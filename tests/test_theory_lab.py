"""The Theory page's helpers (lab/theory_*), and the truth: what they show is what NumPy recomputes."""
import math

import numpy as np
import pytest
from sklearn.datasets import make_moons

from lab import theory_demos as demos
from lab import theory_figures as figs
from lab.theory_equations import backward_equations, forward_equations, loss_latex
from lab.theory_state import (BUGS, PASS_THRESHOLD, check, check_rows, entry_rows, get_net, new_net,
                              reset_net, tutorial_backprop, with_reduction)
from nn import ACTIVATIONS, gradient_check


def tutorial_a_reference(W1, b1, W2, b2, X, y, lam):
    """Tutorial A's forward and backward pass, from scratch in NumPy (summed loss, L2 on weights)."""
    T = np.eye(W2.shape[1])[y]
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ W2 + b2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    yhat = e / e.sum(axis=1, keepdims=True)
    delta2 = yhat - T
    delta1 = (1 - a1 ** 2) * (delta2 @ W2.T)
    return {
        "x": X, "W1": W1, "b1": b1[None], "z1": z1, "a1": a1, "W2": W2, "b2": b2[None], "z2": z2,
        "yhat": yhat, "y": T, "delta2": delta2, "a1T": a1.T, "lamW2": lam * W2,
        "dW2": a1.T @ delta2 + lam * W2, "db2": delta2.sum(axis=0)[None], "tanh_slope": 1 - a1 ** 2,
        "delta2W2T": delta2 @ W2.T, "delta1": delta1, "xT": X.T, "lamW1": lam * W1,
        "dW1": X.T @ delta1 + lam * W1, "db1": delta1.sum(axis=0)[None],
        "loss": -np.log(yhat[np.arange(len(y)), y]).sum() + lam / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum()),
    }


def reference_for(net):
    W1, b1, W2, b2 = (p.copy() for p in net.model.params)
    X, y = make_moons(6, noise=0.2, random_state=0)  # the page's six points, drawn independently
    return tutorial_a_reference(W1, b1, W2, b2, X, y, 0.01)


@pytest.fixture
def net():
    net = new_net()
    net.step(0.1)  # not the initial weights: the numbers have moved once
    return net


def test_every_panel_is_what_numpy_recomputes(net):
    ref = reference_for(net)
    trace = net.trace()
    panels = [p for eq in forward_equations(net, trace) + backward_equations(net, trace) for p in eq.panels]
    assert len({p.key for p in panels}) == len(panels) == 22
    for key, _, values in panels:
        np.testing.assert_allclose(values, ref[key], rtol=1e-12, atol=1e-13, err_msg=key)
    assert math.isclose(net.loss, ref["loss"], rel_tol=1e-12)
    assert f"= {ref['loss']:.6f}" in loss_latex(trace)


def test_step_lowers_the_loss_and_reset_restores_it():
    state = {}
    net = get_net(state)
    first = net.loss
    for _ in range(5):
        before = net.loss
        assert net.step(0.1) < before
    assert net.steps == 5 and len(net.losses) == 6
    assert reset_net(state).loss == first and get_net(state).steps == 0


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_tutorial_backprop_without_bugs_is_nn_backprop(net, reduction):
    model = with_reduction(net.model, reduction)
    for mine, theirs in zip(tutorial_backprop(model, net.X, net.y), model.gradients(net.X, net.y)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


def test_gradient_check_passes_and_each_planted_bug_fails(net):
    clean, tanh_bug, mean_bug = (check(net, bug) for bug in BUGS)
    assert clean.max_error < 1e-8
    assert all(row["passes"] for row in check_rows(clean))
    # forgetting tanh' breaks layer 1 only: the check points at the layer
    assert dict(zip(tanh_bug.names, [r["passes"] for r in check_rows(tanh_bug)])) == \
        {"W1": False, "b1": False, "W2": True, "b2": True}
    assert min(tanh_bug.errors[:2]) > 1e-3
    # forgetting 1/N makes the data gradient N times too large everywhere
    assert min(mean_bug.errors) > 0.3 and mean_bug.max_error > PASS_THRESHOLD
    # what the page tabulates is nn.gradient_check's own result, entry by entry
    direct = gradient_check(net.model, net.X, net.y, eps=1e-5, gradients=BUGS[list(BUGS)[1]][0])
    assert direct.errors == tanh_bug.errors
    rows = entry_rows(tanh_bug)
    assert len(rows) == 17
    assert [r["backprop"] for r in rows] == [float(v) for a in direct.analytic for v in a.ravel()]


def test_softmax_and_the_swap_example():
    p, loss = demos.softmax_loss([2.0, 1.0, 0.1], target=0)
    e = np.exp([2.0, 1.0, 0.1])
    np.testing.assert_allclose(p, e / e.sum(), rtol=1e-14)
    assert math.isclose(loss, -math.log(p[0]), rel_tol=1e-12)
    cold, _ = demos.softmax_loss([2.0, 1.0, 0.1], 0, temperature=0.1)
    hot, _ = demos.softmax_loss([2.0, 1.0, 0.1], 0, temperature=5.0)
    assert cold[0] > 0.99 and hot.max() - hot.min() < 0.15
    losses = [row[f"loss −log p(class {demos.SWAP_TARGET})"] for row in demos.swap_example()]
    assert losses == [round(-math.log(0.1), 4), round(-math.log(0.7), 4), round(-math.log(0.1), 4)]


def test_neuron_is_w_dot_x_plus_b():
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(demos.neuron_outputs((0.5, -1.0), 0.25, X), X @ [0.5, -1.0] + 0.25)


def test_linear_classifier_cannot_follow_the_moons():
    lin = demos.linear_classifier()
    assert lin.W.shape == (2, 2) and 0.75 < lin.accuracy < 0.92
    assert set(np.unique(lin.grid_class)) == {0, 1}


def test_activation_derivatives_match_measured_slopes():
    curves = demos.activation_curves()
    assert set(curves) == set(ACTIVATIONS)
    for name, c in curves.items():
        act = ACTIVATIONS[name]
        np.testing.assert_array_equal(c["df"], act.df(act.f(c["z"])))
        # the table's f' (written in a = f(z)) against central differences, off relu's kink
        np.testing.assert_allclose(act.df(act.f(c["z_check"])), c["slope"], atol=1e-8, err_msg=name)


def test_l1_leaves_many_zero_weights_and_l2_does_not():
    none, l2, l1 = demos.regularised_runs(0.003)
    assert (none.name, l2.name, l1.name) == ("none", "L2", "L1")
    assert l1.near_zero > 0.5 and l2.near_zero < 0.1
    assert l1.near_zero == np.mean(np.abs(l1.weights) < demos.NEAR_ZERO)
    assert min(r.accuracy for r in (none, l2, l1)) > 0.9


def test_dropout_mask_scaling_and_expectation(net):
    demo = demos.dropout_demo(net.model, net.X, keep=0.5, draw=3)
    assert set(np.unique(demo.mask)) <= {0.0, 2.0}
    np.testing.assert_allclose(demo.h, demo.a * demo.mask, rtol=1e-15)
    np.testing.assert_allclose(demo.a, np.tanh(net.X @ net.model.W[0] + net.model.b[0]), rtol=1e-12)
    np.testing.assert_allclose(demo.mean_h, demo.a, atol=0.1)  # 2000 draws: about 4 standard errors
    other = demos.dropout_demo(net.model, net.X, keep=0.5, draw=4)
    assert not np.array_equal(demo.mask, other.mask)


def test_optimizer_paths():
    paths = demos.optimizer_paths(0.05, 0.9, 0.2, 40)
    assert set(paths) == {"sgd", "momentum", "nesterov", "adam", "lbfgs"}
    assert len(paths["lbfgs"]) <= 11 and demos.quadratic(paths["lbfgs"][-1]) < 1e-10  # curvature: done in a few steps
    t = np.arange(41)[:, None]
    np.testing.assert_allclose(paths["sgd"], demos.START * (1 - 0.05 * demos.CURVATURE) ** t, rtol=1e-12)
    np.testing.assert_allclose(np.abs(paths["adam"][1] - paths["adam"][0]), [0.2, 0.2], rtol=1e-6)
    start = demos.quadratic(demos.START)
    assert all(demos.quadratic(p[-1]) < 0.05 * start for p in paths.values())
    assert not any(row["diverged"] for row in demos.path_rows(paths, 40))
    too_fast = demos.path_rows(demos.optimizer_paths(0.25, 0.0, 0.2, 40), 40)  # SGD needs lr < 2/10
    assert [row["optimiser"] for row in too_fast if row["diverged"]] == ["sgd", "momentum", "nesterov"]


def test_schedules_compounding_against_inverse_time():
    curves = demos.schedule_curves(0.1, 30, 0.01)
    lr = 0.1
    for t in range(30):
        lr = lr / (1 + 0.01 * t) if t else lr
        assert math.isclose(curves["compounding"][t], lr, rel_tol=1e-12)
        assert math.isclose(curves["inverse_time"][t], 0.1 / (1 + 0.01 * t), rel_tol=1e-12)
    assert curves["compounding"][-1] < curves["inverse_time"][-1] / 5


def test_matrix_figure_prints_each_matrix_by_name():
    A, b = np.arange(6.0).reshape(2, 3), np.array([[1.0, -1.0]])
    fig = figs.matrix_figure([("A", "A", A), ("b", "b", b)])
    assert [t.name for t in fig.data] == ["A", "b"]
    np.testing.assert_array_equal(fig.data[0].z, A)
    assert fig.data[0].texttemplate == "%{z:.3f}"
    assert fig.layout.xaxis.title.text == "A (2×3)" and fig.layout.xaxis2.domain[1] == 1.0


def test_log_axes_label_decades_only():
    """A log axis labels powers of ten only ("100, 9, 8, ..., 2, 10" read as noise)."""
    curves = demos.schedule_curves(0.1, 50, 0.1)
    schedule = figs.schedule_figure(curves)
    histograms = figs.weight_histograms({"none": np.random.default_rng(0).normal(size=500)})
    for axis in (schedule.layout.yaxis, histograms.layout.yaxis):
        assert axis.type == "log" and axis.dtick == 1
