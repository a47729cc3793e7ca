"""Plotly figures for the Moons playground: plain functions from arrays to ``go.Figure``.

Class 0 is blue and class 1 vermilion (Okabe-Ito: readable by colour-blind viewers and on a
projector). The background shades P(class 1) from pale blue (0) through white (0.5) to pale
orange (1), and a black line marks P = 0.5: the decision boundary. Training points are filled
circles, test points white diamonds outlined in their class colour.

Figures are assembled from plain dicts with Plotly's validation off (``_validate=False``): the
traces here are few and fixed, and validating them cost more than training the tutorial's net.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import plotly.graph_objects as go

from nn.datasets import PlanarData

from .playground_run import Grid, LogisticRun, PlaygroundRun

CLASS_COLORS = ("#0072B2", "#D55E00")
PROBA_SCALE = [[0.0, "#8fc1e3"], [0.5, "#f7f7f7"], [1.0, "#f5b27f"]]
UNIT_SCALE = [[0.0, "#0072B2"], [0.5, "#f7f7f7"], [1.0, "#D55E00"]]
MAX_CURVE_POINTS = 2000

Trace = dict[str, Any]


def _figure(data: list[Trace], title: str, height: int, frames: list[dict] | None = None,
            **layout: Any) -> go.Figure:
    """A figure with no Plotly template (Streamlit's theme styles it, and the JSON stays small)."""
    base = dict(template={}, title=dict(text=title, x=0.01, xanchor="left"), height=height,
                margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.06))
    return go.Figure(data=data, layout={**base, **layout}, frames=frames, _validate=False)


def proba_trace(grid: Grid, proba: np.ndarray, colorbar: bool = True, **where: str) -> Trace:
    """P(class 1) (ny, nx) over ``grid``, shaded, with one black contour at 0.5: the boundary."""
    return dict(type="contour", x=grid.xs, y=grid.ys, z=proba, zmin=0, zmax=1, colorscale=PROBA_SCALE,
                contours=dict(start=0.5, end=0.5, size=1, coloring="heatmap", showlines=True),
                line=dict(color="black", width=2.5), showscale=colorbar,
                colorbar=dict(title=dict(text="P(class 1)", side="right"), len=0.8, thickness=14),
                hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>P(class 1)=%{z:.2f}<extra></extra>", **where)


def point_traces(data: PlanarData, size: int = 9, legend: bool = True, **where: str) -> list[Trace]:
    """Train points (filled circles) and test points (white diamonds), one trace per class and split."""
    traces = []
    for split, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        for k, color in enumerate(CLASS_COLORS):
            pts = X[y == k]
            if not len(pts):
                continue
            marker = (dict(color=color, size=size, line=dict(color="white", width=1)) if split == "train" else
                      dict(color="white", size=size + 2, symbol="diamond",
                           line=dict(color=color, width=2.5 if size > 6 else 1.5)))
            traces.append(dict(type="scatter", x=pts[:, 0], y=pts[:, 1], mode="markers", marker=marker,
                               name=f"{split}, class {k}", legendgroup=f"{split}{k}", showlegend=legend,
                               hovertemplate=f"{split} point, class {k}<br>x=%{{x:.2f}}, y=%{{y:.2f}}"
                                             "<extra></extra>", **where))
    return traces


def _axes(grid: Grid, **extra: Any) -> tuple[dict, dict]:
    # Equal scales on x and y (the moons keep their shape); the plot area shrinks to fit, not the ranges.
    x = dict(range=[grid.xs[0], grid.xs[-1]], showgrid=False, zeroline=False, constrain="domain", **extra)
    y = dict(range=[grid.ys[0], grid.ys[-1]], showgrid=False, zeroline=False, constrain="domain",
             scaleanchor="x", scaleratio=1, **extra)
    return x, y


def boundary_figure(grid: Grid, proba: np.ndarray, data: PlanarData, title: str, height: int = 520) -> go.Figure:
    """The decision boundary: P(class 1) (ny, nx) over ``grid`` with the train and test points."""
    xaxis, yaxis = _axes(grid)
    return _figure([proba_trace(grid, proba)] + point_traces(data), title, height, xaxis=xaxis, yaxis=yaxis)


def snapshots_figure(grid: Grid, frames: Sequence[tuple[int, np.ndarray, str]], data: PlanarData,
                     height: int = 560) -> go.Figure:
    """'Watch it learn': one frame per (passes, proba (ny, nx), caption), a scrubber and a play button.

    Every frame is inside the figure, so scrubbing and playing happen in the browser, with no rerun.
    """
    step = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    play = dict(mode="immediate", fromcurrent=True, frame=dict(duration=700, redraw=True), transition=dict(duration=0))
    xaxis, yaxis = _axes(grid)
    return _figure(
        [proba_trace(grid, frames[0][1])] + point_traces(data, size=7), frames[0][2], height,
        frames=[dict(name=str(passes), data=[dict(type="contour", z=proba)], traces=[0],
                     layout=dict(title=dict(text=caption))) for passes, proba, caption in frames],
        xaxis=xaxis, yaxis=yaxis, showlegend=False, margin=dict(l=10, r=10, t=50, b=130),
        sliders=[dict(active=0, currentvalue=dict(visible=False), pad=dict(t=45), x=0.14, len=0.86, y=0,
                      yanchor="top",
                      steps=[dict(label=f"{passes:,}", method="animate", args=[[str(passes)], step])
                             for passes, _, _ in frames])],
        updatemenus=[dict(type="buttons", direction="left", x=0, y=0, xanchor="left", yanchor="top",
                          pad=dict(t=55, r=10), showactive=False,
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚", method="animate", args=[[None], step])])])


def unit_range(activation: str, values: np.ndarray) -> tuple[float, float]:
    """Colour range for hidden-unit outputs: the activation's own range where it is bounded."""
    if activation == "tanh":
        return -1.0, 1.0
    if activation == "sigmoid":
        return 0.0, 1.0
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    return -(top or 1.0), top or 1.0


def units_figure(units: np.ndarray, activation: str, layer: int, columns: int = 10,
                 tile_height: int = 120, many: int = 12) -> go.Figure:
    """What each hidden unit computes: its output a (units, ny, nx) over the grid, one small tile each.

    One heatmap trace per tile, side by side on shared axes and one colour scale. Beyond ``many``
    units every other grid point is dropped, which keeps 50 tiles light to send.
    """
    if len(units) > many:
        units = units[:, ::2, ::2]
    n, ny, nx = units.shape
    cols = min(columns, n)
    rows = math.ceil(n / cols)
    gap = max(2, nx // 8)
    tiles, labels = [], []
    for i in range(n):
        r, c = divmod(i, cols)
        left, bottom = c * (nx + gap), (rows - 1 - r) * (ny + gap)  # unit 1 at the top left
        name = f"h{layer}.{i + 1}"
        tiles.append(dict(type="heatmap", z=units[i], x0=left, dx=1, y0=bottom, dy=1, coloraxis="coloraxis",
                          name=name, hovertemplate=f"{name}: output %{{z:.2f}}<extra></extra>"))
        labels.append(dict(x=left + (nx - 1) / 2, y=bottom + ny - 0.5, text=name, showarrow=False,
                           yanchor="bottom", font=dict(size=12)))
    zmin, zmax = unit_range(activation, units)
    return _figure(tiles, f"Hidden layer {layer}: {n} unit{'s' * (n != 1)}", 60 + rows * tile_height,
                   annotations=labels, xaxis=dict(visible=False, constrain="domain"),
                   yaxis=dict(visible=False, scaleanchor="x", scaleratio=1, range=[-0.5, rows * (ny + gap)]),
                   coloraxis=dict(cmin=zmin, cmax=zmax, colorscale=UNIT_SCALE,
                                  colorbar=dict(title=dict(text=f"{activation}(z)", side="right"), thickness=12)))


def decimate(values: Sequence[float], max_points: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """(passes, values) with at most about ``max_points`` points for a log-x curve: every early pass,
    then each log-spaced bucket's lowest and highest value, so a bouncing loss stays visible."""
    y = np.asarray(values, float)
    x = np.arange(1, len(y) + 1)
    if len(y) <= max_points:
        return x, y
    edges = np.unique(np.geomspace(1, len(y) + 1, max_points // 2).astype(int))  # buckets [lo, hi) of passes
    keep = {len(y) - 1}
    for lo, hi in zip(edges[:-1], edges[1:]):
        seg = y[lo - 1:hi - 1]
        keep.update((lo - 1 + int(np.argmin(seg)), lo - 1 + int(np.argmax(seg))))
    idx = np.array(sorted(keep))
    return x[idx], y[idx]


def loss_figure(losses: Sequence[float], stopped_at: int | None, convention: str, height: int = 340) -> go.Figure:
    """The training loss per pass (log-log axes), and where training stopped if it levelled off."""
    x, y = decimate(losses)
    line = dict(type="scatter", x=x, y=y, mode="lines", line=dict(color=CLASS_COLORS[0], width=2),
                name="training loss", hovertemplate="pass %{x:,}: loss %{y:.4g}<extra></extra>")
    fig = _figure([line], "Training loss", height,
                  xaxis=dict(type="log", title=dict(text="pass (log scale)")),
                  yaxis=dict(type="log", title=dict(text=f"{convention} (log scale)")))
    if stopped_at is not None:
        fig.add_vline(x=stopped_at, line=dict(color="#444", dash="dash"),
                      annotation_text=f"levelled off at pass {stopped_at:,}", annotation_position="top left")
    return fig


def sweep_figure(grid: Grid, panels: Sequence[tuple[str, np.ndarray]], data: PlanarData, columns: int = 4,
                 height: int = 470) -> go.Figure:
    """Small multiples: one boundary per (title, proba (ny, nx)), all over the same grid and points."""
    rows = math.ceil(len(panels) / columns)
    hgap, vgap, title_room = 0.02, 0.08, 0.04
    width, tall = (1 - hgap * (columns - 1)) / columns, (1 - vgap * (rows - 1)) / rows
    traces, layout, titles = [], {}, []
    for i, (title, proba) in enumerate(panels):
        r, c = divmod(i, columns)
        n = "" if i == 0 else str(i + 1)
        x0, y1 = round(c * (width + hgap), 6), round(1 - r * (tall + vgap), 6)
        xaxis, yaxis = _axes(grid, showticklabels=False, ticks="")
        layout[f"xaxis{n}"] = {**xaxis, "domain": [x0, min(1.0, round(x0 + width, 6))], "anchor": f"y{n}"}
        layout[f"yaxis{n}"] = {**yaxis, "domain": [max(0.0, round(y1 - tall, 6)), y1 - title_room], "anchor": f"x{n}",
                               "scaleanchor": f"x{n}", "constraintoward": "top"}
        where = dict(xaxis=f"x{n}", yaxis=f"y{n}")
        traces += [proba_trace(grid, proba, colorbar=False, **where)] + point_traces(data, 5, i == 0, **where)
        titles.append(dict(text=title, x=x0 + width / 2, y=y1, xref="paper", yref="paper", showarrow=False,
                           xanchor="center", yanchor="top", font=dict(size=13)))
    return _figure(traces, "", height, annotations=titles, margin=dict(l=10, r=10, t=10, b=10), **layout)


# ---- from a playground run to its figures ---------------------------------------------------
def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def loss_label(reduction: str) -> str:
    """What the training loss is, in a few words."""
    return f"{'summed' if reduction == 'sum' else 'mean'} cross-entropy + L2"


def run_boundary_figure(run: PlaygroundRun, height: int = 520) -> go.Figure:
    title = (f"Network {run.settings.architecture}: train {percent(run.train_accuracy)}, "
             f"test {percent(run.test_accuracy)}")
    return boundary_figure(run.grid, run.proba, run.data, title, height)


def run_snapshots_figure(run: PlaygroundRun) -> go.Figure:
    frames = [(s.passes, s.proba,
               ("Before training (random weights)" if s.passes == 0 else f"After pass {s.passes:,}")
               + f": train accuracy {percent(s.train_accuracy)}, loss {s.train_loss:.4g}")
              for s in run.snapshots]
    return snapshots_figure(run.small_grid, frames, run.data)


def run_loss_figure(run: PlaygroundRun) -> go.Figure:
    return loss_figure(run.history.train_loss, run.flat_at, loss_label(run.settings.reduction))


def run_units_figures(run: PlaygroundRun) -> list[go.Figure]:
    return [units_figure(units, run.settings.activation, layer) for layer, units in enumerate(run.hidden, 1)]


def run_sweep_figure(runs: Sequence[PlaygroundRun], logistic: LogisticRun) -> go.Figure:
    """Tutorial A's sweep, one panel per hidden size, then logistic regression in the last panel."""
    panels = [(f"{r.settings.neurons} unit{'s' * (r.settings.neurons != 1)}: train {percent(r.train_accuracy)}, "
               f"test {percent(r.test_accuracy)}", r.snapshots[-1].proba) for r in runs]
    panels.append((f"Logistic regression: train {percent(logistic.train_accuracy)}, "
                   f"test {percent(logistic.test_accuracy)}", logistic.small_proba))
    return sweep_figure(runs[0].small_grid, panels, runs[0].data)


def run_logistic_figure(run: PlaygroundRun, logistic: LogisticRun, height: int = 440) -> go.Figure:
    title = (f"Logistic regression: train {percent(logistic.train_accuracy)}, "
             f"test {percent(logistic.test_accuracy)}")
    return boundary_figure(run.grid, logistic.proba, run.data, title, height)
