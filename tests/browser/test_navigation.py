"""Real-browser navigation: landing page, direct URLs, sidebar and page links."""

import re

import pytest

from tests.support.browser import expect, screenshot, wait_for_app_idle

# url_path -> title prefix of that page's h1 (loose: other engineers own those pages).
PAGE_TITLES = {
    "moons": "Moons playground",
    "mnist": "MNIST",
    "draw": "Draw a digit",
    "theory": "Theory",
}


def _h1(page):
    return page.locator('[data-testid="stMain"] h1').first


def _assert_no_exception(page):
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_landing_page(page, app_server):
    page.goto(app_server + "/")
    wait_for_app_idle(page)
    expect(_h1(page)).to_have_text(re.compile(r"^\s*Neural Lab"))
    _assert_no_exception(page)
    # One link per page in the body, and the sidebar navigation lists them all.
    expect(page.locator('[data-testid="stMain"] [data-testid="stPageLink-NavLink"]')).to_have_count(4)
    nav = page.locator('[data-testid="stSidebarNav"]')
    for title in PAGE_TITLES.values():
        expect(nav.get_by_text(re.compile("^" + re.escape(title)))).to_be_visible()
    path = screenshot(page, "landing")
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize("url_path", sorted(PAGE_TITLES))
def test_page_by_direct_url(page, app_server, url_path):
    page.goto(f"{app_server}/{url_path}")
    wait_for_app_idle(page)
    expect(_h1(page)).to_have_text(re.compile(r"^\s*" + re.escape(PAGE_TITLES[url_path])))
    _assert_no_exception(page)


def test_sidebar_navigation_link(page, app_server):
    page.goto(app_server + "/")
    wait_for_app_idle(page)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Moons playground").click()
    expect(page).to_have_url(re.compile(r"/moons/?(\?.*)?$"))
    wait_for_app_idle(page)
    expect(_h1(page)).to_have_text(re.compile(r"^\s*Moons playground"))
    # ...and back home through the sidebar.
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Home").click()
    expect(_h1(page)).to_have_text(re.compile(r"^\s*Neural Lab"))


def test_body_page_link(page, app_server):
    page.goto(app_server + "/")
    wait_for_app_idle(page)
    page.locator('[data-testid="stMain"] [data-testid="stPageLink-NavLink"]').filter(has_text="Draw a digit").click()
    expect(page).to_have_url(re.compile(r"/draw/?$"))
    wait_for_app_idle(page)
    expect(_h1(page)).to_have_text(re.compile(r"^\s*Draw a digit"))
