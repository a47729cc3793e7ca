"""A page opened as a link would open it, under AppTest: for tests of what links do to a page."""
from __future__ import annotations


def opened(app_test, path: str, query: dict[str, str]):
    """``path`` (from the repo root) run once with ``query`` as its link's parameters; it must not raise."""
    at = app_test(path, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at
