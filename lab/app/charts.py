"""Show a Plotly figure the same way on every page: a text alternative, no drag-zoom on touch, the theme."""
from __future__ import annotations

import textwrap
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from lab.app.theme import PLOT_CONFIG, touch_friendly


def show_chart(fig: go.Figure, alt: str, *, where: Any = None, config: dict | None = None, **kwargs: Any):
    """``st.plotly_chart`` (or ``where.plotly_chart``, a column) with the app's defaults.

    ``alt`` is read by screen readers: say what the chart shows, with its key numbers.
    Drag-to-zoom is off so a finger on a chart scrolls the page; the mode bar keeps zoom buttons.
    A chart with ``on_select`` holds the finger all the same (see ``lab.moons.chart_widgets.plane_clicks``).
    Returns what ``plotly_chart`` returns (the selection state with ``on_select``).
    """
    touch_friendly(fig)
    if is_phone():
        wrap_title(fig)
    return (where or st).plotly_chart(fig, alt=alt, config={**PLOT_CONFIG, **(config or {})}, **kwargs)


EARLY_KEY = "plotly_early"


def load_plotly_early():
    """On a session's first run, send a hidden empty chart at once, so the browser starts loading Plotly.

    Streamlit fetches and runs Plotly's 4.7 MB of JavaScript when a page's first chart arrives. Sent
    before the page's slow work (training), it loads while the server computes instead of after.
    Returns a placeholder: call its ``empty()`` before the page's first real chart, which removes
    the hidden one (the browser goes on loading Plotly), so the page keeps only its own charts.
    """
    slot = st.empty()
    if not st.session_state.get(EARLY_KEY):
        st.session_state[EARLY_KEY] = True
        with slot.container(key=EARLY_KEY):
            show_chart(go.Figure(layout=dict(height=10, template={})), "An empty chart, hidden: it only makes "
                       "the browser load the charting library early.", key=f"{EARLY_KEY}_chart")
    return slot


PHONE_TITLE_CHARS = 34  # a title line that fits a 390 px screen at Plotly's title size


def wrap_title(fig: go.Figure, width: int = PHONE_TITLE_CHARS) -> go.Figure:
    """Break a long plain title (and each animation frame's) into lines of at most ``width`` characters
    (Plotly never wraps a title, so on a phone it runs off the chart); give the extra lines room."""
    titles = [fig.layout.title] + [frame.layout.title for frame in fig.frames if frame.layout is not None]
    most = 1
    for title in titles:
        text = title.text
        if not text or len(text) <= width or "<" in text:  # short, or already marked up: left as it is
            continue
        lines = textwrap.wrap(text, width)
        title.text = "<br>".join(lines)
        most = max(most, len(lines))
    extra = 20 * (most - 1)
    if extra:
        fig.layout.margin.t = (fig.layout.margin.t if fig.layout.margin.t is not None else 80) + extra
        if fig.layout.height is not None:
            fig.layout.height += extra
    return fig


# A box whose content keeps its natural width and scrolls sideways inside the box on a narrow screen.
_SCROLL_CSS = ("<style>.st-key-scrollbox_{key} {{overflow-x: auto; overflow-y: hidden;}}"
               ".st-key-scrollbox_{key} [data-testid='stElementContainer'] {{min-width: {width}px;}}</style>")


def scroll_box(key: str, width: int):
    """A container (use it with ``with``) whose content keeps ``width`` px and scrolls sideways in it
    when the screen is narrower."""
    st.html(_SCROLL_CSS.format(key=key, width=int(width)))
    return st.container(key=f"scrollbox_{key}")


# The early chart (load_plotly_early) is hidden.
# A primary button's label: white on the light theme's dark blue, dark on the dark theme's light blue
# (Streamlit sets color-scheme on the app, which light-dark() follows): 4.5:1 or more in both.
# On a touch screen (no hover), Plotly shows its mode bar all the time: lift it above the chart so it
# does not sit on the title, and make buttons at least 44 px tall (a fingertip).
PAGE_CSS = "<style>\n" + f".st-key-{EARLY_KEY} {{display: none;}}" + """
[data-testid="stBaseButton-primary"], [data-testid="stBaseButton-primary"] * {color: light-dark(#ffffff, #0f172a);}
@media (pointer: coarse) {
  [data-testid="stElementContainer"]:has(> [data-testid="stFullScreenFrame"] > [data-testid="stPlotlyChart"])
    {margin-top: 36px; overflow: visible;}
  [data-testid="stPlotlyChart"] .js-plotly-plot {overflow: visible !important;}
  [data-testid="stPlotlyChart"] .modebar-container {top: -36px !important;}
  button[data-testid^="stBaseButton"] {min-height: 44px;}
}
</style>"""


def page_style() -> None:
    """The app's CSS (primary buttons, touch screens); app.py calls it once per run, before the page."""
    st.html(PAGE_CSS)


def is_phone() -> bool:
    """True when the browser says it is a phone: its User-Agent has "Mobi" (Android and iPhone browsers)."""
    try:
        return "Mobi" in (st.context.headers.get("User-Agent") or "")
    except Exception:  # no browser behind this run (a script, a test)
        return False
