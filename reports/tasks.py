"""Celery tasks of reports: thin, take ids, safe to run twice (the services claim the work).

Named ``render_*`` so ``CELERY_TASK_ROUTES`` sends them to the ``reports`` queue.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready

from reports import services

logger = logging.getLogger(__name__)


@worker_ready.connect
def _warm_up_pdf(**kwargs) -> None:
    """Load WeasyPrint and the fonts before the first report (forked children inherit them)."""
    from core.pdf import warm_up

    try:
        logger.info("PDF renderer warmed up in %.1f s", warm_up())
    except Exception:  # a broken renderer must not stop the worker from taking other queues
        logger.exception("PDF renderer warm-up failed")


@shared_task(name="reports.tasks.render_report")
def render_report(request_id: int) -> bool:
    return services.report_render(request_id=request_id)


@shared_task(name="reports.tasks.render_snapshot")
def render_snapshot(snapshot_id: int) -> bool:
    return services.snapshot_render(snapshot_id=snapshot_id)


@shared_task(name="reports.tasks.requeue_stale_reports")
def requeue_stale_reports() -> int:
    return services.reports_requeue_stale()


@shared_task(name="reports.tasks.render_municipal_export")
def render_municipal_export(export_id: int) -> bool:
    return services.municipal_export_run(export_id=export_id)


@shared_task(name="reports.tasks.purge_municipal_exports")
def purge_municipal_exports() -> int:
    return services.municipal_exports_purge()
