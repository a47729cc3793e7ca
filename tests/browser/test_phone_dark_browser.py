"""Real browser: every page on a phone and a tablet (touch), every page in dark mode, readable text in
both themes, and a digit drawn with a finger (CDP touch events) on the Draw page."""
import io
import re
import time

import pytest

from tests.support.browser import IDLE_TIMEOUT_MS, PHONE, expect, screenshot, wait_for_app_idle

PAGES = ["/", "/moons", "/mnist", "/draw", "/theory"]
TABLET = dict(viewport={"width": 768, "height": 1024}, is_mobile=True, has_touch=True)
CANVAS = '[data-testid="stBidiComponentIsolated"] canvas.upper-canvas'
MAIN = "document.querySelector('[data-testid=stMain]')"  # Streamlit scrolls this, not the document

# Relative luminance and contrast ratio (WCAG 2), in the page.
COLOUR_JS = r"""
function parse(c) { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
function lum([r, g, b]) { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); }
function over(top, bottom) { const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]); }
function background(el) {  // the colour behind el: its ancestors' backgrounds stacked down to an opaque one
  const layers = [];
  for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
  let bg = [255, 255, 255, 1]; if (layers.length && layers[layers.length - 1][3] >= 1) bg = layers.pop();
  while (layers.length) bg = over(layers.pop(), bg); return bg; }
function contrast(a, b) { const [x, y] = [lum(a), lum(b)]; return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
"""

TEXT_CONTRAST_JS = "() => {" + COLOUR_JS + r"""
  const sel = ['[data-testid=stMarkdownContainer] p', '[data-testid=stMarkdownContainer] li',
    '[data-testid=stCaptionContainer]', '[data-testid=stWidgetLabel] p', 'button p', '[data-testid=stMetricLabel] p',
    '[data-testid=stMetricValue]', '[data-testid=stSliderThumbValue]', 'h1', 'h2', 'h3', 'a', 'code'].join(',');
  const rows = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect(); if (!r.width || !r.height || !el.textContent.trim()) continue;
    if (el.closest('[disabled], [aria-disabled=true], [data-testid=stSkipToContent]')) continue;
    const cs = getComputedStyle(el); if (cs.visibility === 'hidden') continue;
    let fg = parse(cs.color); if (!fg || fg[3] <= 0.45) continue;  // 0.4: Streamlit's disabled widgets
    // A slider's value sits above its thumb, on the widget's background, not on the thumb.
    const bg = background(el.closest('[data-testid=stSlider]') || el);
    if (fg[3] < 1) fg = over(fg, bg);
    rows.push([Math.round(contrast(fg, bg) * 100) / 100, el.textContent.trim().slice(0, 40), cs.color]);
  }
  return rows;
}
"""

DARK_JS = "() => {" + COLOUR_JS + r"""
  const app = background(document.querySelector('[data-testid=stApp]'));
  const panels = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const svg = plot.querySelector('svg.main-svg'); if (!svg) continue;
    const paper = parse(getComputedStyle(svg).backgroundColor) || [0, 0, 0, 0];
    panels.push(['paper', paper[3] > 0 ? lum(over(paper, app)) : lum(app)]);
    for (const rect of plot.querySelectorAll('rect.bg')) {
      const fill = parse(getComputedStyle(rect).fill) || [0, 0, 0, 0];
      const alpha = fill[3] * Number(getComputedStyle(rect).fillOpacity || 1);
      panels.push(['plot', alpha > 0 ? lum(over([fill[0], fill[1], fill[2], alpha], app)) : lum(app)]);
    }
  }
  return {app: lum(app), panels};
}
"""


def open_page(page, url):
    page.goto(url)
    wait_for_app_idle(page)
    page.wait_for_timeout(500)  # charts size themselves after the run ends
    wait_for_app_idle(page)


def horizontal_overflow(page) -> list[int]:
    """[document scrollWidth, window width, main scrollWidth, main clientWidth]."""
    return page.evaluate(f"[document.scrollingElement.scrollWidth, innerWidth, {MAIN}.scrollWidth, {MAIN}.clientWidth]")


def sidebar_right_edge(page) -> float:
    return page.evaluate("document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right")


@pytest.fixture
def phone(browser, app_server):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    yield context, context.new_page()
    context.close()


@pytest.fixture
def dark(browser, app_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="dark")
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def touch_path(cdp, points, pause=0.02):
    """One finger: down at the first point, through the others, up (CDP Input.dispatchTouchEvent)."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]})
    for x, y in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        time.sleep(pause)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def along(a, b, n=12):
    return [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(1, n + 1)]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_fits_a_phone(phone, app_server, path):
    _, page = phone
    open_page(page, app_server + path)
    doc_width, window, main_width, main_client = horizontal_overflow(page)
    assert doc_width <= window, f"{path}: the page scrolls sideways ({doc_width} > {window} px)"
    assert main_width <= main_client, f"{path}: the main column scrolls sideways ({main_width} > {main_client} px)"
    assert sidebar_right_edge(page) <= 0, f"{path}: the sidebar is open over the page on a phone"
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    # Touch targets: every visible button at least 44 px tall.
    heights = page.evaluate("Array.from(document.querySelectorAll('[data-testid=stMain] button[data-testid^=stBaseButton]'))"
                            ".filter(b => b.offsetParent).map(b => b.getBoundingClientRect().height)")
    assert all(h >= 44 for h in heights), f"{path}: buttons under 44 px: {sorted(heights)[:5]}"
    if path == "/theory":  # the matrices keep their width and scroll inside their own box
        boxes = page.evaluate("Array.from(document.querySelectorAll('[class*=st-key-scrollbox_]'))"
                              ".map(b => [b.scrollWidth, b.clientWidth, getComputedStyle(b).overflowX])")
        assert boxes and all(overflow == "auto" for _, _, overflow in boxes)
        assert any(scroll > client for scroll, client, _ in boxes), "no matrix wider than the phone: nothing tested"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_fits_a_tablet(browser, app_server, path):
    context = browser.new_context(**TABLET)
    try:
        page = context.new_page()
        open_page(page, app_server + path)
        doc_width, window, main_width, main_client = horizontal_overflow(page)
        assert doc_width <= window and main_width <= main_client, f"{path}: sideways scroll at 768 px"
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    finally:
        context.close()


def test_a_finger_on_a_chart_scrolls_the_page(phone, app_server):
    context, page = phone
    open_page(page, app_server + "/moons")
    # On a phone the plane starts untappable (a tappable Plotly chart would hold the finger).
    expect(page.get_by_text("Tap the charts to add points and pick weights")).to_be_visible()
    cdp = context.new_cdp_session(page)
    for chart in (page.locator(".js-plotly-plot").first, page.locator('.st-key-moons_loss .js-plotly-plot')):
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        before = page.evaluate(f"{MAIN}.scrollTop")
        x, y = box["x"] + box["width"] / 2, min(box["y"] + box["height"] * 0.7, 800)
        touch_path(cdp, [(x, y)] + along((x, y), (x, y - 250)))
        page.wait_for_timeout(400)
        assert page.evaluate(f"{MAIN}.scrollTop") > before + 100, "a finger drag on the chart did not scroll"


def test_draw_a_seven_with_a_finger(phone, app_server):
    context, page = phone
    open_page(page, app_server + "/draw")
    canvas = page.locator(CANVAS)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"the canvas does not fit the phone: {box}"
    scrolled = page.evaluate(f"{MAIN}.scrollTop")
    cdp = context.new_cdp_session(page)
    at = lambda fx, fy: (box["x"] + fx * box["width"], box["y"] + fy * box["height"])  # noqa: E731
    touch_path(cdp, [at(0.25, 0.22)] + along(at(0.25, 0.22), at(0.72, 0.22)) + along(at(0.72, 0.22), at(0.45, 0.85)))
    assert page.evaluate(f"{MAIN}.scrollTop") == scrolled, "drawing scrolled the page"
    wait_for_app_idle(page)
    metric = page.locator('[data-testid="stMetric"]')
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(re.compile(r"^\s*7\s*$"))
    page.wait_for_timeout(500)
    assert horizontal_overflow(page)[0] <= 390
    # The pen slider at the top of the screen: the drawing, then the guess under it.
    top = page.evaluate(f"{MAIN}.scrollTop") + canvas.bounding_box()["y"]
    page.evaluate(f"{MAIN}.scrollTop = {top - 190}")
    page.wait_for_timeout(300)
    screenshot(page, "phone-draw")
    page.set_viewport_size({"width": 390, "height": page.evaluate(f"{MAIN}.scrollHeight")})
    wait_for_app_idle(page)
    screenshot(page, "phone-draw-full")  # everything, to look for anything cut off


def test_pick_a_test_digit_with_the_keyboard(page, app_server):
    open_page(page, app_server + "/draw")
    picker = page.get_by_role("combobox", name=re.compile("Pick a test digit"))
    picker.focus()  # reached like any control; typed and chosen without a pointer
    page.keyboard.type("a test image of a 3")
    page.keyboard.press("Enter")
    wait_for_app_idle(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text(re.compile(r"Test image #\d+ of the bundled sample, labelled 3"))).to_be_visible()
    expect(main.locator('[data-testid="stMetricValue"]')).to_have_text(re.compile(r"^\s*3\s*$"))
    main.get_by_role("button", name=re.compile("Another 3")).click()
    wait_for_app_idle(page)
    expect(main.locator('[data-testid="stMetricValue"]')).to_have_text(re.compile(r"^\s*3\s*$"))


def _white_share(png: bytes) -> float:
    from PIL import Image
    grey = Image.open(io.BytesIO(png)).convert("L")
    hist = grey.histogram()
    return sum(hist[235:]) / max(1, sum(hist))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_dark_mode(dark, app_server, path):
    page = dark
    open_page(page, app_server + path)
    if path == "/draw":  # pick a digit so the Draw page has its charts
        page.get_by_role("combobox", name=re.compile("Pick a test digit")).click()
        page.get_by_role("option", name="a test image of a 5").click()
        wait_for_app_idle(page)
    found = page.evaluate(DARK_JS)
    assert found["app"] < 0.05, f"{path}: the page background is not dark (luminance {found['app']:.2f})"
    light = [(kind, round(l, 2)) for kind, l in found["panels"] if l > 0.3]
    assert not light, f"{path}: light chart panels on the dark theme: {light}"
    charts = page.locator(".js-plotly-plot")
    for i in range(charts.count()):
        chart = charts.nth(i)
        digit = chart.evaluate("e => !!e.closest('.st-key-draw_seen')")  # the input itself: white ink on black
        if chart.bounding_box() and chart.bounding_box()["height"] > 50 and "mnist" not in path and not digit:
            chart.scroll_into_view_if_needed()
            share = _white_share(chart.screenshot())
            assert share < 0.05, f"{path}: chart {i} is {share:.0%} white on the dark theme"
    if path == "/moons":
        page.evaluate(f"{MAIN}.scrollTop = 0")
        page.set_viewport_size({"width": 1400, "height": 1100})
        wait_for_app_idle(page)
        page.wait_for_timeout(500)
        screenshot(page, "dark-moons")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_in_both_themes(browser, app_server, scheme):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        for path in PAGES:
            open_page(page, app_server + path)
            rows = page.evaluate(TEXT_CONTRAST_JS)
            assert len(rows) > 10, f"{path}: too little text measured"
            low = [r for r in rows if r[0] < 4.5]
            assert not low, f"{scheme} {path}: text under 4.5:1: {low[:5]}"
    finally:
        context.close()


def test_moons_knobs_are_reachable_on_a_phone(phone, app_server):
    """The sidebar opens over the page with its knobs on screen; a knob moves with the keyboard alone."""
    _, page = phone
    open_page(page, app_server + "/moons")
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Hidden layers")).to_be_attached()
    page.wait_for_timeout(500)  # the sidebar slides in
    assert 0 <= sidebar.bounding_box()["x"] and sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 390
    thumb = sidebar.locator('.st-key-moons_hidden_layers input')  # the slider, a range input
    thumb.scroll_into_view_if_needed()
    box = thumb.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 390, f"the knob is off screen: {box}"
    thumb.focus()
    page.keyboard.press("ArrowRight")  # 1 -> 2 hidden layers, no pointer needed
    expect(page).to_have_url(re.compile(r"hidden_layers=2"))  # the rerun may start after the key is handled
    wait_for_app_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
