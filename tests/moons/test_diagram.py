"""The network diagram and the hand-driven network, without Streamlit."""

from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from lab.moons.settings import DEFAULTS
from lab.moons.diagram import (
    MAX_LINES,
    NEGATIVE,
    POSITIVE,
    DiagramLayers,
    diagram_figure,
    diagram_layers,
    node_names,
    param_label,
)
from lab.moons.network import HandNetwork, get_param, params_of
from lab.moons.run import Grid, run_moons, with_weights
from lab.app.theme import INK
from nn import MLP

SHORT = replace(DEFAULTS, passes=200, stop_when_flat=False)


@pytest.fixture(scope="module")
def run():
    return run_moons(SHORT)


def _layers(weights, biases, names, kind="binary"):
    images = tuple(np.linspace(-1, 1, 16 * len(n)).reshape(len(n), 4, 4) for n in names)
    return DiagramLayers(names, images, weights, biases, "tanh", kind, (0.0, 1.0))


def _lines(fig):
    return [t for t in fig.data if t.type == "scatter" and t.mode == "lines"]


def test_every_node_is_a_heatmap_and_every_weight_a_line_coloured_by_sign():
    W1 = np.array([[2.0, -0.5, 0.0], [-1.0, 0.25, 4.0]])
    W2 = np.array([[1.0, -1.0], [0.5, 0.5], [-3.0, 3.0]])
    names = node_names(("x1", "x2"), [2, 3, 2], "binary")
    fig = diagram_figure(_layers((W1, W2), (np.zeros(3), np.array([0.1, -0.2])), names), title="t")
    go.Figure(fig.to_dict())  # valid Plotly
    tiles = [t for t in fig.data if t.type == "heatmap"]
    assert [t.name for t in tiles] == ["x₁", "x₂", "h1.1", "h1.2", "h1.3", "P(class 0)", "P(class 1)"]
    assert "bias b2[2] = -0.2" in tiles[-1].hovertemplate
    lines = _lines(fig)
    segments = {(t.line.color, t.line.width): sum(x is None for x in t.x) for t in lines}
    assert sum(segments.values()) == W1.size + W2.size == 12
    widths = {}
    for t in lines:
        assert t.line.color == (POSITIVE if t.line.color == POSITIVE else NEGATIVE)
        widths.setdefault(t.line.color, []).append(t.line.width)
    assert sum(n for (color, _), n in segments.items() if color == POSITIVE) == 8  # 0 counts as positive
    # The largest weights (4 and -3) get the widest lines.
    assert max(widths[POSITIVE]) > min(widths[POSITIVE]) and max(widths[POSITIVE]) >= max(widths[NEGATIVE])
    marks = next(t for t in fig.data if t.name == "weights")
    assert len(marks.x) == 12 and len({(x, y) for x, y in zip(marks.x, marks.y)}) == 12  # none hides another
    hover = dict(zip(map(tuple, marks.customdata), marks.text))
    assert hover[(1, 1, 2)] == "W1: x₂ → h1.3<br>W1[2,3] = 4"
    assert hover[(2, 2, 0)].endswith("W2[3,1] = -3")


def test_selected_weight_and_bias_are_marked():
    names = node_names(("x1",), [1, 1, 2], "binary")
    layers = _layers((np.ones((1, 1)), np.ones((1, 2))), (np.zeros(1), np.zeros(2)), names)
    fig = diagram_figure(layers, selected=("W", 2, 0, 1))
    assert any(t.line.color == INK for t in _lines(fig))
    boxed = diagram_figure(layers, selected=("b", 1, 0, 0))
    assert len(boxed.layout.shapes) == 1 and not any(t.line.color == INK for t in _lines(boxed))
    assert param_label(names, ("b", 2, 1, 0)) == "b2: bias of P(class 1)"


def test_a_large_network_draws_its_first_units_and_says_how_many_more():
    model = MLP([7, 50, 50, 50, 50, 50, 50, 6], seed=0)
    grid = Grid(np.linspace(-1, 1, 40), np.linspace(-1, 1, 40))
    features = ("x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2")
    layers = diagram_layers(model, features, grid)
    assert [len(n) for n in layers.names] == list(model.layer_sizes)
    fig = diagram_figure(layers)
    tiles = [t.name for t in fig.data if t.type == "heatmap"]
    # 7 inputs and 6 outputs fit in a column of MAX_NODES; each hidden layer shows its first 7 units.
    assert tiles[:7] == list(layers.names[0]) and tiles[-6:] == list(layers.names[-1])
    assert tiles[7:14] == [f"h1.{j}" for j in range(1, 8)] and len(tiles) == 7 + 6 * 7 + 6
    notes = [a.text for a in fig.layout.annotations]
    assert notes.count("+43<br>more") == 6 and "P(class 5)" in notes and "x₁·x₂" in notes
    assert "First 7 units per layer drawn" in fig.layout.title.text
    assert [a.text for a in fig.layout.annotations if a.text.startswith(("H", "In", "Out"))] == \
        ["Inputs", "H1", "H2", "H3", "H4", "H5", "H6", "Output"]
    marks = next(t for t in fig.data if t.name == "weights")
    assert len(marks.x) == 7 * 7 + 5 * 7 * 7 + 7 * 6 < MAX_LINES  # only between the units drawn
    assert max(layer for layer, i, j in marks.customdata) == 7 and max(j for *_, j in marks.customdata) == 6
    # The names beside the columns fit: the range leaves them a fixed share of the width.
    x_low, x_high = fig.layout.xaxis.range
    assert (0 - x_low) / (x_high - x_low) >= 0.15 and (x_high - (7 * 2.8 + 1)) / (x_high - x_low) >= 0.2
    assert len(pio.to_json(fig, validate=False)) < 300_000
    # A weight or bias of a unit not drawn is still editable, just not framed.
    assert diagram_figure(layers, selected=("b", 1, 30, 0)).layout.shapes == ()


def test_beyond_max_lines_only_the_largest_weights_are_drawn():
    names = node_names(("x1", "x2"), [2, 8, 8, 2], "binary")
    rng = np.random.default_rng(0)
    weights = (rng.normal(size=(2, 8)), rng.normal(size=(8, 8)), rng.normal(size=(8, 2)))
    layers = _layers(weights, tuple(np.zeros(W.shape[1]) for W in weights), names)
    import lab.moons.diagram as diagram
    old, diagram.MAX_LINES = diagram.MAX_LINES, 20
    try:
        fig = diagram_figure(layers)
    finally:
        diagram.MAX_LINES = old
    marks = next(t for t in fig.data if t.name == "weights")
    assert len(marks.x) == 20 and fig.layout.title.text == "The 20 largest of 96 weights drawn"
    smallest_drawn = min(abs(float(t.split("= ")[-1])) for t in marks.text)
    assert smallest_drawn == pytest.approx(np.sort(np.abs(np.concatenate([W.ravel() for W in weights])))[-20], abs=1e-3)


def test_diagram_layers_are_what_the_network_computes(run):
    model = run.model()
    layers = diagram_layers(model, run.features, run.small_grid)
    assert [im.shape[0] for im in layers.images] == [2, 3, 2]
    nx = layers.images[0].shape[2]
    # Input tiles are x1 and x2 over the grid; output tiles are the class probabilities.
    assert np.allclose(layers.images[0][0][0], np.linspace(run.small_grid.xs[0], run.small_grid.xs[-1], nx))
    assert np.allclose(layers.images[-1].sum(axis=0), 1, atol=1e-6)
    corner = np.array([[run.small_grid.xs[0], run.small_grid.ys[0]]])
    assert layers.images[-1][1][0, 0] == pytest.approx(model.predict_proba(corner)[0, 1], abs=1e-6)


def test_feature_inputs_set_the_input_layer():
    squares = replace(SHORT, x1=False, x2=False, x1_sq=True, x2_sq=True, sin_x1=True)
    run = run_moons(squares)
    assert run.config["layer_sizes"][0] == 3 and run.architecture == "3-3-2 tanh"
    names = diagram_layers(run.model(), run.features, run.small_grid).names[0]
    assert names == ("x₁²", "x₂²", "sin x₁")


# ---- the hand-driven network --------------------------------------------------------------------
def test_a_step_is_the_next_step_of_training(run):
    hand = HandNetwork.start(run, source="s", passes=100)
    assert np.array_equal(hand.model.theta, run.snapshots[[s.passes for s in run.snapshots].index(100)].theta)
    hand.step(run)
    hand.step(run)
    # Plain full-batch SGD: two steps by hand land where training was after pass 102.
    expected = run_moons(replace(SHORT, passes=102))
    assert np.allclose(hand.model.theta, expected.theta, atol=1e-12)
    assert hand.steps == 2 and "2 steps taken by hand" in hand.describe(str)
    assert not run.theta.flags.writeable  # the cached run's weights were copied, never changed


def test_setting_a_weight_changes_the_boundary_and_only_that_weight(run):
    hand = HandNetwork.start(run, source="s")
    assert hand.start_pass == run.passes_run
    param = ("W", 2, 1, 1)
    hand.set(param, 5.0)
    assert get_param(hand.model, param) == 5.0
    assert np.count_nonzero(hand.model.theta != run.theta) == 1
    edited = with_weights(run, hand.model.theta)
    assert not np.allclose(edited.proba, run.proba) and edited.snapshots == run.snapshots
    # The numbers shown are the edited network's.
    X = run.data.X_train
    assert edited.train_accuracy == hand.model.score(X, run.data.y_train)
    assert "set by hand: W2[1→] = 5" not in hand.describe(str) and "= 5" in hand.describe(str)
    assert params_of([2, 3, 2]) == [("W", 1), ("b", 1), ("W", 2), ("b", 2)]
