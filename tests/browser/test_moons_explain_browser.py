"""Issue 19 in a real browser: a node opened from the Moons diagram, and 'Compare runs'.

A click on a hidden node's square (an invisible mark at its centre) opens it below the diagram: its
equation must carry the same weights and bias that the diagram's hover labels show. Three runs
trained in one session appear as three small multiples in 'Compare runs'.
"""

import re

from tests.support.browser import expect, screenshot, wait_for_app_idle

FIRST_RUN_MS = 120_000


def _chart(page, key: str):
    return page.locator(f'.st-key-{key} [data-testid="stPlotlyChart"]')


def _hover_text(page, point) -> str:
    point.hover(force=True)
    label = page.locator(".hoverlayer .hovertext").first
    expect(label).to_be_visible(timeout=10_000)
    return label.text_content()


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def test_a_clicked_hidden_node_shows_its_equation_with_the_diagrams_weights(page, app_server):
    page.goto(app_server + "/moons")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    diagram = _chart(page, "moons_diagram")
    expect(diagram.locator(".gtitle")).to_contain_text("Trained: 2-3-2 tanh", timeout=30_000)
    nodes = diagram.locator(".scatterlayer .trace").nth(-2).locator(".point")
    expect(nodes).to_have_count(5)  # 3 hidden units and 2 outputs

    # What the diagram's hover says about h1.2: its bias (on the node), its two incoming weights (on the lines).
    bias_hover = _hover_text(page, nodes.nth(1))
    assert "h1.2" in bias_hover
    bias = float(re.search(r"b1\[2\] = (-?[\d.]+(?:e[-+]?\d+)?)", bias_hover).group(1))
    # The weights' hover labels (the marks' text, exactly as Plotly shows it on hover).
    labels = diagram.locator(".js-plotly-plot").evaluate("plot => plot.data[plot.data.length - 1].text")
    hovered = {}
    for text in labels:
        found = re.search(r"W1\[(\d),2\] = (-?[\d.]+(?:e[-+]?\d+)?)", text)
        if found:
            hovered[int(found.group(1))] = float(found.group(2))
    assert sorted(hovered) == [1, 2], hovered

    nodes.nth(1).click(force=True)
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    panel = page.locator(".st-key-moons_node_panel")
    expect(panel).to_contain_text("h1.2 computes z =", timeout=30_000)
    text = panel.text_content()
    found = re.search(r"h1\.2 computes z = (\S+)·x₁ ([+−]) (\S+)·x₂ ([+−]) (\S+), then tanh", text)
    assert found, text
    w1 = _number(found.group(1))
    w2 = _number(found.group(3)) * (-1 if found.group(2) == "−" else 1)
    b = _number(found.group(5)) * (-1 if found.group(4) == "−" else 1)
    assert round(hovered[1], 2) == w1 and round(hovered[2], 2) == w2 and round(bias, 2) == b, (hovered, bias, text)
    assert "∂L/∂b =" in text and "a = tanh(z) =" in text
    # Clicking the node chose its bias in the editor: every bias can be set this way.
    expect(page.locator(".st-key-moons_edit_array input")).to_have_value(re.compile(r"^b1"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    panel.scroll_into_view_if_needed()
    screenshot(page, "moons-node-opened")


def test_three_runs_appear_as_three_small_multiples(page, app_server):
    page.goto(app_server + "/moons")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    for preset in ("learning_rate_too_high", "a_linear_network"):
        page.locator(f".st-key-moons_preset_{preset} button").first.click()
        wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    compare = page.locator(".st-key-moons_compare")
    expect(compare).to_contain_text("3 kept")
    compare.locator("summary").click()
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    chart = _chart(page, "moons_compare_chart")
    expect(chart.locator(".annotation-text").filter(has_text=re.compile(r"^Run \d"))).to_have_count(3,
                                                                                                 timeout=30_000)
    expect(chart.locator(".cartesianlayer .subplot")).to_have_count(3)
    expect(compare).to_contain_text("Same starting weights")
    expect(compare).to_contain_text("Learning rate")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, "moons-compare-runs")
