"""The Moons page (tutorial A): every knob retrains the network and redraws; the URL shares it."""

import streamlit as st

from lab.moons import explain

from lab.moons import chart_widgets
from lab.moons import figures
from lab.moons import widgets as ui
from lab.app.lessons import widgets as lesson
from lab.app.charts import load_plotly_early, show_chart
from lab.app.code import show_code
from lab.app.page import start_page
from lab.moons.settings import DATA_FIELDS, KNOBS, MoonsSettings, query_string, to_query
from lab.app.text import MAX_MESSAGE, plain
from lab.moons.diagram import diagram_figure, diagram_layers
from lab.moons.points import Points
from lab.moons.run import SWEEP_SIZES, MoonsRun, sweep_settings, with_weights
from lab.moons.training import BOUNCE_WINDOW, FLAT_TOLERANCE, FLAT_WINDOW
from lab.moons.script import moons_script
from lab.app.widgets import copy_as_python, explain_popover
from nn import MLP
from nn.training import train


start_page()
early = load_plotly_early()  # a fresh browser loads Plotly while the network trains

st.title("Moons playground")
st.markdown(
    "A small network learns to separate two interleaving half-moons, as in tutorial A. Each point is "
    "two numbers (x, y); the network outputs the probability of class 1 (orange) for every point of the "
    "plane, and the line where that probability is 0.5 is its **decision boundary**. Move any knob "
    "in the sidebar: the network retrains from scratch and everything below is redrawn. Click the plane "
    "to add your own points; set any weight by hand in the diagram beside it."
)

challenge = lesson.start("moons", KNOBS)  # a teacher's note, and the challenge of the link, if any
problems = ui.start_from_link()
points = chart_widgets.own_points()
settings = ui.sidebar(data_locked=points is not None)
ui.write_link(settings)
ui.show_link_problems(problems)

st.subheader("Experiments to try")
preset = ui.preset_buttons(settings)
st.caption(f"**{preset.name}.** {preset.idea}" if preset else
           "Each button sets every knob to show one idea; hover over a button to read it.")



def plane_alone(points: Points) -> None:
    """Own points that cannot be trained on: the plane to click on and the points panel (Clear, Back,
    upload), so that whatever the student did can be undone; then the page ends."""
    early.empty()
    left, _ = st.columns([1, 1])
    with left:
        show_chart(figures.plane_figure(points.data(), "Your points", chart_widgets.click_action_text()),
                   f"The plane with your {len(points.y)} points; click to add one.",
                   key=chart_widgets.BOUNDARY, **chart_widgets.plane_clicks(settings))
        chart_widgets.points_panel(settings, points.to_csv(), points.n_classes)
    st.stop()


points_note = st.empty()  # one place whether or not there are own points: the page below does not move
if points is not None:
    points_note.info(chart_widgets.points_note(points), icon=":material/touch_app:")
    if points.problem():  # nothing to train yet
        st.warning(points.problem(), icon=":material/ads_click:")
        plane_alone(points)

try:
    run = ui.cached_run(settings.for_training(), points)
except ValueError as error:  # nn/ and the datasets refuse bad combinations with a precise message
    early.empty()
    st.error(f"These settings cannot be trained: {plain(error, MAX_MESSAGE)}")
    if points is not None:
        plane_alone(points)
    st.stop()
classification = run.kind != "regression"
challenge.report(run)

# The controls beside the diagram decide which weights are shown, so they run before the charts
# above and beside them are drawn (into containers made first).
summary = st.container()
left, right = st.columns([5, 4], gap="medium")
with right:
    diagram_box = st.container()
    network = chart_widgets.network_controls(run, (run.settings, chart_widgets.points_version()))
shown = run if network.trained else with_weights(run, network.model.theta)
shown_model = network.model  # the network on screen, for the explanations' numbers

with summary:
    ui.show_metrics(shown, network.identity)
    ui.show_training_summary(run)
    if network.note:
        st.info(f"{network.note} Nothing is retrained: the boundary, the metrics and the diagram show exactly these "
                "weights; the loss curve and 'Watch it learn' below show the training run.", icon=":material/tune:")

early.empty()  # the hidden chart goes before the first real one
with left:
    click = chart_widgets.click_action_text() if classification else None
    clicks = chart_widgets.plane_clicks(settings)
    show_chart(figures.run_boundary_figure(shown, discretize=settings.discretize, click=click),
               explain.boundary_alt(run), key=chart_widgets.BOUNDARY, **clicks)
    st.caption(("Filled circles: training points. White diamonds: test points, held out from training. "
                "Click anywhere on the plane to add a point; the network retrains on it.") if classification else
               ("Circles: training points; diamonds: test points, held out from training. Colours: the predicted "
                "value (background) and each point's target (the points)."))
    explain_popover(explain.boundary_text(shown, shown_model), key="moons_explain_boundary")
    on_plane = points if points is not None else Points.from_data(run.data)
    chart_widgets.points_panel(settings, on_plane.to_csv(), on_plane.n_classes)

with diagram_box:
    output_range = figures.value_range(run.data) if run.kind == "regression" else (0.0, 1.0)
    layers = diagram_layers(shown_model, run.features, run.small_grid, output_range)
    show_chart(diagram_figure(layers, selected=network.param, title=network.title),
               f"Diagram of the {network.title} network: one small map per node of what it computes over the "
               "plane, and one line per weight, orange positive, blue negative, wider when larger.",
               key=chart_widgets.DIAGRAM,
               **{**clicks, "on_select": chart_widgets.pick_weight_or_node} if clicks else {})
    st.caption("Each square is what one node computes over the plane of the boundary (blue: low, orange: high). "
               "Lines are weights: orange positive, blue negative, wider when larger. Hover a square for its bias, "
               "the small mark on a line for its weight; click the mark to set it below.")
    explain_popover(explain.diagram_text(shown, shown_model), key="moons_explain_diagram")
    chart_widgets.node_panel(shown, shown_model)

loss_column, text_column = st.columns([3, 2], gap="medium")
with loss_column:
    show_chart(figures.run_loss_figure(run), explain.loss_alt(run), key="moons_loss")
with text_column:
    st.markdown(ui.loss_convention(run))
    st.caption(f"With *Stop when the loss levels off* on, training ends once the loss has stayed within "
               f"{FLAT_TOLERANCE:.2%} of its value for {FLAT_WINDOW} passes, or, for a loss that bounces, once its mean "
               f"over {BOUNCE_WINDOW} passes is within {FLAT_TOLERANCE:.2%} of the mean over the {BOUNCE_WINDOW} before "
               f"(checked every {FLAT_WINDOW} passes): a loss still falling goes on. Turn it off to run every pass, as "
               "the tutorial does. All in float64.")
    explain_popover(explain.loss_text(run, run.model()), key="moons_explain_loss")

# Only the tab on screen is computed and sent: the first visit draws four charts, not seven.
# A fragment: opening a tab or the sweep reruns and resends only this part of the page, not the
# boundary, the diagram and the sidebar above (its arguments are those of the page's last run).
@st.fragment
def views_below(run: MoonsRun, shown: MoonsRun, settings: MoonsSettings,
                points: Points | None) -> None:
    classification = run.kind != "regression"
    learn_tab, units_tab, compare_tab = st.tabs(ui.TABS, key=ui.TAB, on_change="rerun")
    with learn_tab:
        if learn_tab.open:
            st.markdown("The boundary as it was after chosen passes (roughly doubling), kept while the network "
                        "trained. Drag the slider under the chart or press ▶ Play: the first few hundred passes "
                        "move it most. The slider above the diagram shows the same passes weight by weight; *Step* "
                        "trains by hand.")
            show_chart(figures.run_snapshots_figure(run, settings.discretize),
                       "Animation of the decision boundary during training, one frame per snapshot, with a pass "
                       "slider.", key="moons_snapshots")
            explain_popover(explain.snapshots_text(run), key="moons_explain_snapshots")

    with units_tab:
        if units_tab.open and not shown.hidden:
            st.markdown("This network has no hidden layer: each output is a weighted sum of the inputs, so with "
                        "x₁ and x₂ alone its boundary is a straight line. Tick x₁² and x₂² and it can draw a circle.")
        elif units_tab.open:
            st.markdown(
                "Each tile is one hidden unit's output over the same square as the boundary (blue: low, orange: "
                f"high). A first-layer unit computes {settings.activation}(w·inputs + b): with x₁ and x₂ as inputs "
                "it can only split the plane along one straight line. "
                + ("Units of later layers combine the previous layer's outputs, so their edges bend. "
                   if settings.hidden_layers > 1 else "")
                + "The output layer weighs the last layer's units together into the boundary above.")
            for layer, fig in enumerate(figures.run_units_figures(shown), 1):
                show_chart(fig, f"Hidden layer {layer}: one map per unit of its output over the plane, blue low, "
                                "orange high.", key=f"moons_units_{layer}")
            explain_popover(explain.units_text(shown), key="moons_explain_units")

    with compare_tab:
        if compare_tab.open and not classification:
            st.markdown("Logistic regression and the hidden-size sweep compare classifiers: switch the problem "
                        "type back to classification to see them.")
        elif compare_tab.open:
            compare_views(run, shown, settings, points)


def compare_views(run: MoonsRun, shown: MoonsRun, settings: MoonsSettings,
                  points: Points | None) -> None:
    """Tutorial A's comparisons: logistic regression beside the network, and the hidden-size sweep."""
    logistic = ui.cached_logistic(settings.only(DATA_FIELDS), points)
    net_column, logistic_column = st.columns(2)
    with net_column:
        show_chart(figures.run_boundary_figure(shown, height=440, discretize=settings.discretize),
                   explain.boundary_alt(run), key="moons_compare_net")
    with logistic_column:
        show_chart(figures.run_logistic_figure(run, logistic, height=440, discretize=settings.discretize),
                   "The boundary of logistic regression on the same points: a straight line.",
                   key="moons_compare_logistic")
    st.caption("Logistic regression (scikit-learn, its defaults, on x₁ and x₂) is a network without a hidden "
               "layer: its boundary is always a straight line.")
    explain_popover(explain.compare_text(shown, logistic), key="moons_explain_compare")

    if points is not None:
        st.markdown("**Hidden-size sweep.** It runs on generated data only, so that a click retrains one "
                    "network, not eight.")
        return
    st.markdown(f"**Hidden-size sweep.** One hidden layer of {', '.join(map(str, SWEEP_SIZES))} units, "
                "trained on this data with tutorial A's other settings, so only the data knobs change it. Too "
                "few units cannot bend around the moons; many start to follow the noise: compare train and "
                "test accuracy.")
    if st.toggle("Show the sweep", key="moons_show_sweep",
                 help="Trains 7 networks (a few seconds) each time the data changes, so it is off until you "
                      "turn it on: a class sharing one server keeps its sliders quick."):
        sweep_runs, progress = [], st.progress(0.0, text="Training the sweep…")
        for done, sweep in enumerate(sweep_settings(settings.only(DATA_FIELDS)), 1):
            sweep_runs.append(ui.cached_run(sweep.for_training()))
            progress.progress(done / len(SWEEP_SIZES), text=f"Trained {done} of {len(SWEEP_SIZES)} networks")
        progress.empty()
        show_chart(figures.run_sweep_figure(sweep_runs, logistic, settings.discretize),
                   f"Small multiples: the boundary of logistic regression and of networks with "
                   f"{', '.join(map(str, SWEEP_SIZES))} hidden units, on the same points.", key="moons_sweep")


views_below(run, shown, settings, points)
chart_widgets.compare_runs(chart_widgets.remember_run(run))

st.subheader("Share this setup")
st.markdown("Every setting is in the address bar: copy the link, and whoever opens it sees this experiment "
            "(the same data, the same network, the same numbers)."
            + (" Your own points are not in it: download them as CSV beside the boundary and send the file along."
               if points is not None else ""))
link = (st.context.url or "") + "?" + query_string(settings)
st.markdown(f"[{link}]({link})")  # a link, not st.code: the browser need not load a code highlighter first
lesson.teacher_panel("moons", to_query(settings), {name: knob.label for name, knob in KNOBS.items()})

copy_as_python(None if points is not None else moons_script(settings), key="moons_python",
                           unavailable="The script makes its data with `make_planar`; your own points are not in it. "
                                       "Download them as CSV beside the boundary, or go back to generated data.")
show_code(MLP.forward, MLP.backward, train, label="Show the code: forward, backward and the training loop")
