"""What a mischievous student can put in a link or a file, through the pages (AppTest): text from a
user is shown as text, odd but valid networks are drawn, and a page never stops before the controls
that undo what the student did. (Chromium checks of the same: tests/browser/test_safe_input_browser.py.)"""
from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest

from lab.draw.figures import hidden_activations
from lab.mnist.results import model_bytes
from lab.mnist.settings import OUTCOME_KEY
from lab.app.session import TRAINED_MODEL_KEY, TrainedModel
from nn import MLP
from nn.datasets import load_mnist
from tests.support.markdown_text import injected, rendered, shown

LINK = "x` [log in here](https://evil.example/login) ![](https://tracker.example/p.png) `"
HEADING = "\n\n# You have been logged out"


def assert_nothing_injected(at) -> None:
    """No message makes a tag of its own; no Markdown anywhere on the page links to the attacker."""
    for kind in ("error", "warning", "info", "success", "caption"):
        for message in getattr(at, kind):
            assert not injected(message.value), (message.value, injected(message.value))
    for markdown in at.markdown:
        assert not re.search(r'(href|src)="[^"]*(evil|tracker)', rendered(markdown.value)), markdown.value


def test_a_link_cannot_put_links_images_or_headings_on_the_moons_page(app_test):
    at = app_test("pages/moons.py", default_timeout=120)
    at.query_params["lr"] = LINK
    at.query_params[f"neurons{HEADING}"] = "3"
    at.query_params["noise"] = "<img src=x onerror=alert(1)>"
    at.session_state["moons_show_sweep"] = False
    at.run()
    assert not at.exception
    assert_nothing_injected(at)
    warnings = " ".join(shown(w.value) for w in at.warning)
    assert "“" + f"lr={LINK}"[:80] + "…”" in warnings  # the student reads exactly what the link said
    infos = " ".join(shown(i.value) for i in at.info)
    assert "“neurons # You have been logged out”" in infos


def test_a_csv_file_name_and_content_are_shown_as_text(app_test):
    at = app_test("pages/moons.py", default_timeout=120)
    at.session_state["moons_show_sweep"] = False
    at.run()
    name = "[prize](https://evil.example).csv"
    at.file_uploader(key="moons_upload").set_value((name, b"x,y,label\n0,0,0\n1,[a](https://evil.example),1\n",
                                                    "text/csv")).run()
    assert not at.exception
    assert_nothing_injected(at)
    assert "“[prize](https://evil.example).csv” was not loaded. Line 3: y is '[a](https://evil.example)', " \
           "not a number." in shown(at.error[0].value)


def test_a_model_header_is_shown_as_text_on_the_mnist_page(app_test):
    good = model_bytes(MLP([784, 8, 10]))
    with np.load(io.BytesIO(good)) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = {**json.loads(str(arrays["header"])), "activation": f"relu{HEADING} [x](https://evil.example)"}
    buffer = io.BytesIO()
    np.savez(buffer, **{**arrays, "header": np.array(json.dumps(header))})
    at = app_test("pages/mnist.py")
    at.run()
    at.file_uploader(key="mnist_upload").set_value(("![x](https://tracker.example/p.png).npz", buffer.getvalue(),
                                                    "application/octet-stream")).run()
    assert not at.exception
    assert_nothing_injected(at)
    assert "activation must be one of" in shown(at.error[0].value)


def test_a_5000_layer_chain_upload_is_refused_before_it_is_built(app_test):
    """10,012 weights in 5,001 layers: it used to be accepted and cost every rerun about 17 s."""
    chain = MLP([784] + [1] * 3 + [10])  # saved small, then its header made to declare 5,000 layers
    with np.load(io.BytesIO(model_bytes(chain))) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = {**json.loads(str(arrays["header"])), "layer_sizes": [784] + [1] * 5000 + [10]}
    buffer = io.BytesIO()
    np.savez(buffer, **{**arrays, "header": np.array(json.dumps(header))})
    at = app_test("pages/mnist.py")
    at.run()
    at.file_uploader(key="mnist_upload").set_value(("chain.npz", buffer.getvalue(), "application/octet-stream")).run()
    assert not at.exception
    assert "5,001 layers of weights; at most 6 are read here" in shown(at.error[0].value)
    assert OUTCOME_KEY not in at.session_state


def test_equal_large_weights_do_not_break_the_mnist_page(app_test):
    """np.histogram_bin_edges raised "Too many bins for data range" on every rerun, and the uploader
    below the histograms was never drawn again."""
    model = MLP([784, 8, 10])
    model.theta[...] = 1e30
    at = app_test("pages/mnist.py")
    at.run()
    at.file_uploader(key="mnist_upload").set_value(("flat.npz", model_bytes(model), "application/octet-stream")).run()
    assert not at.exception
    assert at.session_state[OUTCOME_KEY].status == "uploaded"
    assert at.get("plotly_chart") and at.file_uploader(key="mnist_upload")  # drawn, and still there to undo it
    at.run()
    assert not at.exception


def drawing_of_a_seven() -> dict:
    from tests.support.drawings import canvas_value, drawn_digit

    _, _, X, y = load_mnist("sample")
    return canvas_value(drawn_digit(X[int(np.flatnonzero(y == 7)[0])]))


@pytest.mark.parametrize("sizes", [[784, 10], [784] + [12] * 10 + [10]], ids=["no hidden layer", "10 hidden layers"])
def test_the_draw_page_reads_any_network_the_mnist_page_can_hand_it(app_test, sizes):
    trained = TrainedModel(MLP(sizes, seed=0), "odd", "sample", None)
    at = app_test("pages/draw.py")
    at.session_state[TRAINED_MODEL_KEY] = trained
    at.session_state["draw_canvas_0"] = drawing_of_a_seven()
    at.run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["Prediction"]
    if len(sizes) == 2:
        assert any("No hidden layer" in m.value for m in at.markdown)


@pytest.mark.parametrize("layers", [1, 2, 5, 10, 30])
def test_hidden_panels_keep_their_height_and_never_overlap(layers):
    figure = hidden_activations([np.arange(4.0)] * layers)
    domains = [figure.layout[f"yaxis{'' if l == 0 else l + 1}"].domain for l in range(layers)]
    assert all(0 <= low < high <= 1 for low, high in domains)
    assert all(below[1] < above[0] for above, below in zip(domains, domains[1:]))  # top to bottom, with gaps
    panel_pixels = {round((high - low) * (figure.layout.height - 50)) for low, high in domains}
    assert panel_pixels == {170}


def test_a_csv_the_plane_cannot_draw_is_refused_and_the_controls_stay(app_test):
    """±1e308 coordinates were accepted, then the plot grid overflowed, "X must be finite" stopped the page
    before the points panel: no Clear, no Back, no upload until a reload."""
    at = app_test("pages/moons.py", default_timeout=120)
    at.session_state["moons_show_sweep"] = False
    at.run()
    at.file_uploader(key="moons_upload").set_value(("far.csv", b"x,y,label\n1e308,0,0\n-1e308,1,1\n", "text/csv")).run()
    assert not at.exception
    assert "Line 2: x is 1e308: every coordinate must be a number from -1,000 to 1,000." in shown(at.error[0].value)
    assert at.button(key="moons_clear_points") and at.file_uploader(key="moons_upload")
    long_field = b"x,y,label\n0,0,0\n1," + b"9" * 140_000 + b",1\n"  # over the csv module's field limit
    at.file_uploader(key="moons_upload").set_value(("long.csv", long_field, "text/csv")).run()
    assert not at.exception
    assert "Line 3: not readable as CSV (field larger than field limit" in shown(at.error[0].value)


def test_own_points_that_cannot_be_trained_keep_the_points_panel(app_test, monkeypatch):
    """Whatever refuses a run of own points, the plane and its Clear / Back / upload stay on the page."""
    from lab.moons import widgets as playground_ui

    at = app_test("pages/moons.py", default_timeout=120)
    at.session_state["moons_show_sweep"] = False
    at.run()
    at.file_uploader(key="moons_upload").set_value(("ok.csv", b"0,0,0\n1,1,1\n0,1,0\n1,0,1\n", "text/csv")).run()
    assert not at.exception and not at.error

    def refuse(*args, **kwargs):
        raise ValueError("X must be finite")

    monkeypatch.setattr(playground_ui, "cached_run", refuse)
    at.slider(key="moons_neurons").set_value(4).run()
    assert not at.exception
    assert "These settings cannot be trained: X must be finite" in shown(at.error[0].value)
    assert at.button(key="moons_clear_points") and at.button(key="moons_generated")
    at.button(key="moons_generated").click().run()
    assert not at.exception and "moons_points" not in at.session_state
