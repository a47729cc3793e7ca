"""bench_browser.py's floor: a bare Streamlit page showing what a Moons slider step shows, with no work of its own.

A "Noise" slider in the sidebar. Each step shows one metric (the slider's value) and the four figures
a Moons slider step sends (``bench_moons.step_figure_sets``: the boundary, the diagram, the loss and
"Watch it learn"), laid out as on the Moons page. The figures are built once, two sets that the steps
alternate between, so every step changes all four as a real step does while the server trains nothing
and builds nothing: what a step costs here is Streamlit's and the browser's part alone. The link picks
how the figures are drawn:

- ``?charts=0``: none, the metric alone;
- no ``charts``: ``st.plotly_chart`` (the app's ``show_chart``), as the app draws them. Streamlit gives
  each chart an element id that hashes its figure, so a changed figure is a new element: the browser
  removes the old chart and draws the new one from nothing;
- ``?charts=kept``: a minimal ``st.components.v2`` component that keeps its chart and redraws it with
  ``Plotly.react``, with its own plotly.js served from ``benchmarks/static/`` (bench_browser.py puts
  the plotly package's copy there and turns on static serving). It has none of Streamlit's chart theme,
  toolbar or selections: it measures what keeping the charts would save, nothing more.

    streamlit run benchmarks/streamlit_alone.py     # bench_browser.py starts it
"""
import sys
from pathlib import Path

import plotly.io as pio
import streamlit as st

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from bench_moons import step_figure_sets  # noqa: E402
from lab.app.charts import show_chart  # noqa: E402

STEP = 0.05
STATIC = Path(__file__).resolve().parent / "static"  # served at app/static/ with server.enableStaticServing

KEPT_JS = """
export default function({ data, parentElement }) {
  let chart = parentElement.querySelector("div");
  if (!chart) chart = parentElement.appendChild(document.createElement("div"));
  window.plotlyLoaded ??= new Promise(loaded => {
    const script = document.head.appendChild(document.createElement("script"));
    script.onload = loaded;
    script.src = new URL("app/static/plotly.min.js", document.baseURI).href;
  });
  const figure = JSON.parse(data);
  window.plotlyLoaded.then(() => window.Plotly.react(chart, figure.data, figure.layout, {displaylogo: false}));
}
"""
kept_chart = st.components.v2.component("kept_chart", js=KEPT_JS, isolate_styles=False)


figure_sets = st.cache_resource(step_figure_sets)  # built once per server


def draw(fig, where, key: str) -> None:
    if st.query_params.get("charts") == "kept":
        with where:
            kept_chart(key=key, data=pio.to_json(fig, validate=False))
    else:
        show_chart(fig, key.replace("_", " ") + ".", where=where, key=key)


st.set_page_config(layout="wide")
noise = st.sidebar.slider("Noise", 0.0, 0.5, 0.2, STEP)
st.metric("Noise", f"{noise:.2f}")
if st.query_params.get("charts") != "0":
    boundary, diagram, loss, snapshots = figure_sets()[round(noise / STEP) % 2]
    left, right = st.columns([5, 4], gap="medium")
    draw(boundary, left, "alone_boundary")
    draw(diagram, right, "alone_diagram")
    loss_column, _ = st.columns([3, 2], gap="medium")
    draw(loss, loss_column, "alone_loss")
    draw(snapshots, st.container(), "alone_snapshots")
