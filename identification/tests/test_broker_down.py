"""The broker down when the department starts an identification run or a recompute, or when an
import finishes: the action succeeds, the page says the work is delayed, nothing is lost, and
the sweep (identification_requeue_stale) sends the job once the broker is back (core/queue.py)."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core import queue
from identification import services
from identification.models import IdentificationRun, IndicatorRecompute, Methodology, MethodologyVersion, RunResult
from identification.models import TaskStatus as T
from identification.tasks import run_identification
from monitoring import imports as monitoring_imports
from monitoring.models import ImportJob
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row
from tests.factories import AcademicYearFactory

DELAYED = "задерживается"
TEN_MINUTES_AGO = timedelta(minutes=10)


@pytest.fixture
def catalogues(db):
    """The subjects and methodology presets the migrations seed (a transactional test run
    earlier flushes them away; both seeds are idempotent)."""
    for module in ("monitoring.migrations.0002_seed_subjects", "identification.migrations.0003_methodology_presets"):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture
def low_results(catalogues):
    return MethodologyVersion.objects.get(methodology=Methodology.objects.get(kind="low_results"), number=1)


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2025)


def _age(model, pk: int, by: timedelta = TEN_MINUTES_AGO) -> None:
    model.objects.filter(pk=pk).update(created_at=timezone.now() - by)


# On-commit callbacks run at once only outside a transaction, as in production: these tests
# need real commits to see the notice of the request that queued the task.
@pytest.mark.django_db(transaction=True)
def test_a_run_started_with_the_broker_down_is_saved_queued_and_the_page_says_it_is_delayed(
    client, department, school, low_results, year, broker
):
    broker.up = False
    client.force_login(department)

    response = client.post(
        reverse("identification:run_create"),
        {"version": low_results.pk, "year": year.pk, "municipality": department.municipality_id},
    )

    run = IdentificationRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("identification:run_detail", args=[run.pk])
    assert run.status == T.QUEUED
    assert broker.attempts == ["identification.tasks.run_identification"]
    page = client.get(response.url).content.decode().lower()
    assert "запуск сохранён, но расчёт задерживается" in page and "ничего не потеряно" in page

    _age(IdentificationRun, run.pk, queue.DELAYED_AFTER + timedelta(seconds=5))
    page = client.get(response.url).content.decode().lower()
    assert 'id="queue-delayed"' in page and "расчёт задерживается" in page  # what the polling shows later


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_a_run_left_queued_by_the_outage_once_and_a_late_message_changes_nothing(
    department, school, low_results, year, broker
):
    broker.up = False
    run = services.identification_run_create(
        user=department, version=low_results, year=year, municipality=department.municipality
    )
    fresh = services.identification_run_create(
        user=department, version=low_results, year=year, municipality=department.municipality
    )
    _age(IdentificationRun, run.pk)
    assert services.identification_requeue_stale() == [("run", run.pk)]  # broker still down: no exception
    assert IdentificationRun.objects.get(pk=run.pk).status == T.QUEUED

    broker.up = True
    broker.attempts.clear()
    assert services.identification_requeue_stale() == [("run", run.pk)]  # the fresh one is left to its message

    run.refresh_from_db()
    assert run.status == T.DONE and broker.attempts == ["identification.tasks.run_identification"]
    results = RunResult.objects.filter(run=run).count()
    assert results == run.schools_count > 0
    assert services.identification_requeue_stale() == []
    queue.send(run_identification, run.pk)  # the first message, delivered late after all
    assert RunResult.objects.filter(run=run).count() == results
    assert IdentificationRun.objects.get(pk=fresh.pk).status == T.QUEUED


def test_a_run_whose_worker_died_is_put_back_in_the_queue_and_run_once(
    department, school, low_results, year, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = services.identification_run_create(
            user=department, version=low_results, year=year, municipality=department.municipality
        )
    long_ago = timezone.now() - queue.STALE_RUNNING_AFTER - timedelta(minutes=1)
    IdentificationRun.objects.filter(pk=run.pk).update(status=T.RUNNING, started_at=long_ago, created_at=long_ago)
    running = services.identification_run_create(
        user=department, version=low_results, year=year, municipality=department.municipality
    )
    IdentificationRun.objects.filter(pk=running.pk).update(status=T.RUNNING, started_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        assert services.identification_requeue_stale() == [("run", run.pk)]

    run.refresh_from_db()
    assert run.status == T.DONE and RunResult.objects.filter(run=run).count() == run.schools_count
    assert IdentificationRun.objects.get(pk=running.pk).status == T.RUNNING  # a live worker's run is left alone


@pytest.mark.django_db(transaction=True)
def test_a_recompute_requested_with_the_broker_down_is_delayed_and_the_sweep_runs_it(
    client, department, school, broker
):
    broker.up = False
    client.force_login(department)

    response = client.post(reverse("identification:recompute_start"))

    recompute = IndicatorRecompute.objects.get()
    assert response.status_code == 302 and recompute.status == T.QUEUED
    assert "пересчёт задерживается" in client.get(response.url).content.decode().lower()

    broker.up = True
    _age(IndicatorRecompute, recompute.pk)
    assert services.identification_requeue_stale() == [("recompute", recompute.pk)]
    recompute.refresh_from_db()
    assert recompute.status == T.DONE
    assert services.identification_requeue_stale() == []


def _f1(school) -> bytes:
    return vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row(str(n)) for n in range(1, 11)]}))


@pytest.mark.django_db(transaction=True)
def test_an_import_finishing_with_the_broker_down_keeps_its_recompute_for_the_sweep(
    department, school, catalogues, broker
):
    """The recompute after an import used to be a message that nothing recorded: lost with the broker."""
    job = monitoring_imports.results_import_create(
        user=department, uploaded_file=io.BytesIO(_f1(school)), original_name="f1.xlsx", queue=False
    )
    broker.up = False
    from monitoring.tasks import import_results

    import_results(job.pk)  # what the worker runs; its follow-up finds the broker down

    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE
    recompute = IndicatorRecompute.objects.get(import_job=job)
    assert recompute.status == T.QUEUED and recompute.school_ids == [school.pk]
    assert broker.attempts == ["identification.tasks.recompute_indicators"]

    broker.up = True
    _age(IndicatorRecompute, recompute.pk)
    assert services.identification_requeue_stale() == [("recompute", recompute.pk)]
    recompute.refresh_from_db()
    assert recompute.status == T.DONE and recompute.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_rolling_back_an_import_with_the_broker_down_succeeds_and_says_the_recompute_is_delayed(
    client, department, school, catalogues, broker
):
    client.force_login(department)
    client.post(reverse("monitoring:import_upload"), {"file": SimpleUploadedFile("f1.xlsx", _f1(school))})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE  # eager tasks in tests, broker up
    broker.up = False

    response = client.post(reverse("monitoring:import_rollback", args=[job.pk]))

    assert response.status_code == 302  # was a 500: the data rolled back, then .delay() raised
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.ROLLED_BACK
    assert "пересчёт показателей задерживается" in client.get(response.url).content.decode().lower()
    queued = IndicatorRecompute.objects.filter(import_job=job, status=T.QUEUED).get()

    broker.up = True
    _age(IndicatorRecompute, queued.pk)
    assert services.identification_requeue_stale() == [("recompute", queued.pk)]
    assert IndicatorRecompute.objects.get(pk=queued.pk).status == T.DONE
