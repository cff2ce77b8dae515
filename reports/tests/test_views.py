"""The archive, the request form, progress by htmx polling, downloads and frozen snapshots."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import ReportRequest, Snapshot
from reports.tests.conftest import pdf_text, save_first_page
from roadmaps import services as roadmap_services
from roadmaps.models import ProgressReport, Roadmap
from roadmaps.tests.builders import roadmap_of

pytestmark = pytest.mark.django_db


def test_department_orders_a_passport_and_downloads_it_from_the_archive(
    client, department, school, results, django_capture_on_commit_callbacks
):
    client.force_login(department)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:new"), {"kind": "passport", "format": "pdf", "school": school.pk})
    request = ReportRequest.objects.get()
    assert response.status_code == 302 and response.url == request.get_absolute_url()
    assert request.requested_by == department and request.params == {"school": school.pk}

    page = client.get(reverse("reports:archive"))
    assert "Паспорт школы — МБОУ СОШ № 1" in page.content.decode()
    assert reverse("reports:download", args=[request.pk]) in page.content.decode()

    fragment = client.get(reverse("reports:detail", args=[request.pk]), headers={"HX-Request": "true"})
    assert 'data-status="done"' in fragment.content.decode()
    assert "hx-get" not in fragment.content.decode()  # finished: polling stops

    download = client.get(reverse("reports:download", args=[request.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_queued_request_polls_its_progress(client, department):
    request = ReportRequest.objects.create(kind="agreements", title="Реестр", requested_by=department)
    ReportRequest.objects.filter(pk=request.pk).update(status="running", progress=40, stage="Договоры")
    client.force_login(department)
    fragment = client.get(reverse("reports:detail", args=[request.pk]), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert 'hx-get="{}"'.format(reverse("reports:detail", args=[request.pk])) in html
    assert "Договоры" in html and 'aria-valuenow="40"' in html


def test_director_posting_another_schools_passport_gets_404_and_nothing_is_queued(
    client, director, other_school, foreign_school
):
    client.force_login(director)
    for target in (other_school, foreign_school):
        response = client.post(reverse("reports:new"), {"kind": "passport", "format": "pdf", "school": target.pk})
        # The form offers only the director's school: another one is not a valid choice.
        assert response.status_code == 200
        assert "Выберите корректный вариант" in response.content.decode()
    assert not ReportRequest.objects.exists()


def test_the_form_refuses_xlsx_for_a_pdf_only_kind_and_a_missing_school(client, department):
    client.force_login(department)
    response = client.post(reverse("reports:new"), {"kind": "passport", "format": "xlsx"})
    html = response.content.decode()
    assert "только в PDF" in html
    assert "Выберите значение" in html
    assert not ReportRequest.objects.exists()


def test_the_archive_lists_only_the_users_own_requests(client, department, methodologist):
    ReportRequest.objects.create(kind="agreements", title="Мой реестр", requested_by=department)
    ReportRequest.objects.create(kind="agreements", title="Чужой реестр", requested_by=methodologist)
    client.force_login(department)
    html = client.get(reverse("reports:archive")).content.decode()
    assert "Мой реестр" in html and "Чужой реестр" not in html


def test_the_archive_page_runs_a_bounded_number_of_queries(client, department, django_assert_max_num_queries):
    ReportRequest.objects.bulk_create(
        ReportRequest(kind="agreements", title=f"Реестр {n}", requested_by=department) for n in range(60)
    )
    client.force_login(department)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reports:archive")).status_code == 200


def test_approving_a_roadmap_stores_a_frozen_pdf_linked_from_its_page(
    client, school, director, department, years, run_on_commit
):
    roadmap = roadmap_of(school=school, created_by=director, status=Roadmap.Status.SUBMITTED, measures=2)
    run_on_commit(roadmap_services.roadmap_transition, roadmap=roadmap, user=department, action="approve")
    snapshot = Snapshot.objects.get(roadmap=roadmap)
    assert snapshot.status == "done" and snapshot.event == Snapshot.Event.ROADMAP_APPROVED
    content = snapshot.file.read()
    text = pdf_text(content)
    save_first_page(content, "roadmap-snapshot")
    assert "Снимок документа на момент утверждения" in text
    assert "Семинар по критериям оценивания № 2" in text

    client.force_login(director)
    page = client.get(roadmap.get_absolute_url()).content.decode()
    link = reverse("reports:snapshot_download", args=[snapshot.pk])
    assert link in page
    assert client.get(link)["Content-Type"] == "application/pdf"


def test_submitting_a_progress_report_stores_a_frozen_pdf(client, programme, period, director, run_on_commit):
    report = roadmap_services.report_open(roadmap=programme, period=period, user=director)
    ProgressReport.objects.filter(pk=report.pk).update(self_assessment="Всё по плану.")
    report.items.update(status="done", percent=100)
    report.refresh_from_db()
    run_on_commit(roadmap_services.report_submit, report=report, user=director)
    snapshot = Snapshot.objects.get(progress_report=report)
    assert snapshot.event == Snapshot.Event.REPORT_SUBMITTED and snapshot.status == "done"
    text = pdf_text(snapshot.file.read())
    assert "Снимок документа на момент отправки" in text
    assert "Средний % выполнения 100%" in text
    assert "Всё по плану." in text

    client.force_login(director)
    page = client.get(reverse("roadmaps:review", args=[report.pk])).content.decode()
    assert reverse("reports:snapshot_download", args=[snapshot.pk]) in page


def test_a_snapshot_task_run_twice_stores_one_file(programme, department):
    from reports import services

    snapshot = services.snapshot_queue(roadmap=programme)
    assert services.snapshot_render(snapshot_id=snapshot.pk) is True
    snapshot.refresh_from_db()
    first = snapshot.file.name
    assert services.snapshot_render(snapshot_id=snapshot.pk) is False
    snapshot.refresh_from_db()
    assert snapshot.file.name == first


def test_the_school_card_links_to_a_prefilled_passport_request(client, department, school):
    client.force_login(department)
    card = client.get(school.get_absolute_url()).content.decode()
    link = f"{reverse('reports:new')}?kind=passport&amp;school={school.pk}"
    assert link in card
    form = client.get(f"{reverse('reports:new')}?kind=passport&school={school.pk}").content.decode()
    assert f'<option value="{school.pk}" selected>' in form
