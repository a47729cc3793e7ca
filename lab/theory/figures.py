"""Plotly builders for the Theory page: plain functions from arrays to a ``go.Figure``."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab.app import theme
from lab.app.theme import BACKGROUND, CLASS_COLORS, INK

SIGNED = theme.diverging(0.7)  # blue negative, vermilion positive, the background at 0
ROW_PX = 26  # height of one matrix row
COL_PX = 64  # width of one matrix column: room for "-0.123"


def _axis(name: str, n: int) -> str:
    return name if n == 0 else f"{name}{n + 1}"


def _layout(fig: go.Figure, height: int, top: int = 10, **layout) -> go.Figure:
    """The page's chart frame: ``height`` px, narrow margins (``top`` for subplot titles)."""
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=top, b=10), **layout)
    return fig


def _plane(fig: go.Figure) -> go.Figure:
    """A chart over the input plane (x1, x2) at equal scales, its legend below."""
    return _layout(fig, 360, xaxis=dict(title="x₁"), yaxis=dict(title="x₂", scaleanchor="x"),
                   legend=dict(orientation="h", y=-0.15))


def matrix_figure(panels: Sequence[tuple[str, str, np.ndarray]], digits: int = 3) -> go.Figure:
    """Matrices side by side as heatmaps with their values printed, each titled "label (rows×cols)".

    ``panels``: (key, label, 2-D array); the key names the trace (tests read the values by it).
    Widths follow the number of columns; orange is positive, blue negative, each panel on its own scale.
    """
    widths = [max(v.shape[1], 1) + 0.6 for _, _, v in panels]
    gap = 0.25
    total = sum(widths) + gap * (len(panels) - 1)
    traces, layout, start = [], {}, 0.0
    for i, (key, label, values) in enumerate(panels):
        values = np.asarray(values, dtype=np.float64)
        top = float(np.abs(values).max()) or 1.0
        x_name, y_name = _axis("xaxis", i), _axis("yaxis", i)
        traces.append(go.Heatmap(
            z=values, name=key, colorscale=SIGNED, zmin=-top, zmax=top, showscale=False,
            texttemplate=f"%{{z:.{digits}f}}", textfont=dict(color=INK), hovertemplate=f"{label}[%{{y}},%{{x}}] = %{{z}}<extra></extra>",
            xaxis=_axis("x", i), yaxis=_axis("y", i), xgap=1, ygap=1))
        end = min(1.0, start + widths[i] / total)
        layout[x_name] = dict(domain=[start, end], showticklabels=False, showgrid=False, zeroline=False, ticks="",
                              title=dict(text=f"{label} ({values.shape[0]}×{values.shape[1]})",
                                         standoff=4, font=dict(size=13)),
                              side="top")
        layout[y_name] = dict(anchor=_axis("x", i), autorange="reversed", showticklabels=False, ticks="",
                              showgrid=False, zeroline=False)
        start = end + gap / total
    rows = max(v.shape[0] for _, _, v in panels)
    # a natural width (st.plotly_chart(width="content") narrows it to the container if need be)
    return go.Figure(traces, layout=dict(height=60 + ROW_PX * rows, width=int(COL_PX * total) + 10,
                                         margin=dict(l=5, r=5, t=40, b=5), **layout))


def probability_bars(labels: Sequence[str], probs: np.ndarray, target: int) -> go.Figure:
    """Softmax probabilities as bars, the target class highlighted."""
    colors = [CLASS_COLORS[1] if k == target else theme.NEUTRAL for k in range(len(probs))]
    fig = go.Figure(go.Bar(x=list(labels), y=probs, marker_color=colors, name="softmax probabilities",
                           text=[f"{p:.3f}" for p in probs], textposition="outside"))
    return _layout(fig, 260, top=20, yaxis=dict(range=[0, 1.15], title="p"))


def _points(X: np.ndarray, y: np.ndarray, size: int = 7) -> list[go.Scatter]:
    return [go.Scatter(x=X[y == k, 0], y=X[y == k, 1], mode="markers", name=theme.class_name(k),
                       marker=dict(color=CLASS_COLORS[k], size=size, line=dict(color=BACKGROUND, width=1)))
            for k in (0, 1)]


def neuron_figure(X: np.ndarray, y: np.ndarray, gx: np.ndarray, gy: np.ndarray, z: np.ndarray) -> go.Figure:
    """The neuron's output z on a grid (len(gy), len(gx)), its line z = 0, and the labelled points."""
    top = float(np.abs(z).max()) or 1.0
    heat = go.Heatmap(x=gx, y=gy, z=z, colorscale=SIGNED, zmin=-top, zmax=top, opacity=0.6,
                      colorbar=dict(title="z", thickness=12), name="z")
    line = go.Contour(x=gx, y=gy, z=z, contours=dict(start=0, end=0, coloring="none"),
                      line=dict(color=INK, width=2), showscale=False, name="z = 0")
    return _plane(go.Figure([heat, line, *_points(X, y)]))


def regions_figure(X: np.ndarray, y: np.ndarray, gx: np.ndarray, gy: np.ndarray, classes: np.ndarray) -> go.Figure:
    """Predicted class on a grid (len(gy), len(gx)) behind the labelled points."""
    regions = go.Heatmap(x=gx, y=gy, z=classes, colorscale=[[0, CLASS_COLORS[0]], [1, CLASS_COLORS[1]]],
                         zmin=0, zmax=1, opacity=0.25, showscale=False, name="predicted class")
    return _plane(go.Figure([regions, *_points(X, y, size=6)]))


def activation_figure(curves: Mapping[str, Mapping[str, np.ndarray]]) -> go.Figure:
    """One panel per activation: f (solid), f' from the table (dashed), the measured slope (dots)."""
    names = list(curves)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, horizontal_spacing=0.03)
    for i, name in enumerate(names, start=1):
        c = curves[name]
        first = i == 1
        fig.add_trace(go.Scatter(x=c["z"], y=c["f"], name="f(z)", legendgroup="f", showlegend=first,
                                 line=dict(color=CLASS_COLORS[0])), 1, i)
        fig.add_trace(go.Scatter(x=c["z"], y=c["df"], name="f'(z) from a = f(z)", legendgroup="df",
                                 showlegend=first, line=dict(color=CLASS_COLORS[1], dash="dash")), 1, i)
        fig.add_trace(go.Scatter(x=c["z_check"], y=c["slope"], mode="markers", name="measured slope",
                                 legendgroup="slope", showlegend=first,
                                 marker=dict(color=CLASS_COLORS[2], size=5)), 1, i)
    fig.update_yaxes(range=[-1.6, 2.1])
    return _layout(fig, 300, top=30, legend=dict(orientation="h", y=-0.12))


def weight_histograms(weights: Mapping[str, np.ndarray], bins: int = 61, limit: float = 3.0) -> go.Figure:
    """One histogram of the trained weights per regulariser, on a shared x range [-limit, limit]."""
    names = list(weights)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, shared_yaxes=True, horizontal_spacing=0.03)
    size = 2 * limit / bins
    for i, name in enumerate(names, start=1):
        fig.add_trace(go.Histogram(x=weights[name], name=name, showlegend=False,
                                   xbins=dict(start=-limit, end=limit, size=size),
                                   marker_color=CLASS_COLORS[i - 1]), 1, i)
    fig.update_xaxes(range=[-limit, limit], title_text="weight")
    fig.update_yaxes(type="log", dtick=1, title_text="count (log)", col=1)  # tick labels on decades only
    return _layout(fig, 300, top=30, bargap=0.05)


def optimizer_figure(gx: np.ndarray, gy: np.ndarray, f: np.ndarray,
                     paths: Mapping[str, np.ndarray]) -> go.Figure:
    """Contours of a 2-D loss f (len(gy), len(gx)) and each optimiser's path (steps + 1, 2)."""
    traces = [go.Contour(x=gx, y=gy, z=f, colorscale=theme.sequential(0.5, theme.NEUTRAL), reversescale=True, showscale=False,
                         contours=dict(start=0, end=float(f.max()), size=float(f.max()) / 20), name="loss",
                         hoverinfo="skip")]
    for (name, path), color in zip(paths.items(), CLASS_COLORS):
        traces.append(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=name,
                                 line=dict(color=color, width=2), marker=dict(size=4)))
    traces.append(go.Scatter(x=[0], y=[0], mode="markers", name="minimum",
                             marker=dict(symbol="x", size=12, color=INK)))
    return _layout(go.Figure(traces), 420, xaxis=dict(title="θ₁", range=[gx[0], gx[-1]]),
                   yaxis=dict(title="θ₂", range=[gy[0], gy[-1]], scaleanchor="x"))


def schedule_figure(curves: Mapping[str, np.ndarray], highlight: Sequence[str] = ()) -> go.Figure:
    """Learning rate per epoch for each schedule, on a log axis; ``highlight`` drawn thicker."""
    fig = go.Figure()
    for (name, lr), color in zip(curves.items(), CLASS_COLORS):
        fig.add_trace(go.Scatter(x=np.arange(len(lr)), y=lr, name=name, mode="lines",
                                 line=dict(color=color, width=4 if name in highlight else 1.5)))
    return _layout(fig, 340, xaxis=dict(title="epoch t"),  # log axis: tick labels on decades only
                   yaxis=dict(title="learning rate", type="log", dtick=1, exponentformat="e"))


def loss_steps_figure(losses: Sequence[float]) -> go.Figure:
    """The loss after each Step (step 0: before any)."""
    fig = go.Figure(go.Scatter(x=np.arange(len(losses)), y=list(losses), mode="lines+markers", name="L"))
    return _layout(fig, 200, xaxis=dict(title="steps taken", dtick=max(1, len(losses) // 10)),
                   yaxis=dict(title="L"))
