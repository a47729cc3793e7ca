"""Neural Lab: entry point. Declares the shared page config and the navigation only.

Run with:  streamlit run app.py
Each page lives in pages/ and is listed here with st.Page; the default page is served at "/".
"""

from pathlib import Path

import streamlit as st

from lab.app.charts import page_style

st.set_page_config(
    page_title="Neural Lab",
    page_icon=str(Path(__file__).parent / "assets" / "icon.png"),  # shipped: no font server needed offline
    layout="wide",
    initial_sidebar_state="auto",  # collapsed on a phone, open on a laptop
)

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/moons.py", title="Moons playground", icon=":material/scatter_plot:", url_path="moons"),
    st.Page("pages/mnist.py", title="MNIST classifier", icon=":material/model_training:", url_path="mnist"),
    st.Page("pages/draw.py", title="Draw a digit", icon=":material/draw:", url_path="draw"),
    st.Page("pages/theory.py", title="Theory", icon=":material/functions:", url_path="theory"),
    st.Page("pages/challenges.py", title="Challenges", icon=":material/flag:", url_path="challenges"),
]

page_style()
st.navigation(PAGES).run()
