"""AppTest checks of the app shell: navigation (app.py) and the landing page (pages/home.py).

pages/home.py uses st.page_link to the other pages, which needs the st.navigation that
app.py declares, so the landing page is exercised through app.py (its default page).
"""

import pytest

# url_path -> title prefix shown on that page.
PAGES = {
    "moons": ("pages/moons.py", "Moons playground"),
    "mnist": ("pages/mnist.py", "MNIST"),
    "draw": ("pages/draw.py", "Draw a digit"),
    "theory": ("pages/theory.py", "Theory"),
}


def test_home_renders_title_intro_links_and_credits(app_test):
    at = app_test("app.py")
    at.run()
    at.switch_page("pages/home.py").run()  # explicit, though it is also the default page

    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Neural Lab"]

    text = " ".join(m.value for m in at.markdown)
    assert "from-scratch NumPy" in text

    links = {link.proto.page: link.proto.label for link in at.get("page_link")}
    assert set(links) == set(PAGES), links
    assert all(label for label in links.values())

    subheaders = [s.value for s in at.subheader]
    for _path, title in PAGES.values():
        assert any(s.startswith(title) for s in subheaders), (title, subheaders)

    credits = " ".join(c.value for c in at.caption)
    for needle in ("Yann LeCun", "Corinna Cortes", "Burges", "CC BY-SA 3.0", "mnist", "1.1.0", "Juan Cazala"):
        assert needle in credits, needle


def test_default_page_is_home(app_test):
    at = app_test("app.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Neural Lab"


@pytest.mark.parametrize("url_path", sorted(PAGES))
def test_each_page_is_registered_and_renders(app_test, url_path):
    script, title = PAGES[url_path]
    at = app_test("app.py")
    at.run()
    at.switch_page(script).run()
    assert not at.exception, at.exception
    assert at.title and at.title[0].value.startswith(title), [t.value for t in at.title]
