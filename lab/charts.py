"""Show a Plotly figure the same way on every page: a text alternative, no drag-zoom on touch, the theme."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from .theme import PLOT_CONFIG, touch_friendly


def show_chart(fig: go.Figure, alt: str, *, where: Any = None, config: dict | None = None, **kwargs: Any):
    """``st.plotly_chart`` (or ``where.plotly_chart``, a column) with the app's defaults.

    ``alt`` is read by screen readers: say what the chart shows, with its key numbers.
    Drag-to-zoom is off so a finger on a chart scrolls the page; the mode bar keeps zoom buttons.
    Returns what ``plotly_chart`` returns (the selection state with ``on_select``).
    """
    touch_friendly(fig)
    return (where or st).plotly_chart(fig, alt=alt, config={**PLOT_CONFIG, **(config or {})}, **kwargs)


# A box whose content keeps its natural width and scrolls sideways inside the box on a narrow screen.
_SCROLL_CSS = ("<style>[class*='st-key-scrollbox_'] {overflow-x: auto; overflow-y: hidden;}"
               "[class*='st-key-scrollbox_'] [data-testid='stPlotlyChart'] {width: max-content; max-width: none;}"
               "</style>")


def scroll_box(key: str):
    """A container (use it with ``with``) that scrolls sideways when its content is wider than the screen."""
    st.html(_SCROLL_CSS)
    return st.container(key=f"scrollbox_{key}")
