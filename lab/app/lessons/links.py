"""Teacher links: which knobs students may change, which are locked or hidden, and a note.

A teacher's link is a page's ordinary link plus up to four parameters:
``challenge=<id>``, ``lock=lr,neurons`` (shown, not changeable), ``hide=l1`` (not shown; the link's
value still applies) and ``note=Week 3`` (shown at the top as plain text). Reading them never
fails: what cannot be used is ignored, and ``LessonLink.problems`` says why, in words.

    link = read_link({"lock": "lr,banana", "note": "Week 3"}, knobs=("lr", "neurons"))
    link.lock        # frozenset({"lr"})
    link.problems    # ['The link\'s lock= names “banana”, not a setting of this page: ignored.']
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from lab.app.text import listed, plain

LESSON_PARAMS = ("challenge", "lock", "hide", "note")  # never settings of a page
MAX_LIST = 500  # characters of a lock= / hide= value; longer ones are refused whole
MAX_NOTE = 200  # characters of the note shown


@dataclass(frozen=True)
class LessonLink:
    """What a teacher's link asks of a page (all empty for an ordinary link)."""

    challenge: str | None = None  # the raw id (the widgets check it against the challenges)
    lock: frozenset[str] = frozenset()
    hide: frozenset[str] = frozenset()
    note: str | None = None
    problems: tuple[str, ...] = field(default=())  # Markdown-safe sentences


def _last(value: str | list[str] | None) -> str | None:
    return value[-1] if isinstance(value, list) else value


def _names(param: str, raw: str | None, knobs: Iterable[str]) -> tuple[frozenset[str], list[str]]:
    """The knob names listed in ``raw`` (comma-separated), and what was wrong with the rest."""
    if raw is None or not raw.strip():
        return frozenset(), []
    known = set(knobs)
    if not known:
        return frozenset(), [f"A link cannot lock or hide this page's knobs: its {param}= is ignored."]
    if len(raw) > MAX_LIST:
        return frozenset(), [f"The link's {param}= is {len(raw):,} characters long (at most {MAX_LIST}): ignored."]
    listed_names = [name for name in (part.strip() for part in raw.split(",")) if name]
    wrong = [name for name in listed_names if name not in known]
    what = "a setting" if len(wrong) == 1 else "settings"
    return frozenset(listed_names) & known, [
        f"The link's {param}= names {listed(wrong)}, not {what} of this page: ignored."] if wrong else []


def read_link(query: Mapping[str, str | list[str]], knobs: Iterable[str] = ()) -> LessonLink:
    """The lesson parameters of ``query`` for a page whose knobs are ``knobs`` (names)."""
    knobs = tuple(knobs)
    lock, lock_problems = _names("lock", _last(query.get("lock")), knobs)
    hide, hide_problems = _names("hide", _last(query.get("hide")), knobs)
    note = _last(query.get("note"))
    note = note.strip() if note and note.strip() else None
    challenge = _last(query.get("challenge"))
    return LessonLink(challenge.strip() if challenge and challenge.strip() else None,
                      lock - hide, hide, note, tuple(lock_problems + hide_problems))


def lesson_params(query: Mapping[str, str | list[str]]) -> dict[str, str]:
    """The lesson parameters present in ``query`` (to keep them in the address bar)."""
    return {name: _last(query[name]) for name in LESSON_PARAMS if name in query and _last(query[name]) is not None}


def without_lesson(query: Mapping[str, str | list[str]]) -> dict[str, str | list[str]]:
    """``query`` without the lesson parameters: what a page reads its settings from."""
    return {name: value for name, value in query.items() if name not in LESSON_PARAMS}


def shown_note(note: str) -> str:
    """The note as plain text inside Markdown, cut to MAX_NOTE characters."""
    return plain(note, MAX_NOTE)


def teacher_query(settings: Mapping[str, str], lock: Iterable[str] = (), hide: Iterable[str] = (),
                  challenge: str | None = None, note: str = "") -> str:
    """The text after the "?" of a teacher's link: the settings, then the lesson parameters (URL-encoded)."""
    params = dict(settings)
    if challenge:
        params["challenge"] = challenge
    if lock:
        params["lock"] = ",".join(lock)
    if hide:
        params["hide"] = ",".join(hide)
    if note.strip():
        params["note"] = note.strip()[:MAX_NOTE]
    return urlencode(params, safe=",")
