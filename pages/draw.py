"""Draw a digit: a canvas, MNIST-faithful preprocessing, and a look inside the network's guess."""

import streamlit as st
from streamlit_drawable_canvas import st_canvas  # only here: it needs a running Streamlit script

from lab.app.lessons import widgets as lesson
from lab.app.charts import show_chart
from lab.app.code import show_code
from lab.draw.model import (NOT_SURE_BELOW, digit_model_problem, load_default_model,
                                     read_drawing)
from lab.draw.novelty import load_basis
from lab.draw.preprocess import BOX, SIDE, decode_png, mnist_style, preprocess
from lab.draw.figures import digit_image, hidden_activations, probability_chart, saliency_map
from lab.app.page import start_page
from lab.app.text import MAX_MESSAGE, plain
from lab.draw.samples import picked_pixels
from lab.app.session import TRAINED_MODEL_KEY, TrainedModel
from nn import MLP

CANVAS_SIDE = 280  # 10x MNIST's 28 px
# A digit drawn ~200 px tall is scaled by 20/200 = 1/10: a 22 px pen becomes ~2.2 px, MNIST's stroke.
DEFAULT_STROKE = 22
ROUND_KEY = "draw_canvas_round"  # bumped by Clear: a new canvas key is an empty canvas
PICK_KEY, PICK_ROUND = "draw_pick", "draw_pick_round"  # the picked test digit, and which one of its images

start_page()

st.title("Draw a digit")
st.markdown(
    "Draw a digit from 0 to 9 on the black square, with the mouse or a finger. "
    "MNIST's digits were **cropped to their ink, scaled so the longer side is "
    f"{BOX} pixels, and placed in a {SIDE}x{SIDE} image with the centre of mass of the ink at "
    "the centre**. The network has only ever seen digits like that, so your drawing gets the "
    "same treatment before the network reads it. Shrinking the whole canvas instead would hand "
    "it a tiny, off-centre digit it has never seen."
)
challenge = lesson.start("draw")  # a teacher's note, and the challenge of the link, if any


def choose_model() -> TrainedModel:
    """The model trained on the MNIST page in this session if the user wants it, else the default."""
    default = load_default_model()
    mine = st.session_state.get(TRAINED_MODEL_KEY)
    if mine is None:
        return default
    problem = digit_model_problem(mine)
    if problem:
        st.warning(f"The model from the MNIST page can't read drawings ({plain(problem, MAX_MESSAGE)}); "
                   "using the default model.")
        return default
    choice = st.radio("Model", ["mine", "default"], horizontal=True, key="draw_model",
                      format_func={"mine": f"Yours from the MNIST page ({mine.name})",
                                   "default": "The default model"}.get)
    return mine if choice == "mine" else default


def pick_test_digit():
    """The "Pick a test digit" control, for whoever cannot draw: (digit, row, pixels (784,)) or None."""
    digit = st.selectbox("Can't draw? Pick a test digit", range(10), index=None, key=PICK_KEY,
                         placeholder="none: I draw", format_func=lambda d: f"a test image of a {d}",
                         help="A real handwritten digit from MNIST's test images (the bundled sample), "
                              "read through the same preprocessing and network as a drawing.")
    if digit is None:
        return None
    st.button(f"Another {digit}", key="draw_pick_next", icon=":material/shuffle:",
              on_click=lambda: st.session_state.update({PICK_ROUND: st.session_state.get(PICK_ROUND, 0) + 1}))
    row, pixels = picked_pixels(digit, st.session_state.get(PICK_ROUND, 0))
    st.caption(f"Test image #{row} of the bundled sample, labelled **{digit}**. It replaces the drawing "
               "until you clear this choice (×) or press Clear.")
    return digit, row, pixels


def describe(trained: TrainedModel) -> str:
    accuracy = ("not measured" if trained.test_accuracy is None
                else f"{trained.test_accuracy:.1%} on its test split")
    return f"Model: **{trained.name}** (dataset: {trained.dataset}); test accuracy {accuracy}."


trained = choose_model()
st.caption(describe(trained))
if trained.dataset == "fashion":
    st.warning("This model was trained on Fashion-MNIST: it names clothes, not digits. Draw a "
               "trouser or a shoe, or pick the default model to read digits.")

st.session_state.setdefault(ROUND_KEY, 0)
# The canvas needs its 280 px: half the width, even in the narrow centred layout.
drawing_col, result_col = st.columns(2, gap="large")
with drawing_col:
    stroke = st.slider("Pen width (pixels)", 8, 40, DEFAULT_STROKE, key="draw_stroke",
                       help=f"{DEFAULT_STROKE} px on a digit drawn 200 px tall becomes about 2 px "
                            "at 28x28, like MNIST's pen.")
    try:
        canvas = st_canvas(stroke_width=stroke, stroke_color="#ffffff", background_color="#000000",
                           width=CANVAS_SIDE, height=CANVAS_SIDE, drawing_mode="freedraw",
                           return_image_data=True, key=f"draw_canvas_{st.session_state[ROUND_KEY]}")
        png = canvas.image_bytes  # None until something is drawn
        problem = None
    except Exception as e:  # the canvas's value comes from the browser: anything may arrive
        png, problem = None, f"{type(e).__name__}: {e}"
    st.button("Clear", key="draw_clear", icon=":material/delete:",
              on_click=lambda: st.session_state.update({ROUND_KEY: st.session_state[ROUND_KEY] + 1, PICK_KEY: None}))
    picked = pick_test_digit()

pixels = None
if png is not None:
    try:
        pixels = preprocess(decode_png(png))
    except ValueError as e:
        problem = str(e)
if picked is not None:  # a real test digit, already through the same preprocessing
    pixels, problem = picked[2], None
if problem:
    st.error(f"The canvas sent an image this page can't read ({plain(problem, MAX_MESSAGE)}). "
             "Press Clear and draw again.")

if pixels is None:
    with result_col:
        st.info("Draw a digit on the black square, or pick a test digit: the guess appears when you lift "
                "the pen.",
                icon=":material/draw:")
    st.stop()

reading = read_drawing(trained.model, pixels)
challenge.report(reading)
names = trained.class_names
# Digits only: the patterns are those of MNIST's digits (a Fashion-MNIST model reads other shapes).
odd = load_basis().reasons(pixels) if trained.dataset != "fashion" else []
with result_col:
    if odd:
        st.warning("**Unlike the digits the network learnt from.** " + " ".join(
            f"{reason[:1].upper()}{reason[1:]}" for reason in odd) + " A network always picks one of its "
            f"{len(names)} classes, however strange the input, so its guess below means little here.",
            icon=":material/help:")
    seen_col, guess_col = st.columns(2)
    with seen_col:
        st.caption("What the network sees: 28x28, after the preprocessing")
        show_chart(digit_image(reading.pixels, title="", height=220),
                   "The 28 by 28 image the network reads: the digit cropped, scaled and centred, white on black.",
                   key="draw_seen")
    with guess_col:
        st.metric("Prediction", names[reading.top])
        if odd:
            st.markdown(f"**a guess**: probability {reading.confidence:.0%}, for a drawing unlike its training "
                        "digits")
        elif reading.sure:
            st.markdown(f"with probability **{reading.confidence:.0%}**")
        else:
            st.markdown(f"**not sure**: the top probability is only {reading.confidence:.0%} "
                        f"(under {NOT_SURE_BELOW:.0%}). Try drawing it bigger or clearer.")
    ranked = reading.probabilities.argsort()[::-1][:3]
    show_chart(probability_chart(reading.probabilities, names),
               "Bars of the probability of each class; the highest: "
               + ", ".join(f"{names[k]} {reading.probabilities[k]:.0%}" for k in ranked) + ".", key="draw_probs")

st.subheader("Inside the network")
saliency_col, hidden_col = st.columns(2, gap="medium")
with saliency_col:
    st.markdown(
        f"The **saliency map** is the gradient of the score (logit) of **{names[reading.top]}** "
        "with respect to each input pixel, computed by backpropagation down to the input. "
        "Orange: more ink there would raise the score; blue: it would lower it."
    )
    show_chart(saliency_map(reading.pixels, reading.saliency, names[reading.top]),
               f"The digit in grey with the saliency for {names[reading.top]} over it: orange pixels where more "
               "ink would raise its score, blue where it would lower it.", key="draw_saliency")
with hidden_col:
    if reading.hidden:
        st.markdown(
            "The **hidden activations** are what each hidden unit computes for this drawing: the "
            "features the output layer weighs to reach its guess. Draw another digit and watch a "
            "different set of units light up."
        )
        show_chart(hidden_activations(reading.hidden),
                   "Bars of each hidden unit's activation for this digit: "
                   + "; ".join(f"layer {l + 1}, {int((a > 0).sum())} of {a.size} units active" for l, a in
                               enumerate(reading.hidden)) + ".", key="draw_hidden")
    else:
        st.markdown(
            "**No hidden layer.** This network weighs the 784 pixels directly into the 10 scores: "
            "one weight per pixel and class, like the average images of each class on the MNIST "
            "page. There are no hidden units to look inside."
        )

show_code(mnist_style, MLP.input_gradient, label="Show the code: preprocessing and saliency")
