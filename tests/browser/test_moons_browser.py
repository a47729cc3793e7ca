"""The Moons page in a real browser: the chart draws, a slider retrains, the link follows.

Moving "Neurons per hidden layer" from 3 to 4 with the keyboard (a focused Streamlit slider, an
<input type="range">, takes arrow keys) retrains the network: the boundary chart's title, the test
accuracy and the URL change. Then "Watch it learn" plays its frames in the browser, with no rerun,
and the other tabs below the loss curve draw their charts when opened (only the open tab is sent).
"""

import re

from tests.support.browser import expect, screenshot, wait_for_app_idle

FIRST_RUN_MS = 120_000  # a cold first run loads scikit-learn and trains tutorial A (seconds on a busy CI)


def _metric_value(page, label: str):
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return metric.locator('[data-testid="stMetricValue"]')


def _boundary_title(page):
    # The first Plotly chart on the page is the decision boundary; its title names the network.
    return page.locator('[data-testid="stPlotlyChart"]').first.locator(".gtitle")


def test_slider_retrains_and_redraws(page, app_server):
    page.goto(app_server + "/moons")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(re.compile(r"^\s*Moons playground"))

    # The decision boundary has been drawn by Plotly (an SVG with a contour layer).
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".contourlayer, .heatmaplayer").first).to_be_attached()
    expect(_boundary_title(page)).to_contain_text("2-3-2 tanh")
    train_before = float(_metric_value(page, "Train accuracy").inner_text().rstrip("%")) / 100
    assert train_before >= 0.96
    train_text = _metric_value(page, "Train accuracy").inner_text()
    expect(page).to_have_url(re.compile(r"neurons=3"))

    slider = (page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]')
              .filter(has_text="Neurons per hidden layer").get_by_role("slider"))
    expect(slider).to_have_value("3")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(slider).to_have_value("1")

    expect(_boundary_title(page)).to_contain_text("2-1-2 tanh", timeout=FIRST_RUN_MS)
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(_metric_value(page, "Train accuracy")).not_to_have_text(train_text)  # one unit cannot bend
    expect(page).to_have_url(re.compile(r"neurons=1"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    # "Watch it learn" scrubs in the browser alone: Play steps the frames with no rerun.
    snapshots = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Play")
    snapshots.scroll_into_view_if_needed()
    title = snapshots.locator(".gtitle")
    expect(title).to_contain_text("Before training")
    snapshots.locator(".updatemenu-button").filter(has_text="Play").click()
    expect(title).to_contain_text("After pass", timeout=15_000)

    # The other tabs are computed when opened: the hidden units, then the comparisons (sweep off).
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(4)  # boundary, diagram, loss, snapshots
    page.get_by_role("tab", name="What each hidden neuron computes").click()
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(charts.filter(has_text="Play")).to_have_count(0)
    expect(charts.filter(has_text="Hidden layer 1")).to_have_count(1)
    page.get_by_role("tab", name="Tutorial A's comparisons").click()
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(charts.filter(has_text="Logistic regression")).to_have_count(1)
    expect(charts).to_have_count(5)  # boundary, diagram, loss, the network beside logistic regression
    expect(page.get_by_role("switch", name="Show the sweep")).not_to_be_checked()
    page.get_by_role("tab", name="Tutorial A's comparisons").scroll_into_view_if_needed()
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(500)
    screenshot(page, "moons-comparisons-tab")
    page.get_by_role("tab", name="Watch it learn").click()
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)

    # A tall viewport, so the screenshot holds the metrics, the boundary and the loss curve.
    page.set_viewport_size({"width": 1400, "height": 2000})
    page.locator('[data-testid="stMain"] h1').first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    path = screenshot(page, "moons")
    assert path.stat().st_size > 50_000


def test_garbage_link_falls_back_and_says_so(page, app_server):
    page.goto(app_server + "/moons?lr=banana&neurons=999&noise=0.2")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    expect(warnings.filter(has_text="lr=banana")).to_have_count(1)
    expect(warnings.filter(has_text="neurons=999")).to_have_count(1)
    expect(_boundary_title(page)).to_contain_text("2-3-2 tanh")
    # The address bar now holds the settings actually used, every one of them.
    expect(page).to_have_url(re.compile(r"lr=0\.01.*neurons=3|neurons=3.*lr=0\.01"))


# The boundary's left margin as given, and as Plotly drew it (its automargin grows a margin that
# the y tick labels do not fit, and growing it redraws the whole chart).
PLANE_MARGINS = """() => { const gd = document.querySelector('.st-key-moons_boundary .js-plotly-plot');
    return [gd.layout.margin.l, gd._fullLayout._size.l]; }"""


def test_the_plane_is_drawn_once_per_update(page, app_server):
    """The plane's preset left margin fits its y tick labels, also on the widest data ("-5" on
    noisy linear data), so Plotly does not grow it: growing it drew the chart with its 1,600 click
    points three times per slider step under Streamlit's theme, instead of once."""
    for query in ("", "?dataset=linear&noise=0.5", "?dataset=bump&lr=0.003"):
        page.goto(app_server + "/moons" + query)
        wait_for_app_idle(page, timeout=FIRST_RUN_MS)
        expect(page.locator('.st-key-moons_boundary [data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
        page.wait_for_timeout(300)
        given, drawn = page.evaluate(PLANE_MARGINS)
        assert drawn == given, f"{query or 'tutorial A'}: Plotly grew the left margin from {given} to {drawn} px"
