"""Streamlit glue of the MNIST page: cached data, the live progress panel, and the session state.

What lives in st.session_state (this user's only):
    ACTIVE_RUN_KEY  the TrainingRun being trained; stored before the first step, so a click on
                    Stop (which ends the script run at its next st.* call) leaves its model and
                    history there, and the next run of the page finishes it
    OUTCOME_KEY     the Outcome the results section shows (trained or uploaded)
    RUNS_KEY        rows of the table of this session's runs (the last MAX_RUNS)
    TRAINED_MODEL_KEY (lab.app.session)  the TrainedModel the Draw page uses
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import streamlit as st

from nn import ACTIVATIONS, INITIALIZERS, OPTIMIZERS, SCHEDULES, Progress
from nn.datasets import CacheUnwritable, DatasetUnavailable, class_names, load_mnist

from lab.app.knobs import LinkKnob
from lab.mnist.data import SOURCE_TITLES, DigitData, class_counts, class_means, examples_per_class
from lab.app.charts import show_chart
from lab.mnist.figures import curves_alt, learning_curves
from lab.mnist.results import Outcome, evaluate, load_digit_model
from lab.mnist.training import (BATCH_SIZES, TrainingConfig, TrainingRun, TrainingSlots, describe_progress,
                             network_name, parse_hidden, run_training, start_run)
from lab.app.session import TRAINED_MODEL_KEY, TrainedModel
from lab.app.text import MAX_MESSAGE, plain, quoted

ACTIVE_RUN_KEY = "mnist_active_run"
OUTCOME_KEY = "mnist_outcome"
RUNS_KEY = "mnist_runs"
UNAVAILABLE_KEY = "mnist_unavailable"  # {dataset: the notice of why it failed}, not retried this session
MAX_RUNS = 20
DOWNLOAD_TIMEOUT = 15.0  # seconds per connection attempt
SLOTS = TrainingSlots.from_environment()  # one per server process, shared by every session
SLOT_POLL = 0.5  # seconds between updates of the "waiting" notice (each one a chance to press Stop)


# ---- data ---------------------------------------------------------------------------------
@st.cache_data(max_entries=3, ttl=3600, show_spinner="Reading the images...")
def load_data(name: str) -> DigitData:
    """The train / test split of ``name`` (uint8 images), downloaded once with a progress bar.

    The bar is created inside this cached function (only when a download happens), so Streamlit
    replays it harmlessly; DatasetUnavailable is raised, and not cached.
    """
    bar: Any = None
    shown = -1

    def progress(done: int, total: int | None) -> None:
        nonlocal bar, shown
        percent = 5 * int(20 * done / total) if total else 0
        if percent != shown:  # every 5%: st.cache_data replays these on each rerun, keep them few
            shown = percent
            text = f"Downloading {SOURCE_TITLES[name]}: {done / 1e6:.1f} of {(total or 0) / 1e6:.1f} MB"
            if bar is None:
                bar = st.progress(0, text=text)
            bar.progress(min(percent, 100), text=text)

    try:
        split = load_mnist(name, progress=progress, timeout=DOWNLOAD_TIMEOUT)
    finally:
        if bar is not None:
            bar.empty()
    return DigitData(name, *split, class_names=class_names(name))


@st.cache_data(max_entries=3, ttl=3600, show_spinner=False)
def data_overview(name: str, per_class: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of the training split of ``name``: class counts (k,), average images (k, 784) and
    ``per_class`` random examples of each class (k, per_class, 784) uint8."""
    data = load_data(name)
    picks = examples_per_class(data.y_train, per_class)
    examples = np.where(picks[..., None] >= 0, data.X_train[picks], 0).astype(np.uint8)
    return (class_counts(data.y_train), class_means(data.X_train, data.y_train), examples)


def get_data(name: str, state: MutableMapping) -> tuple[DigitData, str | None]:
    """The data set ``name``, or the bundled sample and a notice saying why not."""
    failed = state.setdefault(UNAVAILABLE_KEY, {})  # name -> the notice, so a session asks only once
    if name != "sample" and name not in failed:
        try:
            return load_data(name), None
        except CacheUnwritable as err:  # a read-only disk: nothing was downloaded
            failed[name] = (f"{_capitalised(SOURCE_TITLES[name])} cannot be stored on this server, so it was not "
                            f"downloaded; using the bundled 10,000-digit sample. ({err})")
        except DatasetUnavailable as err:
            failed[name] = (f"{_capitalised(SOURCE_TITLES[name])} could not be downloaded; using the bundled "
                            f"10,000-digit sample. ({err})")
    return load_data("sample"), failed.get(name) if name != "sample" else None


def _capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


# ---- the knobs as widgets --------------------------------------------------------------------
def batch_label(size: int | None) -> str:
    return "full" if size is None else str(size)


BATCH_LABELS = [batch_label(b) for b in BATCH_SIZES]


def widget_values(config: TrainingConfig) -> dict[str, Any]:
    """Session-state values of the page's knob widgets (keys "mnist_<field>") for ``config``."""
    values = {f"mnist_{name}": getattr(config, name) for name in config.__dataclass_fields__}
    values["mnist_hidden"] = ", ".join(str(h) for h in config.hidden)
    values["mnist_batch_size"] = batch_label(config.batch_size)
    return values


def _hidden_text(raw: str) -> str:
    return ", ".join(str(size) for size in parse_hidden(raw))


def _knob_table() -> dict[str, LinkKnob]:
    """The page's knobs, one per TrainingConfig field: link name = field, widget key "mnist_<field>"."""
    default = widget_values(TrainingConfig())
    spec = {  # field: label, then the values its widget (and a link) takes
        "hidden": ("Hidden layer sizes", dict(read=_hidden_text, write=lambda text: text.replace(" ", ""))),
        "activation": ("Activation", dict(options=tuple(ACTIVATIONS))),
        "init": ("Initial weights", dict(options=tuple(INITIALIZERS))),
        "dropout": ("Dropout (hidden layers)", dict(low=0.0, high=0.7)),
        "l2": ("L2 penalty", dict(low=0.0, high=1.0)),
        "l1": ("L1 penalty", dict(low=0.0, high=1.0)),
        "optimizer": ("Optimiser", dict(options=tuple(OPTIMIZERS))),
        "lr": ("Learning rate", dict(low=1e-5, high=10.0)),
        "momentum": ("Momentum", dict(low=0.0, high=0.99)),
        "schedule": ("Learning-rate schedule", dict(options=tuple(SCHEDULES))),
        "decay": ("Decay", dict(low=0.0, high=1.0)),
        "batch_size": ("Batch size", dict(options=tuple(BATCH_LABELS))),
        "epochs": ("Epochs", dict(low=1, high=50)),
        "val_fraction": ("Validation fraction", dict(low=0.0, high=0.3)),
        "seed": ("Seed", dict(low=0, high=2**31 - 1)),
    }
    assert set(spec) == set(TrainingConfig.__dataclass_fields__)
    return {name: LinkKnob(f"mnist_{name}", label, default[f"mnist_{name}"], **values)
            for name, (label, values) in spec.items()}


KNOBS = _knob_table()  # what a teacher's link sets, locks (lock=lr,epochs) or hides (hide=l1)


def config_from_widgets(state: MutableMapping) -> TrainingConfig:
    """The TrainingConfig the knob widgets describe (ValueError for unreadable hidden sizes)."""
    fields = {name: state[f"mnist_{name}"] for name in TrainingConfig.__dataclass_fields__}
    fields["hidden"] = parse_hidden(fields["hidden"])
    fields["batch_size"] = None if fields["batch_size"] == "full" else int(fields["batch_size"])
    fields["epochs"], fields["seed"] = int(fields["epochs"]), int(fields["seed"])
    return TrainingConfig(**fields)


def apply_config(state: MutableMapping, config: TrainingConfig, keep: Iterable[str] = ()) -> None:
    """Set the knob widgets to ``config`` (a preset button's on_click), except the knobs named in
    ``keep`` (those a teacher's link locks or hides)."""
    state.update({key: value for key, value in widget_values(config).items()
                  if key.removeprefix("mnist_") not in set(keep)})


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


@contextmanager
def training_slot(notice: Any, slots: TrainingSlots = SLOTS) -> Iterator[None]:
    """Hold one of the server's training slots for the block, queueing for it first; ``notice`` (an
    st.empty) says how many runs are ahead meanwhile. A click while waiting ends the script run at the
    notice's next update, which leaves the queue."""
    ticket = slots.join()
    try:
        while (ahead := slots.wait(ticket, SLOT_POLL)) is not None:
            notice.info(f"Waiting for a free training slot: {ahead} run{'s' * (ahead != 1)} ahead of yours "
                        f"on this server, which trains {slots.size} at a time. Yours starts by itself.",
                        icon=":material/hourglass_top:")
    except BaseException:
        slots.leave(ticket)
        raise
    try:
        notice.empty()
        yield
    finally:
        slots.finish()


def train_in_turn(config: TrainingConfig, data: DigitData, state: MutableMapping, holder: Any) -> str | None:
    """A press of Train: check the settings fit a shared server, wait for a training slot, train with
    live progress in ``holder`` (an st.empty), then evaluate and store the run (``finish_run``).
    Returns why it could not train, or None. The run is in ``state`` from its first step (Stop keeps it)."""
    try:
        config.check_budget(len(data.X_train))
    except ValueError as err:
        return f"These settings are too big for a shared server: {err}"
    with training_slot(holder):
        try:
            run = start_run(config, data.name, len(data.X_train))
        except ValueError as err:
            return f"These settings do not make a network: {err}"
        state[ACTIVE_RUN_KEY] = run
        panel = ProgressPanel(holder.container())
        try:
            run_training(run, data.X_train, data.y_train, on_update=panel.update)
        except ValueError as err:
            state.pop(ACTIVE_RUN_KEY)
            return f"Training could not start: {err}"
    finish_run(run, data, state)
    holder.empty()
    return None


def finish_run(run: TrainingRun, data: DigitData, state: MutableMapping, interrupted: bool = False) -> Outcome:
    """Evaluate a run's model on the test split and store it for the results and the Draw page.

    ``interrupted``: the script run training it was ended by a click (Stop or any other widget).
    """
    run.finished = True
    history = run.history
    status = history.status if history and not interrupted else "stopped"
    epochs_done = len(history.epoch) if history else 0
    if interrupted:
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
    true_class, predicted_class = outcome.evaluation.most_confused_pair()
    state["mnist_true"], state["mnist_pred"] = true_class, predicted_class
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
    outcome = Outcome(model, network_name(model.layer_sizes, model.config["activation"]), data.name, evaluate(model, data.X_test, data.y_test), "uploaded",
                      f"Uploaded {quoted(file_name)}: evaluated on the test split of {SOURCE_TITLES[data.name]}.")
    store_outcome(outcome, data, state)
    return None


def runs_rows(runs: list[dict]) -> list[dict]:
    """This session's runs, newest first, as narrow rows that fit the page: how far each ran in one
    column ("3 of 16, stopped"), its settings in another instead of ten."""
    def settings(row: dict) -> str:
        extras = [f"{name} {row[name]:g}" for name in ("l2", "l1", "dropout") if row.get(name)]
        return ", ".join([f"{row['optimizer']} lr {row['lr']:g}", row["schedule"].removesuffix(" 0"),
                          f"batch {row['batch']}", row["init"], *extras])

    def ran(row: dict) -> str:
        done = f"{row['epochs run']} of {row['epochs']}"
        return done if row["status"] == "completed" else f"{done}, {row['status']}"
    return [{"run": row["run"], "data": DATA_SHORT.get(row["data"], row["data"]), "network": row["network"],
             "test accuracy": row["test accuracy"], "epochs": ran(row), "seconds": row["seconds"],
             "settings": settings(row)} for row in reversed(runs)]


DATA_SHORT = {title: name for name, title in SOURCE_TITLES.items()}  # "the bundled sample" -> "sample"
