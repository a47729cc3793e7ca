"""Damaged and hostile model files against nn.serialization: the only outcomes allowed are a
ValueError with a message, or a model that works, in bounded time (hypothesis' deadline) and memory
(the limits a server passes). 1,500 generated files a run."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn import MLP
from nn.serialization import HEADER_KEYS, load_model

LIMITS = dict(max_parameters=100_000, max_layers=6, max_width=4096)  # what a shared server would pass
FUZZ = settings(max_examples=500, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

GOOD_MODEL = MLP([4, 6, 3], activation="tanh", seed=1)
_buffer = io.BytesIO()
GOOD_MODEL.save(_buffer)
GOOD = _buffer.getvalue()
GOOD_HEADER = json.loads(str(np.load(io.BytesIO(GOOD))["header"]))


def refused_or_working(data: bytes) -> None:
    """The rule every file must follow."""
    try:
        model = load_model(data, MLP, **LIMITS)
    except ValueError as err:
        assert str(err), "a refusal must say why"
        return
    x = np.zeros((2, model.layer_sizes[0]))
    assert model.predict_proba(x).shape == (2, model.layer_sizes[-1])


def npz(header: object, arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, header=np.array(header if isinstance(header, str) else json.dumps(header)), **arrays)
    return buffer.getvalue()


@FUZZ
@given(st.data())
def test_damaged_copies_of_a_good_file(data):
    """Truncated, bytes overwritten, bytes inserted or deleted anywhere, including the zip directory."""
    raw = bytearray(GOOD)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["cut", "flip", "insert", "delete"]))
        at = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if kind == "cut":
            del raw[at:]
        elif kind == "flip":
            if raw:
                raw[at] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=64))
        else:
            del raw[at:at + data.draw(st.integers(1, 64))]
    refused_or_working(bytes(raw))


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)
SIZES = st.one_of(
    st.lists(st.integers(-2, 10**12), max_size=8),  # negative, zero, huge
    st.builds(lambda n, w: [4] + [w] * n + [3], st.integers(0, 6000), st.integers(1, 3)),  # deep chains
    st.builds(lambda depth: json.loads("[" * depth + "]" * depth), st.integers(1, 500)),  # nested
    JSON,
)


@FUZZ
@given(header=st.fixed_dictionaries({key: JSON for key in HEADER_KEYS}, optional={"format_version": JSON})
       | st.builds(lambda sizes, changes: {**GOOD_HEADER, "layer_sizes": sizes, **changes},
                   SIZES, st.dictionaries(st.sampled_from(HEADER_KEYS), JSON, max_size=2))
       | st.builds(lambda depth: "[" * depth + "]" * depth, st.integers(500, 8000))
       | st.text(max_size=200))
def test_hostile_headers(header):
    """Any JSON (or not JSON) where the header goes, with the good file's arrays."""
    arrays = {name: value for name, value in zip(GOOD_MODEL.param_names, GOOD_MODEL.params)}
    refused_or_working(npz(header, arrays))


DTYPES = ["<f4", ">f8", "<f2", "<i1", "<u8", "?", "<c16", "<M8[s]", "<U3", "V4", [("a", "<f4"), ("b", "<i4")]]


@FUZZ
@given(st.data())
def test_arrays_of_odd_dtypes_and_shapes(data):
    """Each array replaced (or not) by one of another dtype, shape or byte order; some left out or added."""
    arrays = {}
    for name, value in zip(GOOD_MODEL.param_names, GOOD_MODEL.params):
        kind = data.draw(st.sampled_from(["keep", "dtype", "shape", "drop"]))
        if kind == "keep":
            arrays[name] = value
        elif kind == "dtype":
            arrays[name] = np.zeros(value.shape, dtype=np.dtype(data.draw(st.sampled_from(DTYPES))))
        elif kind == "shape":
            shape = tuple(data.draw(st.lists(st.integers(0, 9), max_size=3)))
            arrays[name] = np.ones(shape, np.float32)
    if data.draw(st.booleans()):
        arrays[data.draw(st.sampled_from(["extra", "W9", "header.npy", "../W1"]))] = np.zeros(2)
    refused_or_working(npz(GOOD_HEADER, arrays))


def test_the_rule_holds_for_a_good_file_and_a_zip_of_other_things():
    refused_or_working(GOOD)  # a working model
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("header.npy", b"\x93NUMPY" + bytes(200))
        archive.writestr("W1.npy", b"x" * 100)
    refused_or_working(buffer.getvalue())
