"""The MNIST page's helpers (lab/mnist/) and figure builders, without Streamlit running."""
from __future__ import annotations

import base64
import io
import threading

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from lab.app import workers
from lab.mnist import figures
from lab.mnist.data import class_counts, class_means, examples_per_class, to_network_input
from lab.mnist.results import Outcome, evaluate, load_digit_model, model_bytes
from lab.mnist.settings import (ACTIVE_RUN_KEY, OUTCOME_KEY, PRESETS, RUNS_KEY, TrainingConfig, config_from_widgets,
                                parse_hidden, widget_values)
from lab.mnist.training import ThrottledReporter, describe_progress, run_training, split_validation, start_run
from lab.mnist.widgets import accept_upload, finish_run, follow_training
from lab.app.session import TRAINED_MODEL_KEY, TrainedModel
from nn import MLP, History, Progress
from nn.datasets import load_mnist
from tests.support.markdown_text import shown

SMALL = TrainingConfig(hidden=(16,), epochs=2, batch_size=64, val_fraction=0.1)


@pytest.fixture(scope="module")
def sample():
    """The bundled sample as DigitData, cut to 1,500 training and 500 test images (fast)."""
    from lab.mnist.data import DigitData

    X, y, Xt, yt = load_mnist("sample")
    return DigitData("sample", X[:1500], y[:1500], Xt[:500], yt[:500], tuple("0123456789"))


@pytest.fixture(scope="module")
def trained(sample):
    run = start_run(SMALL, "sample")
    run_training(run, sample.X_train, sample.y_train)
    return run


def progress(kind="batch", epoch=0, epochs=4, batch=5, batches=10, elapsed=2.0, history=None):
    return Progress(kind, epoch, epochs, batch, batches, 0.5, 0.1, elapsed, history or History())


# ---- data -----------------------------------------------------------------------------------
def test_network_input_is_float32_in_unit_interval():
    X = np.array([[0, 51, 255]], dtype=np.uint8)
    out = to_network_input(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 0.2, 1.0]], rtol=1e-6)


def test_class_statistics():
    X = np.array([[0, 10], [20, 30], [100, 100]], dtype=np.uint8)
    y = np.array([1, 1, 3])
    np.testing.assert_array_equal(class_counts(y, 4), [0, 2, 0, 1])
    np.testing.assert_allclose(class_means(X, y, 4), [[0, 0], [10, 20], [0, 0], [100, 100]])
    picks = examples_per_class(np.array([0, 1, 0, 1, 1]), 2, n_classes=3)
    assert set(picks[0]) == {0, 2} and set(picks[1]) <= {1, 3, 4} and list(picks[2]) == [-1, -1]


# ---- configuration ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, sizes", [("256", (256,)), ("128, 64", (128, 64)), (" 32 ;16 ", (32, 16)),
                                         ("", ())])
def test_parse_hidden(text, sizes):
    assert parse_hidden(text) == sizes


@pytest.mark.parametrize("text", ["abc", "0", "-3", "1.5", "5000", "1,1,1,1,1,1"])
def test_parse_hidden_refuses_with_a_message(text):
    with pytest.raises(ValueError, match="hidden layer|at most"):
        parse_hidden(text)


def test_presets():
    tutorial = PRESETS["Tutorial B"]
    assert tutorial.layer_sizes() == [784, 30, 10]
    assert (tutorial.activation, tutorial.init, tutorial.optimizer) == ("tanh", "uniform", "momentum")
    fast = PRESETS["Fast"]
    assert (fast.layer_sizes(), fast.activation, fast.init) == ([784, 256, 10], "relu", "he")
    assert PRESETS["Best"].dropout > 0 and PRESETS["Best"].l2 > 0
    for preset in PRESETS.values():
        assert preset.build_model().layer_sizes == tuple(preset.layer_sizes())


def test_momentum_only_reaches_momentum_optimisers():
    assert TrainingConfig(optimizer="momentum", momentum=0.5).fit_options()["momentum"] == 0.5
    assert TrainingConfig(optimizer="sgd", momentum=0.5).fit_options()["momentum"] is None
    assert TrainingConfig(optimizer="adam").fit_options()["momentum"] is None


@pytest.mark.parametrize("name", list(PRESETS))
def test_widget_values_round_trip(name):
    assert config_from_widgets(widget_values(PRESETS[name])) == PRESETS[name]


def test_split_validation():
    X, y = np.arange(100).reshape(50, 2), np.arange(50)
    X_fit, y_fit, X_val, y_val = split_validation(X, y, 0.2, seed=1)
    assert (len(X_fit), len(X_val)) == (40, 10)
    assert set(y_fit).isdisjoint(y_val) and set(y_fit) | set(y_val) == set(range(50))
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)  # rows stay with their labels
    np.testing.assert_array_equal(split_validation(X, y, 0.2, seed=1)[3], y_val)  # seeded
    assert split_validation(X, y, 0.0, seed=1)[2] is None
    with pytest.raises(ValueError):
        split_validation(X, y, 1.0, seed=1)


# ---- progress ---------------------------------------------------------------------------------
class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_reporter_throttles_and_always_reports_the_last_epoch():
    clock, seen = FakeClock(), []
    run = start_run(SMALL, "sample")
    reporter = ThrottledReporter(run, seen.append, interval=0.25, clock=clock)
    for step in range(10):  # 10 batches, 0.1 s apart: reports at t = 0, 0.3, 0.6, 0.9
        clock.t = step * 0.1
        assert reporter(progress(batch=step + 1)) is False
    assert [p.batch for p in seen] == [1, 4, 7, 10]
    reporter(progress(kind="epoch", epoch=3, epochs=4))  # the last epoch, 0 s after a report
    assert seen[-1].kind == "epoch" and reporter.calls == 5
    assert run.history is seen[-1].history


def test_reporter_passes_a_stop_request_on():
    run = start_run(SMALL, "sample")
    assert ThrottledReporter(run, lambda p: True)(progress()) is True


def test_describe_progress_estimates_the_time_left():
    # Half of epoch 2 of 4 done after 3 s: 1.5 / 4 of the run, so 5 s left.
    text = describe_progress(progress(epoch=1, epochs=4, batch=5, batches=10, elapsed=3.0))
    assert text.epoch_fraction == pytest.approx(0.375) and text.batch_fraction == pytest.approx(0.5)
    assert "Epoch 2 of 4" in text.epoch_label and "3.0 s elapsed" in text.epoch_label
    assert "about 5.0 s left" in text.epoch_label and "Batch 5 of 10" in text.batch_label
    assert describe_progress(progress(kind="epoch", epoch=3, epochs=4, elapsed=8.0)).epoch_fraction == 1.0


# ---- the training driver ----------------------------------------------------------------------
def test_run_training_learns_and_reports(sample, trained):
    assert trained.finished and trained.history.status == "completed"
    assert trained.history.epoch == [1, 2] and len(trained.history.val_accuracy) == 2
    assert not np.allclose(trained.initial_weights[0], trained.model.W[0])
    assert evaluate(trained.model, sample.X_test, sample.y_test).accuracy > 0.6  # chance: 0.1

    seen = []
    run = start_run(SMALL, "sample")
    run_training(run, sample.X_train, sample.y_train, on_update=seen.append, interval=0.0)
    assert len(seen) == 2 * 22 + 2  # every batch (1,350 rows / 64) and both epochs
    np.testing.assert_array_equal(run.model.theta, trained.model.theta)  # reporting changes nothing


def test_stop_request_ends_training(sample):
    run = start_run(SMALL.replace(epochs=5), "sample")
    history = run_training(run, sample.X_train, sample.y_train,
                           on_update=lambda p: p.kind == "epoch", interval=0.0)
    assert history.status == "stopped" and history.epoch == [1]


def test_a_run_stopped_mid_epoch_keeps_its_model_and_history(sample):
    """What a Stop click does: the job's progress callback answers True in the middle of epoch 2."""
    run = start_run(SMALL.replace(epochs=3), "sample")
    run_training(run, sample.X_train, sample.y_train, on_update=lambda p: p.epoch == 1 and p.batch >= 5,
                 interval=0.0)
    assert run.history.status == "stopped" and np.isfinite(run.model.theta).all()
    assert run.history.epoch == [1, 2] and run.complete_epochs() == 1  # epoch 2 is recorded, unfinished

    state = {ACTIVE_RUN_KEY: run}
    outcome = finish_run(run, sample, state)
    assert outcome.status == "stopped" and "Stopped after 1 complete epoch" in outcome.message
    assert outcome.evaluation.accuracy > 0.5
    assert ACTIVE_RUN_KEY not in state and state[OUTCOME_KEY] is outcome
    assert state[TRAINED_MODEL_KEY].model is run.model and state[RUNS_KEY][-1]["status"] == "stopped"


def test_finish_run_records_a_bounded_table_of_runs(sample, trained):
    state = {}
    for _ in range(22):
        finish_run(trained, sample, state)
    rows = state[RUNS_KEY]
    assert len(rows) == 20 and rows[-1]["run"] == 22 and rows[0]["run"] == 3
    assert rows[-1]["network"] == "784-16-10 relu" and rows[-1]["test accuracy"] == \
        state[OUTCOME_KEY].evaluation.accuracy
    assert isinstance(state[TRAINED_MODEL_KEY], TrainedModel)
    assert state[TRAINED_MODEL_KEY].test_accuracy == state[OUTCOME_KEY].evaluation.accuracy


# ---- evaluation -------------------------------------------------------------------------------
def test_evaluation_selections(sample, trained):
    ev = evaluate(trained.model, sample.X_test, sample.y_test)
    predicted = trained.model.predict(to_network_input(sample.X_test))
    assert ev.confusion.sum() == len(sample.y_test)
    t, p = ev.most_confused_pair()
    assert t != p and ev.confusion[t, p] == ev.confusion[~np.eye(10, dtype=bool)].max()
    rows = ev.pair_indices(t, p)
    assert len(rows) == ev.confusion[t, p]
    assert (sample.y_test[rows] == t).all() and (predicted[rows] == p).all()
    mistakes = ev.confident_mistakes(5)
    confidence = ev.proba[mistakes, ev.y_pred[mistakes]]
    assert (ev.y_pred[mistakes] != ev.y_true[mistakes]).all() and (np.diff(confidence) <= 0).all()
    assert confidence[0] == max(ev.proba[i, ev.y_pred[i]] for i in np.flatnonzero(ev.y_pred != ev.y_true))
    table = ev.table(rows, tuple("0123456789"))
    assert list(table["test image #"]) == list(rows) and set(table["true"]) == {str(t)}
    assert [r["test examples"] for r in ev.per_class_rows(tuple("0123456789"))] == \
        list(np.bincount(sample.y_test, minlength=10))


# ---- saving and loading -----------------------------------------------------------------------
def test_model_round_trip(sample, trained):
    loaded = load_digit_model(model_bytes(trained.model))
    np.testing.assert_array_equal(loaded.theta, trained.model.theta)


@pytest.mark.parametrize("make, message", [
    (lambda: b"not a model at all", "not a Neural Lab model"),
    (lambda: model_bytes(MLP([784, 8, 3])), "10 classes"),
    (lambda: model_bytes(MLP([100, 8, 10])), "784 pixels"),
    (lambda: model_bytes(MLP([784, 10], loss="mse")), "regression"),
    (lambda: b"0" * 6_000_000, "limit is 5 MB"),
])
def test_bad_uploads_are_refused_with_a_reason(make, message):
    with pytest.raises(ValueError, match=message):
        load_digit_model(make())


def test_accept_upload(sample, trained):
    state = {}
    assert accept_upload("mine.npz", model_bytes(trained.model), sample, state) is None
    outcome = state[OUTCOME_KEY]
    assert outcome.status == "uploaded" and outcome.history is None
    assert outcome.evaluation.accuracy == evaluate(trained.model, sample.X_test, sample.y_test).accuracy
    assert state[TRAINED_MODEL_KEY].model is outcome.model
    message = accept_upload("junk.npz", b"junk", sample, state)
    assert shown(message).startswith("“junk.npz” was refused:") and state[OUTCOME_KEY] is outcome


# ---- figures ----------------------------------------------------------------------------------
def decode(fig: go.Figure) -> np.ndarray:
    source = fig.data[0].source
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))))


def test_tile_places_images_in_a_grid():
    images = np.arange(3)[:, None] * np.ones((3, 784))
    mosaic = figures.tile(images, cols=2, gap=2, caption_rows=5)
    assert mosaic.shape == (2 * 35, 2 * 30)
    assert (mosaic[5:33, 0:28] == 0).all() and (mosaic[5:33, 30:58] == 1).all()
    assert (mosaic[40:68, 0:28] == 2).all() and np.isnan(mosaic[40:68, 30:58]).all()
    assert np.isnan(mosaic[0:5]).all()  # caption room


def test_digit_gallery_draws_ink_dark_on_white():
    images = np.zeros((3, 784), np.uint8)
    images[1, :] = 255
    fig = figures.digit_gallery(images, ["a", "b", "c"], cols=3)
    pixels = decode(fig)
    assert pixels.shape == (28 + 3 + 10, 3 * 31, 4)  # RGBA
    rgb, alpha = pixels[..., :3], pixels[..., 3]
    assert (rgb[10:38, 31:59] == 0).all() and (rgb[10:38, 0:28] == 255).all()
    # the digits are opaque paper; the caption rows and gaps are transparent (the page's own colour)
    assert (alpha[10:38, 0:28] == 255).all() and (alpha[:10] == 0).all() and (alpha[10:38, 28:31] == 0).all()
    assert [a.text for a in fig.layout.annotations] == ["a", "b", "c"]


def test_first_layer_weights_one_tile_per_unit():
    W1 = np.zeros((784, 5))
    W1[0, 0], W1[1, 0] = 2.0, -1.0  # unit 0: red, then lighter blue
    pixels = decode(figures.first_layer_weights(W1, cols=5))
    assert pixels.shape == (30, 5 * 30, 3)
    red, blue, white = pixels[0, 0], pixels[0, 1], pixels[0, 2]
    assert red[0] > red[2] and blue[2] > blue[0] and (white == 255).all()


def test_weight_structure_tells_strokes_from_static():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(784, 3))
    yy, xx = np.mgrid[:28, :28]
    stroke = np.exp(-((xx - 14) ** 2) / 8.0).ravel()  # a smooth vertical bar
    W1 = np.column_stack([noise, stroke, stroke + 0.3 * rng.normal(size=784)])
    structure = figures.weight_structure(W1)
    assert np.all(np.abs(structure[:3]) < 0.1) and structure[3] > 0.9 and 0.1 < structure[4] < structure[3]
    assert list(figures.most_structured(W1, 2)) == [3, 4]
    # Trained on top of a random start: the weights look like static, the change does not.
    summary = figures.structure_summary(noise[:, :1] + 0.2 * stroke[:, None], noise[:, :1])
    assert summary["weights"] < 0.2 and summary["change"] > 0.9 and 0 < summary["moved"] < 1
    assert set(figures.structure_summary(W1)) == {"weights"}


def test_confusion_figure():
    cm = np.array([[5, 1], [3, 0]])
    fig = figures.confusion_figure(cm, ["a", "b"], normalize=False, selected=(1, 0))
    heatmap, cells = fig.data
    assert np.asarray(heatmap.customdata).sum() == 9 and heatmap.text[1][0] == "3"
    assert sorted(map(tuple, np.asarray(cells.customdata)[:, :2])) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert fig.layout.shapes[0].y0 == 0.5 and fig.layout.shapes[0].x0 == -0.5  # true 1, predicted 0
    normalized = figures.confusion_figure(cm, ["a", "b"], normalize=True)
    assert list(normalized.data[0].text[0]) == ["83%", "17%"] and list(normalized.data[0].text[1]) == ["100%", ""]


def test_learning_curves_with_and_without_validation():
    history = History(epoch=[1, 2], train_loss=[1.0, 0.5], train_accuracy=[0.8, 0.9], lr=[0.1, 0.1])
    assert len(figures.learning_curves(history).data) == 2
    history.val_loss, history.val_accuracy = [1.1, 0.6], [0.7, 0.85]
    fig = figures.learning_curves(history)
    assert [t.name for t in fig.data] == ["train", "train", "validation", "validation"]
    assert list(fig.data[3].y) == [0.7, 0.85] and fig.data[3].yaxis == "y2"


def test_weight_histograms_count_every_weight():
    before, after = [np.zeros((4, 3)), np.ones((3, 2))], [np.ones((4, 3)), np.zeros((3, 2))]
    fig = figures.weight_histograms(after, before, bins=10)
    totals = [sum(bar.y) for bar in fig.data]
    assert totals == [12, 12, 6, 6] and [bar.name for bar in fig.data[:2]] == ["before training", "after training"]
    assert len(figures.weight_histograms(after).data) == 2  # an uploaded model: no "before"


def test_data_overview_figures():
    counts = np.arange(10)
    assert list(figures.class_counts_figure(counts, list("0123456789"), "t").data[0].y) == list(counts)
    fig = figures.examples_by_class(np.zeros((10, 4, 784), np.uint8), list("0123456789"))
    assert decode(fig).shape == (10 * 30, 4 * 30, 4) and list(fig.layout.yaxis.ticktext) == list("0123456789")


def test_outcome_defaults():
    outcome = Outcome(MLP([784, 10]), "n", "sample", None, "uploaded", "m")
    assert outcome.history is None and outcome.config is None


def test_a_run_waits_for_a_training_slot_and_says_so(monkeypatch):
    """On a busy server the page says how many runs are ahead; Stop while waiting leaves the queue."""
    pool, gate = workers.Pool(0, slots=1), threading.Event()
    monkeypatch.setattr(workers, "_pool", pool)
    monkeypatch.setattr("lab.mnist.widgets.POLL", 0.02)
    busy = workers.start(lambda job: gate.wait(10))  # another student's run holds the only slot
    mine = workers.start(lambda job: "trained")
    notices = []

    class Holder:  # stands in for the page's st.empty()
        def info(self, text, **kwargs):
            notices.append(text)
            if len(notices) == 2:
                mine.stop()  # the Stop button's on_click

        def empty(self):
            notices.append(None)

    state = {ACTIVE_RUN_KEY: mine}
    assert follow_training(state, Holder()) is None
    assert notices[0].startswith("Waiting for a free training slot: 1 run ahead of yours")
    assert notices[-1] is None and mine.result is None  # cleared; it never trained
    assert ACTIVE_RUN_KEY not in state and RUNS_KEY not in state and not pool.queue
    gate.set()
    assert busy.wait(5) and pool.training == 0
