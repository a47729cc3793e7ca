"""The 2-D playground sets: shapes, balance, seeds, splits and refusals."""

from __future__ import annotations

import numpy as np
import pytest

from nn.datasets import PLANAR_DATASETS, PlanarData, make_planar

# Every (name, classes) combination the registry supports.
CASES = [(name, classes) for name, gen in PLANAR_DATASETS.items()
         for classes in range(gen.min_classes, gen.max_classes + 1)]


def test_registry_lists_the_six_sets():
    assert set(PLANAR_DATASETS) == {"moons", "circles", "xor", "spiral", "blobs", "linear"}
    assert PLANAR_DATASETS["spiral"].max_classes == 3
    assert PLANAR_DATASETS["blobs"].max_classes == 4


@pytest.mark.parametrize("name, classes", CASES)
@pytest.mark.parametrize("n_points", [4, 201])
def test_shapes_dtypes_and_balance(name, classes, n_points):
    X, y = PLANAR_DATASETS[name](n_points, 0.2, 0, classes)
    assert X.shape == (n_points, 2) and X.dtype == np.float64
    assert y.shape == (n_points,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes
    assert counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name, classes", CASES)
def test_same_seed_same_points_other_seed_other_points(name, classes):
    generate = PLANAR_DATASETS[name]
    X1, y1 = generate(100, 0.2, 7, classes)
    X2, y2 = generate(100, 0.2, 7, classes)
    X3, _ = generate(100, 0.2, 8, classes)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name, classes", CASES)
def test_global_random_state_is_left_alone(name, classes):
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    PLANAR_DATASETS[name](50, 0.2, 0, classes)
    assert np.random.random() == before


def test_moons_match_the_tutorial_default():
    from sklearn.datasets import make_moons

    X_ref, y_ref = make_moons(200, noise=0.20, random_state=0)
    data = make_planar("moons")
    np.testing.assert_array_equal(data.X_train, X_ref)
    np.testing.assert_array_equal(data.y_train, y_ref)


def test_xor_labels_follow_the_quadrants_without_noise():
    X, y = PLANAR_DATASETS["xor"](400, 0.0, 0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


def test_spiral_radius_grows_along_each_arm_without_noise():
    X, y = PLANAR_DATASETS["spiral"](300, 0.0, 0, 3)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 1.0 and radius.min() >= 0.05
    # Without noise, class c's points sit on the curve angle = 2*pi*c/3 + 3*pi*r.
    angle = 2 * np.pi * y / 3 + 3 * np.pi * radius
    np.testing.assert_allclose(X, radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]))


@pytest.mark.parametrize("seed", range(5))
def test_linear_is_linearly_separable_at_default_noise(seed):
    X, y = PLANAR_DATASETS["linear"](500, 0.2, seed)
    np.testing.assert_array_equal(y, (X.sum(axis=1) > 0).astype(np.int64))


def test_more_noise_spreads_the_points():
    quiet, _ = PLANAR_DATASETS["circles"](500, 0.0, 0)
    noisy, _ = PLANAR_DATASETS["circles"](500, 0.3, 0)
    radii = np.hypot(quiet[:, 0], quiet[:, 1])
    np.testing.assert_allclose(np.sort(np.unique(radii.round(6))), [0.5, 1.0])
    assert np.hypot(noisy[:, 0], noisy[:, 1]).std() > radii.std()


def test_make_planar_without_test_part():
    data = make_planar("xor", n_points=50)
    assert isinstance(data, PlanarData) and data.name == "xor"
    assert data.X_train.shape == (50, 2) and data.y_train.shape == (50,)
    assert data.X_test.shape == (0, 2) and data.y_test.shape == (0,)
    with pytest.raises(AttributeError):
        data.name = "moons"  # frozen


@pytest.mark.parametrize("name, classes", CASES)
def test_make_planar_split_is_stratified(name, classes):
    data = make_planar(name, n_points=120, classes=classes, test_ratio=0.25, seed=3)
    assert len(data.X_train) == 90 and len(data.X_test) == 30
    test_counts = np.bincount(data.y_test, minlength=classes)
    assert test_counts.max() - test_counts.min() <= 1
    all_rows = np.concatenate([data.X_train, data.X_test])
    X, _ = PLANAR_DATASETS[name](120, 0.2, 3, classes)
    np.testing.assert_array_equal(np.sort(all_rows, axis=0), np.sort(X, axis=0))


def test_standardize_is_fitted_on_train_only():
    raw = make_planar("blobs", classes=3, test_ratio=0.3, seed=1)
    data = make_planar("blobs", classes=3, test_ratio=0.3, seed=1, standardize=True)
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0)
    mean, std = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(data.X_test, (raw.X_test - mean) / std)
    np.testing.assert_array_equal(data.y_test, raw.y_test)


@pytest.mark.parametrize("kwargs, argument", [
    ({"n_points": 3}, "n_points"),
    ({"n_points": 5001}, "n_points"),
    ({"n_points": 100.0}, "n_points"),
    ({"noise": -0.1}, "noise"),
    ({"noise": float("nan")}, "noise"),
    ({"seed": -1}, "seed"),
    ({"classes": 3}, "classes"),          # moons has two classes only
    ({"test_ratio": 1.0}, "test_ratio"),
    ({"test_ratio": -0.1}, "test_ratio"),
    ({"n_points": 10, "test_ratio": 0.05}, "test_ratio"),  # one test point, two classes
])
def test_bad_arguments_are_refused_by_name(kwargs, argument):
    with pytest.raises(ValueError, match=argument) as info:
        make_planar("moons", **kwargs)
    assert str(kwargs[argument]) in str(info.value)  # the message shows the bad value


@pytest.mark.parametrize("name, classes", [("spiral", 4), ("blobs", 5), ("blobs", 1), ("xor", 3)])
def test_classes_out_of_range_for_the_set(name, classes):
    with pytest.raises(ValueError, match=f"classes.*{classes}"):
        make_planar(name, classes=classes)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="name") as info:
        make_planar("swiss")
    assert "'swiss'" in str(info.value)
    assert all(name in str(info.value) for name in PLANAR_DATASETS)
