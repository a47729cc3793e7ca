"""Streamlit side of the MNIST page: the shared data, the knobs, the training job and its progress,
and what a finished run leaves in the session (keys in lab.mnist.settings)."""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import numpy as np
import streamlit as st

from nn import Progress
from nn.datasets import CacheUnwritable, DatasetUnavailable, class_names, load_mnist

from lab.app import workers
from lab.app.charts import show_chart
from lab.app.lessons import widgets as lesson
from lab.app.session import TRAINED_MODEL_KEY, TrainedModel
from lab.app.text import MAX_MESSAGE, plain, quoted
from lab.mnist.data import SOURCE_TITLES, DigitData, class_counts, class_means, examples_per_class
from lab.mnist.figures import curves_alt, learning_curves
from lab.mnist.results import Outcome, evaluate, load_digit_model
from lab.mnist.settings import (ACTIVE_RUN_KEY, FIELDS, KNOBS, MAX_RUNS, OUTCOME_KEY, PRESETS, RUNS_KEY,
                                TrainingConfig, config_from_widgets, network_name, widget_values)
from lab.mnist.training import TrainingRun, describe_progress, start_run, train_job

UNAVAILABLE_KEY = "mnist_unavailable"  # {dataset: the notice of why it failed}, not retried this session
DOWNLOAD_TIMEOUT = 15.0  # seconds per connection attempt
POLL = 0.25  # seconds between redraws of a training's progress (each one a chance to rerun)


# ---- data ---------------------------------------------------------------------------------
@st.cache_resource(max_entries=3, ttl=3600, show_spinner="Reading the images...")
def load_data(name: str) -> DigitData:
    """The train / test split of ``name`` (uint8 images), downloaded once with a progress bar, and
    shared read-only by every session (no copy per call).

    The bar is created inside this cached function (only when a download happens), so Streamlit
    replays it harmlessly; DatasetUnavailable is raised, and not cached.
    """
    bar: Any = None
    shown = -1

    def progress(done: int, total: int | None) -> None:
        nonlocal bar, shown
        percent = 5 * int(20 * done / total) if total else 0
        if percent != shown:  # every 5%: Streamlit replays these on each rerun, keep them few
            shown = percent
            text = f"Downloading {SOURCE_TITLES[name]}: {done / 1e6:.1f} of {(total or 0) / 1e6:.1f} MB"
            bar = bar or st.progress(0, text=text)
            bar.progress(min(percent, 100), text=text)

    try:
        split = load_mnist(name, progress=progress, timeout=DOWNLOAD_TIMEOUT)
    finally:
        if bar is not None:
            bar.empty()
    for array in split:
        array.setflags(write=False)
    return DigitData(name, *split, class_names=class_names(name))


@st.cache_data(max_entries=3, ttl=3600, show_spinner=False)
def data_overview(name: str, per_class: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of the training split of ``name``: class counts (k,), average images (k, 784) and
    ``per_class`` random examples of each class (k, per_class, 784) uint8."""
    data = load_data(name)
    picks = examples_per_class(data.y_train, per_class)
    examples = np.where(picks[..., None] >= 0, data.X_train[picks], 0).astype(np.uint8)
    return class_counts(data.y_train), class_means(data.X_train, data.y_train), examples


def get_data(name: str, state: MutableMapping) -> tuple[DigitData, str | None]:
    """The data set ``name``, or the bundled sample and a notice saying why not."""
    failed = state.setdefault(UNAVAILABLE_KEY, {})  # name -> the notice, so a session asks only once
    title = SOURCE_TITLES[name][0].upper() + SOURCE_TITLES[name][1:]
    if name != "sample" and name not in failed:
        try:
            return load_data(name), None
        except CacheUnwritable as err:  # a read-only disk: nothing was downloaded
            failed[name] = (f"{title} cannot be stored on this server, so it was not downloaded; "
                            f"using the bundled 10,000-digit sample. ({err})")
        except DatasetUnavailable as err:
            failed[name] = f"{title} could not be downloaded; using the bundled 10,000-digit sample. ({err})"
    return load_data("sample"), failed.get(name) if name != "sample" else None


# ---- the knobs ----------------------------------------------------------------------------
def knobs(state: MutableMapping) -> TrainingConfig | None:
    """The preset buttons and every knob widget, in three columns; the settings they describe
    (read once), or None after an error message for unreadable hidden sizes."""
    keep = lesson.current_link(KNOBS)  # a preset leaves the knobs the link locks or hides as they are
    for column, (name, preset) in zip(st.columns(len(PRESETS)), PRESETS.items()):
        values = {key: value for key, value in widget_values(preset).items()
                  if key.removeprefix("mnist_") not in keep.lock | keep.hide}
        column.button(f"Preset: {name}", key=f"mnist_preset_{name}", on_click=state.update, args=(values,),
                      width="stretch")
    columns = dict(zip(("network", "optimiser", "loop"), st.columns(3)))
    for name, spec in FIELDS.items():
        disabled = name == "momentum" and state["mnist_optimizer"] not in ("momentum", "nesterov")
        lesson.knob(KNOBS, name, getattr(columns[spec.column], spec.widget), disabled=disabled, **spec.args)
    try:
        return config_from_widgets(state)
    except ValueError as err:
        st.error(f"Hidden layer sizes: {plain(err, MAX_MESSAGE)}")
        return None


# ---- training -----------------------------------------------------------------------------
class ProgressPanel:
    """Two progress bars (epochs; batches of this epoch) and the learning curves, redrawn live."""

    def __init__(self, container: Any) -> None:
        with container:
            self.epochs_bar = st.progress(0, text="Epoch 1: starting...")
            self.batches_bar = st.progress(0, text="Batch 0")
            self.curves = st.empty()
        self.drawn_epochs = 0

    def update(self, p: Progress) -> None:
        text = describe_progress(p)
        self.epochs_bar.progress(text.epoch_fraction, text=text.epoch_label)
        self.batches_bar.progress(text.batch_fraction, text=text.batch_label)
        if len(p.history.epoch) > self.drawn_epochs:  # a new epoch ended: redraw the curves
            self.drawn_epochs = len(p.history.epoch)
            show_chart(learning_curves(p.history), curves_alt(p.history), where=self.curves,
                       key=f"mnist_live_{self.drawn_epochs}")


def start_training(config: TrainingConfig, data: DigitData, state: MutableMapping) -> str | None:
    """A press of Train: check the settings fit a shared server and build the network, then train it
    as a job off the script thread (kept in ``state``). Returns why it cannot train, or None."""
    try:
        config.check_budget(len(data.X_train))
    except ValueError as err:
        return f"These settings are too big for a shared server: {err}"
    try:
        run = start_run(config, data.name)
    except ValueError as err:
        return f"These settings do not make a network: {err}"
    state[ACTIVE_RUN_KEY] = workers.start(train_job, run, data.X_train, data.y_train)
    return None


def stop_training(state: MutableMapping) -> None:
    """The Stop button's on_click: the job ends at its next progress report, keeping the network."""
    if ACTIVE_RUN_KEY in state:
        state[ACTIVE_RUN_KEY].stop()


def follow_training(state: MutableMapping, holder: Any) -> str | None:
    """Show the training job of this session in ``holder`` (an st.empty) until it is over: its place
    in the queue for a training slot, then its progress. A rerun of the page (any click) ends this
    script run, not the job: the next run follows it again. Then evaluate and store the run
    (``finish_run``); returns why it failed, or None."""
    job: workers.Job = state[ACTIVE_RUN_KEY]
    panel = None
    while not job.wait(POLL):
        if job.ahead:
            holder.info(f"Waiting for a free training slot: {job.ahead} run{'s' * (job.ahead != 1)} ahead of "
                        "yours on this server. Yours starts by itself.", icon=":material/hourglass_top:")
        elif job.progress is not None:
            panel = panel or ProgressPanel(holder.container())
            panel.update(job.progress)
        else:  # something on screen at every poll: a rerun ends this script run at its next element
            holder.info("Starting the training…", icon=":material/hourglass_top:")
    holder.empty()
    del state[ACTIVE_RUN_KEY]
    if job.error is not None:
        return f"Training could not start: {plain(job.error, MAX_MESSAGE)}"
    if job.result is not None:  # None: stopped while it waited for a slot
        finish_run(job.result, load_data(job.result.dataset), state)
    return None


def finish_run(run: TrainingRun, data: DigitData, state: MutableMapping) -> Outcome:
    """Evaluate a run's model on the test split and store it for the results and the Draw page."""
    run.finished = True
    history = run.history
    status = "stopped" if history is None else history.status
    epochs_done = run.complete_epochs() if status == "stopped" else len(history.epoch)
    if status == "stopped":
        message = (f"Stopped after {epochs_done} complete epoch{'s' * (epochs_done != 1)}: "
                   "this is the network as it was at that moment.")
    else:
        message = history.message[:1].upper() + history.message[1:] + "."
    outcome = Outcome(run.model, run.config.network_name(), data.name, evaluate(run.model, data.X_test, data.y_test),
                      status, message, history, run.initial_weights, run.seconds or None, run.config)
    store_outcome(outcome, data, state)
    runs = state.setdefault(RUNS_KEY, [])
    runs.append({"run": (runs[-1]["run"] + 1) if runs else 1, "data": SOURCE_TITLES[data.name],
                 "test accuracy": outcome.evaluation.accuracy,
                 "seconds": round(run.seconds, 2) if run.seconds else None,
                 "status": status, "epochs run": epochs_done, **run.config.summary()})
    del runs[:-MAX_RUNS]
    state.pop(ACTIVE_RUN_KEY, None)
    return outcome


def store_outcome(outcome: Outcome, data: DigitData, state: MutableMapping) -> None:
    """Show ``outcome`` in the results and, unless it diverged, hand its model to the Draw page."""
    state[OUTCOME_KEY] = outcome
    state["mnist_true"], state["mnist_pred"] = outcome.evaluation.most_confused_pair()
    if outcome.status != "diverged":
        state[TRAINED_MODEL_KEY] = TrainedModel(
            outcome.model, f"{outcome.name}, {SOURCE_TITLES[data.name]}", data.name,
            outcome.evaluation.accuracy, data.class_names)


def accept_upload(file_name: str, content: bytes, data: DigitData, state: MutableMapping) -> str | None:
    """Load an uploaded model and show it, evaluated on ``data``; returns None, or why it was refused."""
    try:
        model = load_digit_model(content)
    except ValueError as err:
        return f"{quoted(file_name)} was refused: {plain(err, MAX_MESSAGE)}"
    outcome = Outcome(model, network_name(model.layer_sizes, model.config["activation"]), data.name,
                      evaluate(model, data.X_test, data.y_test), "uploaded",
                      f"Uploaded {quoted(file_name)}: evaluated on the test split of {SOURCE_TITLES[data.name]}.")
    store_outcome(outcome, data, state)
    return None
