"""The network drawn as TensorFlow Playground draws it: a plain function from arrays to a figure.

Every node (input feature, hidden unit, output) is a small heatmap of what it computes over the
same square of the plane as the boundary; every weight is a line, orange when positive and blue
when negative, as wide as it is large. Hovering a node tells its bias; hovering the small mark on
a line tells that weight's exact value, and clicking the mark chooses it for editing.

    layers = diagram_layers(model, features, grid)       # what each node computes, per layer
    fig = diagram_figure(layers, selected=("W", 1, 0, 2))  # W1 from input 1 to hidden unit 3
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go

from nn import MLP

from lab.moons.data import FEATURES, feature_matrix
from lab.moons.figures import UNIT_SCALE, unit_range
from lab.moons.run import Grid, Kind, kind_of
from lab.app.theme import INK, NEGATIVE, POSITIVE, TRANSPARENT  # a weight's sign: the colours of high and low on every heatmap
GAP = 1.8  # horizontal room for the lines between two columns of tiles (a tile is 1 x 1)
PITCH = 1.3  # vertical distance between two tiles of a column
MAX_LINES = 1200  # beyond this many weights only the largest are drawn (the title says so)
MAX_NODES = 8  # tiles per column: a wider layer shows its first MAX_NODES - 1 units, then "+k more"
LABEL_SHARE = 0.17, 0.21  # of the figure's width, for the input names (left) and output names (right)
WIDTHS = 8  # line widths are rounded to this many steps: one trace per width and sign

# A parameter of the network: ("W", layer, from, to) or ("b", layer, unit, 0); layers count from 1.
Param = tuple[Literal["W", "b"], int, int, int]


@dataclass(frozen=True, eq=False)
class DiagramLayers:
    """What the figure draws: per layer of nodes, its names and its outputs over a grid."""

    names: tuple[tuple[str, ...], ...]  # per column: inputs, hidden layers, outputs
    images: tuple[np.ndarray, ...]  # per column: (units, ny, nx)
    weights: tuple[np.ndarray, ...]  # W_l (fan_in, fan_out), l = 1..L
    biases: tuple[np.ndarray, ...]  # b_l (fan_out,)
    activation: str
    kind: Kind
    output_range: tuple[float, float]  # colour range of the output tiles


def tile_steps(n_nodes: int) -> int:
    """Grid points per side of a node's heatmap: finer for small networks, coarser for large ones."""
    return 24 if n_nodes <= 16 else 16 if n_nodes <= 60 else 10


def node_names(features: tuple[str, ...], sizes: list[int], kind: Kind) -> tuple[tuple[str, ...], ...]:
    """Names of every node: feature labels, h<layer>.<unit>, and P(class k) or 'prediction'."""
    hidden = tuple(tuple(f"h{l}.{j + 1}" for j in range(n)) for l, n in enumerate(sizes[1:-1], 1))
    outputs = ("prediction",) if kind == "regression" else tuple(f"P(class {k})" for k in range(sizes[-1]))
    return (tuple(FEATURES[f].label for f in features),) + hidden + (outputs,)


def diagram_layers(model: MLP, features: tuple[str, ...], region: Grid,
                   output_range: tuple[float, float] = (0.0, 1.0)) -> DiagramLayers:
    """Every node's output over ``region``'s square, on a grid as fine as the network's size allows.

    ``output_range`` colours the output tiles (probabilities: 0 to 1; regression: the targets' range).
    """
    steps = tile_steps(sum(shown(n) for n in model.layer_sizes))
    grid = Grid(np.linspace(region.xs[0], region.xs[-1], steps), np.linspace(region.ys[0], region.ys[-1], steps))
    X = feature_matrix(grid.points, features)
    with np.errstate(over="ignore", invalid="ignore"):
        outputs = model.forward(model.check_X(X)).outputs
    images = tuple(grid.image(a).transpose(2, 0, 1) for a in [model.check_X(X)] + outputs)
    kind = kind_of(model.config)
    return DiagramLayers(node_names(features, list(model.layer_sizes), kind), images,
                         tuple(W.copy() for W in model.W), tuple(b.copy() for b in model.b),
                         model.config["activation"], kind, output_range)


def param_label(names: tuple[tuple[str, ...], ...], param: Param) -> str:
    """E.g. 'W1: x₁ → h1.2' or 'b1: bias of h1.2'."""
    kind, layer, i, j = param
    if kind == "W":
        return f"W{layer}: {names[layer - 1][i]} → {names[layer][j]}"
    return f"b{layer}: bias of {names[layer][i]}"


def _column_ys(n: int) -> np.ndarray:
    """Centres of the tiles drawn for a column of n nodes, top to bottom, centred on 0: all n, or the
    first MAX_NODES - 1 (the last of MAX_NODES slots then says how many more there are)."""
    slots = min(n, MAX_NODES)
    return ((slots - 1) / 2 - np.arange(slots))[:shown(n)] * PITCH


def shown(n: int) -> int:
    """How many of a column's n nodes get a tile."""
    return n if n <= MAX_NODES else MAX_NODES - 1


def _tile_traces(layers: DiagramLayers) -> tuple[list[dict], list[dict]]:
    """One heatmap per node (unit 1 at the top of its column), and the column titles and labels."""
    tiles, notes = [], []
    last = len(layers.images) - 1
    for col, (names, images) in enumerate(zip(layers.names, layers.images)):
        x = col * (1 + GAP)
        axis = "coloraxis" if col == 0 else "coloraxis3" if col == last else "coloraxis2"
        ys = _column_ys(len(names))
        if len(names) > len(ys):  # the last slot: how many units are not drawn
            notes.append(dict(x=x + 0.5, y=ys[-1] - PITCH, text=f"+{len(names) - len(ys)}<br>more", showarrow=False,
                              font=dict(size=12)))
        for j, (name, image, y) in enumerate(zip(names, images, ys)):
            ny, nx = image.shape
            bias = "" if col == 0 else f"<br>bias b{col}[{j + 1}] = {layers.biases[col - 1][j]:.4g}"
            tiles.append(dict(type="heatmap", z=image, x0=x + 0.5 / nx, dx=1 / nx, y0=y - 0.5 + 0.5 / ny, dy=1 / ny,
                              coloraxis=axis, name=name,
                              hovertemplate=f"<b>{name}</b>{bias}<br>output here: %{{z:.3f}}<extra></extra>"))
            if col in (0, last):  # input and output names beside their tiles
                notes.append(dict(x=x - 0.1 if col == 0 else x + 1.1, y=y, text=name, showarrow=False,
                                  xanchor="right" if col == 0 else "left", font=dict(size=12)))
        crowded = len(layers.names) > 4  # narrow columns: short titles
        title = "Inputs" if col == 0 else "Output" if col == last else f"{'H' if crowded else 'Hidden '}{col}"
        notes.append(dict(x=x + 0.5, y=ys[0] + 0.6, text=title, showarrow=False, yanchor="bottom",
                          font=dict(size=13)))
    return tiles, notes


def _edges(layers: DiagramLayers) -> list[tuple[int, int, int, float]]:
    """(layer, from, to, weight) of every weight drawn: all, or the MAX_LINES largest."""
    edges = [(l, i, j, float(W[i, j])) for l, W in enumerate(layers.weights, 1)
             for i in range(shown(W.shape[0])) for j in range(shown(W.shape[1]))]
    if len(edges) > MAX_LINES:
        edges = sorted(edges, key=lambda e: -abs(e[3]))[:MAX_LINES]
    return edges


def _line_traces(layers: DiagramLayers, edges: list[tuple[int, int, int, float]],
                 selected: Param | None) -> list[dict]:
    """Lines grouped by sign and rounded width (a Plotly line has one width), one invisible mark per
    weight to hover and click (placed at a different point along the lines into each target, so no
    two marks coincide), and the selected weight in black."""
    top = max((abs(w) for *_, w in edges), default=0.0) or 1.0
    finite = np.isfinite(top)
    groups: dict[tuple[bool, int], tuple[list, list]] = {}
    marks: dict[str, list] = {"x": [], "y": [], "customdata": [], "text": []}
    chosen = None
    for l, i, j, w in edges:
        x0, x1 = (l - 1) * (1 + GAP) + 1, l * (1 + GAP)
        y0, y1 = _column_ys(layers.weights[l - 1].shape[0])[i], _column_ys(layers.weights[l - 1].shape[1])[j]
        step = round(WIDTHS * abs(w) / top) if finite and np.isfinite(w) else WIDTHS
        xs, ys = groups.setdefault((w >= 0, step), ([], []))
        xs += [x0, x1, None]
        ys += [y0, y1, None]
        n_to = shown(layers.weights[l - 1].shape[1])
        t = 0.3 + 0.4 * (j / (n_to - 1) if n_to > 1 else 0.5)
        marks["x"].append(x0 + t * (x1 - x0))
        marks["y"].append(y0 + t * (y1 - y0))
        marks["customdata"].append([l, i, j])
        marks["text"].append(f"{param_label(layers.names, ('W', l, i, j))}<br>W{l}[{i + 1},{j + 1}] = {w:.4g}")
        if selected == ("W", l, i, j):
            chosen = ([x0, x1], [y0, y1])
    traces = [dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                   line=dict(color=POSITIVE if positive else NEGATIVE, width=0.5 + 0.6 * step), opacity=0.75)
              for (positive, step), (xs, ys) in sorted(groups.items(), key=lambda g: g[0][1])]
    if chosen:
        traces.append(dict(type="scatter", x=chosen[0], y=chosen[1], mode="lines", hoverinfo="skip",
                           showlegend=False, line=dict(color=INK, width=3, dash="dot")))
    traces.append(dict(type="scatter", mode="markers", name="weights", showlegend=False,
                       marker=dict(size=11, color=INK, opacity=0), hovertemplate="%{text}<extra></extra>",
                       **marks))
    return traces


def _selected_node_box(layers: DiagramLayers, selected: Param | None) -> list[dict]:
    """A black frame around the node whose bias is selected."""
    if not selected or selected[0] != "b":
        return []
    _, layer, j, _ = selected
    if j >= shown(len(layers.names[layer])):
        return []
    x, y = layer * (1 + GAP), _column_ys(len(layers.names[layer]))[j]
    return [dict(type="rect", x0=x - 0.08, x1=x + 1.08, y0=y - 0.58, y1=y + 0.58,
                 line=dict(color=INK, width=3, dash="dot"))]


def diagram_figure(layers: DiagramLayers, selected: Param | None = None, title: str = "",
                   height: int | None = None) -> go.Figure:
    """The network: a heatmap per node, a line per weight (see the module docstring)."""
    tiles, notes = _tile_traces(layers)
    edges = _edges(layers)
    n_weights = sum(W.size for W in layers.weights)
    widest = max(len(names) for names in layers.names)
    if widest > MAX_NODES:
        drawn = f"First {shown(widest)} units per layer drawn; the editor below reaches all"
        title = f"{title}<br><sup>{drawn}</sup>" if title else drawn
    elif len(edges) < n_weights:
        drawn = f"The {len(edges):,} largest of {n_weights:,} weights drawn"
        title = f"{title}<br><sup>{drawn}</sup>" if title else drawn
    tallest = min(widest, MAX_NODES)
    columns = len(layers.names)
    inputs = layers.images[0]
    top_input = float(np.abs(inputs[np.isfinite(inputs)]).max(initial=0.0)) or 1.0
    hidden = np.concatenate([a.ravel() for a in layers.images[1:-1]]) if columns > 2 else np.zeros(1)
    low, high = unit_range(layers.activation, hidden)
    axis: dict[str, Any] = dict(colorscale=UNIT_SCALE, showscale=False)
    # Room for the names beside the first and last columns, as a share of the width: they keep their
    # size in pixels however many columns there are, so a wide network needs more of its units for them.
    span = (columns - 1) * (1 + GAP) + 1 + 0.2
    total = span / (1 - sum(LABEL_SHARE))
    x_range = [-0.1 - LABEL_SHARE[0] * total, span - 0.1 + LABEL_SHARE[1] * total]
    y_range = [-(tallest - 1) / 2 * PITCH - 0.7, (tallest - 1) / 2 * PITCH + 1.4]
    # Tiles stay square (scaleanchor): as tall as a column about 480 px wide needs, within bounds.
    fit = 60 + 480 * (y_range[1] - y_range[0]) / (x_range[1] - x_range[0])
    layout = dict(
        template={}, title=dict(text=title, x=0.01, xanchor="left"),
        height=height or int(min(760, max(260, fit))), margin=dict(l=10, r=10, t=50, b=10),
        showlegend=False, annotations=notes, shapes=_selected_node_box(layers, selected), hovermode="closest",
        xaxis=dict(visible=False, range=x_range, constrain="domain"),
        yaxis=dict(visible=False, scaleanchor="x", scaleratio=1, range=y_range),
        coloraxis=dict(cmin=-top_input, cmax=top_input, **axis), coloraxis2=dict(cmin=low, cmax=high, **axis),
        coloraxis3=dict(cmin=layers.output_range[0], cmax=layers.output_range[1], **axis))
    # The nodes' marks above the tiles (a click there opens the node); the weights' marks stay the last trace.
    lines = _line_traces(layers, edges, selected)
    return go.Figure(data=lines[:-1] + tiles + _node_marks(layers) + lines[-1:], layout=layout, _validate=False)


def _node_marks(layers: DiagramLayers) -> list[dict]:
    """One invisible mark at the centre of every hidden and output node, to hover (its bias, as the tile)
    and to click (customdata ["node", layer, unit]: the page opens that node)."""
    marks: dict[str, list] = {"x": [], "y": [], "customdata": [], "text": []}
    for col in range(1, len(layers.names)):
        for j, (name, y) in enumerate(zip(layers.names[col], _column_ys(len(layers.names[col])))):
            marks["x"].append(col * (1 + GAP) + 0.5)
            marks["y"].append(y)
            marks["customdata"].append(["node", col, j])
            marks["text"].append(f"<b>{name}</b><br>bias b{col}[{j + 1}] = {layers.biases[col - 1][j]:.4g}"
                                 "<br>click to open this node")
    return [dict(type="scatter", mode="markers", name="nodes", showlegend=False,
                 marker=dict(size=26, symbol="square", color=TRANSPARENT, opacity=0),
                 hovertemplate="%{text}<extra></extra>", **marks)]
