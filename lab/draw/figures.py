"""Plotly figures for the Draw page: arrays in, ``go.Figure`` out (no Streamlit here)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from lab.app import theme

TOP_COLOUR = theme.POSITIVE
OTHER_COLOUR = theme.NEUTRAL
# Saliency: blue where more ink would lower the top class's score, orange where it would raise it,
# transparent near zero so the digit shows through.
SALIENCY_SCALE = theme.diverging(0.95)
INK_ON_PAPER = [[0.0, theme.TRANSPARENT], [1.0, theme.NEUTRAL]]  # the digit in grey on the page, under the colours
MARGIN = dict(l=10, r=10, t=40, b=10)
# Each figure is built in one go.Figure(...) call: every update_* call afterwards re-validates
# and costs milliseconds, and the page redraws these after every stroke.


def _image_layout(title: str, height: int) -> dict:
    """Square pixels, row 0 at the top, no axes."""
    return dict(title=dict(text=title), height=height, margin={**MARGIN, "t": 40 if title else 10},
                xaxis=dict(visible=False, constrain="domain"),
                yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", constrain="domain"))


def _image_grid(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    if image.size != 784:
        raise ValueError(f"expected 784 pixels (28x28), got shape {image.shape}")
    return image.reshape(28, 28)


def probability_chart(probabilities: np.ndarray, class_names: Sequence[str]) -> go.Figure:
    """Bars of the k class probabilities (k,), the most probable one highlighted."""
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 1 or len(probabilities) != len(class_names):
        raise ValueError(f"expected {len(class_names)} probabilities, got shape {probabilities.shape}")
    top = int(probabilities.argmax())
    colours = [TOP_COLOUR if i == top else OTHER_COLOUR for i in range(len(probabilities))]
    return go.Figure(
        go.Bar(x=list(class_names), y=probabilities, marker_color=colours,
               text=[f"{p:.0%}" for p in probabilities], textposition="outside",
               hovertemplate="%{x}: %{y:.1%}<extra></extra>"),
        layout=dict(title=dict(text="Probability of each class (softmax output)"), height=300,
                    margin=MARGIN, showlegend=False, xaxis=dict(type="category"),
                    yaxis=dict(range=[0, 1.15], tickformat=".0%")),
    )


def digit_image(pixels: np.ndarray, title: str = "What the network sees (28x28)",
                height: int = 300) -> go.Figure:
    """The 784 input pixels (values in [0, 1]) as a 28x28 greyscale image, ink white on black."""
    return go.Figure(
        go.Heatmap(z=_image_grid(pixels), zmin=0, zmax=1, colorscale="gray", showscale=False,
                   hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>"),
        layout=_image_layout(title, height),
    )


def saliency_map(pixels: np.ndarray, saliency: np.ndarray, class_name: str,
                 height: int = 340) -> go.Figure:
    """The gradient of the top class's score over the 28x28 input, drawn over the digit.

    ``saliency`` (784,) or (28, 28): d z_top / d x; the colour scale is symmetric about zero.
    """
    gradient = _image_grid(saliency)
    limit = float(np.abs(gradient).max()) or 1.0
    return go.Figure(
        [go.Heatmap(z=_image_grid(pixels), zmin=0, zmax=1, colorscale=INK_ON_PAPER, showscale=False,
                    hoverinfo="skip"),
         go.Heatmap(z=gradient, zmin=-limit, zmax=limit, colorscale=SALIENCY_SCALE,
                    colorbar=dict(title=dict(text="d score / d pixel", side="right"), thickness=12),
                    hovertemplate="row %{y}, column %{x}: %{z:.3g}<extra></extra>")],
        layout=_image_layout(f"Saliency: which pixels move the score of {class_name!r}", height),
    )


def hidden_activations(activations: Sequence[np.ndarray]) -> go.Figure:
    """One bar chart per hidden layer, stacked: the activation a_l of each unit (width_l,).

    Each panel keeps its height in pixels, however many layers there are; the figure grows instead.
    """
    if not activations:
        raise ValueError("the network has no hidden layer")
    rows, panel, gap = len(activations), 170, 75  # pixels; the gap holds an axis title and a panel title
    area = rows * panel + (rows - 1) * gap
    traces, layout = [], dict(height=area + 50, showlegend=False, margin={**MARGIN, "t": 40}, bargap=0.1,
                              annotations=[])
    for l, a in enumerate(activations):
        a = np.ravel(np.asarray(a, dtype=float))
        n = "" if l == 0 else str(l + 1)  # Plotly's axis names: x, x2, x3...
        top = 1 - l * (panel + gap) / area
        traces.append(go.Bar(x=np.arange(len(a)), y=a, marker_color=OTHER_COLOUR, xaxis=f"x{n}",
                             yaxis=f"y{n}", hovertemplate="unit %{x}: %{y:.3f}<extra></extra>"))
        layout[f"xaxis{n}"] = dict(anchor=f"y{n}", title=dict(text="unit"))
        layout[f"yaxis{n}"] = dict(anchor=f"x{n}", domain=[max(0.0, top - panel / area), top], title=dict(text="a"))
        layout["annotations"].append(dict(text=f"Hidden layer {l + 1}: {len(a)} units", x=0.5, y=top,
                                          xref="paper", yref="paper", xanchor="center",
                                          yanchor="bottom", showarrow=False, font=dict(size=14)))
    return go.Figure(traces, layout=layout)
