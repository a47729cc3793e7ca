"""Offline: every page loads from the app's own server alone, the tab icon included.

The tab icon was once a Material Symbols name, which Streamlit turns into a request to a font
server: offline there was no icon. Now it is assets/icon.png, sent by the app. Every request the
browser makes while each page loads is recorded: none may leave the app's host.
"""
from urllib.parse import urlparse

import pytest

from tests.support.browser import expect, wait_for_app_idle


@pytest.mark.parametrize("url_path", ["", "moons", "mnist", "draw", "theory"])
def test_a_page_and_its_tab_icon_need_no_other_server(page, app_server, url_path):
    host = urlparse(app_server).netloc
    elsewhere = []
    page.on("request", lambda r: elsewhere.append(r.url)
            if urlparse(r.url).scheme in ("http", "https") and urlparse(r.url).netloc != host else None)
    page.goto(f"{app_server}/{url_path}")
    wait_for_app_idle(page, timeout=120_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    icon = page.locator('link[rel~="icon"]').first
    expect(icon).to_be_attached()
    href = icon.get_attribute("href")
    assert urlparse(page.evaluate("h => new URL(h, location.href).href", href)).netloc in ("", host), href
    # The icon is the shipped PNG, and the browser fetched it from the app.
    data = page.evaluate("""async h => { const r = await fetch(h); const b = new Uint8Array(await r.arrayBuffer());
                                        return [r.status, Array.from(b.slice(1, 4))]; }""", href)
    assert data[0] == 200 and bytes(data[1]) == b"PNG", data
    page.wait_for_timeout(500)  # late requests (fonts, icons) after the first render
    assert elsewhere == [], elsewhere
