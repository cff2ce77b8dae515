"""Curators' visit log: agreed actions become measures; the brief lists what changed since."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from roadmaps.models import CuratorVisit, Measure, ReviewComment
from roadmaps.tests.builders import period_of, report_of
from roadmaps.visits import AGREED_OBJECTIVE, NO_FINDINGS, visit_brief, visit_record

TODAY = timezone.localdate()


def test_agreed_actions_become_measures_of_the_schools_programme(curator, school, programme):
    due = TODAY + dt.timedelta(days=30)

    visit = visit_record(
        user=curator, school=school, visited_on=TODAY, format="onsite",
        findings="Уроки математики в 6 классе без дифференциации",
        actions=[("Провести взаимопосещение уроков математики", due), ("Составить ИОМ для двух учителей", due)],
    )  # fmt: skip

    made = Measure.objects.filter(roadmap=programme, objective__title=AGREED_OBJECTIVE).order_by("order")
    assert [m.title for m in made] == ["Провести взаимопосещение уроков математики", "Составить ИОМ для двух учителей"]
    assert all(m.due_on == due for m in made)
    assert set(visit.measures.all()) == set(made)


def test_a_curator_of_another_school_cannot_log_a_visit(curator, other_school):
    with pytest.raises(PermissionDenied):
        visit_record(user=curator, school=other_school, visited_on=TODAY, format="onsite", findings="x", actions=[])
    assert not CuratorVisit.objects.exists()


def test_a_visit_without_findings_is_refused_and_nothing_is_written(curator, school, programme):
    with pytest.raises(ValidationError) as refused:
        visit_record(
            user=curator, school=school, visited_on=TODAY, format="onsite", findings="  ", actions=[("Урок", TODAY)]
        )
    assert refused.value.message == NO_FINDINGS
    assert not CuratorVisit.objects.exists()
    assert Measure.objects.filter(roadmap=programme).count() == 2  # the builder's two, no agreed action added


def test_the_brief_lists_overdue_measures_and_unanswered_comments(
    client, curator, director, department, school, programme
):
    visit_record(user=curator, school=school, visited_on=TODAY - dt.timedelta(days=40), format="remote",
                 findings="Первое знакомство", actions=[])  # fmt: skip
    Measure.objects.filter(roadmap=programme).update(due_on=TODAY - dt.timedelta(days=3))
    period = period_of(school.municipality, created_by=department)
    report = report_of(programme, period)
    ReviewComment.objects.create(report=report, author=curator, text="Приложите протокол педсовета")

    brief = visit_brief(school=school)
    client.force_login(curator)
    page = client.get(reverse("roadmaps:visit_brief", args=[school.pk])).content.decode()

    assert brief.since == TODAY - dt.timedelta(days=40)
    assert len(brief.overdue) == programme.measures.count()
    assert [c.text for c in brief.unanswered] == ["Приложите протокол педсовета"]
    assert "Приложите протокол педсовета" in page
    ReviewComment.objects.create(report=report, author=director, text="Приложили")
    assert visit_brief(school=school).unanswered == []


def test_the_visit_page_records_a_visit(client, curator, school, programme):
    client.force_login(curator)

    response = client.post(
        reverse("roadmaps:visit_log", args=[school.pk]),
        {
            "visited_on": TODAY.isoformat(),
            "format": "onsite",
            "findings": "Посетили два урока",
            "action_0": "Обсудить итоги на ШМО",
            "due_0": (TODAY + dt.timedelta(days=14)).isoformat(),
        },
    )

    assert response.status_code == 302
    assert CuratorVisit.objects.get().measures.get().title == "Обсудить итоги на ШМО"
