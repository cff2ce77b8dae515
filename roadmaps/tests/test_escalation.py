"""Escalation of a missing report: director → curator after N days → department after M days."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from roadmaps.escalation import periods_escalate
from roadmaps.models import EscalationSettings, EscalationStep, ReportingPeriod
from roadmaps.tests.builders import report_of, roadmap_of

DUE = dt.date(2026, 11, 20)


def at(day: dt.date):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(12))), tick=False)


@pytest.fixture
def late_period(municipality, department):
    return ReportingPeriod.objects.create(
        municipality=municipality, name="I полугодие 2026/2027", opens_on=DUE - dt.timedelta(days=20), due_on=DUE,
        created_by=department,
    )  # fmt: skip


@pytest.fixture
def two_programmes(school, other_school, director, curator, current_year, department):
    """``school`` (curated, with a director) and ``other_school`` both have approved programmes."""
    return roadmap_of(school=school, created_by=director), roadmap_of(school=other_school, created_by=department)


@pytest.fixture
def rules(municipality):
    return EscalationSettings.objects.create(municipality=municipality, curator_after_days=3, department_after_days=7)


def steps(school) -> list[str]:
    return list(EscalationStep.objects.filter(school=school).order_by("sent_at", "pk").values_list("step", flat=True))


def escalate_on(day: dt.date, run_on_commit) -> int:
    with at(day):
        return run_on_commit(periods_escalate)


def test_nothing_happens_on_the_due_date(late_period, two_programmes, rules, school, run_on_commit):
    assert escalate_on(DUE, run_on_commit) == 0
    assert not EscalationStep.objects.exists()


def test_each_step_fires_on_its_day_once_and_reaches_its_people(
    late_period, two_programmes, rules, school, director, curator, department, run_on_commit
):
    escalate_on(DUE + dt.timedelta(days=1), run_on_commit)
    assert steps(school) == ["director"]
    assert [m.to for m in mail.outbox] == [[director.email]]

    escalate_on(DUE + dt.timedelta(days=2), run_on_commit)  # nothing new before N days
    escalate_on(DUE + dt.timedelta(days=3), run_on_commit)
    assert steps(school) == ["director", "curator"]
    assert mail.outbox[-1].to == [curator.email]
    assert "не сдала отчёт" in mail.outbox[-1].body

    escalate_on(DUE + dt.timedelta(days=7), run_on_commit)
    escalate_on(DUE + dt.timedelta(days=8), run_on_commit)  # a later run sends nothing twice
    assert steps(school) == ["director", "curator", "department"]
    assert department.email in mail.outbox[-1].to or any(department.email in m.to for m in mail.outbox)
    assert EscalationStep.objects.filter(school=school).count() == 3


def test_a_school_that_filed_is_not_chased(late_period, two_programmes, rules, school, other_school, run_on_commit):
    report_of(two_programmes[0], late_period)  # ``school`` submitted

    escalate_on(DUE + dt.timedelta(days=10), run_on_commit)

    assert steps(school) == []
    assert steps(other_school) == ["director", "curator", "department"]


def test_n_and_m_are_the_municipalitys(late_period, two_programmes, municipality, school, run_on_commit):
    EscalationSettings.objects.create(municipality=municipality, curator_after_days=10, department_after_days=20)

    escalate_on(DUE + dt.timedelta(days=9), run_on_commit)

    assert steps(school) == ["director"]


def test_the_period_page_shows_the_steps(client, late_period, two_programmes, rules, school, department, run_on_commit):
    escalate_on(DUE + dt.timedelta(days=3), run_on_commit)
    client.force_login(department)

    body = client.get(reverse("roadmaps:period_detail", args=[late_period.pk])).content.decode()

    assert "Напоминание руководителю" in body and "Уведомление куратору" in body


def test_the_department_sets_n_and_m(client, department, municipality):
    client.force_login(department)

    response = client.post(
        reverse("roadmaps:escalation_settings"), {"curator_after_days": 5, "department_after_days": 4}
    )
    assert response.status_code == 200  # M must come after N
    client.post(reverse("roadmaps:escalation_settings"), {"curator_after_days": 5, "department_after_days": 12})

    rules = EscalationSettings.objects.get(municipality=municipality)
    assert (rules.curator_after_days, rules.department_after_days) == (5, 12)
