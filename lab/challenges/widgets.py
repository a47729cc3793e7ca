"""The Streamlit side of challenges and teacher links: what pages call.

A page calls ``start(page, knobs)`` near its top (the note, the challenge and its hint, warnings
about the link) and ``Lesson.report(result)`` after every run: the challenge's verdict appears in
the box at the top. ``teacher_panel`` is the "For teachers: make a link" expander; ``locked`` and
``hidden`` tell a page's widgets what the link locks or hides. Pages with a ``LinkKnob`` table (MNIST,
Theory) call ``settings_from_link`` once near the top and draw each knob with ``knob``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import streamlit as st

from lab import theory_state
from lab.text import quoted

from .conditions import LAYERS, BugAnswer, Check
from .definitions import BY_ID, PAGES, Challenge, for_page
from .knobs import LinkKnob, read_settings
from .links import MAX_NOTE, LessonLink, read_link, shown_note, teacher_query, without_lesson

MET_KEY = "challenges_met"  # st.session_state: the set of challenge ids met in this session
TANH_BUG = "Bug: forget tanh' in delta1"  # the theory-find-bug challenge's planted bug (a key of BUGS)
PAGE_FILES = {page: f"pages/{page}.py" for page in PAGES}


def met_ids() -> set[str]:
    """The ids of the challenges met in this session."""
    return st.session_state.setdefault(MET_KEY, set())


def current_link(knobs: Iterable[str] = ()) -> LessonLink:
    """The lesson parameters of the address bar, for a page with these knobs."""
    return read_link(st.query_params.to_dict(), knobs)


def locked(name: str) -> bool:
    """The link locks knob ``name``: render its widget disabled."""
    return name in read_link(st.query_params.to_dict(), (name,)).lock


def hidden(name: str) -> bool:
    """The link hides knob ``name``: do not render its widget (its value still applies)."""
    return name in read_link(st.query_params.to_dict(), (name,)).hide


@dataclass
class Lesson:
    """What ``start`` found in the link: the page's active challenge (if any) and where its verdict goes."""

    page: str
    challenge: Challenge | None
    verdict: Any = None  # a container at the top of the page

    def report(self, result: Any) -> Check | None:
        """Check ``result`` against every challenge of the page (the session remembers those met);
        show the active challenge's verdict at the top. Returns the active challenge's Check."""
        active = None
        for challenge in for_page(self.page):
            try:
                check = challenge.condition(result)
            except Exception as error:  # a condition must never break the page it checks
                check = Check(False, f"could not be checked ({type(error).__name__})")
            if check.met:
                met_ids().add(challenge.id)
            if challenge is self.challenge:
                active = check
        if active is not None and self.verdict is not None:
            with self.verdict:
                if active.met:
                    st.success(f"Challenge met: {active.progress}. {self.challenge.explanation}",
                               icon=":material/emoji_events:")
                else:
                    st.info(f"Not yet: {active.progress}.", icon=":material/flag:")
        return active


def start(page: str, knobs: Iterable[str] = ()) -> Lesson:
    """At the top of ``page``: the teacher's note, problems with the link, and the challenge box."""
    link = current_link(knobs)
    if link.note:
        st.info(f"**Teacher's note:** {shown_note(link.note)}", icon=":material/school:")
    for problem in link.problems:
        st.warning(problem, icon=":material/link_off:")
    if link.challenge is None:
        return Lesson(page, None)
    challenge = BY_ID.get(link.challenge)
    if challenge is None:
        st.warning(f"The link asks for the challenge {quoted(link.challenge, 60)}, which does not exist: the page "
                   "works as usual. The Challenges page lists them all.", icon=":material/flag:")
        return Lesson(page, None)
    if challenge.page != page:
        st.warning(f"The challenge “{challenge.title}” is done on the {PAGES[challenge.page]} page, not here.",
                   icon=":material/flag:")
        st.page_link(PAGE_FILES[challenge.page], label=f"Go to the {PAGES[challenge.page]} page",
                     query_params=challenge.start_query(), icon=":material/arrow_forward:")
        return Lesson(page, None)
    with st.container(border=True, key="challenge_box"):
        st.markdown(f"**Challenge: {challenge.title}.** {challenge.goal}")
        if st.toggle("Show the hint", key=f"challenge_hint_{page}"):
            st.caption(challenge.hint)
        verdict = st.container()
    return Lesson(page, challenge, verdict)


def bug_answer() -> BugAnswer:
    """The Theory page's answer: which layer's gradient the planted bug TANH_BUG breaks, with nn's
    gradient check of that bug on the page's network as it is now."""
    check = theory_state.check(theory_state.get_net(st.session_state), TANH_BUG)
    answer = st.radio("Which layer's gradient does the bug “forget tanh' in delta1” break?",
                      list(LAYERS), index=None, horizontal=True, key="theory_bug_answer",
                      format_func=lambda layer: {"layer 1": "Layer 1 (W1, b1)", "layer 2": "Layer 2 (W2, b2)",
                                                 "both layers": "Both layers"}[layer],
                      help="Check that bug above and read which parameters fail. The answer is judged against "
                           "the check's numbers.")
    return BugAnswer(answer, check)


def teacher_panel(page: str, settings: Mapping[str, str], knobs: Mapping[str, str]) -> str | None:
    """The "For teachers: make a link" expander. ``settings``: the page's query now (name: value);
    ``knobs``: name -> label of every knob that can be locked or hidden (none: a challenge and a note
    only). Returns the link (None while the panel is closed)."""
    # Drawn only while open (opening it reruns the page), like lab.code's expanders: a page sends no
    # st.code, and the browser loads no code highlighter, until a teacher asks.
    box = st.expander("For teachers: make a link", icon=":material/school:", key=f"teacher_{page}",
                      on_change="rerun")
    if not box.open:
        return None
    with box:
        lock, hide = [], []
        if knobs:
            st.markdown("Set the knobs above as students should find them, then choose what they may change. "
                        "The link carries every setting, plus what is locked, hidden, the challenge and a note.")
            names = list(knobs)
            lock = st.multiselect("Locked (shown, cannot be changed)", names, format_func=knobs.get,
                                  key=f"teacher_{page}_lock")
            hide = st.multiselect("Hidden (not shown; the link's value applies)",
                                  [n for n in names if n not in lock], format_func=knobs.get,
                                  key=f"teacher_{page}_hide")
        else:
            st.markdown("This page's settings are not part of its link (yet), so its link can set a challenge and "
                        "a note for the students, not lock or hide knobs: the Moons, MNIST and Theory pages can.")
        options = [None, *(c.id for c in for_page(page))]
        challenge = st.selectbox("Challenge", options, key=f"teacher_{page}_challenge",
                                 format_func=lambda i: "none" if i is None else f"{BY_ID[i].title} ({i})")
        note = st.text_input("Note shown at the top (plain text)", max_chars=MAX_NOTE, key=f"teacher_{page}_note")
        link = (st.context.url or "") + "?" + teacher_query(settings, lock, hide, challenge, note)
        st.code(link, language=None, wrap_lines=True)
        st.caption("Copy it with the button at its right. Locking is a teaching aid, not a lock: a student can "
                   "edit the link.")
    return link


def keep_locked(wanted: Any, now: Any) -> Any:
    """``wanted`` (a settings dataclass, e.g. a preset's) with the knobs the link locks kept as in ``now``."""
    keep = {f.name: getattr(now, f.name) for f in fields(wanted) if locked(f.name)}
    return replace(wanted, **keep) if keep else wanted


def settings_from_link(page: str, knobs: Mapping[str, LinkKnob]) -> None:
    """On ``page``'s first run in this session: the link's settings into its knobs' widgets (session
    state), and a warning for each value that cannot be used (that knob keeps its default)."""
    read_key = f"{page}_link_read"
    if read_key in st.session_state:
        return
    st.session_state[read_key] = True
    values, problems = read_settings(knobs, without_lesson(st.query_params.to_dict()))
    for name, value in values.items():
        st.session_state[knobs[name].key] = value
    for problem in problems:
        st.warning(problem, icon=":material/link_off:")


def knob(knobs: Mapping[str, LinkKnob], name: str, widget: Any, **kwargs: Any) -> Any:
    """Draw knob ``name`` as ``widget(label, key=..., disabled=..., **kwargs)`` (its label, key, and
    options or bounds from ``knobs``), disabled if the link locks it, not drawn if the link hides it
    (its value then kept and returned). Returns the knob's value."""
    spec = knobs[name]
    state = st.session_state
    state.setdefault(spec.key, spec.default)
    if hidden(name):  # not drawn: keep its value (Streamlit drops the state of a widget not drawn)
        state[spec.key] = state[spec.key]
        return state[spec.key]
    disabled = kwargs.pop("disabled", False) or locked(name)
    return widget(spec.label, key=spec.key, disabled=disabled, **spec.widget_range(), **kwargs)
