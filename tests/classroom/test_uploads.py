"""Uploaded model files: a size cap, no pickles, shapes checked, nothing unpacked that would not fit in
memory, and nothing written to disk (Streamlit keeps uploads in memory; the page reads the bytes)."""
from __future__ import annotations

import builtins
import io
import json
import os
import random
import tempfile
import tracemalloc
import zipfile

import numpy as np
import pytest

from lab.mnist.results import MAX_UPLOAD_BYTES, load_digit_model, model_bytes
from lab.mnist.settings import MAX_PARAMETERS
from lab.mnist.settings import OUTCOME_KEY
from lab.app.session import TRAINED_MODEL_KEY
from nn import MLP
from tests.support.markdown_text import shown

PAGE = "pages/mnist.py"
BOMB_BYTES = 2**28  # 256 MB of zeros, about 250 kB compressed: under the 5 MB upload cap
GOOD = model_bytes(MLP([784, 16, 10], activation="relu", init="he"))


def arrays_of(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data)) as npz:
        return {name: npz[name] for name in npz.files}


def npz(arrays: dict[str, np.ndarray], **kwargs) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **kwargs)
    return buffer.getvalue()


def with_header(**changes) -> bytes:
    arrays = arrays_of(GOOD)
    header = {**json.loads(str(arrays["header"])), **changes}
    return npz({**arrays, "header": np.array(json.dumps(header))})


def zip_bomb(unpacked_bytes: int) -> bytes:
    """A valid-looking model whose W1 unpacks to ``unpacked_bytes`` of zeros (written in chunks)."""
    buffer = io.BytesIO()
    rows = unpacked_bytes // (4 * 10)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("header.npy", npz_member(np.array(json.dumps(
            {**json.loads(str(arrays_of(GOOD)["header"])), "layer_sizes": [rows, 10]}))))
        with archive.open("W1.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (rows, 10)})
            chunk = bytes(2**20)
            for _ in range(unpacked_bytes // len(chunk)):
                f.write(chunk)
    return buffer.getvalue()


def npz_member(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    return buffer.getvalue()


def w1_declaring(shape: tuple[int, ...]) -> bytes:
    """A model file whose W1.npy declares ``shape`` of float32 but holds only 64 bytes of data."""
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, {"descr": "<f4", "fortran_order": False, "shape": shape})
    member.write(bytes(64))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("header.npy", npz_member(arrays_of(GOOD)["header"]))
        archive.writestr("W1.npy", member.getvalue())
    return buffer.getvalue()


@pytest.mark.parametrize("content, reason", [
    (b"x" * (MAX_UPLOAD_BYTES + 1), "the limit is 5 MB"),
    (b"", "not a Neural Lab model file"),
    (b"PK\x03\x04" + bytes(100), "not a Neural Lab model file"),
    (zip_bomb(BOMB_BYTES), f"at most {MAX_PARAMETERS:,} are read here"),
    (w1_declaring((10**12,)), "'W1' must be numeric with shape (784, 16)"),  # numpy would allocate 4 TB first
    (w1_declaring((784, 16)), "'W1' claims more data than the file holds"),
    (with_header(layer_sizes=[784, 100_000, 10]), "79,500,010 weights and biases"),
    (npz({**arrays_of(GOOD), "W1": np.array([object()] * 3)}, allow_pickle=True), "pickled"),
    (with_header(seed=float("nan")), "seed must be an integer >= 0, got nan"),
    (model_bytes(MLP([784, 8, 3])), "10 classes out"),
    (npz({**arrays_of(GOOD), "W1": np.zeros((784, 15), np.float32)}), "shape (784, 16)"),
    (npz({**arrays_of(GOOD), "W1": np.full((784, 16), np.nan, np.float32)}), "non-finite"),
    (npz({**arrays_of(GOOD), "extra": np.zeros(3)}), "unexpected arrays"),
])
def test_a_bad_model_file_is_refused_cheaply_with_the_reason(content, reason):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
            load_digit_model(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * MAX_UPLOAD_BYTES + 2**20 + len(content)  # nothing big was unpacked or allocated


def test_random_bytes_and_damaged_files_only_ever_give_a_value_error():
    rng = random.Random(8)
    cases = [bytes(rng.randrange(256) for _ in range(rng.randrange(2000))) for _ in range(40)]
    cases += [GOOD[:rng.randrange(len(GOOD))] for _ in range(40)]
    for _ in range(80):
        damaged = bytearray(GOOD)
        for _ in range(rng.randint(1, 30)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        cases.append(bytes(damaged))
    for value in (None, -1, 0, 1e300, "x", [], {}, [784, -3, 10], True, [784.5, 10], ["784", "10"], [784] * 9):
        for field in ("layer_sizes", "activation", "dropout", "seed", "dtype", "format_version", "l2"):
            cases.append(with_header(**{field: value}))
    for content in cases:
        try:
            load_digit_model(content)
        except ValueError:
            pass


def test_the_page_refuses_a_bomb_and_never_writes_the_upload_to_disk(app_test, monkeypatch):
    """Every file opened for writing while uploads are handled must be under the temporary folder."""
    written = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, mode="r", *args, **kwargs):
        if any(m in str(mode) for m in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            written.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    at = app_test(PAGE)
    at.run()
    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    at.file_uploader(key="mnist_upload").set_value(("bomb.npz", zip_bomb(BOMB_BYTES),
                                                   "application/octet-stream")).run()
    assert not at.exception
    assert any(shown(e.value).startswith("“bomb.npz” was refused") and "weights and biases" in shown(e.value) for e in at.error)
    assert OUTCOME_KEY not in at.session_state
    at.file_uploader(key="mnist_upload").set_value(("mine.npz", GOOD, "application/octet-stream")).run()
    assert not at.exception and not at.error
    assert at.session_state[TRAINED_MODEL_KEY].model.layer_sizes == (784, 16, 10)
    temporary = os.path.realpath(tempfile.gettempdir())
    outside = [p for p in written if not os.path.realpath(p).startswith(temporary)]
    assert not outside, outside
