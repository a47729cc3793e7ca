"""Real-browser fixtures: a live `streamlit run app.py` and Playwright driving Debian's chromium.

Fixtures: `app_server` (session, str), `browser` (session, playwright Browser),
`page` (function, a fresh context + page, viewport 1400x900); the helpers are in tests/support/browser.py.
Every test collected under tests/browser/ gets the `browser` marker (deselect: -m "not browser").
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM_ARGS, IDLE_TIMEOUT_MS, VIEWPORT, expect, running_app, unavailable


# --------------------------------------------------------------------------- hooks


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the chromium executable; skips (or fails on CI) if it or playwright is missing."""
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        found = shutil.which(path)
        if not found:
            unavailable(f"chromium not found at {path!r} (install it: apt-get install chromium)")
        path = found
    if expect is None:
        unavailable("the playwright Python package is not installed (pip install -r requirements-dev.txt)")
    return path


@pytest.fixture(scope="session")
def app_server(chromium_path) -> str:
    """The base URL of a `streamlit run app.py` shared by the whole test session."""
    with running_app() as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A Playwright chromium Browser launched from Debian's chromium."""
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=IDLE_TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, app_server):
    """A fresh browser context and page (viewport 1400x900); depends on app_server."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()
