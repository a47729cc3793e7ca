"""The Moons page's Streamlit side: sidebar widgets, the link, presets, cached computations.

Settings flow one way per run: widgets -> MoonsSettings -> URL query string. On the page's
first run in a session the widgets start from the link (or from the settings this session last
used, when the user comes back from another page without one), so a shared link reproduces the
experiment. Widget keys are ``moons_<field name>``; URL parameters are the field names. One widget
is not a field: the problem switch (``moons_problem``), which filters the datasets (the dataset
says which problem it is, so the link needs no separate parameter).
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from nn import FULL_BATCH_OPTIMIZERS

from lab.moons.settings import (
    DATA_FIELDS,
    DEFAULTS,
    GROUPS,
    KNOBS,
    PRESETS,
    PROBLEMS,
    MoonsSettings,
    Preset,
    QueryProblem,
    settings_from_query,
    to_query,
)
from lab.app.lessons import widgets as lesson
from lab.app.lessons.links import lesson_params, without_lesson
from lab.moons.data import REGRESSION_SETS
from lab.moons.run import MoonsRun, run_logistic, run_moons
from lab.app.text import quoted

PREFIX = "moons_"
SAVED = PREFIX + "settings"  # the sidebar's last settings: the widgets again after a visit to another page
SHOWN = PREFIX + "shown"  # (settings, metrics) on screen now ...
PREVIOUS = PREFIX + "previous"  # ... and before the settings last changed, for the metrics' deltas
FEATURE_ROWS = (("x1", "x2"), ("x1_sq", "x2_sq"), ("sin_x1", "sin_x2"), ("x1_x2",))  # the sidebar's pairs
PROBLEM = PREFIX + "problem"  # the problem switch (not a setting: the dataset decides it)
TAB = PREFIX + "tab"  # the tabs below the loss curve: only the open one is computed and sent
TABS = ("Watch it learn", "What each hidden neuron computes", "Tutorial A's comparisons")
CACHE_ENTRIES = 64  # a run holds under 2 MB (6 x 50 units); the sweep shares these entries
# Switching the problem also sets the learning rate: the squared error's gradients are about four
# times cross-entropy's, so with summed gradients tutorial A's lr 0.01 overshoots on regression.
PROBLEM_LR = {"classification": 0.01, "regression": 0.003}

LBFGS_LESSON = ("**L-BFGS uses curvature, not a learning rate**: from its last few steps and how they changed the "
                "gradient it estimates how the loss bends, and steps far where it is flat, short where it is steep.")

cached_run = st.cache_data(max_entries=CACHE_ENTRIES, show_spinner="Training the network…")(run_moons)
cached_logistic = st.cache_data(max_entries=16, show_spinner=False)(run_logistic)


def widget_key(name: str) -> str:
    return PREFIX + name


def apply_settings(settings: MoonsSettings) -> None:
    """Set every widget to ``settings`` (before the widgets are drawn, or in a callback)."""
    for name in KNOBS:
        st.session_state[widget_key(name)] = getattr(settings, name)
    st.session_state[PROBLEM] = settings.problem


def _switch_problem() -> None:
    """The problem switch moved: its first dataset, and the learning rate that suits it."""
    problem = st.session_state[PROBLEM]
    st.session_state[widget_key("dataset")] = PROBLEMS[problem][0]
    st.session_state[widget_key("lr")] = PROBLEM_LR[problem]


def start_from_link() -> list[QueryProblem]:
    """On the page's first run in this session, point the widgets at the link's settings.

    Returns what was wrong with the link (empty on later runs, and for a link with no settings).
    """
    if all(widget_key(name) in st.session_state for name in KNOBS):
        return []
    full = st.query_params.to_dict()
    query = without_lesson(full)  # challenge=, lock=, hide=, note= are the lesson's, not settings
    if not query and SAVED in st.session_state:
        apply_settings(st.session_state[SAVED])
        return []
    settings, problems = settings_from_query(query, report_missing=len(query) == len(full))
    apply_settings(settings)
    return problems


def show_link_problems(problems: list[QueryProblem]) -> None:
    """One warning per unusable value; the missing and unknown parameters in one note each.

    All in one placeholder, sent on every run: when the problems go (the next run has none), the page
    below keeps its place. Without it every later element would move up, and until the run ended the
    browser would show the old ones beside the new (the metrics twice, on the first knob move after a
    link that set only some of the settings).
    """
    slot = st.empty()
    if not problems:
        return
    with slot.container():
        for p in problems:
            if p.raw is not None and p.param in KNOBS:
                st.warning(f"The link's {p.message}", icon=":material/link_off:")
        missing = [quoted(p.param) for p in problems if p.raw is None]
        if missing:
            st.info(f"The link sets {len(KNOBS) - len(missing)} of {len(KNOBS)} settings; other settings: defaults.",
                    icon=":material/link:")
            with st.expander(f"The {len(missing)} settings at their defaults"):
                st.markdown(", ".join(missing))
        unknown = [quoted(p.param) for p in problems if p.param not in KNOBS]
        if unknown:
            st.info(f"Not settings of this page, ignored: {', '.join(unknown)}.", icon=":material/link:")


def _disabled(name: str, data_locked: bool) -> bool:
    """Knobs that cannot change anything now: the data ones under own points, and knobs of absent things."""
    state = st.session_state
    if data_locked and name in DATA_FIELDS:
        return True
    if name == "classes":
        return state[widget_key("dataset")] not in ("spiral", "blobs")
    if name == "neurons":
        return state[widget_key("hidden_layers")] == 0
    if name == "discretize":
        return state[widget_key("dataset")] in REGRESSION_SETS
    if name in ("lr", "batch_size"):  # L-BFGS picks its own steps, on the full batch
        return state[widget_key("optimizer")] in FULL_BATCH_OPTIMIZERS
    return False


def _widget(name: str, data_locked: bool = False) -> object:
    knob, key = KNOBS[name], widget_key(name)
    if lesson.hidden(name):  # a teacher's link hides it: not drawn, its value kept (and used)
        st.session_state[key] = st.session_state[key]
        return st.session_state[key]
    common = dict(key=key, help=knob.why, disabled=_disabled(name, data_locked) or lesson.locked(name))
    if name == "dataset":  # only the sets of the problem chosen
        options = PROBLEMS[st.session_state[PROBLEM]]
        if st.session_state[key] not in options:
            st.session_state[key] = options[0]
        return st.selectbox(knob.label, options, format_func=knob.text, **common)
    if knob.widget == "select":
        return st.selectbox(knob.label, knob.options, format_func=knob.text, **common)
    if knob.widget == "select_slider":
        return st.select_slider(knob.label, knob.options, format_func=knob.text, **common)
    if knob.widget == "toggle":
        return st.toggle(knob.label, **common)
    if knob.widget == "checkbox":  # in a narrow column: no help icon (the caption above the boxes explains)
        return st.checkbox(knob.label, **{**common, "help": None})
    number = int if isinstance(getattr(DEFAULTS, name), int) else float
    bounds = dict(min_value=number(knob.low), max_value=number(knob.high), step=number(knob.step))
    if knob.widget == "number":
        return st.number_input(knob.label, **bounds, **common)
    return st.slider(knob.label, **bounds, **common)


def _new_sample() -> None:
    key = widget_key("data_seed")
    st.session_state[key] = (st.session_state[key] + 1) % (int(KNOBS["data_seed"].high) + 1)


def sidebar(data_locked: bool = False) -> MoonsSettings:
    """The knobs, grouped, in the sidebar; returns the settings they show.

    ``data_locked``: a student's own points are in use, so the data knobs are disabled.
    """
    values = {}
    problem = MoonsSettings(dataset=st.session_state[widget_key("dataset")]).problem
    st.session_state.setdefault(PROBLEM, problem)
    if st.session_state[PROBLEM] != problem:  # the dataset was set by a link, a preset or a test
        st.session_state[PROBLEM] = problem
    with st.sidebar:
        for group in GROUPS:
            st.subheader(group)
            if group == "Data":
                st.radio("Problem type", tuple(PROBLEMS), key=PROBLEM, horizontal=True, on_change=_switch_problem,
                         disabled=data_locked or lesson.locked("dataset"),
                         help="Classification: the network says which class a point is. Regression: it predicts a "
                              "number (a linear output with mean squared error). Switching sets the learning rate "
                              "to 0.003 for regression (the squared error's steeper gradients overshoot at 0.01 "
                              "with summed gradients) and back to 0.01.")
            if group == "Features":
                st.caption("What the network reads: one input unit per ticked box. With x₁² and x₂² a circle is "
                           "a straight line in the inputs; x₁·x₂ tells the quadrants of 'xor' apart.")
                for row in FEATURE_ROWS:
                    for column, name in zip(st.columns(2), row):
                        with column:
                            values[name] = _widget(name)
                continue
            for name, knob in KNOBS.items():
                if knob.group == group:
                    values[name] = _widget(name, data_locked)
            if group == "Data":
                st.button("New sample", key=PREFIX + "new_sample", on_click=_new_sample, icon=":material/casino:",
                          disabled=data_locked or lesson.locked("data_seed"),
                          help="The same kind of data, drawn with the next seed.")
    # Slider floats come back as e.g. 0.15000000000000002: rounded, they equal the presets' and links'.
    settings = MoonsSettings(**{name: round(v, 10) if isinstance(v, float) else v for name, v in values.items()})
    st.session_state[SAVED] = settings
    return settings


def write_link(settings: MoonsSettings) -> None:
    """Every setting into the URL query string, so the address bar is always a shareable link."""
    query = {**to_query(settings), **lesson_params(st.query_params.to_dict())}  # a teacher's link stays
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def preset_buttons(settings: MoonsSettings) -> Preset | None:
    """One button per preset (a click sets every knob); returns the preset ``settings`` match, if any."""
    active, per_row = None, 3  # three a row: six in one row cut the longer names at 1400 px
    columns = [column for start in range(0, len(PRESETS), per_row) for column in st.columns(per_row)]
    for column, preset in zip(columns, PRESETS):
        matches = preset.settings == settings
        active = preset if matches else active
        column.button(preset.name, key=PREFIX + "preset_" + preset.name.lower().replace(" ", "_"),
                      on_click=apply_settings, args=(lesson.keep_locked(preset.settings, settings),), help=preset.idea,
                      type="primary" if matches else "secondary", width="stretch")
    return active


def _metric_changes(settings: object, metrics: dict[str, float | None], kind: str) -> dict[str, float | None]:
    """Each metric's change since the settings were last different (None on the first run, when
    unknown, or when the problem changed kind: a regression loss never compares with a cross-entropy)."""
    shown = st.session_state.get(SHOWN)
    if shown is not None and shown[0] != settings:
        st.session_state[PREVIOUS] = shown
    st.session_state[SHOWN] = (settings, metrics, kind)
    previous = st.session_state.get(PREVIOUS, (None, {}, kind))
    before = previous[1] if previous[2:] == (kind,) else {}
    return {name: value - before[name] if value is not None and before.get(name) is not None else None
            for name, value in metrics.items()}


def delta_text(change: float | None, accuracy: bool = False) -> str | None:
    """A metric's change as shown, or None when it rounds to zero (no "-0.000" in green)."""
    if change is None or not np.isfinite(change):
        return None
    text = f"{change * 100:+.1f} pts" if accuracy else f"{change:+.3f}"
    return None if float(text.removesuffix(" pts")) == 0 else text


def show_metrics(run: MoonsRun, identity: object = None) -> None:
    """The four st.metrics, each with its change since what was shown last was different.

    ``identity`` says what is shown (default: the run's settings; the page adds the weights' origin
    when a student steps or edits the network, so each edit shows its effect as a change).
    """
    regression = run.kind == "regression"
    score = "R²" if regression else "accuracy"
    metrics = {f"Train {score}": run.train_accuracy, f"Test {score}": run.test_accuracy,
               "Train loss": run.train_loss, "Test loss": run.test_loss}
    changes = _metric_changes(run.settings if identity is None else identity, metrics, run.kind)
    n_train, n_test = len(run.data.X_train), len(run.data.X_test)
    no_test = "No test points: the train ratio is 1 (as in tutorial A), or your points have none."
    per_point = "half the squared error" if regression else "cross-entropy"
    helps = {f"Train {score}": (f"R² of the predictions on the {n_train} training points: 1 is perfect, 0 is no "
                                "better than always predicting their mean.") if regression else
             f"Share of the {n_train} training points on the right side of the boundary.",
             f"Test {score}": (f"The same on the {n_test} held-out points (never trained on)." if regression else
                               f"Share of the {n_test} held-out points (never trained on) on the right side.")
             if n_test else no_test,
             "Train loss": f"Mean {per_point} per training point, without the penalty, so that it compares "
                           "with the test loss.",
             "Test loss": f"Mean {per_point} per held-out point." if n_test else no_test}
    for column, (label, value) in zip(st.columns(len(metrics)), metrics.items()):
        accuracy, change = label.startswith(("Train accuracy", "Test accuracy")), changes[label]
        if label.endswith("R²"):
            shown = "n/a" if value is None else (f"{value:.3f}" if value > -1000 else "below -1000")
            delta = delta_text(change) if change is None or abs(change) < 1000 else None
        else:
            shown = "n/a" if value is None else (f"{value:.1%}" if accuracy else f"{value:.3f}")
            delta = delta_text(change, accuracy)
        column.metric(label, shown, delta=delta, delta_color="inverse" if label.endswith("loss") else "normal",
                      help=helps[label], border=True)


def show_training_summary(run: MoonsRun) -> None:
    """What training did (passes, which rule stopped it), and a loss that bounces or blows up."""
    history, wobble = run.history, run.oscillation
    st.markdown(run.stop_text)  # in the page's words (passes, the sidebar's rule), not nn's "epochs"
    if run.settings.optimizer in FULL_BATCH_OPTIMIZERS:
        st.caption(LBFGS_LESSON)
    if history.diverged:
        st.warning("**Diverged.** The loss became infinite: each step overshot further. Try a smaller learning "
                   "rate.", icon=":material/trending_up:")
    elif wobble and wobble.severe:
        st.warning(f"**Not converging.** The loss ended {wobble.final_over_lowest:,.0f} times above the lowest value "
                   f"it reached, turning up or down on {wobble.turns:.0%} of the last {wobble.window:,} passes: "
                   "each step overshoots the bottom of the valley. nn itself stops only on an infinite loss, so "
                   "its status does not say 'diverged'. Try a smaller learning rate.",
                   icon=":material/trending_up:")
    elif wobble:
        st.info(f"**The loss bounces.** It turned up or down on {wobble.turns:.0%} of the last {wobble.window:,} "
                f"passes, by about {wobble.bounce:.1%} a pass: the learning rate is near the largest this "
                "valley allows.", icon=":material/swap_vert:")


def loss_convention(run: MoonsRun) -> str:
    """The page's one loss scale (per point), and, where tutorial A sums, its summed form as the lesson."""
    n, lr = len(run.data.X_train), run.settings.lr
    data = "half the squared error" if run.kind == "regression" else "the cross-entropy"
    scale = (f"**Every loss on this page is per training point**: the metrics show {data} per point "
             f"(**{run.train_loss:.4g}** on the training points, without the penalty, so that it compares with "
             f"the test loss); the curve adds the L2 penalty: **{run.per_point(run.objective):.4g}** per point "
             "at the end.")
    if run.settings.reduction == "sum":
        return (f"{scale}\n\n**Summed, as in tutorial A**: training minimises the loss summed over the {n} "
                f"training points plus (λ/2)·ΣW², **{run.objective:.4g}** at the end ({n} times the per-point "
                f"value; tutorial A prints it divided by the number of points). The gradient is summed too, so a "
                f"step is {n} times larger than with the mean. With **mean**, lr {lr:g} would move {n} times "
                f"slower, and the L2 penalty, which is not divided, would weigh {n} times more against the data.")
    return (f"{scale}\n\n**Mean, unlike tutorial A**: training minimises this mean plus (λ/2)·ΣW². Tutorial A "
            f"sums over the {n} points instead: at the same learning rate its steps are {n} times larger, and its "
            f"penalty weighs {n} times less against the data.")
