"""MNIST: train a digit classifier (tutorial B, interactive), watch it learn, see where it errs."""
import pandas as pd
import streamlit as st

from lab.app.charts import show_chart
from lab.app.code import show_code
from lab.app.knobs import link_settings
from lab.app.lessons import widgets as lesson
from lab.app.page import start_page
from lab.app.widgets import copy_as_python, explain_popover
from lab.mnist import explain, figures
from lab.mnist.compare import runs_rows
from lab.mnist.data import SOURCE_LABELS, SOURCE_TITLES
from lab.mnist.results import MAX_UPLOAD_BYTES, model_bytes
from lab.mnist.script import mnist_script
from lab.mnist.settings import ACTIVE_RUN_KEY, KNOBS, OUTCOME_KEY, RUNS_KEY
from lab.mnist.widgets import (accept_upload, data_overview, follow_training, get_data, knobs, load_data,
                               start_training, stop_training)
from nn import MLP
from nn.training import train

GALLERY_MAX = 40  # digits shown for one confusion-matrix cell
state = st.session_state

start_page()

st.title("MNIST: train a digit classifier")
st.markdown(
    "Each image is 28×28 = 784 pixels; the network reads them as 784 numbers in [0, 1] and "
    "outputs 10 probabilities, one per digit. Training shows it thousands of labelled examples "
    "and nudges every weight against the gradient of the loss. Pick a network, press **Train**, "
    "then look at which digits it still mixes up, and why."
)
challenge = lesson.start("mnist", KNOBS)  # a teacher's note, and the challenge of the link, if any
lesson.settings_from_link("mnist", KNOBS)  # a teacher's link sets the knobs (first run of the session)

# ---- 1. The data ------------------------------------------------------------------------------
st.subheader("1. The data")
source = st.radio("Data", list(SOURCE_LABELS), format_func=SOURCE_LABELS.get, key="mnist_source")
data, notice = get_data(source, state)
if notice:
    st.warning(notice)
st.caption(f"{len(data.X_train):,} training images and {len(data.X_test):,} test images "
           f"from {SOURCE_TITLES[data.name]}. The test images are never used for training.")
with st.expander("Look at the data before training", expanded=False):
    counts, means, examples = data_overview(data.name)
    left, right = st.columns([3, 2])
    left.markdown("**Examples of each class**")
    show_chart(figures.examples_by_class(examples, data.class_names),
               f"A grid of training images, one row per class: {', '.join(data.class_names)}.",
               where=left, key="mnist_examples")
    show_chart(figures.class_counts_figure(counts, data.class_names, "Training examples per class"),
               "Bars of the number of training images per class: "
               + ", ".join(f"{n} {c:,}" for n, c in zip(data.class_names, counts)) + ".",
               where=right, key="mnist_counts")
    right.markdown("**The average image of each class**: what a network that only looked at "
                   "single pixels could learn.")
    show_chart(figures.digit_gallery(means, list(data.class_names), cols=5, pixel=2.5),
               "The average training image of each class, a blurred outline of the typical shape.",
               where=right, key="mnist_means")

# ---- 2. The network and its training ----------------------------------------------------------
st.subheader("2. Choose a network and train it")
st.markdown("Presets: **Fast** reaches 98% on full MNIST in seconds; **Tutorial B** is the "
            "original 784-30-10 tanh net with weights uniform in [-1, 1]; **Best** trades a "
            "minute of training for the last half percent.")
config = knobs(state)

train_column, stop_column, stop_note = st.columns([1, 1, 4])
train_clicked = train_column.button("Train", type="primary", key="mnist_train", disabled=config is None,
                                    width="stretch")
stop_column.button("Stop", key="mnist_stop", width="stretch", on_click=stop_training, args=(state,),
                   help="Stops training and keeps the network as it is at that moment.")
stop_note.caption("**Stop** here ends training and shows the results of the network as it is. The training "
                  "goes on in the background while you open a section or look at the code, and Streamlit's "
                  "own *Stop* at the top right only stops drawing it: use this one.")
show_code(train, MLP.backward, label="Show the code that trains")
panel_holder = st.empty()
problem = None
if train_clicked and config is not None and ACTIVE_RUN_KEY not in state:
    problem = start_training(config, data, state)
if ACTIVE_RUN_KEY in state:  # training in the background: follow it to its end
    problem = follow_training(state, panel_holder)
if problem:
    st.error(problem)

# ---- 3. Results -------------------------------------------------------------------------------
outcome = state.get(OUTCOME_KEY)
if outcome is not None:
    challenge.report(outcome)
    st.subheader("3. Results")
    result_data = load_data(outcome.dataset)
    ev = outcome.evaluation
    names = result_data.class_names
    if outcome.status == "diverged":
        st.error(f"Training diverged. {outcome.message} Try a tenth of the learning rate "
                 f"({outcome.config.lr / 10:g} instead of {outcome.config.lr:g}). "
                 "The Draw page keeps its previous model.")
    elif outcome.status == "stopped":
        st.warning(outcome.message)
    else:
        st.success(outcome.message)
    c1, c2, c3 = st.columns(3)
    c1.metric("Test accuracy", f"{ev.accuracy:.2%}")
    c2.metric("Test images", f"{len(ev.y_true):,}")
    c3.metric("Training time", f"{outcome.seconds:.1f} s" if outcome.seconds else "–")
    st.caption(f"Network {outcome.name}, evaluated on the test split of {SOURCE_TITLES[outcome.dataset]}."
               + ("" if outcome.status == "diverged" else " The Draw page now uses this network."))
    if state.get(RUNS_KEY):  # beside this run's numbers, where runs are compared
        st.markdown("**This session's runs**, newest first: change one setting, train again, compare.")
        st.dataframe(pd.DataFrame(runs_rows(state[RUNS_KEY])), hide_index=True,
                     key="mnist_runs_table",
                     width="stretch", column_config={  # pixel widths: the whole row fits at 1400 px
                         "run": st.column_config.NumberColumn(width=40), "data": st.column_config.TextColumn(width=70),
                         "network": st.column_config.TextColumn(width=125),
                         "test accuracy": st.column_config.NumberColumn(format="%.4f", width=105),
                         "epochs": st.column_config.TextColumn(width=95),
                         "seconds": st.column_config.NumberColumn(width=70),
                         "settings": st.column_config.TextColumn(width=290),
                         "differs from the previous run": st.column_config.TextColumn(
                             "changed", width=110, help="What differs from the previous run")})
    if outcome.history is not None and outcome.history.epoch:
        show_chart(figures.learning_curves(outcome.history), figures.curves_alt(outcome.history), key="mnist_curves")
        st.caption("Training loss and accuracy are measured on the batches as they were trained "
                   "(with dropout, if any); validation on held-out images after each epoch.")
        n_fit = len(result_data.X_train) - (round(len(result_data.X_train) * outcome.config.val_fraction)
                                            if outcome.config else 0)
        explain_popover(explain.curves_text(outcome.history, n_fit), key="mnist_explain_curves")

    st.markdown("**Confusion matrix**: row = the true class, column = what the network said. "
                "Click a cell, or pick a pair below, to see those test images.")
    normalize = st.toggle("Row-normalised (each row sums to 100%)", key="mnist_cm_normalise")
    for key, default in zip(("mnist_true", "mnist_pred"), ev.most_confused_pair()):
        state.setdefault(key, default)  # widget state is dropped while the user is on another page
    selected = (state["mnist_true"], state["mnist_pred"])

    def select_cell() -> None:
        points = state["mnist_cm"]["selection"]["points"]
        if points:
            state["mnist_true"], state["mnist_pred"] = round(points[0]["y"]), round(points[0]["x"])

    matrix_column, table_column = st.columns([3, 2])
    show_chart(figures.confusion_figure(ev.confusion, names, normalize, selected),
               f"Confusion matrix of {len(names)} by {len(names)} classes: {ev.accuracy:.1%} of the test images "
               "are on the diagonal (right); the per-class table beside it gives the numbers.",
               where=matrix_column, key="mnist_cm", on_select=select_cell, selection_mode="points",
               config={"displayModeBar": False})
    with matrix_column:
        explain_popover(explain.confusion_text(ev.confusion, names), key="mnist_explain_confusion")
    table_column.markdown("**Per class**: precision = right when it says this class; "
                          "recall = found among the images of this class.")
    table_column.dataframe(pd.DataFrame(ev.per_class_rows(names)), hide_index=True,
                           column_config={"precision": st.column_config.NumberColumn(format="%.3f"),
                                          "recall": st.column_config.NumberColumn(format="%.3f")})

    pick_true, pick_pred = st.columns(2)
    true_class = pick_true.selectbox("True class", range(len(names)), format_func=names.__getitem__,
                                     key="mnist_true")
    predicted_class = pick_pred.selectbox("Predicted class", range(len(names)),
                                          format_func=names.__getitem__, key="mnist_pred")
    rows = ev.pair_indices(true_class, predicted_class)
    verb = "correctly recognised" if true_class == predicted_class else f"taken for {names[predicted_class]}"
    st.markdown(f"**{len(rows):,} test image{'s' * (len(rows) != 1)} of {names[true_class]} {verb}**"
                + (f" (the first {GALLERY_MAX} shown)" if len(rows) > GALLERY_MAX else ""))
    if len(rows):
        shown = rows[:GALLERY_MAX]
        captions = [f"{ev.proba[i, predicted_class]:.0%}" for i in shown]
        show_chart(figures.digit_gallery(result_data.X_test[shown], captions, cols=10),
                   f"{len(shown)} test images of {names[true_class]}, each with the network's probability for "
                   f"{names[predicted_class]}; the table below lists them.", key="mnist_gallery")
        st.caption(f"Above each image: the network's probability for {names[predicted_class]}. "
                   "All ten probabilities are in the table.")
        st.dataframe(ev.table(shown, names), hide_index=True, key="mnist_gallery_table")

    st.markdown("**The most confident mistakes**: wrong, and sure of it. Some labels are debatable.")
    mistakes = ev.confident_mistakes(20)
    if len(mistakes):
        captions = [f"{names[ev.y_true[i]][:6]}→{names[ev.y_pred[i]][:6]} {ev.proba[i, ev.y_pred[i]]:.1%}"
                    for i in mistakes]
        show_chart(figures.digit_gallery(result_data.X_test[mistakes], captions, cols=10),
                   f"{len(mistakes)} test images the network got wrong with the most confidence, each captioned "
                   "true class, arrow, predicted class and probability: " + "; ".join(captions) + ".",
                   key="mnist_mistakes")
    else:
        st.write("No mistakes on the test split.")

    W1 = outcome.model.W[0]
    W1_before = outcome.initial_weights[0] if outcome.initial_weights else None
    shown_units = min(64, W1.shape[1])
    st.markdown(f"**What each hidden neuron looks for**: the 784 incoming weights of {shown_units} of "
                f"the {W1.shape[1]} first-layer units, drawn as 28×28 images (orange excites, blue inhibits), "
                "the units with the most structure first (where neighbouring weights agree).")
    change = W1_before is not None and st.toggle(
        "Show what training changed (weights after − before)", value=True, key="mnist_weights_change",
        help="The weights start random; training adds to them. The change shows what each unit learnt.")
    pictured = W1 - W1_before if change else W1
    order = figures.most_structured(pictured, shown_units)
    show_chart(figures.first_layer_weights(pictured[:, order], max_units=shown_units),
               f"{shown_units} small 28 by 28 images, one per hidden unit, of its incoming weights"
               + (" minus their random start" if change else "") + ": orange where ink excites the unit, blue where "
               "it inhibits it.", key="mnist_weights")
    explain_popover(explain.weights_text(W1, outcome.model.b[0], int(order[0]), bool(change)),
                    key="mnist_explain_weights")
    summary = figures.structure_summary(W1, W1_before)
    static = f"neighbouring weights agree with a correlation of {summary['weights']:.2f} (median unit; random is 0)"
    if W1_before is not None:
        st.caption(f"The weights themselves: {static}. They started random ({outcome.config.init} "
                   f"initialisation) and training moved them by {summary['moved']:.0%} of their size on average, "
                   "so the random start still shows as static. What training added is smooth (correlation "
                   f"{summary['change']:.2f}): the strokes and blobs each unit learnt to look for.")
    else:
        st.caption(f"The weights: {static}. An uploaded model has no 'before' to subtract: its random start "
                   "still shows as static where training moved the weights little.")
    st.markdown("**Weights per layer**" + (", before and after training." if outcome.initial_weights
                                          else " (an uploaded model: no 'before')."))
    show_chart(figures.weight_histograms(outcome.model.W, outcome.initial_weights),
               "Histograms of each layer's weights" + (" before and after training" if outcome.initial_weights
                                                       else "") + ".", key="mnist_hist")
    copy_as_python(mnist_script(outcome.config, outcome.dataset) if outcome.config else None, key="mnist_python",
                   unavailable="An uploaded model has no training settings to reproduce: train one here first.")

# ---- Models -----------------------------------------------------------------------------------
st.subheader("Save or load a model")


def on_upload() -> None:
    uploaded = state.get("mnist_upload")
    if uploaded is None:
        return
    state["mnist_upload_error"] = accept_upload(uploaded.name, uploaded.getvalue(),
                                                get_data(state["mnist_source"], state)[0], state)


save_column, load_column = st.columns(2)
if outcome is not None:
    file_name = f"mnist-{outcome.name.replace(' ', '-')}.npz"
    save_column.download_button("Download this model (.npz)", lambda: model_bytes(outcome.model), file_name=file_name,
                                mime="application/octet-stream", key="mnist_download", on_click="ignore")
    save_column.caption("Weights and settings in one NumPy .npz file; no code inside.")
else:
    save_column.caption("Train a model (or upload one) to download it.")
load_column.file_uploader("Upload a model (.npz)", type=["npz"], key="mnist_upload", on_change=on_upload,
                          max_upload_size=MAX_UPLOAD_BYTES // 2**20)
if state.get("mnist_upload_error"):
    load_column.error(state["mnist_upload_error"])

lesson.teacher_panel("mnist", link_settings(KNOBS, state), {name: knob.label for name, knob in KNOBS.items()})
