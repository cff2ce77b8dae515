"""The municipality's data export: ordering it, the task that writes it, the page, the file."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from portal.tests.test_navigation import _labels, _menu
from reports import services, tasks
from reports.models import MunicipalExport

pytestmark = pytest.mark.django_db
S = MunicipalExport.Status


def _zip_json(export: MunicipalExport, name: str) -> list:
    with export.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        return json.loads(archive.read(name))


# --- Services and the task -------------------------------------------------------------------


def test_ordering_an_export_queues_it_audits_it_and_the_task_writes_the_municipalitys_zip(
    department, school, foreign_school, run_on_commit
):
    export = run_on_commit(services.municipal_export_request, user=department, municipality=school.municipality)

    export.refresh_from_db()
    assert export.status == S.DONE and export.progress == 100
    assert export.requested_by == department and export.rows_count > 0
    assert export.file.name.endswith(f"{export.token}.zip") and export.file_size == export.file.size
    assert export.expires_at == export.finished_at + dt.timedelta(days=7)
    codes = {row["fields"]["code"] for row in _zip_json(export, "schools.school.json")}
    assert school.code in codes and foreign_school.code not in codes
    event = AuditEvent.objects.get(action="municipal_export.requested")
    assert event.actor == department and event.municipality_id == school.municipality_id
    assert event.object_id == str(export.pk)


def test_the_task_run_twice_writes_the_export_once(department, school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        export = services.municipal_export_request(user=department, municipality=school.municipality)

    assert tasks.render_municipal_export(export.pk) is True
    first = MunicipalExport.objects.get(pk=export.pk)
    assert tasks.render_municipal_export(export.pk) is False
    assert MunicipalExport.objects.get(pk=export.pk).file.name == first.file.name


def test_a_failing_export_ends_failed_with_a_russian_message(monkeypatch, department, school, run_on_commit, caplog):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "municipality_export_write", broken)

    export = run_on_commit(services.municipal_export_request, user=department, municipality=school.municipality)

    export.refresh_from_db()
    assert export.status == S.FAILED
    assert export.error == services.EXPORT_FAILED
    assert export.error.startswith("Не удалось сформировать выгрузку")
    assert not export.file and export.finished_at is not None
    assert "disk full" not in export.error


def test_an_export_whose_requester_lost_access_meanwhile_fails(department, school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        export = services.municipal_export_request(user=department, municipality=school.municipality)
    department.role = "methodologist"
    department.save()

    tasks.render_municipal_export(export.pk)

    export.refresh_from_db()
    assert export.status == S.FAILED and export.error == services.EXPORT_NO_ACCESS and not export.file


def test_a_second_order_while_one_is_running_is_refused(department, school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.municipal_export_request(user=department, municipality=school.municipality)
        with pytest.raises(services.ExportRefused) as refused:
            services.municipal_export_request(user=department, municipality=school.municipality)
    assert refused.value.message == services.EXPORT_RUNNING
    assert MunicipalExport.objects.count() == 1


def test_a_region_orders_an_export_of_its_municipality_but_not_of_another_region(
    region_user, school, foreign_school, run_on_commit
):
    export = run_on_commit(services.municipal_export_request, user=region_user, municipality=school.municipality)
    assert MunicipalExport.objects.get(pk=export.pk).status == S.DONE
    with pytest.raises(Http404):
        services.municipal_export_request(user=region_user, municipality=foreign_school.municipality)


def test_a_methodologist_may_not_order_an_export(methodologist, school):
    with pytest.raises(PermissionDenied):
        services.municipal_export_request(user=methodologist, municipality=school.municipality)
    assert not MunicipalExport.objects.exists()


def test_expired_files_are_deleted_and_the_rows_kept(department, school, run_on_commit):
    export = run_on_commit(services.municipal_export_request, user=department, municipality=school.municipality)
    export.refresh_from_db()
    path = export.file.path

    assert services.municipal_exports_purge(now=export.expires_at - dt.timedelta(minutes=1)) == 0
    assert services.municipal_exports_purge(now=export.expires_at + dt.timedelta(minutes=1)) == 1

    export.refresh_from_db()
    assert not export.file and export.file_deleted_at is not None and export.status == S.DONE
    assert not export.can_download
    assert not os.path.exists(path)


def test_the_sweep_requeues_an_export_whose_worker_went_silent(department, school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        export = services.municipal_export_request(user=department, municipality=school.municipality)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    MunicipalExport.objects.filter(pk=export.pk).update(status=S.RUNNING, heartbeat_at=long_ago, created_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        services.reports_requeue_stale()

    assert MunicipalExport.objects.get(pk=export.pk).status == S.DONE


# --- The page, its fragment and the download ----------------------------------------------------


def test_department_orders_from_the_page_watches_it_and_downloads_the_file(
    client, department, school, django_capture_on_commit_callbacks
):
    client.force_login(department)
    index = client.get(reverse("reports:municipal_export_index"))
    page_url = reverse("reports:municipal_export", args=[school.municipality_id])
    assert index.status_code == 302 and index.url == page_url
    page = client.get(page_url).content.decode()
    assert "Выгрузка данных муниципалитета" in page and "Сформировать выгрузку" in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(page_url)
    assert response.status_code == 302 and response.url == page_url
    export = MunicipalExport.objects.get()
    fragment = client.get(page_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" in fragment and "В очереди" in fragment and "<html" not in fragment

    tasks.render_municipal_export(export.pk)
    fragment = client.get(page_url, headers={"HX-Request": "true"}).content.decode()
    download_url = reverse("reports:municipal_export_download", args=[export.pk])
    assert "hx-get" not in fragment  # finished: polling stops
    assert download_url in fragment

    download = client.get(download_url)
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert "export.xlsx" in archive.namelist()
    event = AuditEvent.objects.get(action="municipal_export.downloaded")
    assert event.actor == department and event.municipality_id == school.municipality_id


def test_a_region_chooses_among_its_own_municipalities(client, region_user, school, foreign_school):
    client.force_login(region_user)

    body = client.get(reverse("reports:municipal_export_index")).content.decode()

    assert reverse("reports:municipal_export", args=[school.municipality_id]) in body
    assert reverse("reports:municipal_export", args=[foreign_school.municipality_id]) not in body


def test_an_expired_file_is_no_longer_served(client, department, school):
    export = MunicipalExport.objects.create(
        municipality=school.municipality, requested_by=department, status=S.DONE, file_deleted_at=timezone.now()
    )
    client.force_login(department)

    assert client.get(reverse("reports:municipal_export_download", args=[export.pk])).status_code == 404
    page = client.get(reverse("reports:municipal_export", args=[school.municipality_id]))
    assert "срок хранения" in page.content.decode()


def test_a_file_is_served_to_the_region_and_the_download_is_audited_for_the_municipality(client, region_user, school):
    export = MunicipalExport.objects.create(municipality=school.municipality, status=S.DONE)
    export.file.save(f"{export.token}.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    client.force_login(region_user)

    assert client.get(reverse("reports:municipal_export_download", args=[export.pk])).status_code == 200
    assert AuditEvent.objects.filter(
        action="municipal_export.downloaded", actor=region_user, municipality=school.municipality
    ).exists()


def test_the_menu_offers_the_export_to_department_and_region_only(department, region_user, methodologist, director):
    def flat(user):
        return [label for label, children in _labels(_menu(user)) for label in [label, *children]]

    assert "Выгрузка данных" in flat(department)
    assert "Выгрузка данных" in flat(region_user)
    assert "Выгрузка данных" not in flat(methodologist)
    assert "Выгрузка данных" not in flat(director)
