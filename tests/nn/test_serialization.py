"""Save and load: one .npz with a JSON header; anything malformed is refused with a ValueError."""
import io
import json
import zipfile

import numpy as np
import pytest

from nn import MLP
from nn.serialization import FORMAT_VERSION

X = np.random.default_rng(0).standard_normal((20, 4))
Y = np.arange(20) % 3


@pytest.fixture
def trained() -> MLP:
    model = MLP([4, 6, 5, 3], activation="relu", init="he", l2=0.01, dropout=0.1, seed=3)
    model.fit(X, Y, epochs=5, batch_size=5, optimizer="adam", lr=0.01)
    return model


def test_round_trip_gives_identical_predictions(trained, tmp_path):
    path = tmp_path / "model.npz"
    trained.save(path)
    loaded = MLP.load(path)
    assert loaded.config == trained.config
    np.testing.assert_array_equal(loaded.theta, trained.theta)
    np.testing.assert_array_equal(loaded.predict_proba(X), trained.predict_proba(X))
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left


def test_round_trip_through_bytes(trained):
    buffer = io.BytesIO()
    trained.save(buffer)
    loaded = MLP.load(buffer.getvalue())
    np.testing.assert_array_equal(loaded.predict(X), trained.predict(X))


def test_a_failed_save_leaves_the_old_file_whole(trained, tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    trained.save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        trained.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def saved_arrays(model: MLP) -> dict:
    buffer = io.BytesIO()
    model.save(buffer)
    with np.load(io.BytesIO(buffer.getvalue())) as npz:
        return {k: npz[k] for k in npz.files}


def to_bytes(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def with_header(arrays: dict, **changes) -> dict:
    header = json.loads(str(arrays["header"]))
    header.update(changes)
    return {**arrays, "header": np.array(json.dumps(header))}


@pytest.mark.parametrize("corrupt, message", [
    (lambda a: {k: v for k, v in a.items() if k != "W2"}, "lacks the array 'W2'"),
    (lambda a: {k: v for k, v in a.items() if k != "header"}, "header is missing"),
    (lambda a: {**a, "W1": np.zeros((3, 6))}, r"'W1' must be numeric with shape \(4, 6\)"),
    (lambda a: {**a, "b1": np.full(6, np.nan)}, "'b1' holds non-finite values"),
    (lambda a: {**a, "W1": np.full((4, 6), "x")}, "'W1' must be numeric"),
    (lambda a: {**a, "extra": np.zeros(2)}, r"unexpected arrays \['extra'\]"),
    (lambda a: {**a, "header": np.array("{not json")}, "header is not valid JSON"),
    (lambda a: with_header(a, format_version=99), "unknown model format version 99"),
    (lambda a: with_header(a, activation="swish"), "activation must be one of"),
    (lambda a: with_header(a, layer_sizes=[4, -6, 5, 3]), r"layer_sizes\[1\] must be"),
])
def test_malformed_files_are_refused(trained, corrupt, message):
    with pytest.raises(ValueError, match=message):
        MLP.load(to_bytes(corrupt(saved_arrays(trained))))


def test_a_pickle_inside_is_refused(trained):
    arrays = saved_arrays(trained)
    arrays["W1"] = np.array([{"evil": "pickle"}], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # an object array is stored as a pickle
    with pytest.raises(ValueError, match="pickled"):
        MLP.load(buffer.getvalue())


@pytest.mark.parametrize("data", [b"", b"not a zip file at all", b"PK\x03\x04" + b"\x00" * 40])
def test_garbage_is_refused(data):
    with pytest.raises(ValueError, match="not a Neural Lab model file"):
        MLP.load(data)


def test_a_truncated_file_is_refused(trained):
    buffer = io.BytesIO()
    trained.save(buffer)
    data = buffer.getvalue()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 10):
        with pytest.raises(ValueError):
            MLP.load(data[:cut])


def test_the_header_records_the_format_and_architecture(trained):
    header = json.loads(str(saved_arrays(trained)["header"]))
    assert header["format_version"] == FORMAT_VERSION
    assert header["layer_sizes"] == [4, 6, 5, 3] and header["activation"] == "relu"
    assert zipfile.is_zipfile(io.BytesIO(to_bytes(saved_arrays(trained))))


def test_a_frozen_model_predicts_but_cannot_be_changed(trained):
    before = trained.predict_proba(X)
    trained.freeze()
    np.testing.assert_array_equal(trained.predict_proba(X), before)
    with pytest.raises(ValueError, match="read-only"):
        trained.params[0][0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        trained.fit(X, Y, epochs=1)
    np.testing.assert_array_equal(trained.predict_proba(X), before)


def test_a_network_over_max_parameters_is_refused_before_it_is_allocated(trained):
    import tracemalloc

    huge = to_bytes(with_header(saved_arrays(trained), layer_sizes=[4, 10**6, 10**4, 3]))  # 10 billion weights
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"10,005,040,003 weights and biases; at most 1,000 are read"):
            MLP.load(huge, max_parameters=1000)
        assert tracemalloc.get_traced_memory()[1] < 2**20  # nothing of its size was allocated
    finally:
        tracemalloc.stop()
    assert MLP.load(to_bytes(saved_arrays(trained)), max_parameters=4 * 6 + 6 + 6 * 5 + 5 + 5 * 3 + 3).config == \
        trained.config  # exactly at the limit: read


def test_an_array_that_declares_another_shape_is_refused_from_its_header(trained):
    """The .npy header of W1 declares 10**12 floats: refused before numpy would allocate 4 TB."""
    arrays = saved_arrays(trained)
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, {"descr": "<f4", "fortran_order": False, "shape": (10**12,)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in arrays.items():
            if name != "W1":
                with archive.open(f"{name}.npy", "w") as f:
                    np.lib.format.write_array(f, value)
        archive.writestr("W1.npy", member.getvalue() + bytes(64))
    with pytest.raises(ValueError, match=r"'W1' must be numeric with shape \(4, 6\), got float32 \(1000000000000,\)"):
        MLP.load(buffer.getvalue())


@pytest.mark.parametrize("seed", [float("nan"), -1, "7", True, 2.5, [1, 2]])
def test_a_seed_that_is_not_a_whole_number_is_refused(seed):
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        MLP([2, 3, 2], seed=seed)


def test_a_deeply_nested_header_is_refused_with_a_value_error(trained):
    """Found by a student: "[[[[..." 5,000 deep raised RecursionError, a traceback on the page."""
    nested = "[" * 5_000 + "]" * 5_000  # 40 kB as the .npy unicode header: under its size limit
    with pytest.raises(ValueError, match="nested too deeply"):
        MLP.load(to_bytes({**saved_arrays(trained), "header": np.array(nested)}))
    header = json.dumps({**json.loads(str(saved_arrays(trained)["header"])), "l2": None})
    deep_value = header.replace('"l2": null', '"l2": ' + "[" * 3_000 + "]" * 3_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        MLP.load(to_bytes({**saved_arrays(trained), "header": np.array(deep_value)}))


def test_a_long_chain_of_tiny_layers_is_refused_before_anything_is_built(trained, monkeypatch):
    """5,000 one-unit layers: 10,012 weights, cheap to store, about 17 s of server time per page run."""
    chain = to_bytes(with_header(saved_arrays(trained), layer_sizes=[4] + [1] * 5000 + [3]))
    built = []
    monkeypatch.setattr(MLP, "__init__", lambda self, *a, **k: built.append(a))
    with pytest.raises(ValueError, match=r"5,001 layers of weights; at most 6 are read here"):
        MLP.load(chain, max_parameters=2_000_000, max_layers=6, max_width=4096)
    with pytest.raises(ValueError, match=r"a layer of 5,000 units; at most 4,096 are read here"):
        MLP.load(to_bytes(with_header(saved_arrays(trained), layer_sizes=[4, 5000, 3])), max_width=4096)
    assert not built


def test_limits_at_their_bounds_read_the_model(trained):
    loaded = MLP.load(to_bytes(saved_arrays(trained)), max_layers=3, max_width=6, max_parameters=83)
    np.testing.assert_array_equal(loaded.theta, trained.theta)
