"""Spreadsheet cells that are safe to open: no formula injection from user-typed text.

A text cell that starts with = + - @ (or a tab / carriage return before one) is read by
Excel and LibreOffice as a formula (OWASP «CSV/formula injection»): a school name typed as
``=HYPERLINK(...)`` would run on the department's computer. Every export of user-typed
text goes through ``safe_cell``/``safe_row``; ``core.tabular.xlsx_bytes`` applies it to
every row it writes, and ``core.tabular`` reads the apostrophe back off (``unescape_cell``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value, with text that a spreadsheet would run as a formula prefixed by an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """The reverse of ``safe_cell`` for text read back from our own exports.

    Without it a registry exported and imported again would gain an apostrophe on every
    phone number («+7 …»): the import would not be the no-op it must be.
    """
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def safe_rows(rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
    for row in rows:
        yield safe_row(row)
