"""Every Moons preset in a real browser: each chart's axes span sane ranges, and a screenshot of each.

The ranges are read from what Plotly drew (`_fullLayout` of each chart's `.js-plotly-plot`), so an
axis stretched by a stray annotation (a label at pass 200 on a log axis once meant 10^200) fails here
even when the figure's JSON looked fine. Log axes keep their range in log10 units. The preset buttons
must show their whole names at 1400 px, and the 50-neuron diagram must stay readable: at most 8
tiles per column, its input and output names inside the chart, no two column titles overlapping.
"""

import math

import pytest

from lab.moons.settings import PRESETS
from tests.support.browser import ARTIFACTS, expect, screenshot, wait_for_app_idle

FIRST_RUN_MS = 120_000
MAX_PASS = 1e6  # no axis of passes beyond a million (the longest run is 20,000)

AXES_JS = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).map(chart => {
    const plot = chart.querySelector('.js-plotly-plot');
    if (!plot || !plot._fullLayout) return null;
    const key = (Array.from(chart.closest('[class*="st-key-"]')?.classList || [])
                 .find(c => c.startsWith('st-key-')) || '').slice(7);
    const axes = {};
    for (const [name, axis] of Object.entries(plot._fullLayout)) {
        if (/^[xy]axis\\d*$/.test(name) && axis && axis.range) {
            axes[name] = {type: axis.type, range: axis.range.map(Number), title: axis.title && axis.title.text};
        }
    }
    return {key, axes};
})"""


def _preset_key(name: str) -> str:
    return "moons_preset_" + name.lower().replace(" ", "_")


def _charts(page) -> dict[str, dict]:
    return {c["key"]: c["axes"] for c in page.evaluate(AXES_JS) if c}


def _check_axes(charts: dict[str, dict], preset: str) -> None:
    assert "moons_loss" in charts and "moons_boundary" in charts, (preset, list(charts))
    for key, axes in charts.items():
        for name, axis in axes.items():
            low, high = axis["range"]
            assert math.isfinite(low) and math.isfinite(high) and low < high, (preset, key, name, axis)
            if axis["type"] == "log":  # log10 units: 10^high is the largest value on the axis
                assert high <= math.log10(MAX_PASS), (preset, key, name, axis)
            else:
                assert abs(low) < MAX_PASS and abs(high) < MAX_PASS, (preset, key, name, axis)
    loss = charts["moons_loss"]
    x_low, x_high = loss["xaxis"]["range"]
    assert loss["xaxis"]["type"] == "log" and x_low >= -0.01 and 1 <= 10 ** x_high <= 20_001, (preset, loss)


def test_every_preset_draws_sane_axes(page, app_server):
    page.goto(app_server + "/moons")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    for preset in PRESETS:
        button = page.locator(f".st-key-{_preset_key(preset.name)} button").first
        # The whole name is on the button at 1400 px (nothing cut to "Learning rate t…").
        label = button.locator("p").first
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), preset.name
        button.click()
        wait_for_app_idle(page, timeout=FIRST_RUN_MS)
        expect(page.locator(f".st-key-{_preset_key(preset.name)} button[kind='primary']").first).to_be_visible()
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        page.wait_for_timeout(500)  # Plotly's first layout pass
        _check_axes(_charts(page), preset.name)
        name = "moons-preset-" + preset.name.lower().replace(" ", "-")
        screenshot(page, name)  # the buttons, the metrics, the boundary and the diagram
        page.locator(".st-key-moons_loss").scroll_into_view_if_needed()
        screenshot(page, name + "-loss")


def _boxes(page, selector: str) -> list[dict]:
    return [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]


@pytest.mark.parametrize("layers", [1, 4])
def test_a_fifty_neuron_diagram_stays_readable(page, app_server, layers):
    page.goto(f"{app_server}/moons?hidden_layers={layers}&neurons=50&passes=200&x1_sq=true&x2_sq=true")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    diagram = page.locator('.st-key-moons_diagram [data-testid="stPlotlyChart"]')
    expect(diagram.locator(".heatmaplayer .hm")).to_have_count(4 + 7 * layers + 2)  # 4 inputs, 7 shown, 2 out
    expect(diagram.locator(".annotation-text").filter(has_text="+43")).to_have_count(layers)
    frame = diagram.locator(".main-svg").first.bounding_box()
    texts = diagram.locator(".annotation-text")
    boxes = [texts.nth(i).bounding_box() for i in range(texts.count())]
    for box in boxes:  # every name inside the chart: none cut at its edge
        assert frame["x"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1, box
    titles = [b for i, b in enumerate(boxes)
              if (texts.nth(i).text_content() or "").strip() in {"Inputs", "Output"} | {f"H{k}" for k in range(1, 7)}
              | {f"Hidden {k}" for k in range(1, 7)}]
    assert len(titles) == layers + 2
    titles.sort(key=lambda b: b["x"])
    for left, right in zip(titles, titles[1:]):  # column titles side by side, never overlapping
        assert left["x"] + left["width"] <= right["x"] + 1, (left, right)
    assert frame["height"] >= 250 and frame["width"] / frame["height"] < 3  # not a thin spindle
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    diagram.screenshot(path=str(ARTIFACTS / f"moons-diagram-50-neurons-{layers}-layers.png"))
