"""Property-based fuzz of every reader of user input behind the pages: link parameters, CSV files,
hidden-layer text, canvas images. The rule for each: a value the page can use, or a ValueError whose
message, as the page shows it (lab.app.text.plain), renders as text only. About 2,000 cases a run; the
pages themselves are fuzzed in tests/classroom/test_fuzz.py, model files in test_nn_serialization_fuzz.py."""
from __future__ import annotations

import io
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from lab.draw.preprocess import decode_png, preprocess
from lab.mnist.training import MAX_HIDDEN_LAYERS, MAX_WIDTH, parse_hidden
from lab.moons.settings import KNOBS, MoonsSettings, settings_from_query, to_token
from lab.moons.points import MAX_COORDINATE, MAX_ROWS, CsvError, parse_csv
from lab.app.text import MAX_MESSAGE, plain
from tests.support.markdown_text import injected

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE = st.sampled_from(["](https://evil.example)", "![](https://tracker.example/p.png)", "\n\n# big",
                           "<img src=x onerror=alert(1)>", "`", "\\", "$x$", ":red[x]", "9" * 400, "1e308", "nan",
                           "-0", "full", "TRUE", " 0.1 ", "１", "\x00"])
TEXT = st.one_of(st.text(max_size=60), HOSTILE, st.builds(lambda a, b: a + b, HOSTILE, st.text(max_size=10)))


def shown_safely(message: str) -> None:
    assert message and not injected(plain(message, MAX_MESSAGE))


@FUZZ
@given(st.dictionaries(st.one_of(st.sampled_from(sorted(KNOBS)), TEXT),
                       st.one_of(TEXT, st.lists(TEXT, min_size=1, max_size=3)), max_size=8))
def test_any_link_gives_valid_settings_and_plain_messages(query):
    settings, problems = settings_from_query(query)
    assert isinstance(settings, MoonsSettings)
    for name, knob in KNOBS.items():  # every value is one the widgets can show
        value = getattr(settings, name)
        if knob.options:
            assert value in knob.options
        elif knob.low is not None and not isinstance(value, bool):
            assert knob.low <= value <= knob.high
    for problem in problems:
        assert not injected(problem.message), problem.message


@FUZZ
@given(st.dictionaries(st.sampled_from(sorted(KNOBS)), st.just(None)))
def test_a_link_of_the_settings_reads_back_as_the_same_settings(names):
    """The share link round trip, for settings made of the knobs' own values."""
    settings, _ = settings_from_query({})
    query = {name: to_token(getattr(settings, name)) for name in names}
    assert settings_from_query(query)[0] == settings


CELL = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers(-10, 10).map(str), TEXT,
                 st.sampled_from(["train", "test", "x", "y", "label", "split", '"', '""', "1e308", "-1e308"]))
ROW = st.lists(CELL, min_size=0, max_size=5).map(",".join)


@FUZZ
@given(st.one_of(st.lists(ROW, max_size=12).map("\n".join).map(str.encode),
                 st.binary(max_size=300),
                 st.lists(ROW, max_size=12).map("\r\n".join).map(lambda t: t.encode("utf-16"))))
def test_any_csv_gives_drawable_points_or_a_line_to_fix(raw):
    try:
        points = parse_csv(raw)
    except CsvError as error:
        shown_safely(str(error))
        return
    assert 2 <= len(points) <= MAX_ROWS and len(np.unique(points.y)) >= 2
    assert np.all(np.abs(points.X) <= MAX_COORDINATE) and points.X.dtype == np.float64


@FUZZ
@given(st.one_of(TEXT, st.lists(st.integers(-5, 10_000).map(str), max_size=9).map(", ".join)))
def test_any_hidden_layer_text_gives_sizes_within_the_caps(text):
    try:
        sizes = parse_hidden(text)
    except ValueError as error:
        shown_safely(str(error))
        return
    assert len(sizes) <= MAX_HIDDEN_LAYERS and all(1 <= n <= MAX_WIDTH for n in sizes)


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


IMAGES = st.builds(
    lambda h, w, mode, seed: png_bytes(
        np.random.default_rng(seed).integers(0, 256, (h, w, 4) if mode == "RGBA" else (h, w), dtype=np.uint8)
        * (np.random.default_rng(seed + 1).random((h, w, 4) if mode == "RGBA" else (h, w)) < 0.05)),
    st.integers(1, 300), st.integers(1, 300), st.sampled_from(["RGBA", "L"]), st.integers(0, 1000))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(IMAGES, st.binary(max_size=400), IMAGES.map(lambda b: b[: len(b) // 2])))
def test_any_canvas_image_gives_28x28_pixels_or_a_refusal(raw):
    try:
        image = decode_png(raw)
    except ValueError as error:
        shown_safely(str(error))
        return
    pixels = preprocess(image)
    if pixels is not None:
        assert pixels.shape == (784,) and pixels.dtype == np.float32
        assert math.isfinite(float(pixels.sum())) and 0.0 <= pixels.min() and pixels.max() <= 1.0
