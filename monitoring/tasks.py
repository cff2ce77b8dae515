"""Celery tasks of the results import: thin, take ids, safe to run twice."""

from celery import shared_task
from django.db import transaction

from monitoring import imports


@shared_task(name="monitoring.tasks.import_results")
def import_results(job_id: int) -> None:
    # Routed to the «imports» queue by CELERY_TASK_ROUTES («*.import_*»).
    imports.results_import_run(job_id=job_id)
    after_import_finished(job_id)


def after_import_finished(job_id: int) -> None:
    """Indicators follow the data: recompute the school-years a done or rolled-back job touched.

    The recompute's row is written here, on commit, rather than by a task sent to the broker:
    a message lost while the broker is down would lose the recompute with it (nothing records
    that it was due), while a row stays «queued» and the identification sweep sends it later.
    """
    from identification.services import indicators_after_import

    transaction.on_commit(lambda: indicators_after_import(job_id=job_id))


@shared_task(name="monitoring.tasks.requeue_stale_result_imports")
def requeue_stale_result_imports() -> list[int]:
    return imports.results_imports_requeue_stale()


@shared_task(name="monitoring.tasks.purge_result_uploads")
def purge_result_uploads() -> int:
    return imports.results_uploads_purge()
