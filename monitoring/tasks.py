"""Celery tasks of the results import: thin, take ids, safe to run twice (core.jobs claims the row)."""

from celery import shared_task

from monitoring import imports


@shared_task(name="monitoring.tasks.import_results")
def import_results(job_id: int) -> None:
    # Routed to the «imports» queue by CELERY_TASK_ROUTES («*.import_*»). The follow-ups (the
    # recompute) are written by the import itself, with its rows, and only when its claim won.
    imports.results_import_run(job_id=job_id)


@shared_task(name="monitoring.tasks.purge_result_uploads")
def purge_result_uploads() -> int:
    return imports.results_uploads_purge()
