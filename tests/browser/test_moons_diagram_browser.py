"""The Moons page's network diagram and own points, in a real browser.

The diagram beside the boundary draws a heatmap per node (Plotly renders each heatmap as an image
inside `.heatmaplayer`). A click on the plane lands on one of the invisible grid markers, Streamlit
reruns with the chart's selection, and the page adds a training point there and retrains.
Clicking a weight's mark in the diagram chooses that weight in the editor below it.
"""

import re

from tests.support.browser import expect, screenshot, wait_for_app_idle

FIRST_RUN_MS = 120_000


def _chart(page, key: str):
    """The Plotly chart drawn with ``key`` (Streamlit gives its container the class st-key-<key>)."""
    return page.locator(f'.st-key-{key} [data-testid="stPlotlyChart"]')


def test_diagram_renders_and_a_click_adds_a_point(page, app_server):
    page.goto(app_server + "/moons")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    # The diagram: 2 inputs + 3 hidden units + 2 outputs, each its own heatmap.
    diagram = _chart(page, "moons_diagram")
    expect(diagram.locator(".gtitle")).to_contain_text("Trained: 2-3-2 tanh", timeout=30_000)
    expect(diagram.locator(".heatmaplayer .hm")).to_have_count(7)
    expect(diagram.locator(".annotation-text").filter(has_text="Hidden 1")).to_have_count(1)
    boundary = _chart(page, "moons_boundary")
    page.set_viewport_size({"width": 1400, "height": 1100})
    boundary.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, "moons-diagram")

    # Clicking a weight's mark chooses it in the editor below the diagram.
    marks = diagram.locator(".scatterlayer .trace").last.locator(".point")
    expect(marks).to_have_count(12)
    marks.nth(8).click(force=True)  # W1's 6 marks come first: this is W2 from h1.2 to P(class 0)
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator(".st-key-moons_edit_array input")).to_have_value(re.compile(r"^W2"))
    expect(page.locator(".st-key-moons_edit_from input")).to_have_value("h1.2")

    # A click on the plane (its bottom right corner, deep in class 1's side) adds a class-0 training
    # point there, and the network retrains: it cannot bend that far, so the point is misclassified.
    accuracy = page.locator('[data-testid="stMetric"]').filter(has_text="Train accuracy").locator(
        '[data-testid="stMetricValue"]')
    expect(accuracy).to_have_text("99.4%")
    area = boundary.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(area["x"] + 0.95 * area["width"], area["y"] + 0.93 * area["height"])
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stAlertContentInfo"]').filter(has_text="Your own points")) \
        .to_contain_text(re.compile(r"201: 161 for training"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(accuracy).to_have_text("98.8%")  # 159 of 161
    # The same spot again adds another point (the chart's selection was reset by the redraw).
    area = boundary.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(area["x"] + 0.95 * area["width"], area["y"] + 0.93 * area["height"])
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stAlertContentInfo"]').filter(has_text="Your own points")) \
        .to_contain_text(re.compile(r"202: 162 for training"))
    screenshot(page, "moons-own-points")
