"""Theory: the equations of both tutorials, each beside the numbers nn/ computes for it right now."""

import streamlit as st

import nn.activations
import nn.schedules
from lab import theory_demos as demos
from lab import theory_figures as figs
from lab.challenges import widgets as lesson
from lab.challenges.knobs import link_settings
from lab.charts import scroll_box, show_chart
from lab.code import show_code
from lab.page import start_page
from lab.theme import class_name
from lab.theory_equations import backward_equations, forward_equations, loss_latex
from lab.theory_state import (BUGS, KNOBS, L2, N_POINTS, PASS_THRESHOLD, check, check_rows, entry_rows, get_net,
                              reset_net, tutorial_backprop)
from nn import MLP, gradient_check
from nn.gradcheck import relative_error
from nn.lbfgs import minimize
from nn.losses import softmax_cross_entropy
from nn.optimizers import SGD, Adam, Momentum, Nesterov

start_page()

st.title("Theory: the equations, live")
st.markdown(
    f"Every equation below sits beside the numbers that `nn/` computes for it **right now**, on "
    f"tutorial A's network made small enough to print: 2 inputs, 3 tanh hidden units, 2 softmax "
    f"outputs, trained on {N_POINTS} moons points (float64). Press **Step** in section 4 and every "
    "number on the page moves with the network.\n\n"
    "In `nn/` an example is a **row** $x$ (a batch stacks them), so a layer is $z = xW + b$ with "
    "$W$ of shape (inputs, outputs). Books that write $z = Wx$ use the transpose."
)
challenge = lesson.start("theory", KNOBS)  # a teacher's note, and the challenge of the link, if any
lesson.settings_from_link("theory", KNOBS)  # a teacher's link sets the knobs (first run of the session)


def show_matrices(panels, key: str) -> None:
    """Matrices as heatmaps with their values, at their natural width (a narrow screen scrolls them in a box)."""
    fig = figs.matrix_figure(panels)
    shapes = ", ".join(f"{label} ({v.shape[0]}×{v.shape[1]})" for _, label, v in panels)
    with scroll_box(key, fig.layout.width):
        show_chart(fig, f"The matrices {shapes} as grids of their values, orange positive and blue negative.",
                   key=key, width=fig.layout.width, config={"displayModeBar": False})


def show_equation(eq, key: str) -> None:
    """An equation (LaTeX) beside the heatmaps of the matrices nn computed for it."""
    left, right = st.columns([2, 5], vertical_alignment="center")
    left.latex(eq.latex)
    with right:
        show_matrices(eq.panels, key)


# ---- 1 ------------------------------------------------------------------------------------------
st.header("1. One neuron and the linear classifier")
st.markdown(
    "A neuron weighs its inputs and adds a bias: $z = w \\cdot x + b$. The points where $z = 0$ form "
    "a straight line, so one neuron is a linear classifier: $z > 0$ on one side, $z < 0$ on the other. "
    "Move the weights and watch the line turn ($w$ is perpendicular to it) and shift ($b$)."
)


@st.fragment
def neuron_section() -> None:
    c1, c2, c3 = st.columns(3)
    w1 = c1.slider("w₁", -3.0, 3.0, 1.0, 0.1, key="theory_w1")
    w2 = c2.slider("w₂", -3.0, 3.0, -2.0, 0.1, key="theory_w2")
    b = c3.slider("b", -3.0, 3.0, 0.5, 0.1, key="theory_b")
    net = get_net(st.session_state)
    x = net.X[0]
    z = demos.neuron_outputs((w1, w2), b, net.X[:1])[0]
    st.caption("For the first of the six points:")
    st.latex(rf"z = w_1 x_1 + w_2 x_2 + b = ({w1:g})({x[0]:.3f}) + ({w2:g})({x[1]:.3f}) + ({b:g}) = {z:.3f}")
    X, y = demos.moons()
    show_chart(figs.neuron_figure(X, y, *demos.neuron_grid((w1, w2), b, X)),
               f"The moons points of class 0 and class 1 over the neuron's output z = {w1:g}·x₁ + {w2:g}·x₂ + {b:g}, "
               "blue where z < 0 and orange where z > 0, with the straight line z = 0.", key="theory_neuron_fig")


neuron_section()

st.markdown(
    "Stack one neuron per class and you have a weight matrix: $z = xW + b$, $W$ of shape "
    "(2 inputs, 2 classes). **Column $k$ of $W$ is the classifier of class $k$** (in the $z = Wx$ "
    "convention, row $k$); the prediction is the class with the largest $z_k$. Trained with softmax "
    "and cross-entropy this is logistic regression, tutorial A's baseline, and a straight boundary "
    "cannot follow the moons: that is what the hidden layer is for."
)
lin = demos.linear_classifier()
c1, c2 = st.columns([2, 3])
with c1:
    st.latex(r"z = xW + b,\qquad \text{class} = \arg\max_k z_k")
    show_matrices([("lin_W", "W", lin.W), ("lin_b", "b", lin.b.reshape(1, -1))], key="theory_linear_W")
    st.metric("Training accuracy of the linear classifier", f"{lin.accuracy:.1%}")
with c2:
    X_moons, y_moons = demos.moons()
    show_chart(figs.regions_figure(X_moons, y_moons, lin.grid_x, lin.grid_y, lin.grid_class),
               "The moons points over the two regions the linear classifier predicts, split by a straight line.",
               key="theory_linear_regions")
show_code(MLP.forward, MLP.predict)

# ---- 2 ------------------------------------------------------------------------------------------
st.header("2. Softmax and cross-entropy")
st.markdown(
    "Softmax turns the scores (logits) $z$ into probabilities; cross-entropy charges $-\\log$ of the "
    "probability given to the true class. Move the logits, pick the true class, and raise or lower "
    "the temperature $T$: a low $T$ sharpens the distribution towards the largest logit, a high $T$ "
    "flattens it towards uniform. Adding the same number to every logit changes nothing."
)


@st.fragment
def softmax_section() -> None:
    cols = st.columns(4)
    defaults = (2.0, 1.0, 0.1)
    logits = [cols[k].slider(f"z{k}", -5.0, 5.0, defaults[k], 0.1, key=f"theory_logit{k + 1}")
              for k in range(3)]
    temperature = cols[3].slider("temperature T", 0.1, 5.0, 1.0, 0.1, key="theory_temperature")
    target = st.radio("True class", [0, 1, 2], format_func=class_name, horizontal=True,
                      key="theory_target")
    p, loss = demos.softmax_loss(logits, target, temperature)
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}"
                 rf" \;\Rightarrow\; p = ({p[0]:.4f},\ {p[1]:.4f},\ {p[2]:.4f})")
        st.latex(rf"L = -\log p_{{{target}}} = -\log {p[target]:.4f} = {loss:.4f}")
    show_chart(figs.probability_bars([class_name(k) for k in range(3)], p, target),
               "Bars of the softmax probabilities: " + ", ".join(f"{class_name(k)} {p[k]:.3f}" for k in range(3))
               + f"; the true class is {class_name(target)}.", where=right, key="theory_softmax_bars",
               config={"displayModeBar": False})


softmax_section()

st.markdown(
    "**Tutorial B's swap.** Say the true class is class 0 and the network gives it probability 0.1 "
    "while a wrong class gets 0.7. Swap those two probabilities and the loss falls from "
    "$-\\log 0.1$ to $-\\log 0.7$. Swapping two *wrong* classes changes nothing: only the probability of "
    "the true class enters the loss. (Losses computed by `nn`'s `softmax_cross_entropy`.)"
)
st.table(demos.swap_example())
show_code(softmax_cross_entropy)

# ---- 3 ------------------------------------------------------------------------------------------
net = get_net(st.session_state)
trace = net.trace()
st.header("3. Forward propagation")
st.markdown(
    f"The six points go through the network as one matrix $x$ ({N_POINTS}×2), one row per point. "
    "Each heatmap prints its values (orange positive, blue negative). **The loss is summed over the "
    "examples**, as in tutorial A (`reduction=\"sum\"`), plus L2 on the weights only "
    f"($\\lambda = {L2:g}$); `nn`'s default "
    "is the mean, which divides the data term, and so every gradient below, by $N$."
)
for i, eq in enumerate(forward_equations(net, trace)):
    show_equation(eq, key=f"theory_forward_{i}")
st.latex(loss_latex(trace))
show_code(MLP.forward, MLP.trace)

# ---- 4 ------------------------------------------------------------------------------------------
st.header("4. Backpropagation")
st.markdown(
    "The chain rule, from the loss back to every weight. With softmax and cross-entropy the error at "
    "the output is simply $\\delta_2 = \\hat y - y$ (with the mean loss it would be $(\\hat y - y)/N$); "
    "each layer's $\\delta$ is the next one's sent back through $W^\\top$ and multiplied by the "
    "activation's slope. Each $\\delta_l = \\partial L / \\partial z_l$ carries the number of its $z_l$ and "
    "$W_l$, as in `nn` (tutorial A numbers the layers of neurons 1 to 3 and calls them $\\delta_3$ and "
    "$\\delta_2$). **Step** takes one gradient step, $\\theta \\leftarrow \\theta - \\eta\\,\\nabla L$, "
    "with `model.fit(X, y, epochs=1, lr=η)`."
)


def _step() -> None:
    get_net(st.session_state).step(st.session_state["theory_lr"])


def _reset() -> None:
    reset_net(st.session_state)


c1, c2, c3, c4 = st.columns([3, 1, 1, 2], vertical_alignment="bottom")
lesson.knob(KNOBS, "lr", c1.select_slider)
c2.button("Step", key="theory_step", on_click=_step, type="primary")
c3.button("Reset", key="theory_reset", on_click=_reset)
c4.metric("Loss L", f"{net.loss:.6f}", delta=f"{net.loss - net.losses[-2]:+.6f}" if net.steps else None,
          delta_color="inverse", help=f"after {net.steps} step(s)")
for i, eq in enumerate(backward_equations(net, trace)):
    show_equation(eq, key=f"theory_backward_{i}")
if net.steps:
    st.caption(f"The loss after each of the {net.steps} step(s) so far.")
    show_chart(figs.loss_steps_figure(net.losses),
               f"The loss after each step: from {net.losses[0]:.4f} before any to {net.losses[-1]:.4f} now.",
               key="theory_loss_steps")
show_code(MLP.backward, MLP.backpropagate)

# ---- 5 ------------------------------------------------------------------------------------------
st.header("5. Checking the gradients")
st.markdown(
    "Backprop is easy to get subtly wrong, and a wrong gradient often still trains, just badly. "
    "The check: nudge each parameter by $\\pm\\varepsilon$, measure the loss both times, and compare "
    "the slope with what backprop says. `nn.gradient_check` does it for all 17 weights and biases. "
    "Plant a classic bug and watch the check catch it, and point at the layer where it lives."
)
st.latex(r"\frac{\partial L}{\partial \theta_j} \approx \frac{L(\theta + \varepsilon e_j) - "
         r"L(\theta - \varepsilon e_j)}{2\varepsilon},\qquad "
         r"\text{relative error} = \frac{\lVert g_{\text{backprop}} - g_{\text{numerical}}\rVert}"
         r"{\lVert g_{\text{backprop}}\rVert + \lVert g_{\text{numerical}}\rVert}")


@st.fragment
def gradient_check_section() -> None:
    c1, c2 = st.columns([3, 2])
    bug = lesson.knob(KNOBS, "bug", c1.radio)
    eps = lesson.knob(KNOBS, "eps", c2.select_slider, format_func=lambda e: f"{e:.0e}",
                      help="Too large: the central difference's own error (ε²) shows. Too small: "
                                "rounding in the loss (1e-16 / ε) shows. 1e-5 balances the two.")
    if BUGS[bug][1] == "mean":
        c1.caption("This bug exists only for a mean loss, so this check runs on the same weights with "
                   "`reduction=\"mean\"`: $L = \\frac1N \\sum_i L_i + \\ldots$, $\\delta_2 = (\\hat y - y)/N$.")
    result = check(get_net(st.session_state), bug, eps)
    st.dataframe(check_rows(result), hide_index=True, key="theory_check_table",
                 column_config={"relative error": st.column_config.NumberColumn(format="%.2e")})
    worst = result.names[result.errors.index(result.max_error)]
    if result.max_error < PASS_THRESHOLD:
        st.success(f"Gradient check passed: every relative error is below {PASS_THRESHOLD:.0e} "
                   f"(largest {result.max_error:.1e}, in {worst}).")
    else:
        st.error(f"Gradient check FAILED: relative error {result.max_error:.1e} in {worst} "
                 f"(passing needs < {PASS_THRESHOLD:.0e}).")
    with st.expander("Every weight and bias: backprop against the central difference"):
        st.dataframe(entry_rows(result), hide_index=True,
                     column_config={"difference": st.column_config.NumberColumn(format="%.2e")})
    show_code(gradient_check, relative_error, tutorial_backprop)


gradient_check_section()
challenge.report(lesson.bug_answer())

# ---- 6 ------------------------------------------------------------------------------------------
st.header("6. Activations")
st.markdown(
    "Each activation in `nn.ACTIVATIONS` is a function and its derivative, side by side. The "
    "derivative is written in terms of the output $a = f(z)$, which the forward pass already stored, "
    "so backprop needs no extra work. The dots are the slope measured by central differences: they "
    "sit on the dashed $f'$."
)
for act in nn.activations.ACTIVATIONS.values():
    st.latex(rf"\textbf{{{act.name.replace('_', ' ')}}}:\quad f(z) = {act.formula},\qquad "
             rf"f'(z) = {act.derivative}")
show_chart(figs.activation_figure(demos.activation_curves()),
           "One panel per activation function: f(z) solid, its derivative from the table dashed, and the slope "
           "measured numerically as dots, which fall on the dashed line.", key="theory_activations",
           config={"displayModeBar": False})
st.markdown("**Why $\\tanh' = 1 - \\tanh^2$:** with $\\tanh z = \\sinh z / \\cosh z$ and $\\cosh^2 - \\sinh^2 = 1$,")
st.latex(r"\frac{d}{dz}\tanh z = \frac{\cosh z \cosh z - \sinh z \sinh z}{\cosh^2 z} = "
         r"1 - \frac{\sinh^2 z}{\cosh^2 z} = 1 - \tanh^2 z = 1 - a^2")
st.markdown("which is the factor $(1 - a_1^2)$ in $\\delta_1$ of section 4: it vanishes where a unit "
            "saturates ($a \\to \\pm 1$), and so does the gradient through it.")
show_code(nn.activations)

# ---- 7 ------------------------------------------------------------------------------------------
st.header("7. Regularisation")
st.markdown(
    "Regularisation adds a price for large weights (never the biases). Its gradient is added to "
    "$\\partial L / \\partial W$; you saw the $\\lambda W$ terms in section 4."
)
st.latex(r"L = L_{\text{data}} + \frac{\lambda_2}{2}\sum W^2 + \lambda_1 \sum |W|")
st.latex(r"\frac{\partial}{\partial W}\Big(\frac{\lambda_2}{2} W^2\Big) = \lambda_2 W,\qquad "
         r"\frac{\partial}{\partial W}\big(\lambda_1 |W|\big) = \lambda_1\,\mathrm{sign}(W)")
st.latex(rf"\text{{our small network: }}\frac{{\lambda_2}}{{2}}\sum W^2 = {trace.l2_loss:.6f}"
         rf"\quad(\lambda_2 = {net.model.l2:g}),\qquad \lambda_1 \sum |W| = {trace.l1_loss:.6f}\quad(\lambda_1 = 0)")
st.markdown(
    "L2's pull, $\\lambda_2 W$, fades as a weight shrinks, so weights get small but stay non-zero. "
    "L1's pull, $\\lambda_1\\,\\mathrm{sign}(W)$, is just as strong for a tiny weight as for a large "
    "one, so it drives unneeded weights to zero. Below, three 2-20-20-2 tanh networks trained alike "
    "on 200 moons points (mean loss, 1,000 full-batch steps): none, L2 and L1 of the same strength. "
    "With plain gradient descent, L1's zeros hop around 0 by about $\\eta\\lambda_1$ each step."
)


@st.fragment
def regularisation_section() -> None:
    strength = lesson.knob(KNOBS, "strength", st.select_slider)
    runs = demos.regularised_runs(strength)
    show_chart(figs.weight_histograms({r.name: r.weights for r in runs}),
               "Histograms of the trained weights, one per regulariser: " + ", ".join(r.name for r in runs)
               + ". The table below gives the numbers.", key="theory_histograms", config={"displayModeBar": False})
    st.dataframe([r.row() for r in runs], hide_index=True,
                 column_config={"training accuracy": st.column_config.NumberColumn(format="percent"),
                                f"weights with |w| < {demos.NEAR_ZERO:g}":
                                    st.column_config.NumberColumn(format="percent")})


regularisation_section()
show_code(MLP.backward, MLP.penalty, MLP.l2_penalty, MLP.l1_penalty)

# ---- 8 ------------------------------------------------------------------------------------------
st.header("8. Dropout")
st.markdown(
    "While training, dropout silences each hidden unit with probability $1 - p$ ($p$ is the keep "
    "probability; `nn`'s `dropout=` is $1 - p$), so no unit can rely on another. `nn` uses "
    "*inverted* dropout: the units that are kept are divided by $p$. Here the same 2-3-2 weights, "
    "with one random mask on the hidden layer."
)


def _new_mask() -> None:
    st.session_state["theory_mask_draw"] = st.session_state.get("theory_mask_draw", 0) + 1


@st.fragment
def dropout_section() -> None:
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    keep = lesson.knob(KNOBS, "keep", c1.slider, step=0.1)
    c2.button("New mask", key="theory_new_mask", on_click=_new_mask)
    net = get_net(st.session_state)
    demo = demos.dropout_demo(net.model, net.X, keep, st.session_state.get("theory_mask_draw", 0))
    left, right = st.columns([1, 2], vertical_alignment="center")
    left.latex(r"\begin{aligned} h_1 &= a_1 \circ m \\ m_{ij} &= \begin{cases} 1/p & \text{kept (chance } p)\\ "
               r"0 & \text{dropped}\end{cases}\end{aligned}")
    with right:
        show_matrices([("drop_a1", "a₁", demo.a), ("mask", "m", demo.mask), ("h1", "h₁ = a₁ ∘ m", demo.h)],
                      key="theory_dropout_mask")
    left, right = st.columns([1, 2], vertical_alignment="center")
    left.latex(r"\begin{aligned} \mathbb{E}[m_{ij}] &= p \cdot \tfrac1p = 1 \\ "
               r"\mathbb{E}[h_1] &= a_1 \end{aligned}")
    with right:
        show_matrices([("mean_h1", f"mean of h₁ over {demo.draws} masks", demo.mean_h),
                       ("drop_a1_predict", "a₁ (prediction: no mask)", demo.a)], key="theory_dropout_mean")
    st.markdown(
        "Because the kept units were scaled by $1/p$ during training, on average layer 2 saw exactly "
        "$a_1$; so at prediction the network uses $a_1$ as it is, no mask and no scaling. (The "
        "original dropout skipped the $1/p$ and had to multiply by $p$ at prediction instead.) "
        "Backprop multiplies $\\delta$ by the same mask, so dropped units get no gradient."
    )


dropout_section()
show_code(MLP.dropout_masks, MLP.forward)

# ---- 9 ------------------------------------------------------------------------------------------
st.header("9. Optimisation")
st.markdown(
    "Gradient descent on a long, narrow valley, $f(\\theta) = \\tfrac12(\\theta_1^2 + 10\\,\\theta_2^2)$: "
    "the steep direction limits the learning rate (plain SGD diverges above $\\eta = 2/10$), and the "
    "shallow one then crawls. Momentum builds up speed along the valley; Adam scales each coordinate "
    "by its own gradient size. Each path is computed by the optimiser classes of `nn.optimizers`, "
    "calling `.step(theta, grad, lr)` on the 2-vector $\\theta$. **L-BFGS uses curvature, not a learning "
    "rate**: from its last steps and how they changed the gradient it estimates the valley's shape, so it "
    "steps straight down the valley and stops at the bottom within a few steps; no slider applies to it "
    "(`nn.lbfgs.minimize`, scipy's L-BFGS-B, which `fit(optimizer=\"lbfgs\")` uses)."
)
st.latex(r"\begin{aligned}"
         r"&\textbf{SGD:} & \theta &\leftarrow \theta - \eta g \\"
         r"&\textbf{momentum:} & v &\leftarrow \mu v + \eta g, & \theta &\leftarrow \theta - v \\"
         r"&\textbf{Nesterov:} & v &\leftarrow \mu v + \eta g, & \theta &\leftarrow \theta - (\eta g + \mu v) \\"
         r"&\textbf{Adam:} & m &\leftarrow \beta_1 m + (1 - \beta_1) g,\ \ v \leftarrow \beta_2 v + (1 - \beta_2) g^2,"
         r" & \theta &\leftarrow \theta - \eta\,\frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon} \\"
         r"&\textbf{L-BFGS:} & H &\approx (\nabla^2 f)^{-1} \text{ from the last steps' } \Delta\theta, \Delta g,"
         r" & \theta &\leftarrow \theta - \alpha H g, \ \alpha \text{ by a line search}"
         r"\end{aligned}")


@st.fragment
def optimisation_section() -> None:
    c1, c2, c3, c4 = st.columns(4)
    lr = lesson.knob(KNOBS, "opt_lr", c1.slider, step=0.005)
    momentum = lesson.knob(KNOBS, "momentum", c2.slider, step=0.01)
    adam_lr = lesson.knob(KNOBS, "adam_lr", c3.slider, step=0.01)
    steps = lesson.knob(KNOBS, "steps", c4.slider, step=5)
    paths = demos.optimizer_paths(lr, momentum, adam_lr, steps)
    show_chart(figs.optimizer_figure(*demos.quadratic_surface(), paths),
               "Contours of a two-parameter loss and the path of each optimiser (" + ", ".join(paths)
               + ") towards the minimum at the origin; the table below gives where each ends.", key="theory_opt_paths")
    rows = demos.path_rows(paths, steps)
    st.dataframe(rows, hide_index=True, column_config={
        "final θ₁": st.column_config.NumberColumn(format="%.4f"),
        "final θ₂": st.column_config.NumberColumn(format="%.4f"),
        "final loss": st.column_config.NumberColumn(format="%.2e")})
    if any(row["diverged"] for row in rows):
        st.warning("A path ended above where it started: that learning rate is too large for the steep "
                   "direction (SGD needs η < 0.2 here).")


optimisation_section()
show_code(SGD, Momentum, Nesterov, Adam, minimize)

st.subheader("Learning-rate schedules")
st.markdown(
    "A schedule lowers the rate as training goes. Tutorial B divides the *current* rate by "
    "$1 + d\\,t$ every epoch, so the divisions compound (`\"compounding\"`); the standard inverse-time "
    "decay divides the *initial* rate once (`\"inverse_time\"`). With the same $d$ they part ways fast: "
    "the log axis shows how fast. All curves come from `nn.SCHEDULES` with $\\eta_0 = 0.1$."
)
st.latex(r"\text{inverse time: } \eta_t = \frac{\eta_0}{1 + d\,t}\qquad "
         r"\text{compounding: } \eta_t = \frac{\eta_{t-1}}{1 + d\,t} = \frac{\eta_0}{\prod_{s=1}^{t}(1 + d\,s)}")


@st.fragment
def schedule_section() -> None:
    c1, c2 = st.columns(2)
    decay = lesson.knob(KNOBS, "decay", c1.select_slider)
    epochs = lesson.knob(KNOBS, "epochs", c2.slider, step=10)
    curves = demos.schedule_curves(0.1, epochs, decay)
    show_chart(figs.schedule_figure(curves, highlight=("inverse_time", "compounding")),
               "The learning rate per epoch for each schedule (" + ", ".join(curves)
               + ") on a log axis; the table below gives the last values.", key="theory_schedules")
    st.dataframe(demos.schedule_rows(curves), hide_index=True,
                 column_config={f"η at epoch {epochs - 1}": st.column_config.NumberColumn(format="%.3e")})


schedule_section()
show_code(nn.schedules)

lesson.teacher_panel("theory", link_settings(KNOBS, st.session_state),
                     {name: knob.label for name, knob in KNOBS.items()})
