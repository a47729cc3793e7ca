"""The Moons page's hands-on controls (Streamlit): own points, and the network a student drives.

Own points. A click on the boundary chart (``st.plotly_chart(on_select=...)`` reports the
invisible grid marker or data point clicked) arrives as the chart's selection in
``st.session_state["moons_boundary"]``; the chart's ``on_select`` callback, ``add_click``, adds the
point before the rerun that trains on it. Streamlit calls it only for a new selection, and the
selection empties when the figure changes (a new point redraws it), so clicking the same spot again
adds another point. Points live in ``st.session_state`` (never in the URL).

The network. ``network_controls`` shows the weights of the run, of a snapshot ("watch it learn"
with a Streamlit slider), or of the student's own ``HandNetwork`` (stepped or edited by hand).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

import pandas as pd

from nn import MLP

from lab.moons import explain
from lab.moons.settings import KNOBS, MoonsSettings
from lab.moons.diagram import Param, node_names, param_label
from lab.moons.network import HandNetwork, get_param, params_of
from lab.moons.points import MAX_CLASSES, MAX_ROWS, CsvError, Points, parse_csv
from lab.app.charts import is_phone, show_chart
from lab.moons.compare import MAX_RUNS, RunRecord, differing, remember, same_start_note, settings_text, table_rows
from lab.moons.figures import compare_figure, percent
from lab.app.theme import class_name
from lab.moons.run import MoonsRun, load_data
from lab.moons.widgets import PREFIX
from lab.app.text import MAX_MESSAGE, plain, quoted

BOUNDARY = PREFIX + "boundary"  # the boundary chart: its selection is the click
DIAGRAM = PREFIX + "diagram"  # the diagram chart: a click on a weight's mark chooses it
POINTS = PREFIX + "points"  # Points, or absent: the generated set
POINTS_VERSION = PREFIX + "points_version"  # bumped on every change: part of what identifies a run
POINTS_ORIGIN = PREFIX + "points_origin"  # where the points came from, in words
ACTION = PREFIX + "click_action"  # what a click does: a class to add, or REMOVE
UPLOAD, UPLOAD_ERROR = PREFIX + "upload", PREFIX + "upload_error"
HAND = PREFIX + "hand"  # the HandNetwork, if the student stepped or edited
VIEW_PASS = PREFIX + "view_pass"  # which snapshot the diagram (and the boundary) show
EDIT_ARRAY, EDIT_FROM, EDIT_TO, EDIT_VALUE = (PREFIX + f"edit_{n}" for n in ("array", "from", "to", "value"))
EDIT_SYNC = PREFIX + "edit_sync"  # (network, parameter, value) the value box was last set to
TAPS = PREFIX + "taps"  # on a phone: whether taps on the charts add points and pick weights
REMOVE = -1
ACTIONS = (*range(MAX_CLASSES), REMOVE)
COLOR_NAMES = ("blue", "orange", "green", "purple", "yellow", "sky blue")


# ---- own points -------------------------------------------------------------------------------
def own_points() -> Points | None:
    return st.session_state.get(POINTS)


def points_version() -> int | None:
    """None for the generated set, else a number that changes with every edit of the points."""
    return st.session_state.get(POINTS_VERSION) if POINTS in st.session_state else None


def set_points(points: Points | None, origin: str = "") -> None:
    """Use ``points`` from now on (None: back to the generated set)."""
    if points is None:
        st.session_state.pop(POINTS, None)
        return
    st.session_state[POINTS] = points
    st.session_state[POINTS_VERSION] = st.session_state.get(POINTS_VERSION, 0) + 1
    st.session_state[POINTS_ORIGIN] = origin or st.session_state.get(POINTS_ORIGIN, "")


def add_click(settings: MoonsSettings) -> None:
    """The boundary chart's on_select (before the rerun): add a point of the chosen class where the
    student clicked, or remove the nearest one. Streamlit calls it once per new selection."""
    action, points = st.session_state.get(ACTION, 0), own_points()
    try:
        clicked = st.session_state[BOUNDARY]["selection"]["points"][0]
        x, y = float(clicked["x"]), float(clicked["y"])
    except (KeyError, IndexError, TypeError, ValueError):  # nothing clicked, or not a selection
        return
    if not np.isfinite([x, y]).all() or settings.problem == "regression" or action not in ACTIONS:
        return
    origin = ""
    if points is None:  # the first click: the generated set becomes the student's
        points = Points.from_data(load_data(settings))
        origin = f"the {settings.dataset} set (seed {settings.data_seed}), then your clicks"
    set_points(points.remove_nearest(x, y) if action == REMOVE else points.add(x, y, label=action), origin)


def plane_clicks(settings: MoonsSettings) -> dict:
    """``show_chart`` arguments that make a chart clickable (a click on the plane: ``add_click``), or none.

    A clickable Plotly chart holds a finger that lands on it (Streamlit gives it a drag mode), so on a
    phone the page would not scroll: there the charts start unclickable and a toggle turns taps on.
    """
    if is_phone() and not st.toggle("Tap the charts to add points and pick weights", key=TAPS, value=False,
                                     help="Off: a finger on a chart scrolls the page. On: a tap on the plane "
                                          "adds a point, a tap on a weight's mark picks it."):
        return {}
    return dict(on_select=functools.partial(add_click, settings), selection_mode="points")


def _load_upload(settings: MoonsSettings) -> None:
    """The uploader changed: read the CSV, or keep the points and say what is wrong with it."""
    st.session_state.pop(UPLOAD_ERROR, None)
    upload = st.session_state.get(UPLOAD)
    if upload is None:
        return
    try:
        set_points(parse_csv(upload.getvalue(), settings.train_ratio, settings.data_seed),
                   f"your file {quoted(upload.name)}")
    except CsvError as error:
        st.session_state[UPLOAD_ERROR] = f"{quoted(upload.name)} was not loaded. {plain(error, MAX_MESSAGE)}"


def _action_label(action: int) -> str:
    return "remove the nearest point" if action == REMOVE else f"{class_name(action)} ({COLOR_NAMES[action]})"


def click_action_text() -> str:
    """What a click on the plane does now, in words (for the chart's hover)."""
    action = st.session_state.get(ACTION, 0)
    return "remove the nearest point" if action == REMOVE else f"add a class-{action} point"


def click_actions(n_classes: int) -> tuple[int, ...]:
    """What a click can do with ``n_classes`` classes on the plane: add a point of one of them, of a
    new class (while fewer than MAX_CLASSES), or remove the nearest point (REMOVE)."""
    return (*range(min(n_classes + 1, MAX_CLASSES)), REMOVE)


def points_panel(settings: MoonsSettings, shown: str, n_classes: int = MAX_CLASSES) -> None:
    """Under the boundary: what a click does, clear, back to generated data, upload and download.

    ``shown`` is the CSV text of the points on screen; ``n_classes`` how many classes they have.
    """
    if settings.problem == "regression":
        st.caption("Your own points (click, upload) are for classification: switch the problem type back.")
        return
    actions = click_actions(n_classes)
    if st.session_state.get(ACTION, 0) not in actions:  # a class the points no longer have
        st.session_state[ACTION] = 0
    st.radio("A click on the plane adds a point of", actions, key=ACTION, horizontal=True,
             format_func=lambda a: _action_label(a) + (" (new)" if 0 <= a == n_classes else ""),
             help="Up to 6 classes: the network gets one output per class, up to the largest label. "
                  "'Remove' takes away the point nearest the click.")
    clear, back = st.columns(2)
    clear.button("Clear all points", key=PREFIX + "clear_points", on_click=set_points,
                 args=(Points.empty(), "your clicks"), icon=":material/delete:", width="stretch",
                 help="Start from an empty plane and click your own data set.")
    back.button("Back to generated data", key=PREFIX + "generated", on_click=set_points, args=(None,),
                icon=":material/undo:", width="stretch", disabled=own_points() is None,
                help="Forget your points; the sidebar's set again.")
    st.file_uploader(f"Upload a CSV of x, y, label rows (labels 0 to {MAX_CLASSES - 1}, at most {MAX_ROWS:,} rows)",
                     type=["csv", "txt"], key=UPLOAD, on_change=_load_upload, args=(settings,),
                     help="A header row is optional; a 4th column 'split' (train or test) keeps the split, "
                          "else the train ratio splits the rows.")
    if UPLOAD_ERROR in st.session_state:
        st.error(st.session_state[UPLOAD_ERROR], icon=":material/error:")
    st.download_button("Download these points (CSV)", shown, file_name="playground-points.csv", mime="text/csv",
                       key=PREFIX + "download", icon=":material/download:", width="stretch",
                       help="x, y, label, split: upload it here again, or share it with the link.")


def points_note(points: Points) -> str:
    n_train = int(points.train.sum())
    return (f"**Your own points** ({len(points)}: {n_train} for training, {len(points) - n_train} for testing; "
            f"from {st.session_state.get(POINTS_ORIGIN) or 'your clicks'}). The sidebar's data knobs wait until "
            "you go back to generated data, and links do not carry your points: download them to share.")


# ---- the network a student drives -------------------------------------------------------------
@dataclass(frozen=True)
class ShownNetwork:
    """Which weights the boundary, the metrics and the diagram show."""

    model: MLP  # the network on screen (a fresh one: explanations may use it freely)
    title: str  # for the diagram
    note: str | None  # what they are, in a sentence (None: the trained network)
    param: Param  # chosen in the editor
    identity: Any  # changes whenever the weights shown change (for the metrics' deltas)

    @property
    def trained(self) -> bool:
        """The run's own trained weights (nothing to re-measure)."""
        return self.note is None


def network_controls(run: MoonsRun, source: Any) -> ShownNetwork:
    """Snapshot slider, Step, and the weight editor; returns what they make the page show."""
    hand: HandNetwork | None = st.session_state.get(HAND)
    if hand is not None and hand.source != source:  # another run: the student's network was of the old one
        hand = None
        st.session_state.pop(HAND, None)
    passes = [s.passes for s in run.snapshots]
    if st.session_state.get(VIEW_PASS) not in passes or st.session_state.get(PREFIX + "view_source") != source:
        st.session_state[VIEW_PASS] = passes[-1]
    st.session_state[PREFIX + "view_source"] = source
    view = st.select_slider("The network after pass", passes, key=VIEW_PASS, format_func=lambda p: f"{p:,}",
                            disabled=hand is not None,
                            help="Watch it learn, weight by weight: the diagram and the boundary beside it show the "
                                 "network as it was after this pass (the snapshots of 'Watch it learn' below).")
    start = None if view == passes[-1] else view
    step, back = st.columns(2)
    step.button("Step: train one batch", key=PREFIX + "step", icon=":material/skip_next:", width="stretch",
                on_click=lambda: _own_network(run, source, start).step(run),
                help="One gradient step on one batch (the full batch unless Batch size says otherwise), "
                     "from the weights shown. Slide to pass 0 first to train by hand from the start.")
    back.button("Back to the trained network", key=PREFIX + "discard", icon=":material/restart_alt:",
                width="stretch", disabled=hand is None, on_click=lambda: st.session_state.pop(HAND, None))

    model = hand.model if hand is not None else run.model(run.theta if start is None else run.snapshots[
        passes.index(view)].theta)
    param = _weight_editor(run, model)
    value = _edited_value((source, view), param, get_param(model, param))
    if value is not None:
        hand = _own_network(run, source, start)
        hand.set(param, value)
        model = hand.model
    model = model.copy() if hand is not None else model  # the student's network stays theirs
    title, note, identity = f"Trained: {run.architecture}", None, (source, view)
    if hand is not None:
        names = node_names(run.features, list(model.layer_sizes), run.kind)
        title, note = "Your network", hand.describe(lambda p: param_label(names, p))
        identity = (source, "hand", model.theta.tobytes())
    elif start is not None:
        title, note = f"After pass {view:,}", f"The network after pass {view:,} of training."
    return ShownNetwork(model, title, note, param, identity)


def _own_network(run: MoonsRun, source: Any, start: int | None) -> HandNetwork:
    """The student's network, started now from the weights shown (``start``) if they have none of this run."""
    hand = st.session_state.get(HAND)
    if hand is None or hand.source != source:
        hand = st.session_state[HAND] = HandNetwork.start(run, source, start)
    return hand


def _weight_editor(run: MoonsRun, model) -> Param:
    """Choose one weight or bias (three small selects, so a 6 x 50 network needs no 13,000-item list)."""
    sizes = list(model.layer_sizes)
    names = node_names(run.features, sizes, run.kind)
    arrays = params_of(sizes)
    _keep_valid(EDIT_ARRAY, arrays)
    kind, layer = st.selectbox(
        "Set a weight by hand", arrays, key=EDIT_ARRAY,
        format_func=lambda a: f"{a[0]}{a[1]}: " + ("weights" if a[0] == "W" else "biases") + (
            f" into {'the output' if a[1] == len(sizes) - 1 else f'hidden layer {a[1]}'}"),
        help="Or click the small mark on a line of the diagram. The boundary, the metrics and the diagram then "
             "show the network with this value: nothing is retrained.")
    left, right = st.columns(2)
    into = range(sizes[layer])
    if kind == "W":
        _keep_valid(EDIT_FROM, range(sizes[layer - 1]))
        i = left.selectbox("from", range(sizes[layer - 1]), key=EDIT_FROM, format_func=lambda i: names[layer - 1][i])
    _keep_valid(EDIT_TO, into)
    j = (right if kind == "W" else left).selectbox("to" if kind == "W" else "of", into, key=EDIT_TO,
                                                   format_func=lambda j: names[layer][j])
    return ("W", layer, i, j) if kind == "W" else ("b", layer, j, 0)


def _keep_valid(key: str, options) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]


def _edited_value(network: Any, param: Param, current: float) -> float | None:
    """The value box for ``param`` of ``network`` (the run and the pass shown): the student's new
    value if they typed one, else None.

    The box follows the network (a step or another chosen weight changes what it shows); a value
    differing from what the box was last set to, for this network and this weight, is the student's.
    A box set for another network is not: two quick knob moves can bring back the value the browser
    still showed for the network before (it never received the one set in between), and that is no
    edit.
    """
    synced = st.session_state.get(EDIT_SYNC)
    typed = st.session_state.get(EDIT_VALUE)
    if synced is not None and synced[:2] == (network, param) and typed is not None and typed != synced[2] \
            and np.isfinite(typed):
        value = float(typed)
        st.session_state[EDIT_SYNC] = (network, param, value)
    else:
        value, typed = None, current
        st.session_state[EDIT_VALUE] = current
        st.session_state[EDIT_SYNC] = (network, param, current)
    st.number_input("value", key=EDIT_VALUE, step=0.1, format="%.4f",
                    help="Type a value or use − and +: the boundary beside moves at once.")
    return value


# ---- the diagram's nodes, and 'Compare runs' ------------------------------------------------------
NODE = PREFIX + "node"  # (layer, unit) of the node opened in the diagram, layers from 1
NODE_X, NODE_Y = PREFIX + "node_x1", PREFIX + "node_x2"  # the point of the plane it is evaluated at
RUNS = PREFIX + "runs"  # this session's last runs: list[RunRecord]
COMPARE = PREFIX + "compare"  # the 'Compare runs' expander


def pick_weight_or_node() -> None:
    """The diagram's on_select: a weight's mark chooses that weight in the editor; a node opens it (and
    chooses its bias, so every bias, the output layer's too, can be set by clicking its node)."""
    try:
        kind, *where = st.session_state[DIAGRAM]["selection"]["points"][0]["customdata"]
        layer, i, j = (int(v) for v in ([where[0], 0, where[1]] if kind == "node" else [kind, *where]))
    except (KeyError, IndexError, TypeError, ValueError):
        return
    if kind == "node":
        st.session_state[NODE] = (layer, j)
        st.session_state[EDIT_ARRAY], st.session_state[EDIT_TO] = ("b", layer), j
    else:
        st.session_state[EDIT_ARRAY], st.session_state[EDIT_FROM], st.session_state[EDIT_TO] = ("W", layer), i, j


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
            f"**{KNOBS[name].label}**" for name in names) + ".") if names
                    else "All kept runs have the same settings.")
        st.markdown(same_start_note(records))
        st.dataframe(pd.DataFrame(table_rows(records)), hide_index=True, key=PREFIX + "compare_table")
        st.caption("Losses are per point without the penalty (as in the metrics above). Only your own session's "
                   "settings and numbers are kept, nothing from other users.")


