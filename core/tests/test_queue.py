"""The broker down at upload: the job is stored and left queued, the page says processing is
delayed, and the periodic sweep sends it again once the broker is back (core/queue.py)."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from celery.app.task import Task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core import queue
from monitoring import imports as monitoring_imports
from monitoring.models import ImportJob, ParticipantResult, Subject
from monitoring.tasks import import_results
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row
from schools import services as schools_services
from schools.models import RegistryImport, School

DELAYED = "обработка задерживается"
REGISTRY_CSV = (
    "Код ОО;Полное наименование;Тип;Местность\n"
    "edu985101;Муниципальное бюджетное общеобразовательное учреждение «Заречная СОШ»;СОШ;Городская\n"
).encode()


@pytest.fixture(autouse=True)
def subjects(db):
    # Transactional tests flush the tables, the subjects seeded by a migration with them.
    Subject.objects.get_or_create(code="01", defaults={"name": "Русский язык", "fis_oko_abbr": "РУ"})


def _f1(school) -> bytes:
    return vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2"), vpr_row("3")]}))


# On-commit callbacks run at once only outside a transaction, as in production: these tests
# need real commits to see the message of the request that queued the task.
@pytest.mark.django_db(transaction=True)
def test_a_results_upload_with_the_broker_down_is_stored_queued_and_the_page_says_processing_is_delayed(
    client, department, school, broker, caplog
):
    broker.up = False
    client.force_login(department)

    with caplog.at_level(logging.WARNING, logger="core.queue"):
        response = client.post(
            reverse("monitoring:import_upload"), {"file": SimpleUploadedFile("f1.xlsx", _f1(school))}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == ImportJob.Status.QUEUED and job.file.size > 0
    assert broker.attempts == ["monitoring.tasks.import_results"]
    assert "broker unavailable" in caplog.text
    page = client.get(response.url).content.decode().lower()
    assert DELAYED in page and "загружать файл повторно не нужно" in page
    assert ParticipantResult.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_registry_upload_with_the_broker_down_is_stored_queued_and_the_page_says_processing_is_delayed(
    client, department, broker
):
    broker.up = False
    client.force_login(department)

    response = client.post(reverse("schools:import"), {"file": SimpleUploadedFile("reestr.csv", REGISTRY_CSV)})

    job = RegistryImport.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == RegistryImport.Status.QUEUED
    assert DELAYED in client.get(response.url).content.decode().lower()


@pytest.mark.django_db(transaction=True)
def test_an_upload_with_the_broker_up_says_nothing_about_a_delay(client, department, school, broker):
    client.force_login(department)

    response = client.post(reverse("monitoring:import_upload"), {"file": SimpleUploadedFile("f1.xlsx", _f1(school))})

    assert ImportJob.objects.get().status == ImportJob.Status.DONE  # eager tasks in tests
    assert DELAYED not in client.get(response.url).content.decode().lower()


def _queued_results_job(user, school, broker, *, minutes: int) -> ImportJob:
    broker.up = False
    job = monitoring_imports.results_import_create(
        user=user, uploaded_file=io.BytesIO(_f1(school)), original_name="f1.xlsx"
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return job


@pytest.mark.django_db(transaction=True)
def test_the_sweep_resends_a_results_job_left_queued_by_a_broker_outage_and_it_is_written_once(
    department, school, broker
):
    job = _queued_results_job(department, school, broker, minutes=10)
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.QUEUED

    broker.up = True
    assert monitoring_imports.results_imports_requeue_stale() == [job.pk]
    # A second sweep finds nothing to do; a late duplicate message is refused by the claim.
    assert monitoring_imports.results_imports_requeue_stale() == []
    queue.send(import_results, job.pk)

    job.refresh_from_db()
    assert (job.status, job.rows_created, job.requeued) == (ImportJob.Status.DONE, 3, 0)
    assert ParticipantResult.objects.filter(import_job=job).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_sweep_leaves_a_fresh_queued_job_alone_and_survives_a_broker_still_down(department, school, broker):
    fresh = _queued_results_job(department, school, broker, minutes=1)
    old = _queued_results_job(department, school, broker, minutes=10)
    broker.attempts.clear()

    assert monitoring_imports.results_imports_requeue_stale() == [old.pk]  # broker still down: no exception

    assert broker.attempts == ["monitoring.tasks.import_results"]
    assert set(ImportJob.objects.values_list("status", flat=True)) == {ImportJob.Status.QUEUED}
    assert fresh.pk != old.pk


@pytest.mark.django_db(transaction=True)
def test_the_registry_sweep_resends_a_job_left_queued_by_a_broker_outage(department, broker):
    broker.up = False
    job = schools_services.registry_import_create(
        user=department, uploaded_file=io.BytesIO(REGISTRY_CSV), original_name="reestr.csv"
    )
    RegistryImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    broker.up = True
    assert schools_services.registry_imports_requeue_stale() == [job.pk]

    job.refresh_from_db()
    assert (job.status, job.created_count) == (RegistryImport.Status.DONE, 1)
    assert School.objects.filter(code="edu985101").count() == 1


def test_a_job_page_of_a_job_queued_too_long_says_processing_is_delayed(
    client, department, school, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = monitoring_imports.results_import_create(
            user=department, uploaded_file=io.BytesIO(_f1(school)), original_name="f1.xlsx"
        )
    client.force_login(department)
    url = reverse("monitoring:import_detail", args=[job.pk])
    assert DELAYED not in client.get(url).content.decode().lower()  # just queued: the worker has not had its chance

    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - queue.DELAYED_AFTER - timedelta(seconds=5))

    assert DELAYED in client.get(url).content.decode().lower()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode().lower()  # what htmx polls
    assert DELAYED in fragment


def test_send_outside_a_watch_block_reports_the_outage_by_its_return_value(broker):
    from schools.tasks import import_registry

    broker.up = False
    with queue.watch() as sent:
        assert queue.send(import_registry, 0) is False
    assert sent.delayed and sent.failed == ["schools.tasks.import_registry"]
    assert queue.send(import_registry, 0) is False  # no watch: still no exception


def test_a_programming_error_in_a_send_is_not_swallowed(monkeypatch):
    from schools.tasks import import_registry

    def broken(task, *args, **kwargs):
        raise TypeError("wrong arguments")

    monkeypatch.setattr(Task, "apply_async", broken)
    with pytest.raises(TypeError):
        queue.send(import_registry, 0)


def test_every_sweep_is_on_the_beat_schedule_and_names_a_registered_task():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # autodiscover the apps' tasks as a worker does
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    sweeps = {
        "core.tasks.sweep_jobs",  # every job kind (core/jobs)
        "risks.tasks.requeue_stale_risks",
    }
    assert sweeps <= scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)


def test_requeue_stale_moves_a_stuck_job_back_once_and_survives_the_broker_down(
    department, broker, django_capture_on_commit_callbacks
):
    """The job is moved by a conditional update; a second sweep finds nothing to move."""
    from django.db.models import Q

    from risks.models import RecomputeJob
    from risks.tasks import run_recompute_job
    from tests.factories import AcademicYearFactory

    year = AcademicYearFactory(start_year=2025)
    job = RecomputeJob.objects.create(year=year, municipality=department.municipality, status="running")
    stuck = Q(status="running")
    broker.up = False

    def sweep() -> list[int]:
        with django_capture_on_commit_callbacks(execute=True):
            return queue.requeue_stale(
                jobs=RecomputeJob.objects.all(),
                task=run_recompute_job,
                lost=Q(pk__in=[]),
                stuck=stuck,
                unstick={"status": "queued"},
            )

    first, second = sweep(), sweep()

    assert (first, second) == ([job.pk], [])
    assert RecomputeJob.objects.get(pk=job.pk).status == "queued"  # left for the next sweep, not lost
    assert broker.attempts == ["risks.tasks.run_recompute_job"]
