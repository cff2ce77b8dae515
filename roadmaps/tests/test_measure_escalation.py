"""Escalation of an overdue measure: director → curator after N days → department after M days.

«Overdue» is the read-time definition every page counts with (``selectors.overdue_q``): the
deadline has passed, the measure is neither done nor cancelled, its programme is approved.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from roadmaps.escalation import measures_escalate
from roadmaps.models import EscalationSettings, Measure, MeasureEscalationStep, MeasureStatus, Roadmap
from roadmaps.tests.builders import roadmap_of

DUE = dt.date(2026, 11, 20)


def at(day: dt.date):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(12))), tick=False)


def escalate_on(day: dt.date, run_on_commit) -> int:
    with at(day):
        return run_on_commit(measures_escalate)


@pytest.fixture
def rules(municipality):
    return EscalationSettings.objects.create(municipality=municipality, curator_after_days=3, department_after_days=7)


@pytest.fixture
def programme(school, director, curator, department, current_year):
    """``school`` (curated, with a director) has an approved programme of two measures due on DUE."""
    return roadmap_of(school=school, created_by=director, measures=2, due_on=DUE)


def steps(measure) -> list[str]:
    return list(
        MeasureEscalationStep.objects.filter(measure=measure).order_by("sent_at", "pk").values_list("step", flat=True)
    )


def test_nothing_happens_on_the_deadline(programme, rules, run_on_commit):
    assert escalate_on(DUE, run_on_commit) == 0
    assert not MeasureEscalationStep.objects.exists()
    assert mail.outbox == []


def test_each_step_fires_on_its_day_once_one_letter_per_school(
    programme, rules, director, curator, department, run_on_commit
):
    first, second = programme.measures.order_by("pk")

    assert escalate_on(DUE + dt.timedelta(days=1), run_on_commit) == 2  # two measures, one letter
    assert steps(first) == steps(second) == ["director"]
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert first.title in mail.outbox[0].body and second.title in mail.outbox[0].body
    assert "Просрочены мероприятия программы (2)" in mail.outbox[0].subject

    assert escalate_on(DUE + dt.timedelta(days=1), run_on_commit) == 0  # the same hour again: nothing
    assert escalate_on(DUE + dt.timedelta(days=2), run_on_commit) == 0  # before N days: nothing new
    assert len(mail.outbox) == 1

    escalate_on(DUE + dt.timedelta(days=3), run_on_commit)
    assert steps(first) == ["director", "curator"]
    assert mail.outbox[-1].to == [curator.email]
    assert "которую вы курируете" in mail.outbox[-1].body

    escalate_on(DUE + dt.timedelta(days=7), run_on_commit)
    escalate_on(DUE + dt.timedelta(days=8), run_on_commit)
    assert steps(first) == steps(second) == ["director", "curator", "department"]
    assert mail.outbox[-1].to == [department.email]
    assert len(mail.outbox) == 3


def test_a_late_first_run_sends_every_step_due(programme, rules, run_on_commit):
    escalate_on(DUE + dt.timedelta(days=10), run_on_commit)

    for measure in programme.measures.all():
        assert steps(measure) == ["director", "curator", "department"]
    assert len(mail.outbox) == 3


def test_a_done_or_cancelled_measure_is_not_chased(programme, rules, run_on_commit):
    first, second = programme.measures.order_by("pk")
    Measure.objects.filter(pk=first.pk).update(status=MeasureStatus.DONE)
    Measure.objects.filter(pk=second.pk).update(status=MeasureStatus.CANCELLED)

    assert escalate_on(DUE + dt.timedelta(days=10), run_on_commit) == 0
    assert mail.outbox == []


def test_a_programme_not_in_force_is_not_chased(school, director, current_year, rules, run_on_commit):
    draft = roadmap_of(school=school, created_by=director, status=Roadmap.Status.DRAFT, due_on=DUE)

    assert escalate_on(DUE + dt.timedelta(days=10), run_on_commit) == 0
    assert not MeasureEscalationStep.objects.filter(measure__roadmap=draft).exists()


def test_n_and_m_are_the_municipalitys(programme, municipality, run_on_commit):
    EscalationSettings.objects.create(municipality=municipality, curator_after_days=10, department_after_days=20)

    escalate_on(DUE + dt.timedelta(days=9), run_on_commit)

    assert {tuple(steps(m)) for m in programme.measures.all()} == {("director",)}


def test_the_roadmap_page_and_the_overdue_list_show_the_steps(client, programme, rules, department, run_on_commit):
    escalate_on(DUE + dt.timedelta(days=3), run_on_commit)
    client.force_login(department)

    with at(DUE + dt.timedelta(days=3)):
        page = client.get(reverse("roadmaps:detail", args=[programme.pk])).content.decode()
        overdue = client.get(reverse("roadmaps:overdue")).content.decode()

    assert 'id="measure-escalation"' in page
    for body in (page, overdue):
        assert body.count("Напоминание руководителю") == 2 and body.count("Уведомление куратору") == 2
        assert "Уведомление управлению образования" not in body
    # The list reads the status as of today, as the programme page does (nothing stores «overdue»).
    assert overdue.count('data-status="overdue"') == 2


def test_another_municipalitys_overdue_list_does_not_show_them(client, programme, rules, outsider, run_on_commit):
    escalate_on(DUE + dt.timedelta(days=3), run_on_commit)
    client.force_login(outsider)

    with at(DUE + dt.timedelta(days=3)):
        body = client.get(reverse("roadmaps:overdue")).content.decode()

    assert "Напоминание руководителю" not in body
