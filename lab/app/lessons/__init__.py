"""Challenges that check themselves, and teacher links (issue 18).

``definitions``: the challenges (data); ``conditions``: pure functions of a run's results;
``links``: the teacher link's ``lock=``, ``hide=``, ``note=`` parameters (pure); ``knobs``: the
knobs a link sets on the MNIST and Theory pages (pure); ``widgets``: the
Streamlit parts the pages call.
"""
