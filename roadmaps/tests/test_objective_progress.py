"""Objectives linked to a catalogue indicator show the actual value per period and a rating."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from identification.tests.imports import upload
from monitoring.sample_files import results_csv
from reports.tests.conftest import vpr_marks_rows
from roadmaps.models import Objective, ReportingPeriod
from roadmaps.selectors import AT_RISK, OFF_TRACK, ON_TRACK, objective_progress, progress_rating
from roadmaps.tests.builders import report_of, roadmap_of
from tests.factories import AcademicYearFactory


@pytest.fixture
def linked(school, director, department, django_capture_on_commit_callbacks):
    """The school's ВПР of 2025/26 through the import: 12 «2» of 48 (25,0 %), mean 3,25, every
    mark confirmed by the journal (100 %). Its programme runs 1.09.2025–31.08.2026; the period
    ends 31.05.2026: 272 of 364 days elapsed (0,747)."""
    AcademicYearFactory(start_year=2024)
    AcademicYearFactory(start_year=2025)
    rows = vpr_marks_rows(school.code, "2025/2026", (12, 18, 12, 6))
    upload(department, results_csv(rows), "vpr.csv", django_capture_on_commit_callbacks)
    roadmap = roadmap_of(school=school, created_by=director)
    objective = roadmap.objectives.get()
    for code, base, target in (("vpr_share_2", 30, 10), ("vpr_confirmed", 55, 75), ("vpr_mean_mark", 3.5, 4.0)):
        Objective.objects.create(
            roadmap=roadmap,
            direction=objective.direction,
            title=f"Задача по {code}",
            indicator_code=code,
            baseline_value=base,
            target_value=target,
        )
    period = ReportingPeriod.objects.create(
        municipality=school.municipality,
        name="Учебный год",
        opens_on=dt.date(2026, 5, 1),
        due_on=dt.date(2026, 5, 31),
        created_by=department,
    )
    return roadmap, period


def test_each_linked_objective_shows_base_target_actual_and_a_rating(linked):
    roadmap, period = linked

    rows = {row["objective"].indicator_code: row for row in objective_progress(roadmap=roadmap, period=period)}

    # «2»: covered (25 − 30) / (10 − 30) = 0,25 of the way, 0,747 of the time → at risk.
    assert (rows["vpr_share_2"]["base"], rows["vpr_share_2"]["target"], rows["vpr_share_2"]["actual"]) == (
        "30,0%",
        "10,0%",
        "25,0%",
    )
    assert rows["vpr_share_2"]["rating"] == AT_RISK
    # Confirmed marks: (100 − 55) / (75 − 55) = 2,25 → on track.
    assert rows["vpr_confirmed"]["rating"] == ON_TRACK
    # Mean mark: (3,25 − 3,5) / (4,0 − 3,5) = −0,5, away from the target → off track.
    assert (rows["vpr_mean_mark"]["actual"], rows["vpr_mean_mark"]["rating"]) == ("3,25", OFF_TRACK)
    assert len(rows) == 3  # the objective with a free-text indicator only is not listed


def test_the_rating_rule_at_its_edges():
    assert progress_rating(base=30, target=10, actual=20, elapsed=0.6) == ON_TRACK  # 0,5 ≥ 0,6 − 0,1
    assert progress_rating(base=30, target=10, actual=21, elapsed=0.6) == AT_RISK  # 0,45
    assert progress_rating(base=30, target=10, actual=30, elapsed=0.6) == OFF_TRACK


def test_the_curators_review_page_shows_the_objective_progress(client, linked, curator):
    roadmap, period = linked
    report = report_of(roadmap, period)
    client.force_login(curator)

    html = client.get(reverse("roadmaps:review", args=[report.pk])).content.decode()

    assert 'id="objective-progress"' in html
    assert "есть риск" in html and "по плану" in html and "отстаёт" in html


def test_the_curator_confirms_a_rating_and_a_different_one_needs_a_reason(client, linked, curator, director):
    from core.models import AuditEvent
    from roadmaps.models import ObjectiveRating

    roadmap, period = linked
    report = report_of(roadmap, period)
    share_2 = roadmap.objectives.get(indicator_code="vpr_share_2")  # computed: at risk (see above)
    url = reverse("roadmaps:objective_rating", args=[report.pk])
    client.force_login(curator)

    client.post(url, {"objective": share_2.pk, "rating": ON_TRACK, "comment": ""})
    assert not ObjectiveRating.objects.exists()  # another rating than the data's, no reason: refused

    client.post(url, {"objective": share_2.pk, "rating": AT_RISK, "comment": ""})
    confirmed = ObjectiveRating.objects.get(report=report, objective=share_2)
    assert (confirmed.rating, confirmed.computed, confirmed.actual, confirmed.confirmed_by) == (
        AT_RISK, AT_RISK, 25.0, curator,
    )  # fmt: skip

    client.post(url, {"objective": share_2.pk, "rating": ON_TRACK, "comment": "Итоги апрельской диагностики"})
    confirmed.refresh_from_db()
    assert (confirmed.rating, confirmed.computed, confirmed.comment) == (
        ON_TRACK,
        AT_RISK,
        "Итоги апрельской диагностики",
    )
    assert ObjectiveRating.objects.count() == 1
    events = AuditEvent.objects.filter(action="objective.rating_confirmed").order_by("pk")
    assert [(e.details["rating"], e.details["computed"]) for e in events] == [(AT_RISK, AT_RISK), (ON_TRACK, AT_RISK)]
    assert events[0].municipality_id == roadmap.municipality_id

    html = client.get(reverse("roadmaps:review", args=[report.pk])).content.decode()
    # The rating forms stand alone: a form inside the review form would be dropped by the browser.
    assert html.index('id="objective-progress"') < html.index('id="review-form"')
    row = html[html.index(f'value="{share_2.pk}"') - 1500 : html.index(f'value="{share_2.pk}"')]
    assert 'data-confirmed="on_track"' in row and "Итоги апрельской диагностики" in row

    # The director who files the report does not rate it.
    client.force_login(director)
    assert client.post(url, {"objective": share_2.pk, "rating": OFF_TRACK, "comment": "x"}).status_code == 403
    confirmed.refresh_from_db()
    assert confirmed.rating == ON_TRACK


def test_an_objective_not_linked_to_the_data_cannot_be_rated(linked, curator):
    from roadmaps import services

    roadmap, period = linked
    report = report_of(roadmap, period)
    free_text = roadmap.objectives.get(indicator_code="")
    with pytest.raises(services.TransitionRefused) as refused:
        services.objective_rating_confirm(
            report=report, objective_id=free_text.pk, rating=ON_TRACK, user=curator, comment="x"
        )
    assert refused.value.message == services.OBJECTIVE_NOT_LINKED
    with pytest.raises(services.TransitionRefused) as refused:
        services.objective_rating_confirm(
            report=report, objective_id=free_text.pk, rating="excellent", user=curator, comment="x"
        )
    assert refused.value.message == services.UNKNOWN_RATING
