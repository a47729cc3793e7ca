"""The Theory page in a real browser: KaTeX renders the formulas, the heatmaps draw, Step works."""
import re

from tests.support.browser import expect, screenshot, wait_for_app_idle


def test_theory_formulas_render_and_step_moves_the_numbers(page, app_server):
    page.goto(app_server + "/theory")
    wait_for_app_idle(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.locator("h1").first).to_have_text(re.compile(r"^\s*Theory: the equations, live"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    # st.latex goes through KaTeX: every formula becomes a .katex element with real glyphs
    expect(main.locator('[data-testid="stMarkdownContainer"] .katex').first).to_be_visible()
    assert main.locator(".katex").count() >= 30
    expect(main.locator(".katex-error")).to_have_count(0)  # no formula KaTeX could not parse
    expect(main.locator(".js-plotly-plot").first).to_be_visible()
    screenshot(page, "theory")

    loss = page.locator('[data-testid="stMetric"]').filter(has_text="Loss L")
    loss.scroll_into_view_if_needed()
    before = float(loss.locator('[data-testid="stMetricValue"]').inner_text())
    page.get_by_role("button", name="Step", exact=True).click()
    expect(loss.locator('[data-testid="stMetricDelta"]')).to_be_visible()
    wait_for_app_idle(page)
    assert float(loss.locator('[data-testid="stMetricValue"]').inner_text()) < before
    page.get_by_role("heading", name="4. Backpropagation").scroll_into_view_if_needed()
    screenshot(page, "theory-backprop")
