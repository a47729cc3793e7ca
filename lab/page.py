"""What every page does first."""
from __future__ import annotations

import streamlit as st


def use_app_navigation() -> None:
    """Make sure the page runs inside app.py's navigation, even when its URL was opened first.

    Streamlit still supports its legacy multipage layout: until some session has run app.py's
    st.navigation, a server whose app has a pages/ folder answers /moons by running
    pages/moons.py on its own, with file names in the sidebar and no page config. Switching
    that legacy mode off and rerunning runs app.py, which then picks this page by its URL.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
