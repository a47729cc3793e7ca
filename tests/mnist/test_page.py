"""AppTest of pages/mnist.py on the bundled sample with a small network (784-32-10, 2 epochs)."""
from __future__ import annotations

import base64
import json
import re
import threading

import numpy as np
import pytest

from lab.mnist import widgets as session_module
from lab.mnist.data import to_network_input
from lab.mnist.results import model_bytes
from lab.mnist.settings import ACTIVE_RUN_KEY, OUTCOME_KEY, RUNS_KEY
from lab.app import workers
from lab.mnist.settings import TrainingConfig
from lab.mnist.training import run_training, start_run, train_job
from lab.app.session import TRAINED_MODEL_KEY
from nn import MLP
from nn.datasets import load_mnist
from tests.support.markdown_text import shown
from tests.support.mnist_page import PAGE, train


@pytest.fixture(scope="module")
def sample_test():
    _, _, X_test, y_test = load_mnist("sample")
    return X_test, y_test


def shown_accuracy(at) -> float:
    [metric] = [m for m in at.metric if m.label == "Test accuracy"]
    return float(metric.value.rstrip("%")) / 100


def chart(at, key_suffix: str) -> dict:
    """The Plotly spec of the chart whose element id ends with ``key_suffix``."""
    [element] = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key_suffix)]
    return json.loads(element.proto.spec)


def array(value) -> np.ndarray:
    """A Plotly spec array: a list, or a typed array {"dtype", "bdata" (base64), "shape"}."""
    if isinstance(value, dict) and "bdata" in value:
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"]).reshape(shape)
    return np.asarray(value)


def test_train_runs_to_the_end_and_shows_the_results(app_test, sample_test):
    at = train(app_test(PAGE))
    X_test, y_test = sample_test
    accuracy = shown_accuracy(at)
    assert accuracy > 0.6  # chance is 0.1
    assert any(s.value.startswith("Trained 2 epochs") for s in at.success)
    # The number shown is what the model in the session computes on the test split.
    model = at.session_state[TRAINED_MODEL_KEY].model
    assert model.layer_sizes == (784, 32, 10)
    assert f"{model.score(to_network_input(X_test), y_test):.2%}" == f"{accuracy:.2%}"
    # The confusion matrix's counts add up to the test size.
    heatmap = chart(at, "mnist_cm")["data"][0]
    assert array(heatmap["customdata"]).sum() == len(y_test) == 2000
    assert sum(int(t) for row in heatmap["text"] for t in row) == 2000
    runs = at.session_state[RUNS_KEY]
    assert len(runs) == 1 and runs[0]["network"] == "784-32-10 relu" and runs[0]["epochs run"] == 2
    # The runs table sits in the results, narrow enough for the page: the settings in one column.
    table = next(d.value for d in at.dataframe if "settings" in d.value.columns)
    assert list(table.columns) == ["run", "data", "network", "test accuracy", "epochs", "seconds", "settings",
                                   "differs from the previous run"]
    assert table["epochs"][0] == "2 of 2" and table["data"][0] == "sample"
    assert table["differs from the previous run"][0] == "first run"
    assert table["settings"][0].startswith(runs[0]["optimizer"])
    assert "This session's runs" not in [h.value for h in at.subheader]  # no longer a section at the bottom
    assert any(m.value.startswith("**This session's runs**") for m in at.markdown)
    # What each hidden neuron looks for: the change training made, most structured first, explained.
    assert at.toggle(key="mnist_weights_change").value is True
    assert any("training moved them by" in c.value and "What training added is smooth" in c.value
               for c in at.caption)


def test_the_trained_model_is_left_for_the_draw_page(app_test):
    at = train(app_test(PAGE))
    trained = at.session_state[TRAINED_MODEL_KEY]
    assert trained.dataset == "sample" and trained.class_names == tuple("0123456789")
    assert trained.test_accuracy == at.session_state[OUTCOME_KEY].evaluation.accuracy
    assert "784-32-10 relu" in trained.name


def test_choosing_a_cell_shows_exactly_those_digits(app_test, sample_test):
    at = train(app_test(PAGE))
    X_test, y_test = sample_test
    predicted = at.session_state[TRAINED_MODEL_KEY].model.predict(to_network_input(X_test))
    confusion = np.zeros((10, 10), int)
    np.add.at(confusion, (y_test, predicted), 1)
    for true_class, predicted_class in [(4, 9), (7, 7)]:
        at.selectbox(key="mnist_true").set_value(true_class)
        at.selectbox(key="mnist_pred").set_value(predicted_class).run()
        expected = np.flatnonzero((y_test == true_class) & (predicted == predicted_class))
        assert len(expected) == confusion[true_class, predicted_class]
        heading = [m.value for m in at.markdown if re.match(r"\*\*[\d,]+ test images? of", m.value)]
        assert heading and heading[0].startswith(f"**{len(expected):,} test image")
        assert heading[0].split(" of ")[1].startswith(f"{true_class} ")
        if len(expected):
            [table] = [d.value for d in at.dataframe if "test image #" in d.value.columns]
            assert list(table["test image #"]) == list(expected[:40])
            assert set(table["true"]) == {str(true_class)} and set(table["predicted"]) == {str(predicted_class)}
            gallery = chart(at, "mnist_gallery")["layout"]["annotations"]
            assert len(gallery) == min(40, len(expected))
        # the chosen cell is outlined on the matrix
        [shape] = chart(at, "mnist_cm")["layout"]["shapes"]
        assert (shape["x0"], shape["y0"]) == (predicted_class - 0.5, true_class - 0.5)


def test_row_normalised_toggle(app_test):
    at = train(app_test(PAGE))
    at.toggle(key="mnist_cm_normalise").set_value(True).run()
    text = chart(at, "mnist_cm")["data"][0]["text"]
    assert all(cell == "" or cell.endswith("%") for row in text for cell in row)
    counts = array(chart(at, "mnist_cm")["data"][0]["customdata"])
    assert counts.sum() == 2000  # the counts behind it are unchanged


def test_rerunning_never_retrains(app_test):
    at = train(app_test(PAGE))
    model = at.session_state[TRAINED_MODEL_KEY].model
    theta = model.theta.copy()
    at.toggle(key="mnist_cm_normalise").set_value(True).run()
    at.run()
    assert len(at.session_state[RUNS_KEY]) == 1
    assert at.session_state[TRAINED_MODEL_KEY].model is model
    np.testing.assert_array_equal(model.theta, theta)


def test_stop_keeps_a_usable_model(app_test, sample_test):
    """Stop: the page's training job ends at its next report and the page shows the network as it
    was then. Here the job itself asks to stop in epoch 2, deterministically; in the browser the Stop
    button's on_click does (tests/browser/test_mnist_browser.py)."""
    X_train, y_train, X_test, y_test = load_mnist("sample")

    def stop_in_epoch_2(job, run):
        def update(p):
            if p.epoch == 1 and p.batch >= 10:
                job.stop()
            return job.report(p)
        run_training(run, X_train, y_train, on_update=update, interval=0.0)
        return run

    run = start_run(TrainingConfig(hidden=(32,), epochs=5), "sample")
    job = workers.start(stop_in_epoch_2, run)
    assert job.wait(60) and job.result is run and run.history.status == "stopped"
    weights = run.model.theta.copy()

    at = app_test(PAGE)
    at.session_state[ACTIVE_RUN_KEY] = job
    at.run()
    assert not at.exception
    assert any("Stopped after 1 complete epoch" in w.value for w in at.warning), [w.value for w in at.warning]
    trained = at.session_state[TRAINED_MODEL_KEY]
    np.testing.assert_array_equal(trained.model.theta, weights)  # as it was at that moment
    assert shown_accuracy(at) == pytest.approx(trained.model.score(to_network_input(X_test), y_test), abs=5e-5)
    assert shown_accuracy(at) > 0.6
    assert at.session_state[RUNS_KEY][-1]["status"] == "stopped"
    assert ACTIVE_RUN_KEY not in at.session_state


def test_a_rerun_during_training_does_not_end_it(app_test, sample_test):
    """The training is a job off the script thread: a script run that ends while it trains (any
    click reruns the page) leaves it going, and the next run of the page follows it to its end."""
    X_train, y_train, _, _ = load_mnist("sample")
    release = threading.Event()

    def train_after_release(job, run):
        release.wait(30)  # the page's first run sees it training, and ends before it does
        return train_job(job, run, X_train, y_train)

    run = start_run(TrainingConfig(hidden=(32,), epochs=3), "sample")
    job = workers.start(train_after_release, run)
    at = app_test(PAGE)
    at.session_state[ACTIVE_RUN_KEY] = job
    with pytest.raises(RuntimeError):  # AppTest gives up on this script run: as a rerun would end it
        at.run(timeout=1)
    assert not job.done
    release.set()
    at = app_test(PAGE)
    at.session_state[ACTIVE_RUN_KEY] = job
    at.run()
    assert not at.exception and job.done
    assert any(s.value.startswith("Trained 3 epochs") for s in at.success)
    assert at.session_state[RUNS_KEY][-1]["epochs run"] == 3


def test_a_diverging_run_says_so(app_test):
    at = train(app_test(PAGE), epochs=1, activation="identity", lr=10.0)  # diverges in epoch 1
    [error] = at.error
    assert "Training diverged" in error.value and "smaller learning rate" in error.value
    assert "1 instead of 10" in error.value
    assert TRAINED_MODEL_KEY not in at.session_state  # Draw keeps its default model


def test_download_upload_round_trip(app_test, monkeypatch):
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import app_test as app_test_module

    managers = []

    class RecordingManager(MediaFileManager):
        def __init__(self, *args):
            super().__init__(*args)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingManager)
    at = train(app_test(PAGE))
    accuracy = shown_accuracy(at)
    button = at.get("download_button")[0]
    assert button.proto.label == "Download this model (.npz)"
    assert not button.proto.url and button.proto.deferred_file_id  # the file is built only when clicked
    url = managers[-1].execute_deferred(button.proto.deferred_file_id)  # what a click asks the server
    downloaded = bytes(managers[-1]._storage.get_file(url.rsplit("/", 1)[1].split(".")[0]).content)
    assert downloaded == model_bytes(at.session_state[TRAINED_MODEL_KEY].model)

    fresh = app_test(PAGE)  # a new session: nothing trained
    fresh.run()
    fresh.file_uploader(key="mnist_upload").set_value(("mine.npz", downloaded, "application/octet-stream")).run()
    assert not fresh.exception and not fresh.error
    assert any("Uploaded “mine.npz”" in shown(s.value) for s in fresh.success)
    assert shown_accuracy(fresh) == accuracy
    assert fresh.session_state[TRAINED_MODEL_KEY].model.layer_sizes == (784, 32, 10)


@pytest.mark.parametrize("content, reason", [
    (b"PK\x03\x04 this is not a real archive", "not a Neural Lab model file"),
    (model_bytes(MLP([784, 8, 3])), "10 classes out"),
])
def test_a_malformed_upload_is_refused_with_a_message(app_test, content, reason):
    at = app_test(PAGE)
    at.run()
    at.file_uploader(key="mnist_upload").set_value(("bad.npz", content, "application/octet-stream")).run()
    assert not at.exception
    [error] = at.error
    assert shown(error.value).startswith("“bad.npz” was refused") and reason in shown(error.value)
    assert TRAINED_MODEL_KEY not in at.session_state and OUTCOME_KEY not in at.session_state


def test_presets_set_every_knob(app_test):
    at = app_test(PAGE)
    at.run()
    at.button(key="mnist_preset_Tutorial B").click().run()
    assert at.text_input(key="mnist_hidden").value == "30"
    assert at.selectbox(key="mnist_activation").value == "tanh"
    assert at.selectbox(key="mnist_init").value == "uniform"
    assert at.selectbox(key="mnist_optimizer").value == "momentum"
    at.button(key="mnist_preset_Best").click().run()
    assert at.text_input(key="mnist_hidden").value == "512" and at.slider(key="mnist_dropout").value == 0.2


def test_unreadable_hidden_sizes_are_refused(app_test):
    at = app_test(PAGE)
    at.run()
    at.text_input(key="mnist_hidden").set_value("lots").run()
    assert "Hidden layer sizes" in at.error[0].value
    assert at.button(key="mnist_train").disabled


def test_a_failed_download_falls_back_to_the_sample(app_test, monkeypatch, tmp_path):
    monkeypatch.setenv("NEURAL_LAB_CACHE", str(tmp_path))
    monkeypatch.setenv("NEURAL_LAB_MNIST_MIRRORS", "http://127.0.0.1:9/")  # nothing listens there
    at = app_test(PAGE)
    at.run()
    at.radio(key="mnist_source").set_value("mnist").run()
    assert not at.exception
    [warning] = at.warning
    assert "Full MNIST could not be downloaded; using the bundled 10,000-digit sample" in warning.value
    assert any("8,000 training images" in c.value for c in at.caption)


def test_full_mnist_is_downloaded_with_a_progress_bar_then_cached(app_test, monkeypatch, tmp_path):
    """Full MNIST from a mirror on 127.0.0.1 (small IDX files the test writes), as the page fetches it."""
    import dataclasses
    import functools
    import gzip
    import hashlib
    import http.server
    import threading

    from nn.datasets import SOURCES, RemoteFile
    from tests.support.idx_files import encode_idx

    X, y, X_test, y_test = load_mnist("sample")
    arrays = (X[:300].reshape(-1, 28, 28), y[:300].astype(np.uint8),
              X_test[:100].reshape(-1, 28, 28), y_test[:100].astype(np.uint8))
    root = tmp_path / "mirror"
    root.mkdir()
    files = []
    for remote, array in zip(SOURCES["mnist"].files, arrays):
        body = gzip.compress(encode_idx(array), mtime=0)
        (root / remote.name).write_bytes(body)
        files.append(RemoteFile(remote.name, len(body), hashlib.md5(body).hexdigest()))
    monkeypatch.setitem(SOURCES, "mnist", dataclasses.replace(
        SOURCES["mnist"], train_images=files[0], train_labels=files[1], test_images=files[2],
        test_labels=files[3]))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("NEURAL_LAB_MNIST_MIRRORS", f"http://127.0.0.1:{server.server_address[1]}/")
    monkeypatch.setenv("NEURAL_LAB_CACHE", str(tmp_path / "cache"))
    import streamlit as st

    bars, loads = [], []
    real_progress, real_load = st.progress, session_module.load_mnist
    monkeypatch.setattr(st, "progress", lambda *a, **k: bars.append(k.get("text")) or real_progress(*a, **k))
    monkeypatch.setattr(session_module, "load_mnist", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    session_module.load_data.clear()  # the cache is per process: start from nothing, leave nothing
    try:
        at = app_test(PAGE)
        at.run()
        at.radio(key="mnist_source").set_value("mnist").run()
        assert not at.exception and not at.warning
        assert bars and bars[0].startswith("Downloading full MNIST: 0.0 of 0.") and loads.count(("mnist",)) == 1
        assert any("300 training images and 100 test images from full MNIST" in c.value for c in at.caption)
        assert sorted(p.name for p in (tmp_path / "cache" / "mnist").iterdir()) == sorted(f.name for f in files)
        assert not at.get("progress")  # the download bar is gone once the data is in
        server.shutdown()  # from now on the data can only come from the caches
        train(at, epochs=1)
        assert at.session_state[TRAINED_MODEL_KEY].dataset == "mnist"
        assert len(at.session_state[OUTCOME_KEY].evaluation.y_true) == 100
        assert loads.count(("mnist",)) == 1  # read once, then from st.cache_data (replayed cleanly)
    finally:
        server.shutdown()
        server.server_close()
        session_module.load_data.clear()
        session_module.data_overview.clear()
