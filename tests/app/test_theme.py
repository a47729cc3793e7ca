"""lab/app/theme.py: one colour-blind safe palette from the config, theme-following ink, no colours hard-coded
in the figure modules."""
import itertools
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from lab.app import theme

REPO = Path(__file__).resolve().parents[2]
FIGURE_MODULES = ["draw/figures.py", "mnist/figures.py", "moons/diagram.py", "moons/figures.py", "theory/figures.py"]


def test_placeholders_are_streamlits():
    """The frontend swaps these exact colours for the active theme's; a Streamlit upgrade that renames
    them would leave black lines on the dark theme, so check them against the installed Streamlit."""
    from streamlit.elements.lib import streamlit_plotly_theme as st_theme

    assert (theme.INK, theme.SOFT_INK, theme.BACKGROUND) == (st_theme.GRAY_90, st_theme.GRAY_70, st_theme.BG_COLOR)


def test_class_colours_are_the_configs_palette():
    with open(REPO / ".streamlit" / "config.toml", "rb") as f:
        config = tomllib.load(f)
    assert theme.CLASS_COLORS == tuple(config["theme"]["chartCategoricalColors"])
    assert len(theme.CLASS_COLORS) >= 6  # the Moons page's largest number of classes
    assert (theme.NEGATIVE, theme.POSITIVE) == theme.CLASS_COLORS[:2]
    assert [theme.class_name(k) for k in range(3)] == ["class 0", "class 1", "class 2"]


# ---- colour-blind safety: simulate protanopia and deuteranopia (Viénot, Brettel and Mollon 1999) --------
PROTAN = np.array([[0.11238, 0.88762, 0], [0.11238, 0.88762, 0], [0.00401, -0.00401, 1]])
DEUTAN = np.array([[0.29275, 0.70725, 0], [0.29275, 0.70725, 0], [-0.02234, 0.02234, 1]])


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array(theme.rgb(hex_colour)) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear_rgb
    x, y, z = xyz / np.array([0.9505, 1.0, 1.089])
    f = lambda t: np.cbrt(t) if t > 0.008856 else 7.787 * t + 16 / 116  # noqa: E731
    return np.array([116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))])


def seen_apart(a: str, b: str, vision: np.ndarray) -> float:
    """CIE76 distance between two colours as a viewer with ``vision`` sees them."""
    return float(np.linalg.norm(_lab(vision @ _linear(a)) - _lab(vision @ _linear(b))))


def test_seen_apart_measures_what_it_should():
    # Red and green, the pair the Theory page used, merge for a deuteranope; blue and orange do not.
    assert seen_apart("#2ca02c", "#d62728", DEUTAN) < 10
    assert seen_apart("#1f77b4", "#ff7f0e", DEUTAN) > 60


@pytest.mark.parametrize("vision", [np.eye(3), PROTAN, DEUTAN], ids=["typical", "protanopia", "deuteranopia"])
def test_every_pair_of_class_colours_stays_apart(vision):
    for a, b in itertools.combinations(theme.CLASS_COLORS[:6], 2):
        assert seen_apart(a, b, vision) > 15, (a, b)


def test_no_colours_hard_coded_in_figure_modules():
    """Hex colours and black/white belong to lab/app/theme.py: black vanishes on the dark theme, white glares."""
    for name in FIGURE_MODULES:
        source = (REPO / "lab" / name).read_text()
        assert not re.findall(r"#[0-9a-fA-F]{6}\b", source), name
        assert not re.findall(r"""["'](white|black|RdBu(_r)?|Greys|Blues)["']""", source), name


def test_scales_fade_to_the_background():
    scale = theme.diverging(0.7)
    assert scale[0] == [0.0, "rgba(0, 114, 178, 0.7)"] and scale[-1] == [1.0, "rgba(213, 94, 0, 0.7)"]
    # transparent in the middle, each side fading its own colour (not through grey)
    assert scale[1:3] == [[0.5, "rgba(0, 114, 178, 0)"], [0.5, "rgba(213, 94, 0, 0)"]]
    assert theme.sequential()[0] == [0.0, "rgba(0, 114, 178, 0)"]
    import plotly.graph_objects as go

    go.Heatmap(colorscale=scale)  # Plotly accepts the repeated 0.5


def test_touch_friendly_turns_drag_zoom_off():
    import plotly.graph_objects as go

    fig = theme.touch_friendly(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
    assert fig.layout.dragmode is False
    assert theme.PLOT_CONFIG["scrollZoom"] is False
