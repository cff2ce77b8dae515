"""Celery tasks of the results import: thin, take ids, safe to run twice."""

from celery import shared_task

from monitoring import services


@shared_task(name="monitoring.tasks.import_results")
def import_results(job_id: int) -> None:
    # Routed to the «imports» queue by CELERY_TASK_ROUTES («*.import_*»).
    services.results_import_run(job_id=job_id)


@shared_task(name="monitoring.tasks.requeue_stale_result_imports")
def requeue_stale_result_imports() -> list[int]:
    return services.results_imports_requeue_stale()
