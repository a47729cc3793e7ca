"""Cold start: from `streamlit run app.py` to the first page drawn in a real browser.

Each repeat starts a fresh server (tests/browser/conftest.running_app) with Chromium already open,
then times, from the moment the server process is spawned:
  - server: /_stcore/health answers
  - landing page: the "Neural Lab" heading is on screen (a fresh browser context, as a student)
  - Moons chart: a student's first visit to /moons on a cold server, until the decision-boundary
    chart is drawn (Plotly's SVG on screen), in its own fresh server run
and, on the same server after that, a second student's first visit to /moons (warm: the network's
training is cached, the page's Python modules are loaded).

    python benchmarks/cold_start.py --repeats 3     # about a minute; prints a table
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.browser import ARTIFACTS, CHROMIUM_ARGS, VIEWPORT, running_app  # noqa: E402

TIMEOUT_MS = 60_000
BOUNDARY_CHART = '[class*="st-key-moons_boundary"] .main-svg, [data-testid="stPlotlyChart"] .main-svg'


def drawn(browser, url: str, selector: str) -> float:
    """Seconds from now until ``selector`` is visible at ``url`` in a fresh browser context."""
    start = time.perf_counter()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url, timeout=TIMEOUT_MS)
        page.locator(selector).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        return time.perf_counter() - start
    finally:
        context.close()


def cold(browser, path: str, selector: str) -> tuple[float, float, float]:
    """A fresh server: (seconds to health, seconds to ``selector`` drawn at ``path``, then the same
    for a second visitor), all but the last counted from the spawn of the server process."""
    spawned = time.perf_counter()
    with running_app(ARTIFACTS / "cold-start-server.log") as url:
        healthy = time.perf_counter() - spawned
        first = healthy + drawn(browser, url + path, selector)
        second = drawn(browser, url + path, selector)
    return healthy, first, second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        drawn(browser, "about:blank", "body")  # the browser's own first-context cost is not the app's
        for _ in range(args.repeats):
            healthy, home, home_again = cold(browser, "/", 'h1:has-text("Neural Lab")')
            _, moons, moons_again = cold(browser, "/moons", BOUNDARY_CHART)
            for name, value in (("server answers /_stcore/health", healthy),
                                ("landing page drawn (cold server)", home),
                                ("Moons chart drawn, first visitor (cold server)", moons),
                                ("landing page drawn, next visitor", home_again),
                                ("Moons chart drawn, next visitor", moons_again)):
                rows.setdefault(name, []).append(value)
        browser.close()
    print(f"\nCold start, seconds from spawning `streamlit run app.py` ({args.repeats} fresh servers each):\n")
    print("| measure | median s | min s | max s |")
    print("|---|---|---|---|")
    for name, values in rows.items():
        print(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")


if __name__ == "__main__":
    main()
