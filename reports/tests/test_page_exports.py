"""The pages' large exports are report jobs (issue #20): the agreements register, the municipality's
analysis tables and an event's participants are ordered by a POST from their page, checked for
scope before anything is queued, built in the ``reports`` queue, and downloaded by their owner only.
The files' contents are compared with hand-computed rows in the apps' tests
(partnerships/tests/test_views.py, analytics/tests/test_task_figures.py, events/tests/test_staff.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core import queue
from events.tests.factories import EventFactory, RegistrationFactory
from reports import services
from reports.models import Kind, ReportRequest
from reports.tests.registry import participants_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(municipality, school):
    event = EventFactory(municipality=municipality, title="Семинар учителей математики")
    RegistrationFactory(event=event, school=school, full_name="Орлова Нина")
    return event


def _participants_url(event) -> str:
    return reverse("reports:event_participants_export", args=[event.pk])


@pytest.mark.parametrize("actor", ["curator", "director", "teacher"])
def test_only_the_centres_staff_order_a_participants_list(client, cast, event, actor):
    client.force_login(cast[actor])

    assert client.post(_participants_url(event)).status_code == 403
    assert not ReportRequest.objects.exists()


def test_another_municipalitys_staff_get_404_and_nothing_is_queued(client, outsider, event, municipality):
    client.force_login(outsider)

    assert client.post(_participants_url(event)).status_code == 404
    url = reverse("reports:municipality_analytics_export", args=[municipality.pk])
    assert client.post(url, {"filters": ""}).status_code == 404
    assert not ReportRequest.objects.exists()


def test_a_municipality_without_results_is_ordered_under_its_name(client, department, municipality):
    client.force_login(department)
    url = reverse("reports:municipality_analytics_export", args=[municipality.pk])

    # No results at all (the page shows no button): the order is still the user's municipality's.
    assert client.post(url, {"filters": "year=2025&procedure=vpr&subject=01&grade=4"}).status_code == 302
    report = ReportRequest.objects.get()
    assert (report.kind, report.format) == (Kind.MUNICIPALITY_ANALYTICS, "xlsx")
    assert report.title.startswith(municipality.name)


def test_the_exports_are_posts_from_their_pages(client, methodologist, event):
    client.force_login(methodologist)

    assert client.get(_participants_url(event)).status_code == 405
    page = client.get(reverse("events:staff_event", args=[event.pk])).content.decode()
    assert f'action="{_participants_url(event)}"' in page


def test_the_participants_file_is_its_requesters_only(
    client, methodologist, department, event, django_capture_on_commit_callbacks
):
    client.force_login(methodologist)
    participants_xlsx(client, django_capture_on_commit_callbacks, event)
    report = ReportRequest.objects.get(kind=Kind.EVENT_PARTICIPANTS)
    assert report.title == "Участники: Семинар учителей математики"

    client.force_login(department)  # the same municipality's staff, but not the requester
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_a_download_of_the_participants_list_is_in_the_audit_log(
    client, methodologist, event, django_capture_on_commit_callbacks
):
    """The list holds names and e-mail addresses: each download is recorded (the registry's is not)."""
    from core.models import AuditEvent

    client.force_login(methodologist)
    participants_xlsx(client, django_capture_on_commit_callbacks, event)  # ordered, built, downloaded once
    report = ReportRequest.objects.get(kind=Kind.EVENT_PARTICIPANTS)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200  # and again

    downloads = AuditEvent.objects.filter(action="report.personal_downloaded")
    assert downloads.count() == 2
    assert {event.actor_id for event in downloads} == {methodologist.pk}
    assert all(event.details["kind"] == Kind.EVENT_PARTICIPANTS for event in downloads)


# Real commits: the notice belongs to the request that queued the task (on_commit runs inside it).
@pytest.mark.django_db(transaction=True)
def test_an_export_ordered_with_the_broker_down_is_kept_and_built_by_the_sweep(client, department, broker):
    broker.up = False
    client.force_login(department)

    response = client.post(reverse("reports:agreement_export"), {"filters": "status=signed"}, follow=True)

    report = ReportRequest.objects.get()
    page = response.content.decode().lower()
    assert response.status_code == 200 and report.status == "queued"
    assert "формирование задерживается" in page and "поставлена в очередь" not in page
    ReportRequest.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - queue.DELAYED_AFTER - dt.timedelta(seconds=5)
    )
    fragment = client.get(report.get_absolute_url(), headers={"HX-Request": "true"}).content.decode().lower()
    assert 'id="queue-delayed"' in fragment

    broker.up = True
    ReportRequest.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert services.reports_requeue_stale() == 1
    report.refresh_from_db()
    assert report.status == "done" and report.file


def test_the_reports_page_links_back_to_the_page_with_its_filters(client, department, event, municipality):
    client.force_login(department)
    client.post(reverse("reports:agreement_export"), {"filters": "status=signed&q=%D0%BB"})
    client.post(_participants_url(event))
    client.post(reverse("reports:municipality_analytics_export", args=[municipality.pk]), {"filters": ""})
    agreements, participants, analysis = ReportRequest.objects.order_by("pk")

    assert agreements.page_url == reverse("partnerships:agreement_list") + "?status=signed&q=%D0%BB"
    assert participants.page_url == reverse("events:staff_event", args=[event.pk])
    assert analysis.page_url == reverse("analytics:municipality", args=[municipality.pk])
    page = client.get(agreements.get_absolute_url()).content.decode()
    assert 'id="report-page-link"' in page and "?status=signed&amp;q=%D0%BB" in page
    # A job that failed (the event deleted while it waited) sends the user back to order it again.
    event.delete()
    services.report_render(request_id=participants.pk)
    participants.refresh_from_db()
    assert participants.status == "failed" and participants.error == services.OBJECT_GONE
    fragment = client.get(participants.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "Вернуться к странице и заказать заново" in fragment
