"""The bundled MNIST sample, class names and the loader's argument checks.

Downloads of the full sets are tested in test_datasets_download.py.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nn.datasets import CLASS_NAMES, DatasetUnavailable, class_names, load_mnist
from nn.datasets.mnist import SAMPLE_PATH

SAMPLE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


@pytest.fixture(scope="module")
def sample():
    return load_mnist("sample")


def test_bundled_file_is_the_documented_one():
    digest = hashlib.sha256(SAMPLE_PATH.read_bytes()).hexdigest()
    assert digest == "4bfbf983cf6c044900d038b67ac758e200814a7ea61fbf96483925945f106b12"


def test_sample_shapes_and_dtypes(sample):
    X_train, y_train, X_test, y_test = sample
    assert X_train.shape == (8000, 784) and X_test.shape == (2000, 784)
    assert y_train.shape == (8000,) and y_test.shape == (2000,)
    assert X_train.dtype == X_test.dtype == np.uint8
    assert y_train.dtype == y_test.dtype == np.int64
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))


def test_sample_is_the_default(sample):
    for a, b in zip(load_mnist(), sample):
        np.testing.assert_array_equal(a, b)


def test_sample_split_is_deterministic(sample):
    again = load_mnist("sample")
    for a, b in zip(again, sample):
        np.testing.assert_array_equal(a, b)


def test_sample_split_is_stratified(sample):
    _, y_train, _, y_test = sample
    counts = np.bincount(y_train, minlength=10) + np.bincount(y_test, minlength=10)
    assert counts.tolist() == SAMPLE_COUNTS
    # Each class keeps its 20 % share in the test part, up to rounding.
    expected = np.array(SAMPLE_COUNTS) * 2000 / 10000
    assert np.all(np.abs(np.bincount(y_test, minlength=10) - expected) <= 1)


def test_train_and_test_do_not_overlap(sample):
    X_train, _, X_test, _ = sample
    train_rows = {row.tobytes() for row in X_train}
    assert not any(row.tobytes() in train_rows for row in X_test)


def test_scale_gives_float32_in_unit_interval(sample):
    X_train, y_train, X_test, _ = load_mnist("sample", scale=True)
    assert X_train.dtype == X_test.dtype == np.float32
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    np.testing.assert_allclose(X_train * 255, sample[0], atol=1e-3)
    assert y_train.dtype == np.int64


def test_returned_arrays_are_fresh(sample):
    X_train, *_ = load_mnist("sample")
    X_train[:] = 0
    assert load_mnist("sample")[0].any()


def test_class_names():
    assert class_names("sample") == class_names("mnist") == tuple("0123456789")
    fashion = class_names("fashion")
    assert len(fashion) == 10 and fashion[0] == "T-shirt/top" and fashion[9] == "Ankle boot"
    assert set(CLASS_NAMES) == {"sample", "mnist", "fashion"}


@pytest.mark.parametrize("call", [load_mnist, class_names])
def test_unknown_name_lists_the_valid_ones(call):
    with pytest.raises(ValueError, match="name") as info:
        call("kmnist")
    assert "'kmnist'" in str(info.value)
    assert all(f"'{name}'" in str(info.value) for name in ("sample", "mnist", "fashion"))


def test_dataset_unavailable_is_a_runtime_error():
    assert issubclass(DatasetUnavailable, RuntimeError)


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_bad_timeout_is_refused(timeout):
    with pytest.raises(ValueError, match="timeout"):
        load_mnist("sample", timeout=timeout)
