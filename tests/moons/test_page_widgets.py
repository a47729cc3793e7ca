"""AppTest of the Moons page's hands-on part: own points, feature inputs, regression, the diagram's editor.

The sweep stays off, as it starts (it is tested in test_page.py). A click is simulated as the browser delivers
it: the boundary chart's selection as its widget state (AppTest has no API for a chart selection).
"""

import base64
import json

import numpy as np
import pytest

from lab.moons.data import FEATURES
from lab.moons.widgets import TAB
from tests.support.markdown_text import shown
from tests.support.page_layout import metrics_slot

PAGE = "pages/moons.py"


def _page(app_test):
    return app_test(PAGE, default_timeout=120).run()


def _charts(at) -> dict[str, dict]:
    return {e.proto.id.rsplit("moons_", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def _array(value) -> np.ndarray:
    """A figure's array from its JSON: a list, or Plotly's base64 form {"dtype", "bdata", "shape"}."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return array.reshape([int(n) for n in str(value.get("shape", len(array))).split(",")])
    return np.asarray(value)


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _click(at, x, y):
    """A click as the browser sends it: the boundary chart's new selection as its widget state, so that
    Streamlit calls the chart's on_select callback before the rerun."""
    [chart] = [e for e in at.get("plotly_chart") if e.proto.id.endswith("moons_boundary")]
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"points": [{"x": x, "y": y, "curve_number": 1}],
                                                   "point_indices": [0], "box": [], "lasso": []}})
    return at._run(states)


def _points_note(at) -> str:
    return next((i.value for i in at.info if i.value.startswith("**Your own points**")), "")


def _train_points(spec: dict) -> int:
    return sum(len(_array(t["x"])) for t in spec["data"] if t.get("name", "").startswith("train"))


def test_a_click_adds_a_point_and_the_network_retrains(app_test):
    at = _page(app_test)
    before, slot = _charts(at)["boundary"], metrics_slot(at)
    assert any(t.get("name") == "plane" for t in before["data"])  # the clickable grid
    _click(at, -1.0, 1.3)
    assert not at.exception, at.exception
    assert "(201: 161 for training, 40 for testing" in _points_note(at)
    assert metrics_slot(at) == slot  # the note on own points came without moving the page below it
    after = _charts(at)["boundary"]
    assert _train_points(after) == _train_points(before) + 1
    new = next(t for t in after["data"] if t.get("name") == "train, class 0")
    assert [-1.0, 1.3] in np.column_stack([_array(new["x"]), _array(new["y"])]).tolist()
    assert after["data"][0]["z"] != before["data"][0]["z"]  # retrained: a new boundary
    assert at.selectbox(key="moons_dataset").disabled  # the data knobs wait for "back to generated data"
    at.run()  # the same selection again is not a new click
    assert "(201:" in _points_note(at)
    at.radio(key="moons_click_action").set_value(-1)  # remove the nearest point
    _click(at, -1.01, 1.29)
    assert "(200:" in _points_note(at)
    at.button(key="moons_clear_points").click().run()
    assert any("no training points" in w.value for w in at.warning) and not at.metric
    at.radio(key="moons_click_action").set_value(0)
    _click(at, 0.0, 0.0)
    at.radio(key="moons_click_action").set_value(1)
    _click(at, 1.0, 1.0)
    assert not at.exception and _metrics(at)["Train accuracy"] == "100.0%"  # two points, two classes
    at.button(key="moons_generated").click().run()
    assert not _points_note(at) and _metrics(at)["Train accuracy"] == "99.4%"


def test_the_click_callback_uses_the_settings_on_screen_and_is_not_replayed(app_test):
    at = _page(app_test)
    at.selectbox(key="moons_dataset").set_value("circles").run()
    _click(at, 0.1, 0.1)
    assert not at.exception, at.exception
    assert "(201: 161 for training, 40 for testing; from the circles set (seed 0), then your clicks)" in shown(
        _points_note(at))
    at.toggle(key="moons_discretize").set_value(True).run()  # another knob: the click is not replayed
    assert "(201:" in _points_note(at) and not at.exception
    at.button(key="moons_generated").click().run()
    at.radio(key="moons_problem").set_value("regression").run()
    _click(at, 0.5, 0.5)  # regression: a click adds nothing
    assert not at.exception and not _points_note(at)


def test_a_good_csv_loads_and_bad_ones_are_refused_with_their_line(app_test):
    at = _page(app_test)
    rows = "\n".join(f"{np.cos(a):.3f},{np.sin(a):.3f},{k}" for k in range(3) for a in np.linspace(0, 1, 10) + 2 * k)
    at.file_uploader(key="moons_upload").set_value(("three.csv", ("x,y,label\n" + rows).encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert "(30: 24 for training, 6 for testing; from your file “three.csv”)" in shown(_points_note(at))
    assert "2-3-3 tanh" in _charts(at)["boundary"]["layout"]["title"]["text"]
    assert [t["name"] for t in _charts(at)["diagram"]["data"] if t["type"] == "heatmap"][-3:] == [
        "P(class 0)", "P(class 1)", "P(class 2)"]
    bad = {"x,y,label\n0,0,0\n1,abc,1\n": "Line 3: y is 'abc', not a number.",
           "x,y,label\n0,0,0\n1,1\n": "Line 3: 2 values; expected 3",
           "0,0,0\nnan,1,1\n": "Line 2: x is nan",
           "x,y\n0,0\n": "Line 1: the header has no column label",
           "0,0,1\n1,1,1\n": "Every row has label 1",
           "\n".join(f"{i % 100},0,{i % 2}" for i in range(2001)): "Line 2001: more than 2,000 points"}
    for text, message in bad.items():
        at.file_uploader(key="moons_upload").set_value(("bad.csv", text.encode(), "text/csv")).run()
        assert not at.exception
        errors = " ".join(shown(e.value) for e in at.error)
        assert "“bad.csv” was not loaded." in errors and message in errors, (message, errors)
        assert "from your file “three.csv”" in shown(_points_note(at))  # the points stay as they were


def test_feature_inputs_change_the_input_layer(app_test):
    at = _page(app_test)
    assert [at.checkbox(key=f"moons_{name}").value for name in FEATURES] == [True, True] + [False] * 5
    at.checkbox(key="moons_x1_sq").check().run()
    assert not at.exception
    inputs = [t["name"] for t in _charts(at)["diagram"]["data"] if t["type"] == "heatmap"][:3]
    assert inputs == ["x₁", "x₂", "x₁²"]
    assert "3-3-2 tanh" in _charts(at)["boundary"]["layout"]["title"]["text"]
    assert at.query_params["x1_sq"] == ["true"] or at.query_params["x1_sq"] == "true"


def test_circles_separate_with_squared_inputs_and_no_hidden_layer(app_test):
    at = _page(app_test)
    at.button(key="moons_preset_squared_inputs").click().run()
    assert not at.exception
    shown = _metrics(at)
    assert float(shown["Train accuracy"].rstrip("%")) >= 95 and float(shown["Test accuracy"].rstrip("%")) >= 95
    assert "2-2, no hidden layer" in _charts(at)["boundary"]["layout"]["title"]["text"]
    at.session_state[TAB] = "What each hidden neuron computes"
    at.run()
    assert any("no hidden layer" in m.value for m in at.markdown)


def test_regression_trains_and_its_loss_falls(app_test):
    at = _page(app_test)
    at.radio(key="moons_problem").set_value("regression").run()
    assert not at.exception
    assert at.session_state["moons_dataset"] == "plane" and at.session_state["moons_lr"] == 0.003
    at.selectbox(key="moons_dataset").set_value("bump").run()
    shown = _metrics(at)
    assert list(shown) == ["Train R²", "Test R²", "Train loss", "Test loss"]
    assert float(shown["Train R²"]) > 0.7
    loss = _array(_charts(at)["loss"]["data"][0]["y"])
    assert loss[-1] < 0.2 * loss[0]
    assert _charts(at)["boundary"]["data"][0]["type"] == "heatmap"  # the predicted surface
    assert at.query_params["dataset"] in ("bump", ["bump"])
    caption = " ".join(c.value for c in at.caption)
    assert "diamonds: test points" in caption and "White diamonds" not in caption  # they are coloured here


def test_switching_to_regression_compares_no_loss_with_a_cross_entropy(app_test):
    at = _page(app_test)
    at.radio(key="moons_problem").set_value("regression").run()
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas == {"Train R²": "", "Test R²": "", "Train loss": "", "Test loss": ""}
    at.select_slider(key="moons_lr").set_value(0.001).run()  # regression to regression: changes shown
    assert any(m.proto.delta for m in at.metric)


def test_a_step_shows_no_zero_change():
    from lab.moons.widgets import delta_text
    assert delta_text(-0.00004) is None and delta_text(0.0004) is None and delta_text(-0.0) is None
    assert delta_text(0.0004, accuracy=True) is None and delta_text(-0.004, accuracy=True) == "-0.4 pts"
    assert delta_text(0.0123) == "+0.012" and delta_text(None) is None and delta_text(float("nan")) is None


def test_editing_a_weight_changes_the_boundary_without_retraining(app_test):
    at = _page(app_test)
    before, metrics_before = _charts(at)["boundary"], _metrics(at)
    assert at.session_state["moons_edit_array"] == ("W", 1)
    at.selectbox(key="moons_edit_array").set_value(("W", 2)).run()
    at.selectbox(key="moons_edit_from").set_value(1).run()
    at.selectbox(key="moons_edit_to").set_value(1).run()
    at.number_input(key="moons_edit_value").set_value(-4.0).run()
    assert not at.exception
    after = _charts(at)["boundary"]
    assert after["data"][0]["z"] != before["data"][0]["z"] and _metrics(at) != metrics_before
    note = " ".join(i.value for i in at.info)
    assert "set by hand: W2: h1.2 → P(class 1) = -4" in note and "Nothing is retrained" in note
    diagram = _charts(at)["diagram"]
    marks = next(t for t in diagram["data"] if t.get("name") == "weights")
    assert any(text.endswith("W2[2,2] = -4") for text in marks["text"])
    # Steps by hand from the same network, then back to the trained one.
    at.button(key="moons_step").click().run()
    assert "1 step taken by hand" in " ".join(i.value for i in at.info)
    at.button(key="moons_discard").click().run()
    assert _charts(at)["boundary"]["data"][0]["z"] == before["data"][0]["z"] and _metrics(at) == metrics_before


def test_a_stale_value_box_after_two_quick_knob_moves_is_no_edit(app_test):
    """Two quick arrow presses on a knob: the second rerun carries the value box as the browser still
    shows it, for the network before the first press (the first rerun set another value, which the
    browser never received). That is the old network's weight, not a student's edit."""
    at = _page(app_test)
    tutorial_value = at.number_input(key="moons_edit_value").value  # W1 from x1 to h1.1 of the 2-3-2 net
    at.slider(key="moons_neurons").set_value(2).run()
    assert at.number_input(key="moons_edit_value").value != tutorial_value
    at.slider(key="moons_neurons").set_value(1)
    at.number_input(key="moons_edit_value").set_value(tutorial_value)  # what the browser still shows
    at.run()
    assert not at.exception
    assert not any("set by hand" in i.value for i in at.info), [i.value for i in at.info]
    assert _charts(at)["diagram"]["layout"]["title"]["text"] == "Trained: 2-1-2 tanh"
    # A value typed for the network on screen is still the student's.
    at.number_input(key="moons_edit_value").set_value(-4.0).run()
    assert "set by hand: W1: x₁ → h1.1 = -4" in " ".join(i.value for i in at.info)


def test_the_diagram_follows_the_snapshots(app_test):
    at = _page(app_test)
    at.select_slider(key="moons_view_pass").set_value(0).run()
    assert not at.exception
    assert _charts(at)["diagram"]["layout"]["title"]["text"] == "After pass 0"
    assert float(_metrics(at)["Train accuracy"].rstrip("%")) < 90  # the untrained network's numbers
    at.button(key="moons_step").click().run()
    note = " ".join(i.value for i in at.info)
    assert "from the initial weights, 1 step taken by hand" in note
    # The step's batch loss is per point, the page's one scale: about ln 2 for a fresh network.
    per_point = float(note.split("last batch's loss per point ")[1].split(")")[0])
    assert 0.3 < per_point < 1.5
    assert all(m.proto.delta not in ("+0.000", "-0.000", "+0.0 pts", "-0.0 pts") for m in at.metric)
    assert at.select_slider(key="moons_view_pass").disabled


@pytest.mark.parametrize("query", [{"hidden_layers": "6", "neurons": "50", "passes": "100"},
                                   {"dataset": "spiral", "classes": "3", "discretize": "true", "passes": "500"}],
                         ids=["6x50", "spiral 3 arms discretized"])
def test_large_and_multiclass_networks_render(app_test, query):
    at = app_test(PAGE, default_timeout=120)
    at.session_state["moons_show_sweep"] = False
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception and not at.error, (at.exception, at.error)
    charts = _charts(at)
    assert len([t for t in charts["diagram"]["data"] if t["type"] == "heatmap"]) == \
        (2 + 6 * 7 + 2 if "neurons" in query else 2 + 3 + 3)  # 7 of 50 drawn, then "+43 more"
