"""benchmarks/streamlit_alone.py, bench_browser.py's floor: a bare page showing what a Moons slider step shows."""
import json


def test_each_step_changes_the_metric_and_all_four_figures(app_test):
    at = app_test("benchmarks/streamlit_alone.py").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["0.20"]
    before = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert len(before) == 4  # the boundary, the diagram, the loss and "Watch it learn"

    at.sidebar.slider[0].set_value(0.25).run()
    assert [m.value for m in at.metric] == ["0.25"]
    after = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert len(after) == 4 and all(new != old for new, old in zip(after, before))


def test_charts_0_shows_the_metric_alone(app_test):
    at = app_test("benchmarks/streamlit_alone.py")
    at.query_params["charts"] = "0"
    at.run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["0.20"] and not at.get("plotly_chart")



def test_charts_kept_draws_the_same_four_figures_with_a_component(app_test):
    at = app_test("benchmarks/streamlit_alone.py").run()
    traces = [json.loads(chart.proto.spec)["data"] for chart in at.get("plotly_chart")]
    at.query_params["charts"] = "kept"
    at.run()
    assert not at.exception and not at.get("plotly_chart")
    kept = [json.loads(json.loads(chart.proto.json)) for chart in at.get("bidi_component")]  # the figure's JSON text
    assert len(kept) == 4 and [figure["data"] for figure in kept] == traces
