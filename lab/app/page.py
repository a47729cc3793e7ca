"""What every page does first: run inside app.py's navigation, and keep the server's garbage collection cheap."""
from __future__ import annotations

import gc
import sys

import streamlit as st

_modules_frozen = 0  # len(sys.modules) when gc.freeze() last ran in this process


def start_page() -> None:
    """Call at the top of every page, after its imports."""
    use_app_navigation()
    freeze_imported_modules()


def use_app_navigation() -> None:
    """Make sure the page runs inside app.py's navigation, even when its URL was opened first.

    Why: the page scripts live in pages/ (the layout asks for it), and Streamlit still has its legacy
    multipage mode for apps with a pages/ folder. Its private class flag
    ``PagesManager.uses_pages_directory`` starts as "is there a pages/ folder?" and only
    ``st.navigation`` sets it False, so until some session has run app.py a fresh server answers
    /moons by running pages/moons.py on its own: file names in the sidebar, no page config.
    Setting the flag False and rerunning runs app.py, which then picks this page by its URL.
    tests/app/test_legacy_pages.py pins the flag's meaning on the locked Streamlit version and
    tests/browser/test_direct_links.py the result; drop this function when Streamlit drops the flag.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def freeze_imported_modules() -> None:
    """Take everything alive now out of the garbage collector's full collections, once new modules loaded.

    Streamlit runs a full collection (``gc.collect(2)``) after every script run, and it walks every
    object in the process: with plotly, pandas and scikit-learn loaded that was about 45% of a cached
    Moons rerun's CPU (benchmarks/README.md, "Moons playground"). The libraries' modules, classes and
    functions live as long as the server, so ``gc.freeze()`` moves them to a generation it skips.
    Frozen objects are still freed by reference counting; only cycles among them are never collected.
    """
    global _modules_frozen
    if len(sys.modules) > _modules_frozen:
        _modules_frozen = len(sys.modules)
        gc.freeze()
