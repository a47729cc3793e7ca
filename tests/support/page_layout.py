"""Where things sit on a page under AppTest."""
from __future__ import annotations

from streamlit.testing.v1.element_tree import Block


def metrics_slot(at) -> int:
    """Where the page's metrics sit among its top-level elements: the first index of their delta path.

    A page whose elements move between two runs (one above them came or went) makes the browser show
    the old ones beside the new until the second run ends: the metrics twice.
    """
    return next(i for i, node in at.main.children.items() if isinstance(node, Block) and len(node.metric))
