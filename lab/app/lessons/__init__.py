"""Challenges that check themselves, and teacher links: ``definitions`` (the challenges, data),
``conditions`` (pure functions of a page's result), ``links`` (a link's ``lock=``, ``hide=``,
``note=``, pure) and ``widgets`` (the Streamlit parts the pages call). No page package is imported.
"""
