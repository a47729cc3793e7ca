"""What a student reads of a Markdown string: rendered as CommonMark (as the browser's renderer does),
as HTML and as visible text. For tests that check what a message says, and that user text in it
stayed text."""
from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

# GitHub-flavoured, as Streamlit's renderer: tables, strikethrough, and bare URLs and e-mail addresses made links
MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(["table", "strikethrough", "linkify"])
INJECTED = re.compile(r"<(?!/?(p|strong|em|code)>)[^>]*>")  # any tag but a paragraph and the page's own styles


def rendered(markdown: str) -> str:
    return MARKDOWN.render(markdown)


def shown(markdown: str) -> str:
    """The visible text of ``markdown``, white space folded (and invisible word joiners left out)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered(markdown))).replace("\u2060", "").split())


def injected(markdown: str) -> list[str]:
    """Tags in the rendering of ``markdown`` that no message of ours makes: links, images, headings, HTML."""
    return [m.group(0) for m in INJECTED.finditer(rendered(markdown))]
