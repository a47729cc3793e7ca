"""Numbers as the pages print them: a true minus sign, fixed decimals or significant digits."""
from __future__ import annotations

MINUS = "−"


def _signed(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text  # the sign only, not an exponent's


def number(value: float, digits: int = 2) -> str:
    """A value as printed in an equation: 2 decimals, a true minus sign."""
    return _signed(f"{value:.{digits}f}")


def significant(value: float) -> str:
    """Three significant digits, a true minus sign (gradients are often tiny)."""
    return _signed(f"{value:.3g}")
