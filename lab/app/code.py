"""Show the source of the nn/ code behind a demo, taken from the code itself."""
from __future__ import annotations

import functools
import inspect
from typing import Any

import streamlit as st


@functools.cache  # the source files do not change while the server runs; reading them did, every rerun
def _titled_source(obj: Any) -> tuple[str, str]:
    module = inspect.getmodule(obj)
    name = f"{module.__name__}.{getattr(obj, '__qualname__', '')}".rstrip(".") if module else repr(obj)
    return name, inspect.getsource(obj)


def show_code(*objects: Any, label: str = "Show the code") -> None:
    """An expander with the source of ``objects`` (e.g. ``MLP.backward``), as it is in nn/.

    The source is sent only while the expander is open (opening it reruns the page), so a page
    that shows its code does not send it, or load the browser's code highlighter, until asked.
    """
    key = "code:" + ",".join(_titled_source(obj)[0] for obj in objects)  # their names: unique on a page
    box = st.expander(label, key=key, on_change="rerun")
    if box.open:
        with box:
            for obj in objects:
                name, source = _titled_source(obj)
                st.caption(f"`{name}`")
                st.code(source, language="python")
