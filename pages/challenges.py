"""Challenges: exercises the app states, checks on what nn computed, and explains once met."""

import streamlit as st

from lab.app.lessons.definitions import CHALLENGES, IDEAS, PAGES
from lab.app.lessons.widgets import PAGE_FILES, met_ids
from lab.app.page import start_page

start_page()

st.title("Challenges")
st.markdown(
    "Each challenge asks for one thing a network can be made to do, and the page it runs on checks it "
    "after every run, on the numbers `nn/` computed: nobody has to ask the teacher whether it worked. "
    "Press **Start** to open the page set up for it; once it is met, the page says why it worked and "
    "this list ticks it (for this session)."
)
met = met_ids()
st.progress(len(met & {c.id for c in CHALLENGES}) / len(CHALLENGES),
            text=f"{len(met & {c.id for c in CHALLENGES})} of {len(CHALLENGES)} met in this session")

for idea in IDEAS:
    challenges = [c for c in CHALLENGES if c.idea == idea]
    if not challenges:
        continue
    st.subheader(idea)
    for challenge in challenges:
        done = challenge.id in met
        with st.container(border=True, key=f"challenge_{challenge.id}"):
            text, start = st.columns([5, 1], vertical_alignment="center")
            mark = ":green[:material/check_circle:]" if done else ":gray[:material/radio_button_unchecked:]"
            text.markdown(f"{mark} **{challenge.title}** · {PAGES[challenge.page]} · "
                          f"`{challenge.id}`  \n{challenge.goal}")
            start.page_link(PAGE_FILES[challenge.page], label="Start", icon=":material/play_arrow:",
                            query_params=challenge.start_query())
            if done:
                st.success(f"Met. {challenge.explanation}", icon=":material/check_circle:")
            elif text.toggle("Show the hint", key=f"hint_{challenge.id}"):
                text.caption(challenge.hint)
