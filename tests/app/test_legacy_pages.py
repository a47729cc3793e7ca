"""lab/app/page.py's workaround for Streamlit's legacy pages/ mode rests on a private flag: pin its meaning.

If a Streamlit upgrade renames the flag or changes what it does, these fail before the browser test
tests/browser/test_direct_links.py (a page opened first by its URL) does.
"""
import inspect

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest


@pytest.fixture
def legacy_flag():
    """Give the test the class flag and put its value back afterwards (it is process-wide)."""
    saved = PagesManager.uses_pages_directory
    yield
    PagesManager.uses_pages_directory = saved


@pytest.mark.parametrize("has_pages_folder", [True, False])
def test_the_flag_starts_as_whether_the_app_has_a_pages_folder(tmp_path, legacy_flag, has_pages_folder):
    (tmp_path / "app.py").write_text("")
    if has_pages_folder:
        (tmp_path / "pages").mkdir()
    PagesManager.uses_pages_directory = None
    PagesManager(str(tmp_path / "app.py"))
    assert PagesManager.uses_pages_directory is has_pages_folder


def test_a_set_flag_runs_the_legacy_mode_and_st_navigation_clears_it():
    run_script = inspect.getsource(script_runner.ScriptRunner._run_script)
    assert "if PagesManager.uses_pages_directory:" in run_script and "_mpa_v1(" in run_script
    import streamlit.commands.navigation as navigation
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation.navigation)


def _page_opened_in_legacy_mode():
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    from lab.app.page import use_app_navigation

    st.session_state.runs = st.session_state.get("runs", 0) + 1
    if st.session_state.runs == 1:
        PagesManager.uses_pages_directory = True  # what a fresh server with pages/ starts with
    use_app_navigation()
    st.write(f"runs={st.session_state.runs} legacy={PagesManager.uses_pages_directory}")


def test_use_app_navigation_switches_the_legacy_mode_off_and_reruns(legacy_flag):
    at = AppTest.from_function(_page_opened_in_legacy_mode, default_timeout=30).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["runs=2 legacy=False"]
    at.run()  # with the flag off, a later run goes straight through
    assert [m.value for m in at.markdown] == ["runs=3 legacy=False"]
