"""Shared pytest fixtures.

AppTest helper
--------------
    def test_home(app_test):
        at = app_test("app.py")          # path relative to the repo root
        at.run()
        assert not at.exception

`app_test(page_relpath, default_timeout=60)` returns an unrun
`streamlit.testing.v1.AppTest` built from the ABSOLUTE path of the script
(AppTest resolves relative paths against the calling test file, not the cwd).

A page that uses `st.page_link` / `st.switch_page` to other pages needs the
navigation from app.py: build `app_test("app.py")`, `run()` it (the default page
is pages/home.py), then `at.switch_page("pages/<page>.py").run()`.
"""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_test():
    from streamlit.testing.v1 import AppTest

    def _make(page_relpath: str, default_timeout: float = 60) -> AppTest:
        path = (REPO_ROOT / page_relpath).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no such app script: {path}")
        return AppTest.from_file(str(path), default_timeout=default_timeout)

    return _make
