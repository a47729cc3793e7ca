"""Real browser: draw a "7" with mouse strokes on the canvas and watch the network read it."""
import re

from tests.support.browser import expect, screenshot, wait_for_app_idle

CANVAS = '[data-testid="stBidiComponentIsolated"] canvas.upper-canvas'


def stroke(page, box, points, steps=12):
    """Press, drag through ``points`` (fractions of the canvas), release."""
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=steps)
    page.mouse.up()


def test_draw_a_seven(page, app_server):
    page.goto(app_server + "/draw")
    wait_for_app_idle(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Draw a digit on the black square")).to_be_visible()
    expect(main.locator('[data-testid="stMetric"]')).to_have_count(0)

    canvas = page.locator(CANVAS)
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    # A "7": the top bar, then the long diagonal down to the left, in one stroke.
    stroke(page, box, [(0.25, 0.22), (0.72, 0.22), (0.45, 0.85)])
    wait_for_app_idle(page)

    metric = main.locator('[data-testid="stMetric"]')
    expect(metric).to_contain_text("Prediction")
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(re.compile(r"^\s*7\s*$"))
    # The 28x28 preview and the other charts are drawn (Plotly's SVG is there).
    expect(main.locator(".js-plotly-plot")).to_have_count(4)
    expect(main.get_by_text("What the network sees: 28x28")).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page.set_viewport_size({"width": 1400, "height": 1900})  # the whole page in one picture
    wait_for_app_idle(page)
    path = screenshot(page, "draw")
    assert path.stat().st_size > 20_000

    # Clear: a fresh canvas, the prompt again, no prediction.
    main.get_by_role("button", name=re.compile("Clear")).click()
    wait_for_app_idle(page)
    expect(main.get_by_text("Draw a digit on the black square")).to_be_visible()
    expect(main.locator('[data-testid="stMetric"]')).to_have_count(0)


def test_a_scribble_is_called_unlike_any_digit(page, app_server):
    page.goto(app_server + "/draw")
    wait_for_app_idle(page)
    main = page.locator('[data-testid="stMain"]')
    box = page.locator(CANVAS).bounding_box()
    # A scrawl: one stroke zigzagging back and forth across the square 30 times.
    zigzag = [((0.1 + 0.8 * ((i * 0.37) % 1)), 0.1 + 0.8 * ((i * 0.61) % 1)) for i in range(31)]
    stroke(page, box, zigzag, steps=4)
    wait_for_app_idle(page)
    expect(main.locator('[data-testid="stMetric"]')).to_contain_text("Prediction")
    expect(main.locator('[data-testid="stAlertContentWarning"]')).to_contain_text(
        "Unlike the digits the network learnt from")
    expect(main.get_by_text(re.compile(r"^a guess"))).to_be_visible()
    expect(main.locator(".js-plotly-plot")).to_have_count(4)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page.set_viewport_size({"width": 1400, "height": 1400})
    wait_for_app_idle(page)
    page.wait_for_timeout(1000)  # Plotly redraws at the new size
    screenshot(page, "draw-scribble")
