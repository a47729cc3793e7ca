"""Knobs that a teacher's link sets, locks or hides on a page whose widgets are plain Streamlit widgets
(MNIST, Theory): one ``LinkKnob`` per widget, in one table per page, named as in the link.

    KNOBS = {"lr": LinkKnob("mnist_lr", "Learning rate", 0.1, low=1e-5, high=10.0)}
    values, problems = read_settings(KNOBS, {"lr": "0.05", "epochs": "many"})
    values     # {"lr": 0.05}
    problems   # ['The link\'s “epochs=many” is not a setting of this page: ignored.']

Reading a link never fails: a value that cannot be used is left out (the widget keeps its default)
and ``problems`` says why, as Markdown-safe sentences.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lab.app.lessons.links import LESSON_PARAMS
from lab.app.text import listed, plain, quoted

MAX_OPTIONS_SHOWN = 8


def token(value: Any) -> str:
    """A widget's value as it appears in a link: 0.1 -> "0.1", 8 -> "8", "relu" -> "relu"."""
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else repr(value)
    return str(value)


@dataclass(frozen=True)
class LinkKnob:
    """One widget a link can set: its session-state key, label, default (the widget's own value type),
    and what values it takes (``low``..``high``, or one of ``options``, or what ``read`` accepts)."""

    key: str
    label: str
    default: Any
    low: float | None = None
    high: float | None = None
    options: tuple = ()
    read: Callable[[str], Any] | None = None  # raw link text -> widget value; ValueError with the reason
    write: Callable[[Any], str] = token  # widget value -> link text

    def parse(self, raw: str) -> Any:
        """The widget value ``raw`` (link text) spells; ValueError saying why none."""
        raw = raw.strip()
        if self.read is not None:
            return self.read(raw)
        if self.options:
            for option in self.options:
                if raw.lower() == token(option).lower() or _same_number(raw, option):
                    return option
            shown = ", ".join(token(o) for o in self.options[:MAX_OPTIONS_SHOWN])
            raise ValueError(f"is not one of {shown}")
        whole = isinstance(self.default, int) and not isinstance(self.default, bool)
        try:
            value = int(raw) if whole else float(raw)
        except ValueError:
            raise ValueError(f"is not {'a whole number' if whole else 'a number'}") from None
        if not (self.low <= value <= self.high):  # also refuses NaN and infinity
            raise ValueError(f"is outside {token(self.low)} to {token(self.high)}")
        return value

    def widget_range(self) -> dict[str, Any]:
        """The widget's keyword arguments that this table fixes: its options, or its bounds."""
        if self.options:
            return {"options": list(self.options)}
        if self.low is not None:
            return {"min_value": self.low, "max_value": self.high}
        return {}


def _same_number(raw: str, option: Any) -> bool:
    if isinstance(option, bool) or not isinstance(option, (int, float)):
        return False
    try:
        number = float(raw)
    except ValueError:
        return False
    return math.isfinite(number) and math.isclose(number, option, rel_tol=1e-9)


def read_settings(knobs: Mapping[str, LinkKnob],
                  query: Mapping[str, str | list[str]]) -> tuple[dict[str, Any], list[str]]:
    """The widget values that ``query`` sets (knob name -> value), and what was wrong with the rest."""
    values, problems, unknown = {}, [], []
    for name, raw in query.items():
        raw = raw[-1] if isinstance(raw, list) else raw
        if name in LESSON_PARAMS:
            continue
        if name not in knobs:
            unknown.append(name)
            continue
        try:
            values[name] = knobs[name].parse(raw)
        except ValueError as error:
            problems.append(f"The link's {quoted(f'{name}={raw}')} {plain(error, 200)}: "
                            f"using the default, {quoted(token(knobs[name].default))}.")
    if unknown:
        problems.append(f"Not settings of this page, ignored: {listed(unknown)}.")
    return values, problems


def link_settings(knobs: Mapping[str, LinkKnob], state: Mapping[str, Any]) -> dict[str, str]:
    """Every knob's current value (from ``state``, the session state) as link text."""
    return {name: knob.write(state.get(knob.key, knob.default)) for name, knob in knobs.items()}
