"""AppTest of the Moons page (pages/moons.py run on its own): what it shows, and the link.

Only the first test draws the hidden-size sweep (7 more networks; off unless a student turns it on).
st.cache_data is shared within the process, so repeated settings train once.
"""

import json
import re
from dataclasses import replace

import pytest

from lab.moons.settings import DEFAULTS, KNOBS, PRESETS, to_query
from lab.moons.widgets import TABS
from tests.support.markdown_text import shown
from tests.support.page_layout import metrics_slot

PAGE = "pages/moons.py"
METRICS = ["Train accuracy", "Test accuracy", "Train loss", "Test loss"]


def _page(app_test, query=None):
    at = app_test(PAGE, default_timeout=120)
    if query:
        for name, value in query.items():
            at.query_params[name] = value
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _percent(text: str) -> float:
    return float(text.rstrip("%")) / 100


def _charts(at) -> dict[str, dict]:
    """Plotly charts by key suffix ('boundary', 'loss', ...): their figure specs."""
    charts = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        key = element.proto.id.rsplit("moons_", 1)[-1].rstrip("-") if "moons_" in element.proto.id else ""
        charts[key or str(len(charts))] = spec
    return charts


def _title(spec: dict) -> str:
    return spec["layout"]["title"]["text"]


def _link(at) -> dict[str, str]:
    """The page's URL query string after the run, as {name: value}."""
    return {k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}


def _widget_values(at) -> dict:
    return {name: at.session_state[f"moons_{name}"] for name in KNOBS}


def test_defaults_show_tutorial_a(app_test):
    at = _page(app_test)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Moons playground")
    shown = _metrics(at)
    assert list(shown) == METRICS
    assert _percent(shown["Train accuracy"]) >= 0.96
    assert 0.8 <= _percent(shown["Test accuracy"]) <= 1
    text = " ".join(m.value for m in at.markdown)
    assert "Every loss on this page is per training point" in text and "With **mean**" in text
    assert "**Summed, as in tutorial A**: training minimises the loss summed over the 160 training points" in text
    assert "epoch" not in text and "by request" not in text  # the page's words: passes, and which rule stopped it
    # What it did (not 20,000), and which rule stopped it, in the sidebar's words.
    stopped = re.search(r"Trained ([\d,]+) of 20,000 passes, then stopped by \*Stop when the loss levels off\*", text)
    assert stopped, text
    assert not at.warning and not at.info  # a clean link: nothing to report
    # Every setting went into the link.
    assert _link(at) == to_query(DEFAULTS)
    # Only the views on screen are computed and sent: the first tab below the loss curve.
    assert [t.label for t in at.tabs] == list(TABS) == ["Watch it learn", "What each hidden neuron computes",
                                                         "Tutorial A's comparisons"]
    charts = _charts(at)
    assert sorted(charts) == ["boundary", "diagram", "loss", "snapshots"]
    assert "2-3-2 tanh" in _title(charts["boundary"])
    frames = [f["name"] for f in charts["snapshots"]["frames"]]
    assert frames[:4] == ["0", "1", "2", "5"] and frames[-1] == stopped.group(1).replace(",", "")

    at.session_state["moons_tab"] = "What each hidden neuron computes"
    at.run()
    assert sorted(_charts(at)) == ["boundary", "diagram", "loss", "units_1"]

    at.session_state["moons_tab"] = "Tutorial A's comparisons"
    at.run()
    assert at.toggle(key="moons_show_sweep").value is False  # the 7 networks train only when asked for
    assert sorted(_charts(at)) == ["boundary", "compare_logistic", "compare_net", "diagram", "loss"]
    at.toggle(key="moons_show_sweep").set_value(True).run()
    assert not at.exception, at.exception
    charts = _charts(at)
    sweep_titles = [a["text"] for a in charts["sweep"]["layout"]["annotations"]]
    assert [t.split(":")[0] for t in sweep_titles] == [
        "1 unit", "2 units", "3 units", "4 units", "5 units", "20 units", "50 units", "Logistic regression"]


def test_moving_a_slider_retrains_and_redraws(app_test):
    at = _page(app_test)
    at.run()
    before, title_before = _metrics(at), _title(_charts(at)["boundary"])
    at.slider(key="moons_neurons").set_value(4).run()
    assert not at.exception, at.exception
    after = _metrics(at)
    assert after["Train loss"] != before["Train loss"] and after["Test loss"] != before["Test loss"]
    assert "2-4-2 tanh" in _title(_charts(at)["boundary"]) != title_before
    assert _link(at)["neurons"] == "4"
    # The metrics say how much they moved since the last settings.
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Train loss"] and deltas["Test loss"]
    assert all(deltas[name].endswith("pts") for name in ("Train accuracy", "Test accuracy") if deltas[name])


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_each_preset_applies(app_test, preset):
    at = _page(app_test, query=to_query(replace(DEFAULTS, neurons=7, lr=0.003)))
    at.run()
    at.button(key="moons_preset_" + preset.name.lower().replace(" ", "_")).click().run()
    assert not at.exception, at.exception
    assert _widget_values(at) == {name: getattr(preset.settings, name) for name in KNOBS}
    assert _link(at) == to_query(preset.settings)
    assert any(preset.idea in c.value for c in at.caption)
    shown = _metrics(at)
    if preset.name == "Learning rate too high":
        assert any("Not converging" in w.value for w in at.warning)
    if preset.name == "50 neurons overfit":
        assert _percent(shown["Train accuracy"]) == 1.0 and _percent(shown["Test accuracy"]) < 0.85
    if preset.name == "A linear network":
        assert _percent(shown["Train accuracy"]) < 0.9
    if preset.name == "Deep sigmoid":  # through the plateau, then out of it
        assert _percent(shown["Train accuracy"]) > 0.9


def test_a_link_round_trips(app_test):
    shared = replace(DEFAULTS, noise=0.3, neurons=5, activation="relu", lr=0.003, batch_size=None, passes=2000,
                     stop_when_flat=False, data_seed=3)
    at = _page(app_test, query=to_query(shared))
    at.run()
    assert not at.exception and not at.warning and not at.info
    assert _widget_values(at) == {name: getattr(shared, name) for name in KNOBS}
    first = _metrics(at)
    assert "Trained all 2,000 passes." in " ".join(m.value for m in at.markdown)
    # Widgets -> link: change one, the link follows; the new link opens the same page elsewhere.
    at.select_slider(key="moons_l2").set_value(0.1).run()
    link = _link(at)
    assert link == to_query(replace(shared, l2=0.1))
    again = _page(app_test, query=link)
    again.run()
    assert _metrics(again) == _metrics(at) != first


def test_garbage_in_the_link_falls_back_and_says_so(app_test):
    at = _page(app_test, query={"lr": "banana", "neurons": "999", "noise": "0.23", "passes": "-5",
                                "activation": "<script>", "colour": "red"})
    at.run()
    assert not at.exception, at.exception
    warnings = " ".join(shown(w.value) for w in at.warning)
    for bad in ("lr=banana", "neurons=999", "noise=0.23", "passes=-5", "activation=<script>"):
        assert f"“{bad}”" in warnings, bad
    assert _widget_values(at) == {name: getattr(DEFAULTS, name) for name in KNOBS}
    notes = " ".join(shown(i.value) for i in at.info)
    assert "The link sets 5 of 27 settings; other settings: defaults." in notes and "“colour”" in notes
    assert "“dataset”" not in notes  # the long list waits behind an expander
    assert at.expander[0].label == "The 22 settings at their defaults"
    assert "“dataset”" in shown(at.expander[0].markdown[0].value)
    assert _percent(_metrics(at)["Train accuracy"]) >= 0.96
    assert _link(at) == to_query(DEFAULTS)  # the link now says what is shown


def test_the_page_keeps_its_place_when_the_links_notes_go(app_test):
    """A link's notes are shown on its first run only. When they go, everything below keeps its place
    (its delta path): moved up, the browser would show the old elements beside the new until the run
    ends, the metrics twice."""
    at = _page(app_test, query={"data_seed": "3"})
    at.run()
    assert any("The link sets 1 of 27 settings" in shown(i.value) for i in at.info)
    slot = metrics_slot(at)
    at.slider(key="moons_noise").set_value(0.25).run()
    assert not at.exception, at.exception
    assert not any("The link sets" in shown(i.value) for i in at.info)
    assert metrics_slot(at) == slot


@pytest.mark.parametrize("change", [
    dict(neurons=1), dict(hidden_layers=4, neurons=50, passes=1000), dict(lr=10.0),
    dict(train_ratio=1.0), dict(activation="relu", lr=10.0, passes=1000),
], ids=["1 neuron", "4x50", "largest lr", "no test set", "relu blows up"])
def test_extreme_settings_render(app_test, change):
    at = _page(app_test, query=to_query(replace(DEFAULTS, **change)))
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    shown = _metrics(at)
    assert list(shown) == METRICS
    if change.get("train_ratio") == 1.0:
        assert shown["Test accuracy"] == shown["Test loss"] == "n/a"
    if change.get("activation") == "relu":
        assert any(w.value.startswith("**Diverged.**") for w in at.warning)
    if change.get("lr") == 10.0 and "activation" not in change:  # tanh saturates: huge loss, no overflow
        assert any(w.value.startswith("**Not converging.**") for w in at.warning)


def test_new_sample_then_back_to_tutorial_a(app_test):
    at = _page(app_test)
    at.run()
    at.button(key="moons_new_sample").click().run()
    assert at.session_state["moons_data_seed"] == 1 and _link(at)["data_seed"] == "1"
    at.slider(key="moons_neurons").set_value(2).run()
    at.button(key="moons_preset_tutorial_a").click().run()
    assert _widget_values(at) == {name: getattr(DEFAULTS, name) for name in KNOBS}
    assert any(c.value.startswith("**Tutorial A.**") for c in at.caption)


def test_lbfgs_trains_without_a_learning_rate_and_says_so(app_test):
    at = _page(app_test)
    at.run()
    assert "lbfgs" in at.selectbox(key="moons_optimizer").options
    assert not at.select_slider(key="moons_lr").disabled
    at.selectbox(key="moons_optimizer").set_value("lbfgs").run()
    assert not at.exception, at.exception
    assert at.select_slider(key="moons_lr").disabled and at.select_slider(key="moons_batch_size").disabled
    assert _link(at)["optimizer"] == "lbfgs"
    summary = " ".join(m.value for m in at.markdown)
    ran = re.search(r"L-BFGS ran ([\d,]+) iterations \(at most 20,000\), each one pass over the points", summary)
    assert 10 < int(ran.group(1).replace(",", "")) < 2000  # gradient descent: 3,700 passes to level off
    assert "the loss stayed within 0.10% of its value" in summary or "L-BFGS converged after" in summary
    assert any("uses curvature, not a learning rate" in c.value for c in at.caption)
    assert _percent(_metrics(at)["Train accuracy"]) >= 0.95
    at.selectbox(key="moons_optimizer").set_value("sgd").run()  # back: the learning rate counts again
    assert not at.select_slider(key="moons_lr").disabled and "L-BFGS" not in " ".join(m.value for m in at.markdown)
