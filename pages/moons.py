"""Moons playground (tutorial A): every knob retrains the network and redraws; the URL shares it."""

import streamlit as st

from lab import playground_figures as figures
from lab import playground_ui as ui
from lab.code import show_code
from lab.page import use_app_navigation
from lab.playground import DATA_FIELDS, to_query
from lab.playground_run import FLAT_TOLERANCE, FLAT_WINDOW, SWEEP_SIZES, sweep_settings
from nn import MLP
from nn.training import train

PLOT = {"displaylogo": False}

use_app_navigation()

st.title("Moons playground")
st.markdown(
    "A small network learns to separate two interleaving half-moons, as in tutorial A. Each point is "
    "two numbers (x, y); the network outputs the probability of class 1 (orange) for every point of the "
    "plane, and the black line where that probability is 0.5 is its **decision boundary**. Move any knob "
    "in the sidebar: the network retrains from scratch and everything below is redrawn."
)

problems = ui.start_from_link()
settings = ui.sidebar()
ui.write_link(settings)
ui.show_link_problems(problems)

st.subheader("Experiments to try")
preset = ui.preset_buttons(settings)
st.caption(f"**{preset.name}.** {preset.idea}" if preset else
           "Each button sets every knob to show one idea; hover over a button to read it.")

try:
    run = ui.cached_run(settings)
except ValueError as error:  # nn/ and the datasets refuse bad combinations with a precise message
    st.error(f"These settings cannot be trained: {error}")
    st.stop()

ui.show_metrics(run)
ui.show_training_summary(run)

left, right = st.columns([3, 2], gap="medium")
with left:
    st.plotly_chart(figures.run_boundary_figure(run), key="moons_boundary", config=PLOT)
    st.caption("Filled circles: training points. White diamonds: test points, held out from training.")
with right:
    st.plotly_chart(figures.run_loss_figure(run), key="moons_loss", config=PLOT)
    st.markdown(ui.loss_convention(run))
    st.caption(f"With *Stop when the loss levels off* on, training ends once the loss has stayed within "
               f"{FLAT_TOLERANCE:.2%} of its value for {FLAT_WINDOW} passes (checked every {FLAT_WINDOW}; a loss that "
               "bounces never qualifies). Turn it off to run every pass, as the tutorial does. All in float64.")

st.subheader("Watch it learn")
st.markdown("The boundary as it was after chosen passes (roughly doubling), kept while the network trained. "
            "Drag the slider under the chart or press ▶ Play: the first few hundred passes move it most.")
st.plotly_chart(figures.run_snapshots_figure(run), key="moons_snapshots", config=PLOT)

st.subheader("What each hidden neuron computes")
st.markdown(
    "Each tile is one hidden unit's output over the same square as the boundary (blue: low, orange: high). "
    f"A first-layer unit computes {settings.activation}(w₁x + w₂y + b), so it can only split the plane along "
    "one straight line. " + ("Units of later layers combine the previous layer's outputs, so their edges bend. "
                             if settings.hidden_layers > 1 else "")
    + "The output layer weighs the last layer's units together into the curved boundary above.")
for layer, fig in enumerate(figures.run_units_figures(run), 1):
    st.plotly_chart(fig, key=f"moons_units_{layer}", config=PLOT)

st.subheader("Tutorial A's comparisons")
logistic = ui.cached_logistic(settings.only(DATA_FIELDS))
net_column, logistic_column = st.columns(2)
with net_column:
    st.plotly_chart(figures.run_boundary_figure(run, height=440), key="moons_compare_net", config=PLOT)
with logistic_column:
    st.plotly_chart(figures.run_logistic_figure(run, logistic, height=440), key="moons_compare_logistic",
                    config=PLOT)
st.caption("Logistic regression (scikit-learn, its defaults) is a network without a hidden layer: "
           "its boundary is always a straight line.")

st.markdown(f"**Hidden-size sweep.** One hidden layer of {', '.join(map(str, SWEEP_SIZES))} units, trained on this "
            "data with tutorial A's other settings, so only the data knobs change it. Too few units cannot bend "
            "around the moons; many start to follow the noise: compare train and test accuracy.")
st.session_state.setdefault("moons_show_sweep", True)
if st.toggle("Show the sweep", key="moons_show_sweep",
             help="Trains 7 networks (a few seconds) each time the data changes; turn off on a slow server."):
    sweep_runs, progress = [], st.progress(0.0, text="Training the sweep…")
    for done, sweep in enumerate(sweep_settings(settings.only(DATA_FIELDS)), 1):
        sweep_runs.append(ui.cached_run(sweep))
        progress.progress(done / len(SWEEP_SIZES), text=f"Trained {done} of {len(SWEEP_SIZES)} networks")
    progress.empty()
    st.plotly_chart(figures.run_sweep_figure(sweep_runs, logistic), key="moons_sweep", config=PLOT)

st.subheader("Share this setup")
st.markdown("Every setting is in the address bar: copy the link, and whoever opens it sees this experiment "
            "(the same data, the same network, the same numbers).")
st.code((st.context.url or "") + "?" + "&".join(f"{k}={v}" for k, v in to_query(settings).items()),
        language=None, wrap_lines=True)

show_code(MLP.forward, MLP.backward, train, label="Show the code: forward, backward and the training loop")
