"""What a student waits for in a real browser: Chromium against a fresh `streamlit run app.py`.

After one warm visit (the server has loaded its modules), times from the student's action:
  - slider step -> metrics: a keyboard step of the Noise slider (0.20 -> 0.25, each step on a data
    seed of its own, so no step is served from the cache) until the metrics show the new run;
  - slider step -> idle: the same, until the page has stopped changing (the run finished and no
    element of the page changed for 300 ms: every chart redrawn);
  - preset -> metrics, click on the plane -> metrics: the same for a preset button and a click that
    adds a point;
  - fresh Moons link / fresh Theory page -> first chart: a new browser context (nothing cached)
    opening the page, until the first Plotly chart is painted, by the page's own clock from the start
    of navigation (the frame after it appeared has been painted). Beside it, when Playwright saw the
    chart: its polling waits for the page's next free moment, often the end of the next long task.
Each row gives the median and the range over the repeats, with a breakdown from the browser:
websocket messages (count, kB, when the last one arrived), Chromium's own main-thread time (script,
layout and style, from the DevTools Performance domain) and how many charts the action drew anew
(a new chart element, drawn from nothing, rather than the old one updated).

References, measured in the same run, for the part of each row that is not the page's own:
  - Streamlit alone (benchmarks/streamlit_alone.py, a server of its own): the same slider steps and
    fresh loads on a bare page that shows a metric and, in its second row, the same four figures a
    Moons step sends, built once: no training, no figure built per step;
  - the Moons page's training alone: the same steps' training, timed on the server with no browser;
  - plotly.js alone: the same four figures a slider step sends (benchmarks/bench_moons.py's
    ``step_figures``), before and after the step, drawn by plotly.js (the copy in the plotly package,
    the same major version as Streamlit's) in a bare local page: the first load (evaluating the
    bundle, then drawing the four) and a redraw of the four with ``Plotly.react`` (median of the steps).

    python benchmarks/bench_browser.py --steps 8 --loads 3     # about four minutes; prints three tables
    python benchmarks/bench_browser.py --steps 8 --loads 3 --phone   # and a fourth: an emulated phone
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.browser import (ARTIFACTS, CHROMIUM_ARGS, PHONE, VIEWPORT, running_app,  # noqa: E402
                                   wait_for_app_idle)

TIMEOUT_MS = 60_000
QUIET_MS = 300  # no change to the page for this long: idle
CHART = '[data-testid="stPlotlyChart"] .main-svg'
METRIC = '[data-testid="stMetricValue"]'
KEPT_CHART = '.js-plotly-plot .main-svg'  # a chart streamlit_alone.py's component draws
# The metrics' values, in page order.
METRICS = f"""() => [...document.querySelectorAll('{METRIC}')].map(e => e.innerText)"""
# The metrics show a new run: as many values as before the action, at least, and the first of them new (a
# page whose elements move during a run shows the new metrics beside the old until it ends; old ones moved
# or removed are not new ones).
NEW_METRICS = f"""old => {{ const now = ({METRICS})();
    return now.length >= old.length && now.slice(0, old.length).join("|") !== old.join("|"); }}"""
WATCH = """() => {  // the time of the last change to the page; the charts on it now
    window.__last_change = performance.now();
    document.querySelectorAll('.js-plotly-plot').forEach(chart => { chart.__before = true; });
    new MutationObserver(() => { window.__last_change = performance.now(); })
        .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""

# Charts drawn from scratch by the action: a chart element that was not on the page before it. Streamlit
# gives a Plotly chart an element id that hashes its figure, so a changed figure is a new React element:
# the old chart is removed and the new one drawn with Plotly.newPlot, not updated with Plotly.react.
NEW_CHARTS = "() => [...document.querySelectorAll('.js-plotly-plot')].filter(chart => !chart.__before).length"

PHONE_CPU_SLOWDOWN = 4  # --phone: the browser tests' phone, its CPU slowed 4 times (Lighthouse's mid-range phone)
EXPAND_SIDEBAR = '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'


def open_page(browser, phone: bool = False):
    """A new browser context (nothing cached) and its page: a 1400 x 900 laptop screen, or with ``phone``
    PHONE's, its CPU slowed PHONE_CPU_SLOWDOWN times. Returns (context, page)."""
    context = browser.new_context(**(PHONE if phone else {"viewport": VIEWPORT}))
    page = context.new_page()
    if phone:
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": PHONE_CPU_SLOWDOWN})
    return context, page


class Probe:
    """One page's websocket traffic and main-thread time, read before and after an action."""

    def __init__(self, page) -> None:
        self.page, self.frames = page, []
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable")
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        self.frames.append((time.perf_counter(), len(payload)))

    def main_thread(self) -> dict[str, float]:
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        return {"script": metrics["ScriptDuration"],
                "layout": metrics["LayoutDuration"] + metrics["RecalcStyleDuration"]}


def timed_action(page, probe: Probe, act) -> dict[str, float]:
    """Seconds from ``act()`` to new metrics and to idle, with the traffic and main-thread time it caused."""
    before = page.evaluate(METRICS)
    page.evaluate(WATCH)
    frames_before, cpu_before = len(probe.frames), probe.main_thread()
    start, page_start = time.perf_counter(), page.evaluate("performance.now()")
    act()
    page.wait_for_function(NEW_METRICS, arg=before, polling="raf", timeout=TIMEOUT_MS)
    metrics = time.perf_counter() - start
    wait_for_app_idle(page, timeout=TIMEOUT_MS)
    page.wait_for_function(f"() => performance.now() - window.__last_change > {QUIET_MS}", polling=50,
                           timeout=TIMEOUT_MS)
    idle = (page.evaluate("window.__last_change") - page_start) / 1000
    new_charts = page.evaluate(NEW_CHARTS)
    frames = probe.frames[frames_before:]
    cpu = probe.main_thread()
    return {"metrics": metrics, "idle": idle, "messages": len(frames), "kB": sum(n for _, n in frames) / 1000,
            "last message": (frames[-1][0] - start) if frames else 0.0,
            "script": cpu["script"] - cpu_before["script"], "layout": cpu["layout"] - cpu_before["layout"],
            "new charts": new_charts}


# The page's own clock (from the browser's start of navigation) when the first frame showing an element
# ``selector`` finds (of non-zero size: not the hidden early chart) has been painted: a MutationObserver
# sees the element added; a task queued from the next frame's requestAnimationFrame runs after its paint.
FIRST_PAINT = """selector => {
    window.__first_paint = null;
    const observer = new MutationObserver(mutations => {
        const shown = mutations.some(m => [...m.addedNodes].some(node => node.nodeType === 1 &&
            [node, ...node.querySelectorAll(selector)].some(e => e.matches(selector) && e.getBoundingClientRect().width > 0)));
        if (!shown) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => { window.__first_paint = performance.now(); }, 0));
    });
    observer.observe(document, {subtree: true, childList: true});
}"""


def first_chart(browser, url: str, selector: str = CHART, phone: bool = False) -> dict[str, float]:
    """A fresh browser context opens ``url``: seconds to the first chart (or to the first element
    ``selector`` finds) painted, by the page's own clock; when Playwright, polling, saw it; and what
    arrived before it."""
    context, page = open_page(browser, phone)
    try:
        page.add_init_script(f"({FIRST_PAINT})({json.dumps(selector)})")
        probe = Probe(page)
        bundle = []
        page.on("requestfinished", lambda r: bundle.append(time.perf_counter()) if "plotly" in r.url.lower() else None)
        start = time.perf_counter()
        page.goto(url, timeout=TIMEOUT_MS)
        page.locator(selector).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        seen = time.perf_counter() - start
        painted = page.wait_for_function("() => window.__first_paint", timeout=TIMEOUT_MS).json_value() / 1000
        cpu = probe.main_thread()
        return {"first chart": painted, "seen": seen, "messages": len(probe.frames),
                "kB": sum(n for _, n in probe.frames) / 1000,
                "last message": max((t for t, _ in probe.frames), default=start) - start,
                "plotly bundle": (bundle[0] - start) if bundle else float("nan"),
                "script": cpu["script"], "layout": cpu["layout"]}
    finally:
        context.close()


def slider_steps(browser, page_url: str, steps: int, ready: str = CHART, phone: bool = False) -> list[dict[str, float]]:
    """Keyboard steps of the sidebar's Noise slider on ``page_url``, each on a data seed of its own, from
    a page showing ``ready`` (its first chart) and idle (on a phone, with the sidebar opened over it)."""
    results = []
    context, page = open_page(browser, phone)
    probe = Probe(page)
    for seed in range(1, steps + 1):
        page.goto(f"{page_url}{'&' if '?' in page_url else '?'}data_seed={seed}", timeout=TIMEOUT_MS)
        page.locator(ready).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        wait_for_app_idle(page, timeout=TIMEOUT_MS)
        slider = (page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').filter(has_text="Noise")
                  .get_by_role("slider"))
        if not slider.is_visible():  # a phone's sidebar starts closed (and stays open once opened)
            page.locator(EXPAND_SIDEBAR).first.click()
        slider.focus()
        results.append(timed_action(page, probe, lambda: page.keyboard.press("ArrowRight")))
    context.close()
    return results


def other_actions(browser, url: str, repeats: int) -> dict[str, list[dict[str, float]]]:
    results: dict[str, list] = {"preset -> metrics": [], "click on the plane -> metrics": []}
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    probe = Probe(page)
    for seed in range(100, 100 + repeats):
        page.goto(f"{url}/moons?data_seed={seed}", timeout=TIMEOUT_MS)
        page.locator(CHART).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        wait_for_app_idle(page, timeout=TIMEOUT_MS)
        preset = page.locator('[class*="st-key-moons_preset_learning_rate"] button').first
        results["preset -> metrics"].append(timed_action(page, probe, preset.click))
        plane = page.locator('[data-testid="stPlotlyChart"]').first.locator(".nsewdrag").first
        plane.scroll_into_view_if_needed()
        box = plane.bounding_box()
        where = (box["x"] + box["width"] * (0.3 + 0.05 * (seed - 100)), box["y"] + box["height"] * 0.4)
        results["click on the plane -> metrics"].append(timed_action(page, probe, lambda: page.mouse.click(*where)))
    context.close()
    return results


PLOTLY_ALONE_PAGE = """<!doctype html><html><body>
<div id="c0" style="width:760px;height:560px"></div><div id="c1" style="width:600px;height:520px"></div>
<div id="c2" style="width:760px;height:380px"></div><div id="c3" style="width:1000px;height:560px"></div>
<script>window.t0 = performance.now();</script>
<script src="plotly.min.js"></script><script src="figures.js"></script>
<script>
window.tEval = performance.now();
const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
async function draw(set) {  // ms to draw the four figures of ``set`` and paint them
  const t = performance.now();
  for (let i = 0; i < 4; i++) await Plotly.react("c" + i, FIGURES[set][i].data, FIGURES[set][i].layout);
  await frame();
  return performance.now() - t;
}
window.first = draw(0).then(ms => ({load: (window.tEval - window.t0) / 1000, draw: ms / 1000}));
</script></body></html>"""


def plotly_alone(browser, steps: int) -> dict[str, float]:
    """Seconds for plotly.js alone to load and draw a slider step's four figures, and to redraw them."""
    import shutil
    import tempfile

    import plotly.io as pio

    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_moons import step_figure_sets

    figures = [[json.loads(pio.to_json(f, validate=False)) for f in figs] for figs in step_figure_sets()]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copy(plotly_js(), root / "plotly.min.js")
        (root / "figures.js").write_text(f"window.FIGURES = {json.dumps(figures)};")
        (root / "page.html").write_text(PLOTLY_ALONE_PAGE)
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto((root / "page.html").as_uri())
            first = page.evaluate("window.first")
            redraws = [page.evaluate(f"draw({(i + 1) % 2})") / 1000 for i in range(steps)]
        finally:
            context.close()
    return {"load": first["load"], "first draw": first["draw"], "redraw": statistics.median(redraws),
            "range": f"{min(redraws):.2f}-{max(redraws):.2f}"}


def plotly_js() -> Path:
    """The plotly package's own plotly.js (the same major version as Streamlit's)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@contextmanager
def plotly_served_beside(script: Path):
    """While in the block, servers started for ``script`` serve the plotly package's plotly.js at
    app/static/plotly.min.js (static serving on, the file in ``static/`` beside the script)."""
    import os
    import shutil

    static = script.parent / "static"
    static.mkdir(exist_ok=True)
    shutil.copy(plotly_js(), static / "plotly.min.js")
    os.environ["STREAMLIT_SERVER_ENABLE_STATIC_SERVING"] = "true"
    try:
        yield
    finally:
        del os.environ["STREAMLIT_SERVER_ENABLE_STATIC_SERVING"]
        shutil.rmtree(static)


def training_alone(steps: int) -> list[dict[str, float]]:
    """Seconds the server spends training each of ``slider_steps``'s steps (Noise 0.25, data seeds 1..steps),
    nothing cached: the part of a step no browser work can remove."""
    from dataclasses import replace

    from lab.moons.run import run_moons
    from lab.moons.settings import DEFAULTS

    times = []
    for seed in range(1, steps + 1):
        settings = replace(DEFAULTS, noise=0.25, data_seed=seed).for_training()
        start = time.perf_counter()
        run_moons(settings)
        times.append({"metrics": time.perf_counter() - start})
    return times


def summary(rows: list[dict[str, float]], key: str) -> str:
    values = [r[key] for r in rows]
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=8, help="slider steps timed (each on a data seed of its own)")
    parser.add_argument("--loads", type=int, default=3, help="fresh-browser page loads timed per page")
    parser.add_argument("--phone", action="store_true",
                        help="also time the Moons page and Streamlit alone on an emulated phone (adds minutes)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with running_app(ARTIFACTS / "bench-browser-server.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        first_chart(browser, url + "/moons")  # the warm run: the server loads its modules and trains once
        first_chart(browser, url + "/theory")
        rows = {"slider step": slider_steps(browser, url + "/moons", args.steps)}
        rows.update(other_actions(browser, url, max(3, args.loads)))
        loads = {"fresh Moons link -> first chart": [first_chart(browser, url + f"/moons?data_seed={200 + i}")
                                                     for i in range(args.loads)],
                 "fresh Theory page -> first chart": [first_chart(browser, url + "/theory") for _ in range(args.loads)]}
        phone = {}
        if args.phone:
            phone["Moons: slider step"] = slider_steps(browser, url + "/moons", args.steps, phone=True)
            phone["Moons: fresh link"] = [first_chart(browser, url + f"/moons?data_seed={300 + i}", phone=True)
                                          for i in range(args.loads)]
        alone = plotly_alone(browser, args.steps)
        with plotly_served_beside(REPO / "benchmarks" / "streamlit_alone.py"), \
                running_app(ARTIFACTS / "bench-browser-alone.log", script="benchmarks/streamlit_alone.py") as bare:
            first_chart(browser, bare)  # the warm run: the server builds the figures once
            floors = {name: {"steps": slider_steps(browser, bare + query, args.steps, first),
                             "loads": [first_chart(browser, bare + query, first) for _ in range(args.loads)]}
                      for name, query, first in (("a metric", "/?charts=0", METRIC),
                                                 ("a metric and the four figures", "/", CHART),
                                                 ("the four figures kept, redrawn with Plotly.react", "/?charts=kept",
                                                  KEPT_CHART))}
            if args.phone:
                phone["Streamlit alone, the four figures: slider step"] = slider_steps(browser, bare + "/", args.steps,
                                                                                      phone=True)
                phone["Streamlit alone, the four figures: fresh link"] = [first_chart(browser, bare + "/", phone=True)
                                                                          for _ in range(args.loads)]
        browser.close()
    training = training_alone(args.steps)

    print(f"Browser timings, seconds: median (min-max); {args.steps} slider steps, {args.loads} loads per page\n")
    print("| what the student does | -> metrics | -> idle | ws messages | ws kB | last ws message | "
          "main thread: script | layout+style | charts drawn anew |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, results in rows.items():
        print(f"| {name} | {summary(results, 'metrics')} | {summary(results, 'idle')} | "
              f"{summary(results, 'messages')} | {summary(results, 'kB')} | {summary(results, 'last message')} | "
              f"{summary(results, 'script')} | {summary(results, 'layout')} | {summary(results, 'new charts')} |")
    print("\n| page opened in a fresh browser | -> first chart painted | seen by Playwright | ws messages | ws kB | "
          "last ws message | Plotly bundle loaded | main thread: script | layout+style |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, results in loads.items():
        print(f"| {name} | {summary(results, 'first chart')} | {summary(results, 'seen')} | {summary(results, 'messages')} | "
              f"{summary(results, 'kB')} | {summary(results, 'last message')} | {summary(results, 'plotly bundle')} | "
              f"{summary(results, 'script')} | {summary(results, 'layout')} |")

    print("\n| reference, the same run | slider step -> metrics | -> idle | charts drawn anew | fresh -> first view |")
    print("|---|---|---|---|---|")
    for name, floor in floors.items():
        first = "first" + (" chart" if "figures" in name else " metric")
        print(f"| Streamlit alone (benchmarks/streamlit_alone.py): {name} | {summary(floor['steps'], 'metrics')} | "
              f"{summary(floor['steps'], 'idle')} | {summary(floor['steps'], 'new charts')} | "
              f"{summary(floor['loads'], 'first chart')} ({first}) |")
    print(f"| the Moons page's training alone, the same {args.steps} slider steps (server, no browser) | "
          f"{summary(training, 'metrics')} | | | |")
    if phone:
        print(f"\n| on an emulated phone ({PHONE['viewport']['width']} x {PHONE['viewport']['height']}, touch, "
              f"CPU slowed {PHONE_CPU_SLOWDOWN}x) | slider step -> metrics | -> idle | fresh -> first chart painted |")
        print("|---|---|---|---|")
        for name in ("Moons", "Streamlit alone, the four figures"):
            steps, loads = phone[f"{name}: slider step"], phone[f"{name}: fresh link"]
            print(f"| {name} | {summary(steps, 'metrics')} | {summary(steps, 'idle')} | {summary(loads, 'first chart')} |")
    print("\n| reference: plotly.js alone, the same four figures, a bare page | seconds |")
    print("|---|---|")
    print(f"| first load: evaluate the bundle | {alone['load']:.2f} |")
    print(f"| first load: then draw the four | {alone['first draw']:.2f} |")
    print(f"| a slider step: redraw the four (Plotly.react), median ({alone['range']}) | {alone['redraw']:.2f} |")


if __name__ == "__main__":
    main()
