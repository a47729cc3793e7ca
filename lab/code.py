"""Show the source of the nn/ code behind a demo, taken from the code itself."""
from __future__ import annotations

import inspect
from typing import Any

import streamlit as st


def show_code(*objects: Any, label: str = "Show the code") -> None:
    """An expander with the source of ``objects`` (e.g. ``MLP.backward``), as it is in nn/."""
    with st.expander(label):
        for obj in objects:
            module = inspect.getmodule(obj)
            st.caption(f"`{module.__name__}.{getattr(obj, '__qualname__', '')}`" if module else "")
            st.code(inspect.getsource(obj), language="python")
