"""A page that raises shows students a short message, never the traceback with the server's paths;
the server's log keeps the traceback (client.showErrorDetails in .streamlit/config.toml)."""
from __future__ import annotations

from tests.support.browser import ARTIFACTS, REPO_ROOT, running_app
from tests.support.streamlit_client import StreamlitSession, play


def test_an_exception_reaches_the_browser_without_its_details():
    log = ARTIFACTS / "error-details-server.log"

    async def open_the_page():
        session = StreamlitSession(url)
        await session.connect()
        try:
            return await session.run(page="", timeout=60)
        finally:
            await session.close()

    with running_app(log, script="tests/support/crashing_page.py") as url:
        run = play(open_the_page())
    assert len(run.exceptions) == 1, run
    shown = run.exceptions[0]
    assert "secret detail" not in shown and str(REPO_ROOT) not in shown and "crashing_page" not in shown
    assert "secret detail" in log.read_text() and "Traceback" in log.read_text()
