"""Overdue measures with frozen time, reminders before a period is due, who has not filed, the summary."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from identification.models import SchoolStatus, StatusKind
from roadmaps import selectors, services
from roadmaps.models import Measure, MeasureStatus, ProgressReport, ReportingPeriod, Roadmap
from roadmaps.tests.builders import report_of, roadmap_of
from tests.factories import SchoolFactory, UserFactory

R = ProgressReport.Status
# Noon in Moscow, so the local date is the one named whatever the server's zone.
DUE = dt.date(2026, 3, 31)


def _noon(day: dt.date):
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def measure(school, director, current_year):
    roadmap = roadmap_of(school=school, created_by=director, measures=1, due_on=DUE)
    return roadmap.measures.get()


def test_a_measure_is_not_overdue_on_its_deadline_and_is_the_day_after(measure, department):
    with time_machine.travel(_noon(DUE), tick=False):
        assert not selectors.overdue_measures(user=department).exists()
        assert not measure.is_overdue_on(timezone.localdate())
    with time_machine.travel(_noon(DUE + dt.timedelta(days=1)), tick=False):
        assert list(selectors.overdue_measures(user=department)) == [measure]
        assert measure.is_overdue_on(timezone.localdate())


@pytest.mark.parametrize("status", [MeasureStatus.DONE, MeasureStatus.CANCELLED])
def test_a_done_or_cancelled_measure_is_never_overdue(measure, department, status):
    Measure.objects.filter(pk=measure.pk).update(status=status)

    with time_machine.travel(_noon(DUE + dt.timedelta(days=30)), tick=False):
        assert not selectors.overdue_measures(user=department).exists()


def test_measures_of_a_draft_are_not_counted_overdue(measure, department):
    Roadmap.objects.filter(pk=measure.roadmap_id).update(status=Roadmap.Status.DRAFT)

    with time_machine.travel(_noon(DUE + dt.timedelta(days=30)), tick=False):
        assert not selectors.overdue_measures(user=department).exists()


def test_overdue_is_computed_when_read_and_never_stored(measure, department, settings):
    """No job marks measures: the status stays what the school reported, the selector decides."""
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert not any("overdue" in task for task in tasks)
    with time_machine.travel(_noon(DUE + dt.timedelta(days=2)), tick=False):
        assert list(selectors.overdue_measures(user=department)) == [measure]
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED
    assert "overdue" not in MeasureStatus.values


def test_the_overdue_page_lists_only_the_users_schools(client, measure, outsider, department):
    with time_machine.travel(_noon(DUE + dt.timedelta(days=3)), tick=False):
        client.force_login(department)
        assert measure.title in client.get(reverse("roadmaps:overdue")).content.decode()
        client.force_login(outsider)
        assert measure.title not in client.get(reverse("roadmaps:overdue")).content.decode()


# --- Reminders -------------------------------------------------------------------------------


@pytest.fixture
def due_period(municipality, department):
    return ReportingPeriod.objects.create(
        municipality=municipality, name="I квартал", opens_on=DUE - dt.timedelta(days=30), due_on=DUE,
        created_by=department,
    )  # fmt: skip


def test_directors_who_have_not_filed_are_reminded_once_before_the_due_date(
    programme, due_period, director, other_school, department, run_on_commit
):
    filed = roadmap_of(school=other_school, created_by=department)
    UserFactory(username="director2", role="director", school=other_school)
    report_of(filed, due_period, status=R.SUBMITTED)

    with time_machine.travel(_noon(DUE - dt.timedelta(days=2)), tick=False):
        assert run_on_commit(services.periods_remind_due, days=3) == 1
        assert run_on_commit(services.periods_remind_due, days=3) == 0

    assert [m.to for m in mail.outbox] == [[director.email]]
    assert "Срок отчёта" in mail.outbox[0].subject


def test_no_reminder_long_before_or_after_the_due_date(programme, due_period, run_on_commit):
    with time_machine.travel(_noon(DUE - dt.timedelta(days=10)), tick=False):
        assert run_on_commit(services.periods_remind_due, days=3) == 0
    with time_machine.travel(_noon(DUE + dt.timedelta(days=1)), tick=False):
        assert run_on_commit(services.periods_remind_due, days=3) == 0
    assert mail.outbox == []


def test_the_reminder_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "roadmaps.tasks.remind_periods_due" in tasks


# --- Who has not filed, the summary ----------------------------------------------------------------


def test_the_non_submission_list_names_schools_without_a_filed_report(
    client, programme, period, other_school, department, current_year, municipality
):
    filed = roadmap_of(school=other_school, created_by=department)
    report_of(filed, period, status=R.SUBMITTED)
    report_of(programme, period, status=R.RETURNED)
    supported_without_programme = SchoolFactory(municipality=municipality, organisation__short_name="МБОУ Лесная ООШ")
    SchoolStatus.objects.create(school=supported_without_programme, year=current_year, kind=StatusKind.LOW_RESULTS)

    missing = selectors.not_submitted(user=department, period=period)

    assert {row["school"] for row in missing} == {programme.school, supported_without_programme}
    client.force_login(department)
    body = client.get(reverse("roadmaps:period_detail", args=[period.pk])).content.decode()
    assert "нет утверждённой программы" in body
    assert 'id="missing-count">2<' in body


def test_the_summary_averages_per_school_and_direction(programme, period, other_school, department):
    report_of(programme, period, status=R.ACCEPTED, percent=40)
    report_of(roadmap_of(school=other_school, created_by=department), period, status=R.SUBMITTED, percent=80)
    report_of(
        roadmap_of(school=SchoolFactory(municipality=period.municipality), created_by=department),
        period,
        status=R.DRAFT,
        percent=10,
    )

    summary = selectors.municipal_summary(period=period)

    # Per direction: the mean over measures (two at 40 %, one at 80 %); the draft does not count.
    assert [row["avg"] for row in summary["by_direction"]] == [53]
    assert sorted(row["cells"]["methodological"] for row in summary["schools"]) == [40, 80]


def test_publishing_a_period_summary_opens_its_public_page(client, period, department, programme):
    report_of(programme, period, status=R.ACCEPTED, percent=70)
    url = reverse("roadmaps:public_period", args=[period.pk])
    assert client.get(url).status_code == 404

    services.period_publish(period=period, user=department, publish=True)

    body = client.get(url).content.decode()
    assert "Информационно-методическое" in body
    assert "МБОУ СОШ № 1" not in body  # by direction only: never a league table of schools


def test_a_period_is_set_by_the_department_only(client, director, department):
    client.force_login(director)
    data = {"name": "II квартал", "opens_on": "2026-04-01", "due_on": "2026-06-30"}
    assert client.post(reverse("roadmaps:period_list"), data).status_code == 403

    client.force_login(department)
    client.post(reverse("roadmaps:period_list"), data)
    assert ReportingPeriod.objects.filter(name="II квартал", municipality=department.municipality).exists()


def test_a_period_due_before_it_opens_is_refused(client, department):
    client.force_login(department)

    response = client.post(
        reverse("roadmaps:period_list"), {"name": "Q", "opens_on": "2026-04-01", "due_on": "2026-03-01"}
    )

    assert "раньше открытия" in response.content.decode()
    assert not ReportingPeriod.objects.exists()


# --- Bounded queries ------------------------------------------------------------------------------


def _many_programmes(municipality, department, period, n):
    for _ in range(n):
        school = SchoolFactory(municipality=municipality)
        roadmap = roadmap_of(school=school, created_by=department, measures=3, due_on=dt.date(2025, 10, 1))
        report_of(roadmap, period, status=R.SUBMITTED)


@pytest.mark.parametrize("n", [2, 12])
def test_period_overdue_and_list_pages_use_a_bounded_number_of_queries(
    client, department, municipality, period, current_year, django_assert_max_num_queries, n
):
    _many_programmes(municipality, department, period, n)
    client.force_login(department)
    for url in (
        reverse("roadmaps:period_detail", args=[period.pk]),
        reverse("roadmaps:overdue"),
        reverse("roadmaps:list"),
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("measures", [1, 15])
def test_roadmap_review_and_progress_pages_use_a_bounded_number_of_queries(
    client, director, school, period, current_year, django_assert_max_num_queries, measures
):
    roadmap = roadmap_of(school=school, created_by=director, measures=measures, title=f"Большая {measures}")
    client.force_login(director)
    client.get(reverse("roadmaps:progress", args=[roadmap.pk, period.pk]))
    report = ProgressReport.objects.get(roadmap=roadmap)
    for url in (
        roadmap.get_absolute_url(),
        reverse("roadmaps:builder", args=[roadmap.pk]),
        reverse("roadmaps:progress", args=[roadmap.pk, period.pk]),
        reverse("roadmaps:review", args=[report.pk]),
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200


def test_the_roadmap_page_shows_a_late_measure_as_overdue_and_a_timely_one_as_it_is(client, measure, department):
    client.force_login(department)
    url = measure.roadmap.get_absolute_url()

    with time_machine.travel(_noon(DUE), tick=False):
        assert 'data-status="overdue"' not in client.get(url).content.decode()
    with time_machine.travel(_noon(DUE + dt.timedelta(days=1)), tick=False):
        assert 'data-status="overdue">Просрочено' in client.get(url).content.decode()


# --- The department corrects a period ---------------------------------------------------------------


def test_the_department_moves_a_deadline_and_escalation_counts_from_the_new_one(
    client, measure, department, school, director, run_on_commit
):
    from core.models import AuditEvent
    from roadmaps.escalation import periods_escalate
    from roadmaps.models import EscalationStep

    period = ReportingPeriod.objects.create(
        municipality=school.municipality, name="II четверть", opens_on=DUE - dt.timedelta(days=20), due_on=DUE,
        created_by=department,
    )  # fmt: skip
    client.force_login(department)
    url = reverse("roadmaps:period_edit", args=[period.pk])

    refused = client.post(url, {"name": "II четверть", "opens_on": "2026-12-01", "due_on": "2026-11-01"})
    assert refused.status_code == 200 and "раньше открытия" in refused.content.decode()
    moved = DUE + dt.timedelta(days=10)
    response = client.post(url, {"name": "II четверть (продлён)", "opens_on": period.opens_on, "due_on": moved})

    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.name, period.due_on) == ("II четверть (продлён)", moved)
    event = AuditEvent.objects.get(action="period.changed")
    assert event.details == {"name_before": "II четверть", "due_on_before": f"{DUE:%d.%m.%Y}"}
    # Two days after the old deadline nobody is chased: the new one has not passed.
    with time_machine.travel(_noon(DUE + dt.timedelta(days=2)), tick=False):
        run_on_commit(periods_escalate)
    assert not EscalationStep.objects.filter(period=period).exists()


def test_another_municipalitys_department_cannot_correct_the_period(client, department, outsider, school):
    period = ReportingPeriod.objects.create(
        municipality=school.municipality, name="II четверть", opens_on=DUE - dt.timedelta(days=20), due_on=DUE,
        created_by=department,
    )  # fmt: skip
    client.force_login(outsider)

    response = client.post(
        reverse("roadmaps:period_edit", args=[period.pk]),
        {"name": "Чужое", "opens_on": period.opens_on, "due_on": period.due_on},
    )

    assert response.status_code == 404
    period.refresh_from_db()
    assert period.name == "II четверть"


def test_the_migration_gives_a_measure_marked_overdue_by_the_old_job_its_status_before(measure):
    """roadmaps 0006: «overdue» was a stored status the hourly job set; each such measure gets
    back the last other status of its history (the job wrote its change into the history too)."""
    import importlib

    from django.apps import apps

    measure.status = MeasureStatus.PLANNED
    measure.save()  # its history: «запланировано» (the fallback without history would be «выполняется»)
    Measure.objects.filter(pk=measure.pk).update(status="overdue")  # what the old job left

    importlib.import_module("roadmaps.migrations.0006_overdue_is_computed").restore_statuses(apps, None)

    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED
