"""Russian words for numbers: plural forms and number formatting, in one place.

Users read Russian: «5 школ», «12,5%», «1 234», «−3,0». Every page, letter, PDF and message
that puts a number into text goes through these (before, six modules had their own copies).
"""

from __future__ import annotations

import math

NBSP = "\u00a0"
MINUS = "\u2212"


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form that goes with ``n``: plural(1, "школа", "школы", "школ") → «школа», 3 → «школы», 5 → «школ»."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def number(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """``12,5``, ``1 234``, ``−3,0``: a decimal comma, thousands apart by a no-break space, a real
    minus; ``None`` (or NaN) → «—». ``unit`` follows, «%» close up, anything else after a space."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{abs(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if round(value, decimals) < 0:
        text = MINUS + text
    if unit:
        text += unit if unit == "%" else NBSP + unit
    return text


def decimal(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` after a decimal comma and nothing else: «12,5», «-3,0»."""
    return f"{value:.{digits}f}".replace(".", ",")


def compact(value: float, digits: int = 1) -> str:
    """A threshold as people write it: «5», «12,5» (no «,0» on a whole number)."""
    if value == int(value):
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".").replace(".", ",")
