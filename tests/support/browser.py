"""Helpers for tests that drive a live Neural Lab server in Chromium (fixtures: tests/browser/conftest.py).

Usage in a test module under tests/browser/:

    from tests.support.browser import expect, screenshot, wait_for_app_idle

    def test_something(page, app_server):        # app_server is the base URL, no trailing "/"
        page.goto(app_server + "/moons")
        wait_for_app_idle(page)
        screenshot(page, "moons")                 # -> test-artifacts/moons.png

Fixtures: `app_server` (session, str), `browser` (session, playwright Browser),
`page` (function, a fresh context + page, viewport 1400x900).
Every test collected under tests/browser/ gets the `browser` marker (deselect: -m "not browser").

Chromium: /usr/bin/chromium, or $CHROMIUM_PATH. Never `playwright install`.
If chromium (or the playwright package) is missing the tests are skipped, unless
CI=true or NEURAL_LAB_REQUIRE_BROWSER=1, where it is a failure.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

try:  # re-exported for test modules, so they import cleanly even without playwright
    from playwright.sync_api import expect
except ImportError:  # the fixtures below then skip (or fail on CI)
    expect = None

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
SERVER_LOG = ARTIFACTS / "streamlit-server.log"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
# A phone (a Pixel 8's CSS size, touch, a mobile Chrome's User-Agent, which the app reads to know a phone).
PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2,
             user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/131.0.0.0 Mobile Safari/537.36")
HEALTH_TIMEOUT_S = 60
IDLE_TIMEOUT_MS = 30_000  # first Plotly render on 2 cores can take seconds


# --------------------------------------------------------------------------- helpers


def _browser_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("NEURAL_LAB_REQUIRE_BROWSER") == "1"


def unavailable(reason: str):
    if _browser_required():
        pytest.fail(f"{reason} (browser tests are required because CI=true or NEURAL_LAB_REQUIRE_BROWSER=1)")
    pytest.skip(f"{reason}; browser tests skipped locally (CI requires them)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(n: int = 40) -> str:
    try:
        return "\n".join(SERVER_LOG.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no server log)"


def wait_for_app_idle(page, timeout: float = IDLE_TIMEOUT_MS) -> None:
    """Wait until the app has rendered and no script run is in progress.

    Waits for `[data-testid="stApp"]` to report a finished run (data-test-script-state
    "notRunning": it is "initial" before the first run and "running" during one), then for
    the running-status widget (`[data-testid="stStatusWidget"]`) to be gone.
    """
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached", timeout=timeout
    )
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="hidden", timeout=timeout)


def screenshot(page, name: str, **kwargs) -> Path:
    """Save a PNG of the page to test-artifacts/<name>.png (repo root); return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    return path


@contextlib.contextmanager
def running_app(log_path: Path = SERVER_LOG, script: str = "app.py"):
    """Run a fresh `streamlit run <script>` (default app.py) from the repo root on a free port; yield its base URL."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        log.write(f"$ {' '.join(cmd)}\n")
        log.flush()
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited early with code {proc.returncode}; log tail:\n{_log_tail()}")
            try:
                with urllib.request.urlopen(base_url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {HEALTH_TIMEOUT_S} s; log tail:\n{_log_tail()}")
            time.sleep(0.25)
        yield base_url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
