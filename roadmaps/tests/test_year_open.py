"""The department opens the next school year: periods, programmes and statuses carried over."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from identification.models import SchoolStatus, StatusKind
from roadmaps.models import ReportingPeriod, Roadmap
from roadmaps.yearly import CARRY, RESTART, school_year_open
from schools.models import AcademicYear

TODAY = dt.date(2026, 5, 15)  # late in 2025/2026


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12))), tick=False):
        yield


@pytest.fixture
def last_years_periods(municipality, department, current_year):
    return [
        ReportingPeriod.objects.create(
            municipality=municipality, name="2025/2026 учебный год, I полугодие",
            opens_on=dt.date(2025, 12, 15), due_on=dt.date(2026, 1, 20), created_by=department,
        ),
        ReportingPeriod.objects.create(
            municipality=municipality, name="2025/2026 учебный год, II полугодие",
            opens_on=dt.date(2026, 5, 12), due_on=dt.date(2026, 6, 10), created_by=department,
        ),
    ]  # fmt: skip


@pytest.fixture
def status_in_force(school, current_year, department):
    return SchoolStatus.objects.create(
        school=school, year=current_year, kind=StatusKind.LOW_RESULTS, decision_number="7-од", approved_by=department
    )


def test_opening_creates_the_year_periods_by_last_years_pattern_and_keeps_statuses(
    department, municipality, last_years_periods, programme, status_in_force, school
):
    plan = school_year_open(user=department, municipality=municipality, programmes=CARRY)

    new_year = AcademicYear.objects.get(start_year=2026)
    assert plan.next_name == "2026/2027"
    assert sorted(ReportingPeriod.objects.filter(due_on__year__gte=2027).values_list("name", "opens_on", "due_on")) == [
        ("2026/2027 учебный год, I полугодие", dt.date(2026, 12, 15), dt.date(2027, 1, 20)),
        ("2026/2027 учебный год, II полугодие", dt.date(2027, 5, 12), dt.date(2027, 6, 10)),
    ]
    kept = SchoolStatus.objects.get(school=school, year=new_year)
    assert (kept.kind, kept.decision_number, kept.revoked_at) == (StatusKind.LOW_RESULTS, "7-од", None)
    assert kept.reason.startswith("Сохранён до нового решения")
    programme.refresh_from_db()
    assert programme.end_year == new_year
    # Until 1 September the old year stays current.
    assert AcademicYear.current().start_year == 2025


def test_opening_twice_changes_nothing_more(department, municipality, last_years_periods, programme, status_in_force):
    school_year_open(user=department, municipality=municipality, programmes=CARRY)
    before = (ReportingPeriod.objects.count(), SchoolStatus.objects.count(), AcademicYear.objects.count())

    again = school_year_open(user=department, municipality=municipality, programmes=CARRY)

    assert (again.periods, again.statuses) == ([], [])
    assert (ReportingPeriod.objects.count(), SchoolStatus.objects.count(), AcademicYear.objects.count()) == before


def test_restarting_makes_a_draft_programme_a_year_later(department, municipality, programme):
    school_year_open(user=department, municipality=municipality, programmes=RESTART)

    new = Roadmap.objects.get(based_on=programme)
    old_due = sorted(programme.measures.values_list("due_on", flat=True))
    assert new.status == Roadmap.Status.DRAFT and new.start_year.start_year == 2026
    assert sorted(new.measures.values_list("due_on", flat=True)) == [d.replace(year=d.year + 1) for d in old_due]


def test_only_the_department_of_the_municipality_opens_it(client, outsider, director, municipality, current_year):
    from roadmaps.services import ActionForbidden

    with pytest.raises(ActionForbidden):
        school_year_open(user=outsider, municipality=municipality)
    client.force_login(director)
    assert client.post(reverse("roadmaps:year_open"), {"programmes": CARRY}).status_code == 403
    assert not AcademicYear.objects.filter(start_year=2026).exists()


def test_the_page_previews_then_opens(client, department, last_years_periods, programme, status_in_force):
    client.force_login(department)

    preview = client.get(reverse("roadmaps:year_open")).content.decode()
    assert "Открыть учебный год 2026/2027" in preview
    assert "2026/2027 учебный год, II полугодие" in preview
    assert not AcademicYear.objects.filter(start_year=2026).exists()

    response = client.post(reverse("roadmaps:year_open"), {"programmes": CARRY})

    assert response.status_code == 302
    assert AcademicYear.objects.filter(start_year=2026).exists()
