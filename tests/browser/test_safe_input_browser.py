"""Hostile links and files in Chromium: whatever they carry is shown as text. No link, image,
heading or HTML element of theirs reaches the page, and the browser never contacts their hosts."""
from __future__ import annotations

import io
import json
from urllib.parse import quote, urlparse

import numpy as np
import pytest

from lab.mnist.results import model_bytes
from nn import MLP
from tests.support.browser import screenshot, wait_for_app_idle

HOSTS = ("evil.example", "tracker.example")
PAYLOADS = [
    "x` [log in here](https://evil.example/login) `",
    "![](https://tracker.example/pixel.png)",
    "\n\n# You have been logged out",
    "<img src=https://tracker.example/i.png>",
    "<a href=https://evil.example>click</a>",
    "[x](javascript:alert(1))",
]
# Elements none of the pages' own messages contain: a link, an image or a heading inside a message.
INJECTED = ('[data-testid="stAlert"] a, [data-testid="stAlert"] img, [data-testid="stAlert"] h1, '
            '[data-testid="stAlert"] h2, [data-testid="stAlert"] h3, [data-testid="stMarkdown"] img, '
            '[data-testid="stCaptionContainer"] a, [data-testid="stCaptionContainer"] img, a[href^="javascript"], '
            'a[href*="evil.example"], img[src*="tracker.example"]')


@pytest.fixture
def contacted(page):
    """Hosts of the hostile payloads that the browser asked for anything (none, if all is well)."""
    hosts: list[str] = []
    page.on("request", lambda request: hosts.extend(h for h in HOSTS if urlparse(request.url).hostname == h))
    return hosts


def test_hostile_links_are_shown_as_text(page, app_server, contacted):
    for number, payload in enumerate(PAYLOADS):
        query = f"lr={quote(payload)}&{quote('neurons' + payload)}=3&hidden_layers=1"
        page.goto(f"{app_server}/moons?{query}")
        page.get_by_text("Not settings of this page, ignored").wait_for()
        wait_for_app_idle(page)
        alerts = page.locator('[data-testid="stAlert"]')
        assert alerts.count() >= 2, payload  # the bad value and the unknown parameter are both reported
        assert page.locator(INJECTED).count() == 0, (payload, page.locator(INJECTED).first.evaluate("e => e.outerHTML"))
        text = " ".join(alerts.all_inner_texts()).replace("\u2060", "")  # the invisible word joiners
        assert " ".join(("lr=" + payload).split())[:60] in " ".join(text.split()), (payload, text)
        if number == 0:
            screenshot(page, "safe-input-link")
    assert contacted == []


def test_hostile_files_are_shown_as_text(page, app_server, contacted, tmp_path):
    csv_file = tmp_path / "[prize](https:⁄⁄evil.example).csv"
    csv_file.write_text("x,y,label\n0,0,0\n1,![](https://tracker.example/p.png),1\n")
    page.goto(f"{app_server}/moons")
    wait_for_app_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(csv_file))
    wait_for_app_idle(page)
    page.get_by_text("was not loaded").wait_for()
    assert page.locator(INJECTED).count() == 0

    good = model_bytes(MLP([784, 8, 10]))
    with np.load(io.BytesIO(good)) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = {**json.loads(str(arrays["header"])),
              "activation": "relu\n\n# Hacked [log in](https://evil.example) ![](https://tracker.example/x.png)"}
    model_file = tmp_path / "model.npz"
    with open(model_file, "wb") as f:
        np.savez(f, **{**arrays, "header": np.array(json.dumps(header))})
    page.goto(f"{app_server}/mnist")
    wait_for_app_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').last.set_input_files(str(model_file))
    wait_for_app_idle(page)
    page.get_by_text("was refused").wait_for()
    assert page.locator(INJECTED).count() == 0
    assert "# Hacked [log in](https://evil.example)" in \
        " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts()).replace("\u2060", "")
    screenshot(page, "safe-input-model-file")
    assert contacted == []
