"""Numbers as the pages print them: a true minus sign, fixed decimals or significant digits."""
from __future__ import annotations

MINUS = "−"


def number(value: float, digits: int = 2) -> str:
    """A value as printed in an equation: 2 decimals, a true minus sign."""
    text = f"{value:.{digits}f}"
    return MINUS + text[1:] if text.startswith("-") else text


def significant(value: float) -> str:
    """Three significant digits, a true minus sign (gradients are often tiny)."""
    text = f"{value:.3g}"
    return MINUS + text[1:] if text.startswith("-") else text
