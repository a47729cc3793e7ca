"""Plotly figures for the Moons page: plain functions from arrays to ``go.Figure``.

Class 0 is blue and class 1 vermilion, then green, purple, orange and sky blue for classes 2 to 5
(Okabe-Ito: readable by colour-blind viewers and on a projector). With two classes the background
shades P(class 1) from pale blue (0) through the page background (0.5) to pale orange (1), and a line in
the theme's ink (black, or white on the dark theme) marks P = 0.5: the decision boundary. With more,
each place takes the pale colour of its most likely class, fading out where the network is unsure, and
ink lines part the classes. For
regression the background is the predicted value, blue (low) to orange (high), and the points
are coloured by their targets on the same scale. Training points are filled circles, test points
hollow diamonds outlined in their colour. Colours come from lab/app/theme.py.

Figures are assembled from plain dicts with Plotly's validation off (``_validate=False``): the
traces here are few and fixed, and validating them cost more than training the tutorial's net.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import plotly.graph_objects as go

from nn.datasets import PlanarData

from lab.app import theme
from lab.moons.run import Grid, Kind, LogisticRun, MoonsRun
from lab.app.theme import BACKGROUND, CLASS_COLORS, INK

PALE = 0.45  # how much of a class colour the background takes where the network is sure
CLICK_STEP = 2  # the clickable markers sit on every other point of the boundary grid
PROBA_SCALE = theme.diverging(PALE)  # pale blue, the page background at 0.5, pale orange
UNIT_SCALE = theme.diverging(1.0)
TARGET_SCALE = [[0.0, theme.NEGATIVE], [0.5, theme.NEUTRAL], [1.0, theme.POSITIVE]]  # points: none vanish
MAX_CURVE_POINTS = 2000
# A plane's left margin: the room its y tick labels take, which Plotly's automargin would grow the
# default 10 px to anyway. Given at once, the chart is drawn once per update: grown on the way,
# under Streamlit's theme, it was drawn three times, 1,600 click points each (benchmarks/README.md).
PLANE_MARGIN = dict(l=50, r=10, t=50, b=10)

Trace = dict[str, Any]


def _figure(data: list[Trace], title: str, height: int, frames: list[dict] | None = None,
            **layout: Any) -> go.Figure:
    """A figure with no Plotly template (Streamlit's theme styles it, and the JSON stays small)."""
    base = dict(template={}, title=dict(text=title, x=0.01, xanchor="left"), height=height,
                margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.06))
    return go.Figure(data=data, layout={**base, **layout}, frames=frames, _validate=False)


def proba_trace(grid: Grid, proba: np.ndarray, colorbar: bool = True, discretize: bool = False,
                hover: bool = True, **where: str) -> Trace:
    """P(class 1) (ny, nx) over ``grid``, shaded, with one black contour at 0.5: the boundary.
    ``discretize``: shade only the predicted class (P > 0.5 or not)."""
    z = (proba > 0.5).astype(np.float32) if discretize else proba
    return dict(type="contour", x=grid.xs, y=grid.ys, z=z, zmin=0, zmax=1, colorscale=PROBA_SCALE,
                contours=dict(start=0.5, end=0.5, size=1, coloring="heatmap", showlines=True),
                line=dict(color=INK, width=2.5), showscale=colorbar and not discretize,
                colorbar=dict(title=dict(text="P(class 1)", side="right"), len=0.8, thickness=14),
                hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>P(class 1)=%{z:.2f}<extra></extra>",
                **({} if hover else dict(hoverinfo="skip")), **where)


def class_colors_image(proba: np.ndarray, discretize: bool = False) -> np.ndarray:
    """RGBA (ny, nx, 4) uint8 for class probabilities (ny, nx, k): the most likely class's colour at
    opacity PALE, fading out (the page shows) as its probability falls to 1/k (a tie); full if ``discretize``."""
    k = proba.shape[-1]
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in CLASS_COLORS[:k]], np.float32)
    top = proba.argmax(axis=-1)
    sure = np.ones(top.shape, np.float32) if discretize else \
        np.clip((proba.max(axis=-1) - 1 / k) / (1 - 1 / k), 0, 1)
    alpha = np.round(255 * PALE * sure)[..., None]
    return np.concatenate([rgb[top], alpha], axis=-1).astype(np.uint8)


def classes_traces(grid: Grid, proba: np.ndarray, discretize: bool = False, **where: str) -> list[Trace]:
    """k class probabilities (ny, nx, k) over ``grid``: an image of the predicted class, and one black
    line per class where it stops being the most likely (its probability equals the best other's)."""
    dx, dy = grid.xs[1] - grid.xs[0], grid.ys[1] - grid.ys[0]
    image = dict(type="image", z=class_colors_image(proba, discretize), x0=grid.xs[0], dx=dx, y0=grid.ys[0], dy=dy,
                 colormodel="rgba256", hoverinfo="skip", **where)
    lines = []
    for c in range(proba.shape[-1]):
        margin = proba[..., c] - np.delete(proba, c, axis=-1).max(axis=-1)
        lines.append(dict(type="contour", x=grid.xs, y=grid.ys, z=margin, showscale=False, hoverinfo="skip",
                          showlegend=False,
                          contours=dict(start=0, end=0, size=1, coloring="none"), line=dict(color=INK, width=2),
                          **where))
    return [image] + lines


def value_range(data: PlanarData) -> tuple[float, float]:
    """A colour range symmetric about 0 that holds every target: regression's shared scale."""
    top = float(np.abs(np.r_[data.y_train, data.y_test]).max(initial=1e-9))
    return -top, top


def value_trace(grid: Grid, values: np.ndarray, data: PlanarData, colorbar: bool = True, hover: bool = True,
                **where: str) -> Trace:
    """Predicted values (ny, nx) over ``grid``, blue (low) to orange (high), on the targets' scale."""
    low, high = value_range(data)
    return dict(type="heatmap", x=grid.xs, y=grid.ys, z=values, zmin=low, zmax=high, colorscale=PROBA_SCALE,
                zsmooth="best", showscale=colorbar,
                colorbar=dict(title=dict(text="prediction", side="right"), len=0.8, thickness=14),
                hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>prediction %{z:.2f}<extra></extra>",
                **({} if hover else dict(hoverinfo="skip")), **where)


def surface_traces(grid: Grid, proba: np.ndarray, data: PlanarData, kind: Kind, discretize: bool = False,
                   colorbar: bool = True, hover: bool = True, **where: str) -> list[Trace]:
    """What the network computes over the plane, drawn for its kind (see the module docstring)."""
    if kind == "binary":
        return [proba_trace(grid, proba, colorbar, discretize, hover, **where)]
    if kind == "multiclass":
        return classes_traces(grid, proba, discretize, **where)
    return [value_trace(grid, proba, data, colorbar, hover, **where)]


def point_traces(data: PlanarData, size: int = 9, legend: bool = True, kind: Kind = "binary",
                 **where: str) -> list[Trace]:
    """Train points (filled circles) and test points (hollow diamonds), one trace per class and split;
    for regression one trace per split, coloured by target."""
    traces = []
    for split, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        if kind == "regression":
            if len(X):
                traces.append(_value_points(split, X, y, data, size, legend, **where))
            continue
        for k, color in enumerate(CLASS_COLORS):
            pts = X[y == k]
            if not len(pts):
                continue
            marker = (dict(color=color, size=size, line=dict(color=BACKGROUND, width=1)) if split == "train" else
                      dict(color=BACKGROUND, size=size + 2, symbol="diamond",
                           line=dict(color=color, width=2.5 if size > 6 else 1.5)))
            traces.append(dict(type="scatter", x=pts[:, 0], y=pts[:, 1], mode="markers", marker=marker,
                               name=f"{split}, {theme.class_name(k)}", legendgroup=f"{split}{k}", showlegend=legend,
                               hovertemplate=f"{split} point, {theme.class_name(k)}<br>x=%{{x:.2f}}, y=%{{y:.2f}}"
                                             "<extra></extra>", **where))
    return traces


def _value_points(split: str, X: np.ndarray, y: np.ndarray, data: PlanarData, size: int, legend: bool,
                  **where: str) -> Trace:
    low, high = value_range(data)
    color = dict(color=y, colorscale=TARGET_SCALE, cmin=low, cmax=high)
    marker = ({**color, "size": size, "line": dict(color=BACKGROUND, width=1)} if split == "train" else
              {**color, "size": size + 2, "symbol": "diamond", "line": dict(color=INK, width=1)})
    return dict(type="scatter", x=X[:, 0], y=X[:, 1], mode="markers", marker=marker, name=f"{split} points",
                showlegend=legend, hovertemplate=f"{split} point<br>x=%{{x:.2f}}, y=%{{y:.2f}}<br>"
                                                 "target %{marker.color:.2f}<extra></extra>", **where)


def click_trace(grid: Grid, proba: np.ndarray, kind: Kind, action: str) -> Trace:
    """Invisible points on every CLICK_STEP-th grid point, so a click anywhere on the plane selects
    one (Plotly reports clicks on points only); each tells, on hover, what the network says there.

    Drawn as text points with no text: Plotly hovers and selects them like markers, but draws nothing
    for them (an invisible marker is still an SVG path: 1,600 of them were a third of the page)."""
    xs, ys = grid.xs[::CLICK_STEP], grid.ys[::CLICK_STEP]
    gx, gy = np.meshgrid(xs, ys)
    values = proba[::CLICK_STEP, ::CLICK_STEP]
    if kind == "multiclass":
        custom = np.stack([values.argmax(axis=-1), values.max(axis=-1)], axis=-1).reshape(-1, 2)
        said = "class %{customdata[0]} (p=%{customdata[1]:.2f})"
    else:
        custom = values.ravel()
        said = "P(class 1)=%{customdata:.2f}" if kind == "binary" else "prediction %{customdata:.2f}"
    # float32 (7 digits) halves what is sent: hover shows 2 decimals, and a click adds the point as sent.
    return dict(type="scatter", x=gx.ravel().astype(np.float32), y=gy.ravel().astype(np.float32), mode="text",
                customdata=custom.astype(np.float32), name="plane",
                marker=dict(size=9, color=INK, opacity=0), showlegend=False,
                hovertemplate=f"x=%{{x:.2f}}, y=%{{y:.2f}}<br>{said}<br>click: {action}<extra></extra>")


def _axes(grid: Grid, **extra: Any) -> tuple[dict, dict]:
    # Equal scales on x and y (the moons keep their shape); the plot area shrinks to fit, not the ranges.
    x = dict(range=[grid.xs[0], grid.xs[-1]], showgrid=False, zeroline=False, constrain="domain", **extra)
    y = dict(range=[grid.ys[0], grid.ys[-1]], showgrid=False, zeroline=False, constrain="domain",
             scaleanchor="x", scaleratio=1, **extra)
    return x, y


def boundary_figure(grid: Grid, proba: np.ndarray, data: PlanarData, title: str, height: int = 520,
                    kind: Kind = "binary", discretize: bool = False, click: str | None = None) -> go.Figure:
    """The network's output over ``grid`` (P(class 1) (ny, nx) for two classes) with the train and
    test points. With ``click`` (what a click does, in words) the whole plane is clickable."""
    xaxis, yaxis = _axes(grid)
    traces = surface_traces(grid, proba, data, kind, discretize, hover=click is None)
    if click:
        traces.append(click_trace(grid, proba, kind, click))
    return _figure(traces + point_traces(data, kind=kind), title, height, xaxis=xaxis, yaxis=yaxis,
                   margin=PLANE_MARGIN)


def plane_figure(data: PlanarData, title: str, click: str, height: int = 520) -> go.Figure:
    """The points on an empty plane (no network yet), clickable: for a student's own first points."""
    X = np.vstack([data.X_train, data.X_test])
    grid = Grid.around(X if len(X) else np.array([[-1.0, -0.5], [2.0, 1.0]]), 40)
    blank = np.full((len(grid.ys), len(grid.xs)), 0.5)
    xaxis, yaxis = _axes(grid)
    return _figure([click_trace(grid, blank, "binary", click)] + point_traces(data), title, height,
                   xaxis=xaxis, yaxis=yaxis, margin=PLANE_MARGIN)


def snapshots_figure(grid: Grid, frames: Sequence[tuple[int, np.ndarray, str]], data: PlanarData,
                     height: int = 560, kind: Kind = "binary", discretize: bool = False) -> go.Figure:
    """'Watch it learn': one frame per (passes, output over the grid, caption), a scrubber and a play button.

    Every frame is inside the figure, so scrubbing and playing happen in the browser, with no rerun.
    """
    def surface(proba: np.ndarray) -> list[Trace]:
        return surface_traces(grid, proba, data, kind, discretize)

    step = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    play = dict(mode="immediate", fromcurrent=True, frame=dict(duration=700, redraw=True), transition=dict(duration=0))
    xaxis, yaxis = _axes(grid)
    first = surface(frames[0][1])
    changing = list(range(len(first)))  # the frames replace the surface traces, not the points
    return _figure(
        first + point_traces(data, size=7, kind=kind), frames[0][2], height,
        frames=[dict(name=str(passes), data=[{"type": t["type"], "z": t["z"]} for t in surface(proba)],
                     traces=changing, layout=dict(title=dict(text=caption))) for passes, proba, caption in frames],
        xaxis=xaxis, yaxis=yaxis, showlegend=False, margin=dict(l=10, r=10, t=50, b=160),
        # The slider spans the width and the buttons sit under it: side by side they overlap on a phone.
        sliders=[dict(active=0, currentvalue=dict(visible=False), pad=dict(t=45), x=0, len=1, y=0,
                      yanchor="top", bgcolor=theme.NEUTRAL, bordercolor=theme.NEUTRAL,
                      activebgcolor=theme.NEGATIVE, tickcolor=INK, font=dict(color=INK),
                      steps=[dict(label=f"{passes:,}", method="animate", args=[[str(passes)], step])
                             for passes, _, _ in frames])],
        updatemenus=[dict(type="buttons", direction="left", x=0, y=0, xanchor="left", yanchor="top",
                          pad=dict(t=105, r=10), showactive=False, bgcolor=BACKGROUND,
                          bordercolor=theme.NEUTRAL, font=dict(color=INK),
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


def decades(low: float, high: float) -> list[float]:
    """A log axis's range (in log10 units, as Plotly takes it) from the decade at or below ``low``
    to the decade at or above ``high``: every tick a power of ten, at least one decade shown."""
    lo = math.floor(math.log10(low)) if low > 0 and math.isfinite(low) else 0
    hi = math.ceil(math.log10(high)) if high > 0 and math.isfinite(high) else lo + 1
    return [lo, max(hi, lo + 1)]


LOG_TICKS = dict(type="log", dtick=1, exponentformat="power", minor=dict(ticks="outside", dtick="D1"))


def loss_figure(losses: Sequence[float], stopped_at: int | None, convention: str, height: int = 340) -> go.Figure:
    """The training loss per pass (log-log axes, ticks on decades only), and where training stopped
    if it levelled off. The ranges are set from the data (at most the passes run on x)."""
    x, y = decimate(losses)
    line = dict(type="scatter", x=x, y=y, mode="lines", line=dict(color=CLASS_COLORS[0], width=2),
                name="training loss", hovertemplate="pass %{x:,}: loss %{y:.4g}<extra></extra>")
    finite = y[np.isfinite(y) & (y > 0)]
    fig = _figure([line], f"Training {convention}", height,
                  xaxis=dict(**LOG_TICKS, range=[0, math.log10(max(len(losses), 10))],
                             title=dict(text="pass (log scale)")),
                  yaxis=dict(**LOG_TICKS, range=decades(finite.min(), finite.max()) if finite.size else None,
                             title=dict(text="per point (log scale)")))
    if stopped_at is not None:
        # A shape on a log axis takes the value itself, an annotation its log10 (Plotly's rule): a
        # vline's own annotation at pass 200 would stretch the axis to 10^200.
        fig.add_vline(x=stopped_at, line=dict(color=theme.SOFT_INK, dash="dash"))
        fig.add_annotation(x=math.log10(stopped_at), y=1, yref="paper", xanchor="right", yanchor="top",
                           text=f"levelled off at pass {stopped_at:,}", showarrow=False)
    return fig


def sweep_figure(grid: Grid, panels: Sequence[tuple[str, np.ndarray]], data: PlanarData, columns: int = 4,
                 height: int = 470, kind: Kind = "binary", discretize: bool = False) -> go.Figure:
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
        traces += (surface_traces(grid, proba, data, kind, discretize, colorbar=False, **where)
                   + point_traces(data, 5, i == 0, kind, **where))
        titles.append(dict(text=title, x=x0 + width / 2, y=y1, xref="paper", yref="paper", showarrow=False,
                           xanchor="center", yanchor="top", font=dict(size=13)))
    return _figure(traces, "", height, annotations=titles, margin=dict(l=10, r=10, t=10, b=10), **layout)


# ---- from a Moons run to its figures ---------------------------------------------------
def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def loss_label(reduction: str, kind: Kind = "binary") -> str:
    """What the training loss curve shows, in a few words: always per point (``reduction`` is kept
    for callers; a summed run's curve is divided by the number of points)."""
    data = "½ squared error" if kind == "regression" else "cross-entropy"
    return f"loss per point: {data} + L2 penalty"


def score_text(run: MoonsRun, value: float | None) -> str:
    """Accuracy as a percentage; R² for regression as a number."""
    if run.kind != "regression":
        return percent(value)
    return "n/a" if value is None else (f"{value:.3f}" if value > -1000 else "below -1000")


def _scores(run: MoonsRun, train: float | None, test: float | None) -> str:
    name = "R² " if run.kind == "regression" else ""
    return f"train {name}{score_text(run, train)}, test {name}{score_text(run, test)}"


def run_boundary_figure(run: MoonsRun, height: int = 520, discretize: bool = False,
                        click: str | None = None, title: str | None = None) -> go.Figure:
    title = title or f"Network {run.architecture}: {_scores(run, run.train_accuracy, run.test_accuracy)}"
    return boundary_figure(run.grid, run.proba, run.data, title, height, run.kind, discretize, click)


def run_snapshots_figure(run: MoonsRun, discretize: bool = False) -> go.Figure:
    score = "R²" if run.kind == "regression" else "accuracy"
    frames = [(s.passes, s.proba,
               ("Before training (random weights)" if s.passes == 0 else f"After pass {s.passes:,}")
               + f": train {score} {score_text(run, s.train_accuracy)}, "
               f"loss per point {run.per_point(s.train_loss):.4g}")
              for s in run.snapshots]
    return snapshots_figure(run.small_grid, frames, run.data, kind=run.kind, discretize=discretize)


def run_loss_figure(run: MoonsRun) -> go.Figure:
    losses = np.asarray(run.history.train_loss, float)
    return loss_figure(run.per_point(losses), run.flat_at, loss_label(run.settings.reduction, run.kind))


def run_units_figures(run: MoonsRun) -> list[go.Figure]:
    return [units_figure(units, run.settings.activation, layer) for layer, units in enumerate(run.hidden, 1)]


def run_sweep_figure(runs: Sequence[MoonsRun], logistic: LogisticRun | None,
                     discretize: bool = False) -> go.Figure:
    """Tutorial A's sweep, one panel per hidden size, then logistic regression in the last panel."""
    panels = [(f"{r.settings.neurons} unit{'s' * (r.settings.neurons != 1)}: "
               f"{_scores(r, r.train_accuracy, r.test_accuracy)}", r.snapshots[-1].proba) for r in runs]
    if logistic is not None:
        panels.append((f"Logistic regression: train {percent(logistic.train_accuracy)}, "
                       f"test {percent(logistic.test_accuracy)}", logistic.small_proba))
    return sweep_figure(runs[0].small_grid, panels, runs[0].data, kind=runs[0].kind, discretize=discretize)


def run_logistic_figure(run: MoonsRun, logistic: LogisticRun, height: int = 440,
                        discretize: bool = False) -> go.Figure:
    title = (f"Logistic regression: train {percent(logistic.train_accuracy)}, "
             f"test {percent(logistic.test_accuracy)}")
    return boundary_figure(run.grid, logistic.proba, run.data, title, height, run.kind, discretize)


def compare_figure(panels: Sequence[tuple[str, Grid, np.ndarray, PlanarData, Kind]], columns: int = 3,
                   height: int | None = None) -> go.Figure:
    """'Compare runs': small multiples, one (title, grid, output over the grid, points, kind) per run,
    each over its own square (runs may differ in their data)."""
    rows = max(1, math.ceil(len(panels) / columns))
    height = height or 280 * rows
    hgap, vgap, title_room = 0.03, 0.1, 40 / height  # two lines of title above each panel
    width, tall = (1 - hgap * (columns - 1)) / columns, (1 - vgap * (rows - 1)) / rows
    traces, layout, titles = [], {}, []
    for i, (title, grid, proba, data, kind) in enumerate(panels):
        r, c = divmod(i, columns)
        n = "" if i == 0 else str(i + 1)
        x0, y1 = round(c * (width + hgap), 6), round(1 - r * (tall + vgap), 6)
        xaxis, yaxis = _axes(grid, showticklabels=False, ticks="")
        layout[f"xaxis{n}"] = {**xaxis, "domain": [x0, min(1.0, round(x0 + width, 6))], "anchor": f"y{n}"}
        layout[f"yaxis{n}"] = {**yaxis, "domain": [max(0.0, round(y1 - tall, 6)), y1 - title_room],
                               "anchor": f"x{n}", "scaleanchor": f"x{n}", "constraintoward": "top"}
        where = dict(xaxis=f"x{n}", yaxis=f"y{n}")
        traces += (surface_traces(grid, proba, data, kind, colorbar=False, **where)
                   + point_traces(data, 4, False, kind, **where))
        titles.append(dict(text=title, x=x0 + width / 2, y=y1, xref="paper", yref="paper", showarrow=False,
                           xanchor="center", yanchor="top", font=dict(size=12)))
    return _figure(traces, "", height, annotations=titles, showlegend=False,
                   margin=dict(l=10, r=10, t=10, b=10), **layout)
