"""The Moons page's lab modules, without Streamlit: settings and links, training, figures."""

import json
from dataclasses import fields, replace

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from lab.moons import figures
from lab.moons.settings import (
    DATA_FIELDS,
    DEFAULTS,
    KNOBS,
    PRESETS,
    MoonsSettings,
    parse_value,
    settings_from_query,
    to_query,
    to_token,
)
from lab.moons.points import Points
from lab.app.text import quoted
from lab.moons.run import (
    SWEEP_SIZES,
    Grid,
    load_data,
    oscillation,
    run_logistic,
    run_moons,
    sweep_settings,
)
from lab.moons.training import BOUNCE_WINDOW, FLAT_TOLERANCE, FLAT_WINDOW, levelled_off, snapshot_passes
from nn import History

SHORT = replace(DEFAULTS, passes=500, stop_when_flat=False)  # a cheap run for shape checks


@pytest.fixture(scope="module")
def default_run():
    return run_moons(DEFAULTS)


# ---- settings and the link ---------------------------------------------------------------------
def test_defaults_are_tutorial_a():
    d = DEFAULTS
    assert (d.dataset, d.n_points, d.noise, d.data_seed) == ("moons", 200, 0.2, 0)
    assert d.layer_sizes == [2, 3, 2] and d.activation == "tanh" and d.init == "scaled_normal"
    assert (d.optimizer, d.lr, d.l2, d.l1, d.batch_size, d.passes, d.reduction) == \
        ("sgd", 0.01, 0.01, 0.0, None, 20000, "sum")


def test_every_field_is_a_knob_with_a_reason_and_a_valid_default():
    assert set(KNOBS) == {f.name for f in fields(MoonsSettings)}
    for name, knob in KNOBS.items():
        assert knob.why.strip() and knob.label.strip(), name
        default = getattr(DEFAULTS, name)
        assert parse_value(name, to_token(default)) == default, name


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_query_round_trip(preset):
    settings, problems = settings_from_query(to_query(preset.settings))
    assert settings == preset.settings and problems == []


def test_an_empty_link_is_tutorial_a_without_complaint():
    assert settings_from_query({}) == (DEFAULTS, [])


@pytest.mark.parametrize("param, raw, why", [
    ("lr", "banana", "not one of"), ("lr", "0.02", "not one of"), ("neurons", "999", "outside 1 to 50"),
    ("neurons", "2.5", "whole number"), ("noise", "0.23", "multiple of 0.05"), ("noise", "nan", "outside"),
    ("activation", "softmax", "not one of"), ("stop_when_flat", "maybe", "true or false"),
    ("batch_size", "7", "not one of"), ("n_points", "", "whole number"),
])
def test_bad_values_fall_back_to_the_default_and_say_which(param, raw, why):
    settings, problems = settings_from_query({**to_query(DEFAULTS), param: raw})
    assert settings == DEFAULTS
    assert [p.param for p in problems] == [param]
    assert why in problems[0].reason
    assert quoted(f"{param}={raw}") in problems[0].message and "default" in problems[0].message


def test_missing_and_unknown_parameters_are_reported():
    settings, problems = settings_from_query({"neurons": "5", "colour": "red"})
    assert settings == replace(DEFAULTS, neurons=5)
    missing = {p.param for p in problems if p.raw is None}
    assert missing == set(KNOBS) - {"neurons"}
    assert [p.param for p in problems if p.raw is not None] == ["colour"]
    assert "not a setting" in next(p for p in problems if p.param == "colour").message


def test_values_are_read_flexibly_but_exactly():
    query = {"lr": "1e-2", "batch_size": "FULL", "stop_when_flat": "off", "noise": "0.15000000000000002",
             "passes": ["100", "200"]}  # a repeated parameter: the last one counts
    settings, _ = settings_from_query(query, report_missing=False)
    assert (settings.lr, settings.batch_size, settings.stop_when_flat, settings.noise, settings.passes) == \
        (0.01, None, False, 0.15, 200)


def test_only_keeps_the_named_fields():
    s = replace(DEFAULTS, noise=0.3, lr=0.1, neurons=7)
    assert s.only(DATA_FIELDS) == replace(DEFAULTS, noise=0.3)


# ---- training ----------------------------------------------------------------------------------
def test_tutorial_a_learns_the_moons(default_run):
    run = default_run
    assert run.train_accuracy >= 0.96 and run.test_accuracy >= 0.85
    assert len(run.data.X_train) == 160 and len(run.data.X_test) == 40
    # It stopped because the loss levelled off, and says so, truthfully.
    assert run.flat_at == run.passes_run == len(run.history.epoch) < 20000
    assert run.history.status == "stopped" and f"{run.passes_run:,} of 20,000" in run.stop_text
    window = run.history.train_loss[-FLAT_WINDOW - 1:]
    assert max(window) - min(window) <= FLAT_TOLERANCE * window[-1]
    # The numbers shown are the model's: rebuild it from the cached weights and measure again.
    model = run.model()
    assert model.score(run.data.X_train, run.data.y_train) == run.train_accuracy
    assert model.loss(run.data.X_train, run.data.y_train) == pytest.approx(run.objective)


def test_levelled_off_tells_a_steady_loss_a_steady_bounce_and_a_fall_apart():
    assert levelled_off([5.0] * (FLAT_WINDOW + 1)) == "steady"
    assert levelled_off(list(np.linspace(6.0, 5.0, 2 * BOUNCE_WINDOW))) is None  # still falling
    bounce = [5.0 + (0.1 if i % 2 else -0.1) for i in range(2 * BOUNCE_WINDOW)]  # 2% up and down, every pass
    assert levelled_off(bounce) == "bouncing" and levelled_off(bounce[:-1]) is None  # needs 2 x 500 passes
    falling_bounce = [b - 1e-3 * i / BOUNCE_WINDOW for i, b in enumerate(bounce)]  # falls 0.02% per 500 passes
    assert levelled_off(falling_bounce) == "bouncing"
    assert levelled_off([b - 0.05 * i / BOUNCE_WINDOW for i, b in enumerate(bounce)]) is None  # 1% per 500: on


def test_a_loss_that_bounces_around_a_level_stops_and_says_so():
    """4 tanh units at tutorial A's lr: the loss jumps by several percent within 100 passes, but its
    mean stays put, so training stops long before 20,000 passes, and the page says why."""
    run = run_moons(replace(DEFAULTS, neurons=4))
    losses = run.history.train_loss
    band = losses[-FLAT_WINDOW - 1:]
    assert max(band) - min(band) > 10 * FLAT_TOLERANCE * losses[-1]  # far too much for a steady stop
    assert run.flat_at == run.passes_run < 5000 and levelled_off(losses) == "bouncing"
    last, before = np.mean(losses[-BOUNCE_WINDOW:]), np.mean(losses[-2 * BOUNCE_WINDOW:-BOUNCE_WINDOW])
    assert abs(last - before) <= FLAT_TOLERANCE * last
    assert run.stop_text.startswith(f"Trained {run.passes_run:,} of 20,000 passes, then stopped by *Stop when the "
                                    "loss levels off*: the loss bounces")
    # The weights where it stopped draw the boundary the full run would: the average no longer moves.
    full = run_moons(replace(DEFAULTS, neurons=4, stop_when_flat=False))
    assert abs(full.train_accuracy - run.train_accuracy) <= 0.02


def test_all_200_points_as_in_the_tutorial():
    run = run_moons(replace(DEFAULTS, train_ratio=1.0))
    assert run.train_accuracy >= 0.96 and run.test_accuracy is None and run.test_loss is None


def test_snapshots_grids_and_hidden_units(default_run):
    run = default_run
    passes = [s.passes for s in run.snapshots]
    assert passes == sorted(set(snapshot_passes(run.passes_run)) | {run.passes_run})
    assert run.snapshots[0].train_accuracy < run.snapshots[-1].train_accuracy == run.train_accuracy
    assert run.proba.shape == (len(run.grid.ys), len(run.grid.xs)) and run.proba.dtype == np.float32
    assert 0 <= run.proba.min() and run.proba.max() <= 1
    assert [h.shape for h in run.hidden] == [(3, len(run.small_grid.ys), len(run.small_grid.xs))]
    assert np.abs(run.hidden[0]).max() <= 1  # tanh outputs


def test_without_stopping_every_pass_runs():
    run = run_moons(SHORT)
    assert run.passes_run == 500 and run.flat_at is None and run.history.status == "completed"
    assert [s.passes for s in run.snapshots] == [0, 1, 2, 5, 10, 20, 50, 100, 200, 500]
    assert run.stop_text == "Trained all 500 passes."


def test_same_settings_same_numbers():
    a, b = run_moons(SHORT), run_moons(SHORT)
    assert np.array_equal(a.theta, b.theta) and a.history.train_loss == b.history.train_loss


def test_grid_surrounds_the_data():
    data = load_data(DEFAULTS)
    grid = Grid.around(data.X_train, 7)
    assert grid.points.shape == (49, 2)
    assert (grid.points.min(axis=0) < data.X_train.min(axis=0)).all()
    assert grid.image(np.arange(49.0)).shape == (7, 7)


def test_oscillation_is_flagged_only_when_the_loss_bounces():
    def history(losses):
        return History(train_loss=list(losses), epoch=list(range(1, len(losses) + 1)))

    smooth = 10 + 100 * np.exp(-np.arange(2000) / 100)
    assert oscillation(history(smooth), full_batch=True) is None
    bouncing = smooth + 0.5 * (-1) ** np.arange(2000)
    flagged = oscillation(history(bouncing), full_batch=True)
    assert flagged.turns > 0.9 and not flagged.severe
    assert oscillation(history(bouncing), full_batch=False) is None  # minibatch losses bounce anyway
    climbing = np.r_[np.linspace(100, 5, 100), np.linspace(5, 500, 1900)]
    assert oscillation(history(climbing), full_batch=True).severe


def test_logistic_regression_draws_a_straight_line(default_run):
    logistic = run_logistic(DEFAULTS)
    assert 0.75 < logistic.train_accuracy < default_run.train_accuracy
    # P(class 1) of a linear model is monotone along any line: its 0.5 set is straight. Check it
    # crosses each grid column at most once.
    above = logistic.proba > 0.5
    assert (np.abs(np.diff(above.astype(int), axis=0)).sum(axis=0) <= 1).all()


def test_sweep_is_tutorial_a_hidden_sizes():
    sweep = sweep_settings(replace(DEFAULTS, hidden_layers=3, lr=0.1))
    assert [s.neurons for s in sweep] == list(SWEEP_SIZES) == [1, 2, 3, 4, 5, 20, 50]
    assert {s.hidden_layers for s in sweep} == {1} and {s.lr for s in sweep} == {0.1}


# ---- the presets show what they say --------------------------------------------------------------
def _preset(name):
    return next(p for p in PRESETS if p.name == name).settings


def test_preset_learning_rate_too_high_does_not_converge():
    run = run_moons(_preset("Learning rate too high"))
    assert run.oscillation is not None and run.oscillation.severe
    assert run.train_accuracy < 0.9


def test_preset_fifty_neurons_overfit():
    run = run_moons(_preset("50 neurons overfit"))
    assert run.train_accuracy == 1.0 and run.test_accuracy <= run.train_accuracy - 0.15


def test_preset_linear_network_cannot_bend():
    run = run_moons(_preset("A linear network"))
    logistic = run_logistic(_preset("A linear network"))
    assert run.train_accuracy < 0.9 and abs(run.train_accuracy - logistic.train_accuracy) <= 0.03
    assert (np.abs(np.diff((run.proba > 0.5).astype(int), axis=0)).sum(axis=0) <= 1).all()


def test_preset_deep_sigmoid_sits_on_a_plateau():
    settings = _preset("Deep sigmoid")
    assert not settings.stop_when_flat  # the preset runs through the plateau, so the curve shows it
    run = run_moons(settings)
    per_point = run.per_point(np.asarray(run.history.train_loss))
    assert np.allclose(per_point[:300], np.log(2), atol=0.01)  # a coin toss for hundreds of passes ...
    assert per_point[-1] < 0.2 and run.train_accuracy > 0.9  # ... then it escapes
    # With the stopping rule on, it stops on the plateau, having barely learnt.
    stopped = run_moons(replace(settings, stop_when_flat=True))
    assert stopped.flat_at is not None and stopped.flat_at <= 1000
    assert stopped.train_loss == pytest.approx(np.log(2), abs=0.01) and stopped.train_accuracy < 0.7


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_every_preset_loss_chart_spans_sane_ranges(preset):
    """The axes the browser draws: x within the passes run, y within the decades of the curve."""
    run = run_moons(preset.settings)
    fig = figures.run_loss_figure(run)
    spec = json.loads(pio.to_json(fig, validate=False))["layout"]
    x_low, x_high = spec["xaxis"]["range"]
    assert x_low == 0 and 10 ** x_high <= max(run.passes_run, 10) * 1.0001 and 10 ** x_high <= 1e6
    per_point = run.per_point(np.asarray(run.history.train_loss))
    y_low, y_high = spec["yaxis"]["range"]
    assert 10 ** y_low <= per_point.min() and per_point.max() <= 10 ** y_high <= 100 * per_point.max()
    assert float(y_low).is_integer() and float(y_high).is_integer()  # decades only
    for note in spec.get("annotations", []):  # a label on a log axis sits at log10(pass)
        assert 0 <= note["x"] <= x_high


# ---- extremes ----------------------------------------------------------------------------------
@pytest.mark.parametrize("settings", [
    replace(DEFAULTS, neurons=1, passes=1000),
    replace(DEFAULTS, hidden_layers=4, neurons=50, passes=200),
    replace(DEFAULTS, lr=max(KNOBS["lr"].options), passes=1000),
    replace(DEFAULTS, activation="relu", lr=10.0, optimizer="adam", passes=200),
    replace(DEFAULTS, batch_size=20, passes=100, reduction="mean", l1=0.01),
], ids=["1 neuron", "4x50", "largest lr", "relu adam lr 10", "minibatch mean l1"])
def test_extreme_settings_train_and_draw(settings):
    run = run_moons(settings)
    assert np.isfinite(run.theta).all() and 0 <= run.train_accuracy <= 1
    for fig in _all_figures(run):
        pio.to_json(fig, validate=False)


def test_a_network_that_blows_up_is_reported_and_still_drawn():
    run = run_moons(replace(DEFAULTS, activation="relu", lr=10.0, passes=1000))
    assert run.history.status == "diverged" and run.passes_run < 1000
    assert "loss became infinite" in run.stop_text and np.isfinite(run.theta).all()
    for fig in _all_figures(run):
        text = pio.to_json(fig, validate=False)
        assert "Infinity" not in text and "NaN" not in text  # JSON the browser can parse


# ---- figures -----------------------------------------------------------------------------------
def _all_figures(run):
    logistic = run_logistic(run.settings)
    return [figures.run_boundary_figure(run), figures.run_snapshots_figure(run), figures.run_loss_figure(run),
            figures.run_logistic_figure(run, logistic), *figures.run_units_figures(run),
            figures.run_sweep_figure([run, run], logistic)]


def test_figures_are_valid_plotly(default_run):
    # The builders skip Plotly's validation for speed; validate here, through a validating constructor.
    for fig in _all_figures(default_run):
        go.Figure(fig.to_dict())


def test_boundary_figure_shows_probability_line_and_both_splits(default_run):
    fig = figures.run_boundary_figure(default_run)
    contour, *points = fig.data
    assert contour.type == "contour" and contour.contours.start == contour.contours.end == 0.5
    assert np.asarray(contour.z).shape == default_run.proba.shape
    names = [p.name for p in points]
    assert names == ["train, class 0", "train, class 1", "test, class 0", "test, class 1"]
    assert {p.marker.symbol for p in points[2:]} == {"diamond"} and points[0].marker.symbol is None
    assert sum(len(p.x) for p in points) == 200
    assert "2-3-2 tanh" in fig.layout.title.text and "99.4%" in fig.layout.title.text


def test_snapshots_figure_has_a_frame_per_snapshot(default_run):
    fig = figures.run_snapshots_figure(default_run)
    n = len(default_run.snapshots)
    assert len(fig.frames) == n == len(fig.layout.sliders[0].steps)
    assert fig.frames[0].layout.title.text.startswith("Before training")
    assert fig.frames[-1].name == str(default_run.passes_run)
    assert [b.label for b in fig.layout.updatemenus[0].buttons][0] == "▶ Play"


def test_units_figure_tiles():
    units = np.random.default_rng(0).uniform(-1, 1, (7, 8, 8)).astype(np.float32)
    fig = figures.units_figure(units, "tanh", layer=2, columns=4)
    assert len(fig.data) == 7 and all(t.type == "heatmap" for t in fig.data)
    assert np.array_equal(np.asarray(fig.data[6].z), units[6])
    assert [a.text for a in fig.layout.annotations] == [f"h2.{i}" for i in range(1, 8)]
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-1, 1)
    # Unit 1 sits top left, unit 5 starts the second row.
    assert fig.data[0].x0 == fig.data[4].x0 == 0 and fig.data[0].y0 > fig.data[4].y0
    assert figures.unit_range("relu", np.array([0.0, 3.0])) == (-3.0, 3.0)
    many = figures.units_figure(np.zeros((50, 40, 40), np.float32), "sigmoid", layer=1)
    assert len(many.data) == 50 and np.asarray(many.data[0].z).shape == (20, 20)


def test_loss_figure_marks_the_stop(default_run):
    fig = figures.run_loss_figure(default_run)
    assert fig.layout.xaxis.type == "log" and "per point" in fig.layout.yaxis.title.text + fig.layout.title.text
    assert fig.layout.xaxis.dtick == fig.layout.yaxis.dtick == 1  # tick labels on decades only
    assert max(fig.data[0].y) == pytest.approx(default_run.history.train_loss[0] / 160)
    assert any("levelled off" in (a.text or "") for a in fig.layout.annotations)
    assert len(fig.data[0].x) <= figures.MAX_CURVE_POINTS + 2


def test_decimate_keeps_the_extremes():
    values = np.r_[np.linspace(100, 1, 5000), 1 + 0.3 * (-1) ** np.arange(15000)]
    x, y = figures.decimate(values, max_points=400)
    assert len(x) < 900 and x[0] == 1 and x[-1] == 20000
    assert y.max() == values.max() and y.min() == values.min()
    assert figures.decimate([3.0, 2.0])[1].tolist() == [3.0, 2.0]


def test_sweep_figure_panels(default_run):
    fig = figures.run_sweep_figure([default_run] * 7, run_logistic(DEFAULTS))
    assert sum(t.type == "contour" for t in fig.data) == 8
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("3 units: train 99.4%") and titles[-1].startswith("Logistic regression")
    assert json.loads(pio.to_json(fig, validate=False))["layout"]["xaxis8"]["anchor"] == "y8"


# ---- part two: feature inputs, regression, several classes, own points -----------------------------
def test_squared_inputs_separate_circles_without_a_hidden_layer():
    preset = _preset("Squared inputs")
    assert preset.features == ("x1_sq", "x2_sq") and preset.hidden_layers == 0
    run = run_moons(preset)
    assert run.config["layer_sizes"] == [2, 2] and run.hidden == ()
    assert run.train_accuracy >= 0.95 and run.test_accuracy >= 0.95
    plain = run_moons(replace(preset, x1=True, x2=True, x1_sq=False, x2_sq=False))
    assert plain.train_accuracy < 0.7  # from x1 and x2 alone the same network draws one straight line


def test_settings_that_cannot_change_training_share_a_cache_key():
    assert replace(DEFAULTS, discretize=True).for_training() == DEFAULTS
    assert replace(DEFAULTS, classes=4).for_training() == DEFAULTS  # moons has 2 classes
    assert replace(DEFAULTS, hidden_layers=0, neurons=9).for_training() == replace(DEFAULTS, hidden_layers=0)
    assert replace(DEFAULTS, dataset="blobs", classes=4).layer_sizes == [2, 3, 4]
    assert replace(DEFAULTS, dataset="spiral", classes=4).n_classes == 3  # the spiral has at most 3 arms


def test_regression_trains_its_loss_falls_and_it_is_drawn():
    run = run_moons(replace(DEFAULTS, dataset="bump", lr=0.003))
    assert run.kind == "regression" and run.config["loss"] == "mse" and run.architecture == "2-3-1 tanh"
    losses = run.history.train_loss
    assert losses[-1] < 0.2 * losses[0] and run.train_accuracy > 0.7 and run.test_accuracy > 0.7  # R²
    model = run.model()
    X = run.data.X_train
    assert run.train_loss == pytest.approx(0.5 * np.mean((model.predict(X)[:, 0] - run.data.y_train) ** 2))
    assert run.proba.shape == (len(run.grid.ys), len(run.grid.xs))
    assert run.proba.min() < 0 < run.proba.max()  # predicted values, not probabilities
    for fig in (figures.run_boundary_figure(run), figures.run_snapshots_figure(run), figures.run_loss_figure(run)):
        go.Figure(fig.to_dict())
    assert "R² " in figures.run_boundary_figure(run).layout.title.text
    assert "½ squared error" in figures.run_loss_figure(run).layout.title.text


def test_several_classes_show_each_predicted_class():
    run = run_moons(replace(DEFAULTS, dataset="blobs", classes=4, passes=2000))
    assert run.kind == "multiclass" and run.proba.shape[-1] == 4 and run.train_accuracy > 0.9
    fig = figures.run_boundary_figure(run, discretize=True)
    image, *lines = [t for t in fig.data if t.type in ("image", "contour")]
    assert image.type == "image" and len(lines) == 4  # one boundary line per class
    # Discretized, every pixel takes its predicted class's colour.
    predicted = run.proba.argmax(axis=-1)
    rgb = np.asarray(image.z)
    assert len({tuple(rgb[predicted == k][0]) for k in range(4)}) == 4
    assert all((rgb[predicted == k] == rgb[predicted == k][0]).all() for k in range(4))
    snapshots = figures.run_snapshots_figure(run)
    assert [t for t in snapshots.frames[0].traces] == [0, 1, 2, 3, 4]
    logistic = run_logistic(run.settings)
    assert logistic.proba.shape[-1] == 4
    for f in (fig, snapshots, figures.run_sweep_figure([run], logistic), figures.run_logistic_figure(run, logistic)):
        go.Figure(f.to_dict())


def test_binary_discretized_shows_only_the_class(default_run):
    contour = figures.run_boundary_figure(default_run, discretize=True).data[0]
    assert set(np.unique(np.asarray(contour.z))) == {0.0, 1.0} and not contour.showscale


def test_own_points_train_and_a_click_grid_covers_the_plane(default_run):
    points = Points.from_data(load_data(DEFAULTS)).add(-1.0, 1.2, 2)
    run = run_moons(DEFAULTS, points)
    assert run.own_points and run.config["layer_sizes"] == [2, 3, 3] and len(run.data.X_train) == 161
    with pytest.raises(ValueError, match="at least two classes"):
        run_moons(DEFAULTS, Points.empty().add(0, 0, 1))
    fig = figures.run_boundary_figure(default_run, click="add a class-1 point")
    grid = next(t for t in fig.data if t.name == "plane")
    assert len(grid.x) == (len(default_run.grid.xs) // figures.CLICK_STEP) ** 2 and grid.marker.opacity == 0
    assert "click: add a class-1 point" in grid.hovertemplate
    assert fig.data[0].hoverinfo == "skip"  # the grid answers hovers instead


def test_lbfgs_ignores_the_learning_rate_and_batch_size_and_reaches_gradient_descents_loss():
    lbfgs = replace(DEFAULTS, optimizer="lbfgs", stop_when_flat=False)
    # the knobs L-BFGS does not use share one cache entry
    assert replace(lbfgs, lr=0.3, batch_size=20).for_training() == lbfgs.for_training()
    run = run_moons(replace(lbfgs, batch_size=20).for_training())  # a minibatch size left set is not an error
    descent = run_moons(replace(DEFAULTS, stop_when_flat=False))
    assert run.history.status == "completed" and run.history.message.startswith("L-BFGS converged after")
    assert run.passes_run < 1000 and run.stop_text.startswith(f"L-BFGS ran {run.passes_run:,} iterations")
    assert run.objective <= descent.objective  # 20,000 passes of gradient descent get no lower
    assert [s.passes for s in run.snapshots][:4] == [0, 1, 2, 5]  # watched iteration by iteration
    assert run.oscillation is None
