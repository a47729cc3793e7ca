"""Text that came from a user (a link, a CSV, a model file, a file name), made safe to show.

Streamlit renders the text of st.warning, st.error, st.caption, ... as Markdown, so a link that
carries ``](https://evil)`` or ``![x](https://tracker)`` would show a clickable link or make the
browser fetch an image. ``plain(value)`` is the one way such text reaches a page: every ASCII
punctuation character is backslash-escaped (CommonMark makes any escaped punctuation literal,
which also covers Streamlit's ``:colour[...]``, ``:material/...:`` and ``$...$`` extensions),
an invisible word joiner breaks what GitHub-flavoured Markdown would turn into a link by itself
(``https://``, ``www.``, ``name@host``), line breaks and other control characters become
spaces, and long text is cut.

    st.warning(f"The link's value {plain(raw)} is not a number.")
"""
from __future__ import annotations

import re
import string

MAX_SHOWN = 80  # characters of one user value shown; a link can carry kilobytes
MAX_MESSAGE = 400  # characters of a whole message that quotes user input (a refusal from nn, a CSV error)
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_AUTOLINK = re.compile(r"(:(?=//)|(?<=www)(?=\.)|@)", re.IGNORECASE)  # where GFM's link literals begin
WORD_JOINER = "\u2060"  # invisible, and no URL or e-mail address continues through it


def plain(value: object, limit: int = MAX_SHOWN) -> str:
    """``str(value)`` as literal text inside Markdown: punctuation escaped, one line, at most ``limit``
    characters (then "…")."""
    text = _CONTROL.sub(" ", str(value))
    if len(text) > limit:
        text = text[:limit] + "…"
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, text))


def quoted(value: object, limit: int = MAX_SHOWN) -> str:
    """``plain(value)`` between typographic quotes, for a value inside a sentence."""
    return f"“{plain(value, limit)}”"


def listed(names: list[str], most: int = 5) -> str:
    """The first ``most`` names, each ``quoted`` (40 characters at most), and how many more."""
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(quoted(name, 40) for name in names[:most]) + more
