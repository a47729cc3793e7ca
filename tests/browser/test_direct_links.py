"""A shared link to a page opens that page inside the app, even as a fresh server's first visit."""
import pytest

from tests.support.browser import ARTIFACTS, expect, running_app, screenshot, wait_for_app_idle


@pytest.mark.parametrize("path, title", [("/draw", "Draw a digit"), ("/theory", "Theory")])
def test_a_page_opened_first_by_its_url_has_the_app_navigation(browser, chromium_path, path, title):
    with running_app(ARTIFACTS / f"server-direct-{path.strip('/')}.log") as base_url:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        try:
            page.goto(base_url + path)
            wait_for_app_idle(page)
            expect(page.locator("h1").first).to_contain_text(title.split(":")[0])
            nav = page.locator('[data-testid="stSidebarNav"]')
            expect(nav).to_contain_text("Moons playground")  # app.py's page titles...
            expect(nav).to_contain_text("Draw a digit")
            expect(nav).not_to_contain_text("app")  # ...not the legacy list of file names
            screenshot(page, f"direct-link-{path.strip('/')}")
        finally:
            context.close()
