"""AppTest of the Theory page: it renders, Step lowers the loss, the numbers shown are NumPy's,
the gradient check passes and a planted bug fails it, and the softmax sliders move the probabilities."""
import base64
import json
import math

import numpy as np
import pytest

from tests.test_theory_lab import reference_for

PAGE = "pages/theory.py"


def _values(data) -> np.ndarray:
    if isinstance(data, dict):  # plotly's typed-array encoding of a NumPy array
        flat = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        shape = data.get("shape")
        return flat.reshape([int(s) for s in str(shape).split(",")]) if shape else flat
    return np.asarray(data, dtype=np.float64)


def shown_arrays(at) -> dict[str, np.ndarray]:
    """Every named Plotly trace on the page -> its values (z of a heatmap, y of a bar chart)."""
    arrays = {}
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            data = trace.get("z", trace.get("y"))
            if "name" in trace and data is not None:
                arrays[trace["name"]] = _values(data)
    return arrays


def shown_loss(at) -> float:
    return float(next(m for m in at.metric if m.label == "Loss L").value)


def check_table(at):
    return next(df for df in (d.value for d in at.dataframe) if "relative error" in df.columns)


@pytest.fixture
def page(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_renders_every_section(page):
    assert page.title[0].value.startswith("Theory: the equations, live")
    headers = [h.value for h in page.header]
    assert len(headers) == 9 and headers[3] == "4. Backpropagation"
    assert len(page.latex) >= 25
    assert any(r"\delta_1 = (1 - a_1^2) \circ \delta_2 W_2^{\top}" in l.value for l in page.latex)
    assert not page.code  # the sources are sent only when asked for ...
    boxes = [e.key for e in page.expander if (e.key or "").startswith("code:")]
    assert len(boxes) == 10
    for key in boxes:
        page.session_state[key] = True  # ... by opening their expanders
    page.run()
    sources = "\n".join(c.value for c in page.code)
    for name in ("def backward", "def backpropagate", "def softmax_cross_entropy", "def gradient_check",
                 "class Adam", "def _compounding", "def dropout_masks"):
        assert name in sources, name


def test_step_lowers_the_loss_and_every_number_shown_is_numpys(page):
    before = shown_loss(page)
    page.button(key="theory_step").click().run()
    after = shown_loss(page)
    assert after < before
    page.button(key="theory_step").click().run()
    assert shown_loss(page) < after
    net = page.session_state["theory_net"]
    assert net.steps == 2
    ref = reference_for(net)  # recomputed from the weights with plain NumPy
    shown = shown_arrays(page)
    for key in ("x", "W1", "b1", "z1", "a1", "W2", "b2", "z2", "yhat", "y", "delta2", "dW2", "db2",
                "tanh_slope", "delta1", "dW1", "db1"):
        np.testing.assert_allclose(shown[key], ref[key], rtol=1e-12, atol=1e-13, err_msg=key)
    assert math.isclose(shown_loss(page), ref["loss"], abs_tol=1e-6)
    assert any(f"= {ref['loss']:.6f}" in l.value for l in page.latex)
    page.button(key="theory_reset").click().run()
    assert shown_loss(page) == before


def test_gradient_check_passes_and_planted_bugs_fail_visibly(page):
    table = check_table(page)
    assert list(table["parameter"]) == ["W1", "b1", "W2", "b2"]
    assert (table["relative error"] < 1e-6).all() and table["passes"].all()
    assert "passed" in page.success[0].value and not page.error

    page.radio(key="theory_bug").set_value("Bug: forget tanh' in delta1").run()
    table = check_table(page)
    assert list(table["passes"]) == [False, False, True, True]
    assert "FAILED" in page.error[0].value and "W1" in page.error[0].value
    # the truth: the errors shown for layer 1 are those of the buggy gradient against the true one,
    # both recomputed here with plain NumPy (the numerical gradient is the true one to ~1e-10)
    ref = reference_for(page.session_state["theory_net"])
    delta1_bug = ref["delta2"] @ ref["W2"].T  # no (1 - a1**2)
    buggy = {"W1": ref["x"].T @ delta1_bug + 0.01 * ref["W1"], "b1": delta1_bug.sum(axis=0)}
    for row, name in enumerate(("W1", "b1")):
        g, true = buggy[name].ravel(), ref["d" + name].ravel()
        expected = np.linalg.norm(g - true) / (np.linalg.norm(g) + np.linalg.norm(true))
        assert table["relative error"][row] == pytest.approx(expected, rel=1e-6)
        assert expected > 1e-3

    page.radio(key="theory_bug").set_value("Bug: forget the 1/N of a mean loss").run()
    table = check_table(page)
    assert not table["passes"].any() and (table["relative error"] > 0.3).all()
    assert "FAILED" in page.error[0].value


def test_softmax_sliders_move_the_probabilities(page):
    p = shown_arrays(page)["softmax probabilities"]
    e = np.exp([2.0, 1.0, 0.1])
    np.testing.assert_allclose(p, e / e.sum(), rtol=1e-12)
    page.slider(key="theory_logit2").set_value(4.0).run()
    moved = shown_arrays(page)["softmax probabilities"]
    e = np.exp([2.0, 4.0, 0.1])
    np.testing.assert_allclose(moved, e / e.sum(), rtol=1e-12)
    assert moved.argmax() == 1
    assert any(f"= {-math.log(moved[0]):.4f}" in l.value for l in page.latex)  # L = -log p_1
    page.slider(key="theory_temperature").set_value(5.0).run()
    assert np.ptp(shown_arrays(page)["softmax probabilities"]) < np.ptp(moved)  # flatter when hotter


def test_the_optimiser_comparison_includes_lbfgs_which_needs_no_learning_rate(page):
    table = next(df for df in (d.value for d in page.dataframe) if "optimiser" in df.columns)
    rows = {row["optimiser"]: row for row in table.to_dict("records")}
    assert list(rows) == ["sgd", "momentum", "nesterov", "adam", "lbfgs"]
    lbfgs = rows["lbfgs"]
    assert lbfgs["steps"] <= 10 and lbfgs["final loss"] < 1e-8 and not lbfgs["diverged"]  # converged, early
    assert rows["sgd"]["final loss"] > 1e3 * lbfgs["final loss"]  # 50 steps of SGD at eta 0.05 are still on the way
    path = next(json.loads(c.proto.spec) for c in page.get("plotly_chart") if "theory_opt_paths" in c.proto.id)
    trace = next(t for t in path["data"] if t.get("name") == "lbfgs")
    assert len(_values(trace["x"])) == lbfgs["steps"] + 1 and abs(_values(trace["x"])[-1]) < 1e-4
    assert any("uses curvature, not a learning rate" in m.value for m in page.markdown)
    assert any(r"\textbf{L-BFGS:}" in l.value for l in page.latex)
    page.slider(key="theory_opt_lr").set_value(0.2).run()  # the learning rate moves SGD, not L-BFGS
    table = next(df for df in (d.value for d in page.dataframe) if "optimiser" in df.columns)
    again = {row["optimiser"]: row for row in table.to_dict("records")}
    assert again["lbfgs"] == lbfgs and again["sgd"]["final loss"] != rows["sgd"]["final loss"]
