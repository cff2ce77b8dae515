"""A worker killed mid-import leaves the job running with a stopped heartbeat; the beat sweep
(core.jobs) queues it again or, after the last attempt, fails it."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.jobs.services import attempts_message
from monitoring import imports
from monitoring.models import ImportJob, ParticipantResult
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row


def _stuck_job(user, school, django_capture_on_commit_callbacks, *, attempts=1, minutes=60, status="writing"):
    import io

    content = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]}))
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.results_import_create(user=user, uploaded_file=io.BytesIO(content), original_name="f1.xlsx")
    # The worker claimed it (attempt ``attempts``) and its heartbeat stopped ``minutes`` ago.
    silent_since = timezone.now() - timedelta(minutes=minutes)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, started_at=silent_since, heartbeat_at=silent_since, attempts=attempts
    )
    return job


def test_a_job_left_running_by_a_dead_worker_is_queued_again_and_completes(
    department, school, django_capture_on_commit_callbacks
):
    job = _stuck_job(department, school, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        handled = imports.results_imports_requeue_stale()

    job.refresh_from_db()
    assert handled == [job.pk]
    assert (job.status, job.requeued, job.rows_created) == (ImportJob.Status.DONE, 1, 2)
    assert ParticipantResult.objects.count() == 2


def test_the_sweep_is_idempotent_a_requeued_job_is_not_requeued_twice(
    department, school, django_capture_on_commit_callbacks
):
    job = _stuck_job(department, school, django_capture_on_commit_callbacks, status="parsing")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = imports.results_imports_requeue_stale()
        second = imports.results_imports_requeue_stale()

    assert (first, second, len(queued)) == ([job.pk], [], 1)
    job.refresh_from_db()
    assert (job.status, job.requeued) == (ImportJob.Status.QUEUED, 1)


def test_a_job_that_keeps_killing_its_worker_is_failed_after_the_last_attempt(
    department, school, django_capture_on_commit_callbacks, broker
):
    job = _stuck_job(
        department, school, django_capture_on_commit_callbacks, attempts=settings.JOBS_MAX_ATTEMPTS, status="validating"
    )
    assert job.file.name

    with django_capture_on_commit_callbacks(execute=True):
        handled = imports.results_imports_requeue_stale()

    job.refresh_from_db()
    # Not sent again; its upload (names, passports) deleted like any ended job's.
    assert (handled, broker.attempts) == ([job.pk], [])
    assert job.file.name == ""
    assert (job.status, job.error_count) == (ImportJob.Status.FAILED, 1)
    assert job.errors[0]["message"] == job.error
    assert job.error == attempts_message(3)
    assert ParticipantResult.objects.count() == 0


def test_a_recently_started_or_finished_job_is_left_to_its_worker(
    department, school, django_capture_on_commit_callbacks
):
    running = _stuck_job(department, school, django_capture_on_commit_callbacks, minutes=1)
    done = _stuck_job(department, school, django_capture_on_commit_callbacks, status="done")

    assert imports.results_imports_requeue_stale() == []
    assert ImportJob.objects.get(pk=running.pk).status == ImportJob.Status.WRITING
    assert ImportJob.objects.get(pk=done.pk).status == ImportJob.Status.DONE


def test_the_sweep_is_on_the_beat_schedule():
    from core.jobs.services import job_models

    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "core.tasks.sweep_jobs" in entries
    assert ImportJob in job_models()


def test_the_job_page_tells_that_the_job_was_requeued(client, department, school, django_capture_on_commit_callbacks):
    from django.urls import reverse

    job = _stuck_job(department, school, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        imports.results_imports_requeue_stale()
    client.force_login(department)

    page = client.get(reverse("monitoring:import_detail", args=[job.pk])).content.decode()

    assert 'data-status="done"' in page
    assert "ставился в очередь заново 1 раз." in page
