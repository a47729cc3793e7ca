"""The Moons page's explanations on screen: a node opened from the diagram and 'Compare runs'. The texts
and numbers come from lab.moons.explain and lab.moons.compare (pure, tested alone); this module only places
them on the page (the popovers and 'Copy as Python' are lab.app.widgets)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lab.moons import explain

from nn import MLP

from lab.app.charts import show_chart
from lab.moons.controls import DIAGRAM, EDIT_ARRAY, EDIT_TO, pick_weight
from lab.moons.figures import compare_figure, percent
from lab.moons.run import MoonsRun
from lab.moons.widgets import PREFIX
from lab.moons.compare import MAX_RUNS, RunRecord, remember, same_start_note, settings_text, differing, table_rows

NODE = PREFIX + "node"  # (layer, unit) of the node opened in the diagram, layers from 1
NODE_X, NODE_Y = PREFIX + "node_x1", PREFIX + "node_x2"  # the point of the plane it is evaluated at
RUNS = PREFIX + "runs"  # this session's last runs: list[RunRecord]
COMPARE = PREFIX + "compare"  # the 'Compare runs' expander


def pick_weight_or_node() -> None:
    """The diagram's on_select: a weight's mark chooses that weight; a node opens it (and chooses its bias
    in the editor, so every bias, the output layer's too, can be set by clicking its node)."""
    try:
        point = st.session_state[DIAGRAM]["selection"]["points"][0]
        kind, layer, unit = point["customdata"]
    except (KeyError, IndexError, TypeError, ValueError):
        return
    if kind != "node":
        pick_weight()
        return
    st.session_state[NODE] = (int(layer), int(unit))
    st.session_state[EDIT_ARRAY], st.session_state[EDIT_TO] = ("b", int(layer)), int(unit)


def node_panel(run: MoonsRun, model: MLP) -> None:
    """The node opened in the diagram: its equation, its values at one point, its gradient."""
    node = st.session_state.get(NODE)
    sizes = list(model.layer_sizes)
    if node is None or not (1 <= node[0] < len(sizes) and 0 <= node[1] < sizes[node[0]]):
        st.caption("Click a node (a square) of the diagram to open it: its equation with these weights, its "
                   "values at one point, and how the next step of training would change it.")
        return
    first = run.data.X_train[0] if len(run.data.X_train) else (0.0, 0.0)
    st.session_state.setdefault(NODE_X, round(float(first[0]), 2))
    st.session_state.setdefault(NODE_Y, round(float(first[1]), 2))
    with st.container(border=True, key=PREFIX + "node_panel"):
        title, close = st.columns([4, 1])
        output = "" if node[0] < len(sizes) - 1 else ("identity" if run.kind == "regression" else "softmax")
        title.markdown(f"**The node, opened** ({'output' if output else f'hidden layer {node[0]}'})")
        close.button("Close", key=PREFIX + "node_close", on_click=lambda: st.session_state.pop(NODE, None),
                     type="tertiary", icon=":material/close:")
        left, right = st.columns(2)
        x = left.number_input("at the point x₁ =", key=NODE_X, step=0.1, format="%.2f")
        y = right.number_input("x₂ =", key=NODE_Y, step=0.1, format="%.2f")
        detail = explain.node_detail(run, model, node, (x, y))
        st.markdown(detail.markdown(run.settings.activation, run.settings.lr, output))


def remember_run(run: MoonsRun) -> list[RunRecord]:
    """Keep ``run`` among this session's last runs (generated data only) and return them."""
    records = st.session_state.get(RUNS, [])
    if not run.own_points:
        records = remember(records, run)
        st.session_state[RUNS] = records
    return records


def compare_runs(records: list[RunRecord]) -> None:
    """'Compare runs': the kept runs' boundaries side by side, what differs, their numbers."""
    box = st.expander(f"Compare runs ({len(records)} kept: the networks you trained, the last {MAX_RUNS} at most)",
                      key=COMPARE, on_change="rerun", icon=":material/compare:")
    if not box.open:
        return
    with box:
        if len(records) < 2:
            st.markdown("Change a setting in the sidebar: every network you train is kept here (the last 6), so "
                        "you can see what the change did.")
        names = differing(records)
        panels = []
        for r in records:
            scores = (f"train R² {r.train_accuracy:.2f}" if r.kind == "regression"
                      else f"train {percent(r.train_accuracy)}, test {percent(r.test_accuracy)}")
            changed = settings_text(r, names[:2])
            panels.append((f"Run {r.number}: {scores}" + (f"<br>{changed}" if changed else ""),
                           r.small_grid, r.proba, r.data, r.kind))
        show_chart(compare_figure(panels), f"The decision boundaries of the last {len(panels)} runs side by side: "
                   + "; ".join(title.replace("<br>", ", ") for title, *_ in panels) + ".", key=PREFIX + "compare_chart")
        st.markdown(("Settings that differ between them: " + ", ".join(
            f"**{_label(name)}**" for name in names) + ".") if names
                    else "All kept runs have the same settings.")
        st.markdown(same_start_note(records))
        st.dataframe(pd.DataFrame(table_rows(records)), hide_index=True, key=PREFIX + "compare_table")
        st.caption("Losses are per point without the penalty (as in the metrics above). Only your own session's "
                   "settings and numbers are kept, nothing from other users.")


def _label(name: str) -> str:
    from lab.moons.settings import KNOBS

    return KNOBS[name].label
