"""The job layer (core/jobs): one claim, heartbeat, finish with the data, one sweep with an attempt cap.

Exercised on the registry import, the smallest real job kind; the other kinds run through the
same functions (their own tests, and tests/integration/test_job_faults.py with real workers).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.jobs import services as jobs
from schools.models import RegistryImport, School
from schools.services import registry_import_create, registry_import_run

CSV = (
    "Код ОО;Полное наименование;Тип;Местность\n"
    "edu985301;Муниципальное бюджетное общеобразовательное учреждение «Заречная СОШ»;СОШ;Городская\n"
).encode()


@pytest.fixture
def queued(department, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the test delivers the message itself
        return registry_import_create(user=department, uploaded_file=io.BytesIO(CSV), original_name="r.csv")


def _silent(job, *, minutes: int = 11) -> None:
    """Make the job look like its worker died ``minutes`` ago (the heartbeat stopped then)."""
    RegistryImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=minutes))


def test_a_job_is_claimed_once_and_a_second_delivery_does_nothing(queued):
    first = jobs.job_claim(RegistryImport, queued.pk)
    second = jobs.job_claim(RegistryImport, queued.pk)

    assert first is not None and first.attempt == 1
    assert second is None
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("running", 1)
    assert queued.heartbeat_at is not None and queued.started_at is not None


def test_a_redelivered_message_of_a_finished_job_writes_nothing_and_leaves_the_job_as_it_was(queued):
    assert registry_import_run(job_id=queued.pk) is True
    queued.refresh_from_db()
    done = (queued.status, queued.attempts, queued.created_count, queued.finished_at)

    assert registry_import_run(job_id=queued.pk) is False

    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.created_count, queued.finished_at) == done
    assert done[:3] == ("done", 1, 1)
    assert School.objects.filter(code="edu985301").count() == 1


def test_the_final_status_is_written_in_the_data_transaction_and_rolls_back_with_it(queued):
    claim = jobs.job_claim(RegistryImport, queued.pk)

    with pytest.raises(RuntimeError), transaction.atomic():
        School.objects.filter(code="nothing").update(is_active=False)
        jobs.job_finish(claim, created_count=5)
        raise RuntimeError("the worker dies before the commit")

    queued.refresh_from_db()
    assert (queued.status, queued.created_count, queued.finished_at) == ("running", 0, None)


def test_a_worker_whose_job_was_taken_back_cannot_finish_it(queued, django_capture_on_commit_callbacks):
    old = jobs.job_claim(RegistryImport, queued.pk)
    _silent(queued)
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs.job_sweep(RegistryImport).requeued == [queued.pk]
    new = jobs.job_claim(RegistryImport, queued.pk)

    with pytest.raises(jobs.JobLost), transaction.atomic():
        jobs.job_finish(old, created_count=99)

    assert new.attempt == 2
    jobs.job_finish(new, created_count=1)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.created_count) == ("done", 2, 1)


def test_a_running_job_that_still_beats_is_never_taken_back_however_long_it_runs(queued):
    jobs.job_claim(RegistryImport, queued.pk)
    RegistryImport.objects.filter(pk=queued.pk).update(started_at=timezone.now() - timedelta(hours=5))
    claim_rows = RegistryImport.objects.filter(pk=queued.pk)
    claim_rows.update(heartbeat_at=timezone.now() - timedelta(seconds=30))

    assert jobs.job_sweep(RegistryImport).ids == []
    assert jobs.job_claim(RegistryImport, queued.pk) is None  # and no second worker can take it
    queued.refresh_from_db()
    assert queued.status == "running"


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection: it must see the row
def test_the_heartbeat_thread_keeps_a_long_job_alive(department, settings):
    settings.JOBS_HEARTBEAT_SECONDS = 0.05
    queued = RegistryImport.objects.create(uploaded_by=department, original_name="r.csv", sha256="0" * 64)
    claim = jobs.job_claim(RegistryImport, queued.pk)
    RegistryImport.objects.filter(pk=queued.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))

    import time

    with jobs.heartbeat(claim):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            queued.refresh_from_db()
            if queued.heartbeat_at > timezone.now() - timedelta(minutes=1):
                break
            time.sleep(0.05)

    assert queued.heartbeat_at > timezone.now() - timedelta(minutes=1)


def test_a_job_whose_worker_keeps_dying_is_failed_after_the_attempt_cap_with_a_russian_message(
    queued, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_MAX_ATTEMPTS = 3
    for attempt in (1, 2, 3):
        claim = jobs.job_claim(RegistryImport, queued.pk)
        assert claim.attempt == attempt
        _silent(queued)  # the worker is killed (out of memory, say)
        with django_capture_on_commit_callbacks(execute=False) as sent:
            swept = jobs.job_sweep(RegistryImport)
        if attempt < 3:
            assert (swept.requeued, swept.failed, len(sent)) == ([queued.pk], [], 1)
            _old_queue = timezone.now() - timedelta(minutes=1)
            RegistryImport.objects.filter(pk=queued.pk).update(heartbeat_at=_old_queue)

    assert (swept.requeued, swept.failed, len(sent)) == ([], [queued.pk], 0)
    queued.refresh_from_db()
    assert (queued.status, queued.error) == ("failed", jobs.attempts_message(3))
    assert queued.errors == [{"sheet": "", "row": 0, "column": "", "message": queued.error}]
    assert jobs.job_sweep(RegistryImport).ids == []  # failed once, never again
    assert not School.objects.filter(code="edu985301").exists()


def test_the_sweep_resends_a_job_left_queued_by_a_broker_outage_and_not_a_fresh_one(
    queued, department, broker, django_capture_on_commit_callbacks
):
    RegistryImport.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    broker.up = False
    with django_capture_on_commit_callbacks(execute=False):
        fresh = registry_import_create(user=department, uploaded_file=io.BytesIO(CSV), original_name="r2.csv")

    with django_capture_on_commit_callbacks(execute=True):
        swept = jobs.jobs_sweep()  # the broker is down: logged, the rows stay queued, no exception

    assert swept == {"schools.RegistryImport": [queued.pk]}
    assert RegistryImport.objects.get(pk=queued.pk).status == "queued"
    broker.up = True
    with django_capture_on_commit_callbacks(execute=True):
        jobs.jobs_sweep()
    assert RegistryImport.objects.get(pk=queued.pk).status == "done"
    assert RegistryImport.objects.get(pk=fresh.pk).status == "queued"  # left to its own message


def test_a_job_the_work_left_running_is_failed_rather_than_left_for_the_sweep(queued):
    assert jobs.job_run(RegistryImport, queued.pk, lambda claim: None) is True
    queued.refresh_from_db()
    assert (queued.status, queued.error) == ("failed", jobs.INTERNAL_ERROR)


def test_a_soft_time_limit_fails_the_job_with_a_russian_message_and_nothing_written(queued):
    from celery.exceptions import SoftTimeLimitExceeded

    import schools.tasks  # noqa: F401  # the task registered, with its queue's limits (run alone too)

    def work(claim):
        with transaction.atomic():
            School.objects.filter(code="nothing").delete()
            raise SoftTimeLimitExceeded()

    jobs.job_run(RegistryImport, queued.pk, work)
    queued.refresh_from_db()
    # Registry imports run on the imports queue: a soft limit of 45 minutes (config.settings).
    assert (queued.status, queued.error) == ("failed", jobs.time_limit_message(45 * 60))


@pytest.mark.parametrize(("attempts", "word"), [(1, "попытки"), (2, "попыток"), (5, "попыток"), (21, "попытки")])
def test_the_attempts_message_is_russian(attempts, word):
    assert f"после {attempts} {word}:" in jobs.attempts_message(attempts)


def test_every_queue_has_soft_and_hard_time_limits_and_the_worker_a_memory_limit(settings, db):
    # db: Celery's Django fixup runs Django's system checks (they open a connection) when
    # import_default_modules runs first in the process, e.g. with -k.
    from config.celery import app, queue_of

    app.loader.import_default_modules()
    for name in ("schools.tasks.import_registry", "reports.tasks.render_report", "core.tasks.sweep_jobs"):
        task = app.tasks[name]
        soft, hard = settings.CELERY_QUEUE_TIME_LIMITS[queue_of(name)]
        assert (task.soft_time_limit, task.time_limit) == (soft, hard)
        assert 0 < soft < hard
    assert queue_of("schools.tasks.import_registry") == "imports"
    assert queue_of("reports.tasks.render_report") == "reports"
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD > 0


def test_every_job_kind_names_a_registered_task(db):
    from config.celery import app

    app.loader.import_default_modules()
    kinds = jobs.job_models()
    assert RegistryImport in kinds
    for model in kinds:
        assert model.TASK_NAME in app.tasks, model


def test_a_redelivered_import_message_runs_no_second_recompute(department, school, django_capture_on_commit_callbacks):
    """Before the job layer the task ran the import's follow-up after every delivery: recomputes 1 → 2."""
    from identification.models import IndicatorRecompute
    from monitoring.imports import results_import_create
    from monitoring.models import ImportJob, Subject
    from monitoring.tasks import import_results
    from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row

    Subject.objects.get_or_create(code="01", defaults={"name": "Русский язык", "fis_oko_abbr": "РУ"})
    content = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]}))
    with django_capture_on_commit_callbacks(execute=False):
        job = results_import_create(user=department, uploaded_file=io.BytesIO(content), original_name="f1.xlsx")

    for _delivery in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            import_results(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_created) == (ImportJob.Status.DONE, 1, 2)
    assert IndicatorRecompute.objects.filter(import_job=job).count() == 1
    assert IndicatorRecompute.objects.get(import_job=job).status == "done"
