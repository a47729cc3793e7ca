"""Colours, class names and chart settings shared by every page: one source for the figure modules.

Class colours are the theme's ``chartCategoricalColors`` in ``.streamlit/config.toml`` (Okabe-Ito,
readable by colour-blind viewers, on white and on the dark theme alike). Colours that must follow
the light or dark theme (text-like ink, the page background) are Streamlit's chart placeholders:
``st.plotly_chart(theme="streamlit")`` swaps them in the browser for the active theme's colours,
also after a switch in the settings menu. Scales fade to transparent in the middle, so the page
background (light or dark) shows where a value is neutral.

No Streamlit import here: figure modules use this and stay testable without a running app.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def _palette() -> tuple[str, ...]:
    with open(CONFIG, "rb") as f:
        return tuple(tomllib.load(f)["theme"]["chartCategoricalColors"])


CLASS_COLORS: tuple[str, ...] = _palette()  # class k is CLASS_COLORS[k] on every page
NEGATIVE, POSITIVE = CLASS_COLORS[0], CLASS_COLORS[1]  # low / high on every diverging scale: blue, vermilion

# Streamlit's placeholders (streamlit/elements/lib/streamlit_plotly_theme.py: GRAY_90, GRAY_70,
# BG_COLOR), replaced in the browser by the active theme's colours; tests/app/test_theme.py checks them.
INK = "#000037"         # lines and text that must contrast with the background: near black / near white
SOFT_INK = "#000036"    # secondary lines (a marker for "stopped here")
BACKGROUND = "#000038"  # the page background: halos around markers, the fill of hollow test points
NEUTRAL = "#8b95a7"     # bars that are not the point of the chart: 3:1 on white and on the dark theme

TRANSPARENT = "rgba(0, 0, 0, 0)"
PLOT_CONFIG = {"displaylogo": False, "scrollZoom": False}  # a finger or a wheel scrolls the page


def class_name(k: int) -> str:
    """The name of class k on every page: "class 0", "class 1", ..."""
    return f"class {k}"


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'#rrggbb' as (r, g, b), each 0-255."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def rgba(hex_colour: str, alpha: float) -> str:
    """'#rrggbb' and an opacity in [0, 1] as a CSS rgba() string."""
    r, g, b = rgb(hex_colour)
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def diverging(alpha: float = 0.85, low: str = NEGATIVE, high: str = POSITIVE) -> list[list]:
    """A Plotly colour scale: ``low`` at 0, transparent at 0.5 (the background shows), ``high`` at 1.

    Each half fades its own colour (Plotly interpolates r, g, b and alpha separately: fading to
    transparent black would muddy the middle to grey on the light theme).
    """
    return [[0.0, rgba(low, alpha)], [0.5, rgba(low, 0)], [0.5, rgba(high, 0)], [1.0, rgba(high, alpha)]]


def sequential(alpha: float = 0.85, colour: str = NEGATIVE) -> list[list]:
    """A Plotly colour scale from transparent (0) to ``colour`` (1)."""
    return [[0.0, rgba(colour, 0)], [1.0, rgba(colour, alpha)]]


def touch_friendly(fig):
    """No drag-to-zoom, so a finger drag on the chart scrolls the page; the mode bar's zoom buttons
    still zoom. (Streamlit gives a chart with ``on_select`` the drag mode "pan" whatever this says.)"""
    fig.layout.dragmode = False
    return fig
