"""Plotly figures of the MNIST page: plain functions from arrays to go.Figure, no Streamlit."""
from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from nn import History

from lab.app import theme

SIDE = 28  # pixels per image side
COLORS = {"train": theme.CLASS_COLORS[0], "validation": theme.CLASS_COLORS[1], "before": theme.NEUTRAL,
          "after": theme.CLASS_COLORS[1]}


def tile(images: np.ndarray, cols: int, gap: int = 2, caption_rows: int = 0) -> np.ndarray:
    """Images (n, 784) laid out in a grid, (rows * (28 + gap + caption_rows), cols * (28 + gap)).

    Gaps are NaN (drawn transparent); ``caption_rows`` leaves room above each image for a caption.
    """
    images = np.asarray(images, dtype=float).reshape(-1, SIDE, SIDE)
    n = len(images)
    rows = max(1, math.ceil(n / cols))
    pitch_y, pitch_x = SIDE + gap + caption_rows, SIDE + gap
    out = np.full((rows * pitch_y, cols * pitch_x), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        y0 = r * pitch_y + caption_rows
        out[y0:y0 + SIDE, c * pitch_x:c * pitch_x + SIDE] = image
    return out


def png_uri(rgb: np.ndarray) -> str:
    """An (h, w, 3) or (h, w, 4) uint8 array as a data: URI of a PNG (a few kB where a heatmap is 100s of kB)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGBA" if rgb.shape[-1] == 4 else "RGB").save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def ink_rgb(mosaic: np.ndarray) -> np.ndarray:
    """Pixel values 0-255 (NaN = gap) as RGBA: ink dark on white paper, gaps transparent (the page
    shows, light or dark, and so do captions written there in the theme's text colour)."""
    grey = 255 - np.nan_to_num(mosaic, nan=0.0).clip(0, 255)
    alpha = np.where(np.isnan(mosaic), 0, 255)
    return np.stack([grey, grey, grey, alpha], axis=-1).round().astype(np.uint8)


def diverging_rgb(mosaic: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] (NaN = gap) as RGB: blue for negative, white for 0, orange for positive."""
    v = np.nan_to_num(mosaic, nan=0.0).clip(-1, 1)
    red, blue = (theme.rgb(theme.POSITIVE), theme.rgb(theme.NEGATIVE))  # the theme's diverging pair
    rgb = np.empty(v.shape + (3,))
    for channel in range(3):
        toward = np.where(v > 0, red[channel], blue[channel])
        rgb[..., channel] = 255 + np.abs(v) * (toward - 255)  # white, fading into the colour
    return rgb.round().astype(np.uint8)


def image_figure(rgb: np.ndarray, pixel: float = 3.0, title: str | None = None) -> go.Figure:
    """One image (h, w, 3) in pixel coordinates (x right, y down), axes hidden."""
    height, width = rgb.shape[:2]
    fig = go.Figure(go.Image(source=png_uri(rgb), x0=0, dx=1, y0=0, dy=1, hoverinfo="skip"))
    fig.update_xaxes(visible=False, range=[-0.5, width - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[height - 0.5, -0.5], scaleanchor="x", constrain="domain")
    fig.update_layout(height=int(height * pixel) + (50 if title else 10),
                      margin=dict(l=5, r=5, t=40 if title else 5, b=5), title=title,
                      plot_bgcolor="rgba(0,0,0,0)")
    return fig


def digit_gallery(images: np.ndarray, captions: Sequence[str] | None = None, cols: int = 8,
                  title: str | None = None, pixel: float = 3.0) -> go.Figure:
    """Digits (n, 784) uint8 in a grid, ink dark on white, with an optional caption above each."""
    caption_rows = 10 if captions is not None else 0
    cols = max(1, min(cols, len(images)))
    mosaic = tile(images, cols, gap=3, caption_rows=caption_rows)
    fig = image_figure(ink_rgb(mosaic), pixel, title)
    for i, text in enumerate(captions or []):
        r, c = divmod(i, cols)
        fig.add_annotation(x=c * (SIDE + 3) + SIDE / 2, y=r * (SIDE + 3 + caption_rows) + caption_rows / 2,
                           text=text, showarrow=False, font=dict(size=11))
    return fig


def examples_by_class(images: np.ndarray, class_names: Sequence[str], pixel: float = 2.0) -> go.Figure:
    """A grid with one row per class, images (k, m, 784) uint8; the class name left of each row."""
    k, m = images.shape[:2]
    mosaic = tile(images.reshape(k * m, -1), cols=m, gap=2)
    fig = image_figure(ink_rgb(mosaic), pixel)
    fig.update_yaxes(visible=True, showgrid=False, zeroline=False, ticks="",
                     tickvals=[r * (SIDE + 2) + SIDE / 2 for r in range(k)], ticktext=list(class_names))
    fig.update_layout(margin=dict(l=90, r=5, t=5, b=5))
    return fig


def class_counts_figure(counts: np.ndarray, class_names: Sequence[str], title: str) -> go.Figure:
    """A bar per class, (k,) counts."""
    fig = go.Figure(go.Bar(x=list(class_names), y=counts, text=counts, textposition="outside",
                           marker_color=COLORS["train"]))
    fig.update_layout(title=title, height=300, margin=dict(l=10, r=10, t=40, b=10),
                      yaxis=dict(range=[0, max(1, counts.max()) * 1.15], title="examples"),
                      xaxis=dict(type="category"))
    return fig


def confusion_figure(confusion: np.ndarray, class_names: Sequence[str], normalize: bool = False,
                     selected: tuple[int, int] | None = None) -> go.Figure:
    """The confusion matrix (k, k): rows = true class, columns = predicted class.

    Counts, or each row divided by its total (the fraction of each true class predicted as each
    class: the recall on the diagonal). An invisible marker sits on every cell, carrying
    customdata [true, predicted], so a click on a cell can be read back as a selection.
    """
    k = len(confusion)
    counts = np.asarray(confusion)
    rows = counts.sum(axis=1, keepdims=True)
    z = counts / np.maximum(rows, 1) if normalize else counts
    text = [[f"{v:.0%}" if normalize and v >= 0.005 else ("" if normalize else str(v)) for v in row]
            for row in (z if normalize else counts)]
    # A log-like colour scale: the diagonal dwarfs the mistakes, which are what matter here.
    color = np.log1p(z * 100) if normalize else np.log1p(counts)
    fig = go.Figure(go.Heatmap(
        z=color, x=list(range(k)), y=list(range(k)), colorscale=theme.sequential(0.6), showscale=False,
        text=text, texttemplate="%{text}", textfont=dict(color=theme.INK), customdata=counts, hoverinfo="skip"))
    ti, pi = np.meshgrid(range(k), range(k), indexing="ij")
    fig.add_trace(go.Scatter(
        x=pi.ravel(), y=ti.ravel(), mode="markers",
        marker=dict(size=28, symbol="square", color="rgba(0,0,0,0)"),
        customdata=np.stack([ti.ravel(), pi.ravel(), counts.ravel()], axis=1),
        hovertemplate="true %{customdata[0]}, predicted %{customdata[1]}: %{customdata[2]} digits"
                      "<extra>click to see them</extra>",
        showlegend=False, name="cells"))
    if selected is not None:
        t, p = selected
        fig.add_shape(type="rect", x0=p - 0.5, x1=p + 0.5, y0=t - 0.5, y1=t + 0.5,
                      line=dict(color=theme.POSITIVE, width=3))
    ticks = dict(tickmode="array", tickvals=list(range(k)), ticktext=list(class_names), showgrid=False,
                 zeroline=False)
    fig.update_xaxes(title="predicted class", side="top", range=[-0.5, k - 0.5], **ticks)
    fig.update_yaxes(title="true class", range=[k - 0.5, -0.5], **ticks)  # true class 0 at the top
    fig.update_layout(height=480, margin=dict(l=10, r=10, t=60, b=10), clickmode="event+select",
                      dragmode=False)
    return fig


def learning_curves(history: History) -> go.Figure:
    """Loss and accuracy per epoch, training and validation, side by side.

    Laid out by hand (two x/y axis pairs): make_subplots is slower, and this figure is redrawn live
    during training.
    """
    epochs = history.epoch
    traces = []
    for name, loss, acc in [("train", history.train_loss, history.train_accuracy),
                            ("validation", history.val_loss, history.val_accuracy)]:
        if not loss:
            continue
        line = dict(color=COLORS[name])
        traces.append(go.Scatter(x=epochs, y=loss, name=name, mode="lines+markers", line=line,
                                 legendgroup=name, xaxis="x", yaxis="y"))
        traces.append(go.Scatter(x=epochs, y=acc, name=name, mode="lines+markers", line=line,
                                 legendgroup=name, showlegend=False, xaxis="x2", yaxis="y2"))
    dtick = 1 if len(epochs) <= 20 else None
    layout = go.Layout(
        xaxis=dict(domain=[0, 0.45], title="epoch", dtick=dtick),
        xaxis2=dict(domain=[0.55, 1], title="epoch", dtick=dtick, anchor="y2"),
        yaxis=dict(title="loss"),  # accuracy on the right: in the middle it runs into the loss panel on a phone
        yaxis2=dict(title="accuracy", tickformat=".1%", anchor="x2", side="right"),
        height=320, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12, x=0))
    return go.Figure(data=traces, layout=layout)


def first_layer_weights(W1: np.ndarray, max_units: int = 64, cols: int = 16,
                        pixel: float = 2.5) -> go.Figure:
    """Each hidden unit's 784 incoming weights (W1 (784, h)) drawn as a 28x28 image.

    Each tile is scaled by its own largest |w|: orange pixels push the unit on, blue ones off.
    """
    W = np.asarray(W1, dtype=float)[:, :max_units].T  # (units, 784)
    scaled = W / np.maximum(np.abs(W).max(axis=1, keepdims=True), 1e-12)
    mosaic = tile(scaled, cols=min(cols, len(W)), gap=2)
    return image_figure(diverging_rgb(mosaic), pixel)


def weight_structure(W1: np.ndarray) -> np.ndarray:
    """How much structure each unit's 28x28 weight image has (W1 (784, h) -> (h,)): the correlation
    between neighbouring weights (across and down). Random weights give about 0; smooth strokes
    and blobs approach 1."""
    W = np.asarray(W1, dtype=float).T.reshape(-1, 28, 28)
    c = W - W.mean(axis=(1, 2), keepdims=True)
    across = (c[:, :, 1:] * c[:, :, :-1]).sum(axis=(1, 2))
    down = (c[:, 1:, :] * c[:, :-1, :]).sum(axis=(1, 2))
    return (across + down) / np.maximum(2 * (c ** 2).sum(axis=(1, 2)), 1e-12)


def most_structured(W1: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` units whose weight images have the most structure, most first."""
    return np.argsort(-weight_structure(W1), kind="stable")[:count]


def structure_summary(W1: np.ndarray, before: np.ndarray | None = None) -> dict[str, float]:
    """Median structure of the weight images (W1 (784, h)); with the weights ``before`` training, also
    the median structure of the change and how far training moved the weights (mean |ΔW| / mean |W0|)."""
    summary = {"weights": float(np.median(weight_structure(W1)))}
    if before is not None:
        change = np.asarray(W1, float) - before
        summary["change"] = float(np.median(weight_structure(change)))
        summary["moved"] = float(np.abs(change).mean() / max(float(np.abs(before).mean()), 1e-12))
    return summary


def weight_histograms(after: Sequence[np.ndarray], before: Sequence[np.ndarray] | None = None,
                      bins: int = 60) -> go.Figure:
    """Per layer, the distribution of its weights before and after training (binned here)."""
    layers = len(after)
    fig = make_subplots(rows=1, cols=layers, subplot_titles=[f"W{l + 1}" for l in range(layers)])
    for l, W_after in enumerate(after):
        sets = [("after", np.ravel(W_after))]
        if before is not None:
            sets.insert(0, ("before", np.ravel(before[l])))
        edges = _bin_edges(np.concatenate([v for _, v in sets]), bins)
        centers = edges[:-1] / 2 + edges[1:] / 2
        for name, v in sets:
            counts, _ = np.histogram(v, bins=edges)
            fig.add_trace(go.Bar(x=centers, y=counts, name=f"{name} training", opacity=0.6,
                                 marker_color=COLORS[name], width=edges[1] - edges[0],
                                 legendgroup=name, showlegend=l == 0), row=1, col=l + 1)
    fig.update_layout(barmode="overlay", height=340, margin=dict(l=10, r=10, t=80, b=10),
                      legend=dict(orientation="h", y=1.3, x=0, yanchor="bottom"))
    fig.update_xaxes(title="weight")
    return fig


def _bin_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """``bins`` + 1 equal-width edges over finite ``values`` (n,), whatever their spread: equal values
    get a bin around them, and no width overflows even for weights near ±1.8e308."""
    low, high = float(values.min()), float(values.max())
    pad = max(abs(low), abs(high), 1.0) * 1e-3
    if high - low < pad:  # (nearly) all equal: NumPy's own edges would be finer than float64 can tell apart
        biggest = float(np.finfo(np.float64).max)
        low, high = max(low - pad, -biggest), min(high + pad, biggest)
    edges = 2 * (low / 2 + (high / 2 - low / 2) * np.linspace(0.0, 1.0, bins + 1))  # halves: no overflow
    edges[[0, -1]] = low, high  # exact ends, so the extreme values fall inside
    return edges


def curves_alt(history: History) -> str:
    """A text alternative for ``learning_curves``: the last epoch's numbers."""
    if not history.epoch:
        return "Loss and accuracy per epoch: no epoch finished yet."
    parts = [f"train loss {history.train_loss[-1]:.3f}, accuracy {history.train_accuracy[-1]:.1%}"]
    if history.val_loss:
        parts.append(f"validation loss {history.val_loss[-1]:.3f}, accuracy {history.val_accuracy[-1]:.1%}")
    return f"Loss and accuracy per epoch over {len(history.epoch)} epochs; at the last: {'; '.join(parts)}."
