"""Widgets every page uses beside its charts: 'What am I looking at?' and 'Copy as Python'."""
from __future__ import annotations

import streamlit as st

LABEL = "What am I looking at?"


def explain_popover(text: str, key: str) -> None:
    """A small 'What am I looking at?' button that opens ``text`` (Markdown)."""
    with st.popover(LABEL, icon=":material/help:", key=key, type="tertiary"):
        st.markdown(text)


def copy_as_python(script: str | None, key: str, unavailable: str = "") -> None:
    """'Copy as Python': the script in st.code (which has a copy button), sent only when opened."""
    box = st.expander("Copy as Python: this run as a script", key=key, on_change="rerun", icon=":material/code:")
    if not box.open:
        return
    with box:
        if script is None:
            st.markdown(unavailable)
            return
        st.markdown("A script that trains this network again with `nn` alone. Run it from the repository's "
                    "root folder with `PYTHONPATH=. python run.py`: it prints the number the page shows.")
        st.code(script, language="python")
