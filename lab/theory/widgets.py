"""The Theory page's Streamlit parts: cached demos, matrices beside their equations, the Step and
Reset buttons' callbacks, the gradient check's verdict and the find-the-bug question."""
from __future__ import annotations

import streamlit as st

from lab.app.charts import scroll_box, show_chart
from lab.app.lessons.conditions import LAYERS, PASS_THRESHOLD, BugAnswer
from lab.theory import demos
from lab.theory.equations import Equation, Panel
from lab.theory.figures import matrix_figure
from lab.theory.network import get_net, reset_net
from lab.theory.settings import KNOBS
from nn import GradientCheck

# The demos that train or sweep, cached (bounded): they return arrays, never a model to change.
moons = st.cache_data(max_entries=4)(demos.moons)
linear_classifier = st.cache_data(max_entries=2)(demos.linear_classifier)
activation_curves = st.cache_data(max_entries=2)(demos.activation_curves)
regularised_runs = st.cache_data(max_entries=8)(demos.regularised_runs)
optimizer_paths = st.cache_data(max_entries=32)(demos.optimizer_paths)
MASK_DRAW = "theory_mask_draw"  # st.session_state: which dropout mask is shown


def show_matrices(panels: list[Panel], key: str) -> None:
    """Matrices as heatmaps with their values, at their natural width (a box scrolls them on a phone)."""
    fig = matrix_figure(panels)
    shapes = ", ".join(f"{label} ({v.shape[0]}×{v.shape[1]})" for _, label, v in panels)
    with scroll_box(key, fig.layout.width):
        show_chart(fig, f"The matrices {shapes} as grids of their values, orange positive and blue negative.",
                   key=key, width=fig.layout.width, config={"displayModeBar": False})


def show_equation(eq: Equation, key: str) -> None:
    """An equation (LaTeX) beside the heatmaps of the matrices nn computed for it."""
    left, right = st.columns([2, 5], vertical_alignment="center")
    left.latex(eq.latex)
    with right:
        show_matrices(eq.panels, key)


def step() -> None:
    """The Step button: one gradient step of the session's network at the learning rate knob's value."""
    get_net(st.session_state).step(st.session_state[KNOBS["lr"].key])


def reset() -> None:
    reset_net(st.session_state)


def new_mask() -> None:
    st.session_state[MASK_DRAW] = mask_draw() + 1


def mask_draw() -> int:
    return st.session_state.get(MASK_DRAW, 0)


def check_verdict(result: GradientCheck) -> None:
    """Passed or failed, with the largest relative error and where it is."""
    worst = result.names[result.errors.index(result.max_error)]
    if result.max_error < PASS_THRESHOLD:
        st.success(f"Gradient check passed: every relative error is below {PASS_THRESHOLD:.0e} "
                   f"(largest {result.max_error:.1e}, in {worst}).")
    else:
        st.error(f"Gradient check FAILED: relative error {result.max_error:.1e} in {worst} "
                 f"(passing needs < {PASS_THRESHOLD:.0e}).")


def bug_answer(check: GradientCheck) -> BugAnswer:
    """The find-the-bug question: which layer's gradient the tanh bug breaks, with ``check``, nn's
    gradient check of that bug on the page's network as it is now."""
    names = {"layer 1": "Layer 1 (W1, b1)", "layer 2": "Layer 2 (W2, b2)", "both layers": "Both layers"}
    answer = st.radio("Which layer's gradient does the bug “forget tanh' in delta1” break?", list(LAYERS),
                      index=None, horizontal=True, key="theory_bug_answer", format_func=names.get,
                      help="Check that bug above and read which parameters fail. The answer is judged "
                           "against the check's numbers.")
    return BugAnswer(answer, check)
