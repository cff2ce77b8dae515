"""The one rule of the academic year: it starts on 1 September and ends on 31 August.

Parsers, reports, forms and the demo all ask here (directly or through
``AcademicYear.of`` / ``AcademicYear.current``) which year a date falls in; nobody
repeats the month comparison.
"""

from __future__ import annotations

import datetime as dt

FIRST_MONTH = 9  # 1 September: Федеральный закон № 273-ФЗ, ст. 112 (учебный год начинается 1 сентября)


def start_year_of(day: dt.date) -> int:
    """Start year of the academic year a date falls in (1 September to 31 August)."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def start_year_of_month(year: int, month: int) -> int:
    """The same rule for a (year, month) pair, as test dates are written in source files."""
    return year if month >= FIRST_MONTH else year - 1


def first_day(start_year: int) -> dt.date:
    return dt.date(start_year, FIRST_MONTH, 1)


def last_day(start_year: int) -> dt.date:
    return dt.date(start_year + 1, FIRST_MONTH, 1) - dt.timedelta(days=1)
