"""The one rule of «current academic year» (1 September), used by every app."""

import datetime as dt

import pytest

from schools.models import AcademicYear
from schools.years import start_year_of


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (dt.date(2026, 8, 31), 2025),
        (dt.date(2026, 9, 1), 2026),
        (dt.date(2026, 12, 5), 2026),
        (dt.date(2027, 1, 1), 2026),
    ],
)
def test_a_day_belongs_to_the_year_that_began_on_the_last_1_september(day, start):
    assert start_year_of(day) == start
    assert AcademicYear.start_of(day) == start


def test_of_finds_the_opened_year_of_a_date_and_none_for_a_year_not_opened(db):
    opened = AcademicYear.objects.create(start_year=2025)

    assert AcademicYear.of(dt.date(2026, 3, 1)) == opened
    assert AcademicYear.of(dt.date(2026, 9, 1)) is None


def test_current_is_the_clocks_year_once_opened(db):
    AcademicYear.objects.create(start_year=2025)
    opened = AcademicYear.objects.create(start_year=2026)

    assert AcademicYear.current(today=dt.date(2026, 9, 1)) == opened
    assert AcademicYear.current(today=dt.date(2026, 8, 31)).start_year == 2025


def test_until_the_department_opens_the_new_year_the_last_one_stays_current(db):
    AcademicYear.objects.create(start_year=2025)
    AcademicYear.objects.create(start_year=2027)  # opened ahead: not current before 1 September 2027

    assert AcademicYear.current(today=dt.date(2026, 12, 5)).start_year == 2025


def test_no_year_opened_means_no_current_year(db):
    assert AcademicYear.current(today=dt.date(2026, 12, 5)) is None


def test_a_year_knows_its_first_and_last_day(db):
    year = AcademicYear.objects.create(start_year=2026)

    assert (year.starts_on, year.ends_on) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))
