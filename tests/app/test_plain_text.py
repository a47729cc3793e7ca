"""lab.app.text.plain: whatever a user sends (a link, a CSV, a file name, a model's header) is shown as the
same characters, never as Markdown: no link, image, heading, HTML or formula can come out of it.
Rendered with a CommonMark parser, as the browser's Markdown renderer does."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lab.app.text import MAX_SHOWN, plain, quoted
from tests.support.markdown_text import rendered, shown

ATTACKS = [
    "x` [log in here](https://evil.example/login) `",
    "![](https://tracker.example/pixel.png?who=you)",
    "# BIG FAKE HEADING",
    "<img src=x onerror=alert(1)>",
    "<a href='https://evil.example'>click</a>",
    "**bold** _it_ ~~gone~~ `code`",
    "$\\frac{1}{0}$ :red[alarm] :material/warning: :smile:",
    "line one\n\n# heading after a blank line\n- a list",
    "[link][ref]\n\n[ref]: https://evil.example",
    "<https://evil.example>",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "\\`escaped\\` \\\\ back\\slash",
    "&amp; &lt;b&gt; &#x3C;",
    "    indented code",
    "> quote",
    "https://evil.example/login www.evil.example and you@evil.example",
    "HTTPS://EVIL.EXAMPLE WWW.EVIL.EXAMPLE mailto:x@evil.example",
]


def shown_text(markdown: str) -> tuple[str, str]:
    """The HTML a CommonMark renderer makes of ``markdown``, and its visible text."""
    return rendered(markdown), shown(markdown)


def only_a_paragraph(rendered: str) -> bool:
    return re.fullmatch(r"<p>[^<]*</p>", rendered.strip()) is not None


def test_known_attacks_come_out_as_their_own_characters():
    for attack in ATTACKS:
        rendered, text = shown_text(f"The link's value {quoted(attack, limit=200)} is ignored.")
        assert only_a_paragraph(rendered), (attack, rendered)
        assert text == " ".join(f"The link's value “{attack}” is ignored.".split()), (attack, text)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20), st.sampled_from(["https://", "HTTP://", "www.", "@", "evil.example",
                                                                  "](", "![", "<a href=", "`", "\n#", ":red[", "$"])),
               max_size=8).map("".join))
def test_any_text_is_shown_as_itself(value):
    rendered, text = shown_text(f"Value: {plain(value, limit=200)}.")
    assert only_a_paragraph(rendered) or not value.strip(), rendered
    expected = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", value).replace("\u2060", "")
    # CommonMark trims the paragraph's ends, folds line ends and turns NUL into U+FFFD: compare the rest
    # (word joiners are invisible: `shown` leaves them out)
    assert text.replace("\ufffd", "").replace("  ", " ") == \
        " ".join(f"Value: {expected}.".replace("\x00", "").replace("\ufffd", "").split())


def test_long_values_are_cut():
    assert plain("a" * 10_000) == "a" * MAX_SHOWN + "…"
