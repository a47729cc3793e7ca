"""A cache folder the server cannot write to (a read-only disk) leaves the MNIST page working on the
bundled sample, with a notice; the download mirrors point at a closed port on 127.0.0.1."""
from __future__ import annotations

import os
import socket

import pytest

from lab.mnist import widgets as mnist_session
from lab.app.session import TRAINED_MODEL_KEY

PAGE = "pages/mnist.py"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound once, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def offline(monkeypatch):
    """Mirrors that refuse the connection; st.cache_data of the data emptied before and after."""
    url = f"http://127.0.0.1:{closed_port()}/"
    monkeypatch.setenv("NEURAL_LAB_MNIST_MIRRORS", url)
    monkeypatch.setenv("NEURAL_LAB_FASHION_MIRRORS", url)
    for cached in (mnist_session.load_data, mnist_session.data_overview):
        cached.clear()
    yield
    for cached in (mnist_session.load_data, mnist_session.data_overview):
        cached.clear()


def unwritable_cache_folders(tmp_path):
    """A cache path under a regular file (no folder can be made there: read-only even for root),
    and, when not root, a folder with mode 0500."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    yield "under a regular file", blocker / "cache"
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        yield "mode 0500", locked


@pytest.mark.parametrize("source, title", [("mnist", "Full MNIST"), ("fashion", "Fashion-MNIST")])
def test_an_unwritable_cache_falls_back_to_the_sample_with_a_notice(app_test, offline, monkeypatch, tmp_path,
                                                                    source, title):
    for how, folder in unwritable_cache_folders(tmp_path):
        monkeypatch.setenv("NEURAL_LAB_CACHE", str(folder))
        at = app_test(PAGE)
        at.run()
        at.radio(key="mnist_source").set_value(source).run()
        assert not at.exception, how
        [warning] = at.warning
        assert warning.value.startswith(f"{title} cannot be stored on this server, so it was not downloaded; "
                                        "using the bundled 10,000-digit sample"), how
        assert "cannot write to the cache folder" in warning.value, how  # the notice says why ...
        assert "NEURAL_LAB_CACHE" in warning.value and "mirror" not in warning.value, how  # ... and what helps
        assert any("8,000 training images and 2,000 test images from the bundled sample" in c.value
                   for c in at.caption), how
        # Training works on the sample.
        at.text_input(key="mnist_hidden").set_value("8")
        at.slider(key="mnist_epochs").set_value(1)
        at.button(key="mnist_train").click().run()
        assert not at.exception and not at.error, how
        assert at.session_state[TRAINED_MODEL_KEY].dataset == "sample"
        assert any(s.value.startswith("Trained 1 epoch") for s in at.success)
        if folder.is_dir():
            assert not list(folder.iterdir()), how  # nothing was written
