"""Celery tasks of reports: thin, take ids, safe to run twice (the services claim the work).

Named ``render_*`` so ``CELERY_TASK_ROUTES`` sends them to the ``reports`` queue.
"""

import logging

from celery import shared_task
from celery.signals import worker_process_init, worker_ready

from reports import services

logger = logging.getLogger(__name__)


def _warm_up_pdf() -> None:
    from core.pdf import warm_up

    try:
        logger.info("PDF renderer warmed up in %.1f s", warm_up())
    except Exception:  # a broken renderer must not stop the worker from taking other queues
        logger.exception("PDF renderer warm-up failed")


@worker_process_init.connect
def warm_up_pdf_in_child(**kwargs) -> None:
    """Load WeasyPrint and the fonts in each pool child before its first report.

    The prefork pool forks its children before ``worker_ready``: a warm-up in the parent then
    reached no child, and each child's first passport was cold (0.76 s against 0.29 s, issue #20).
    """
    _warm_up_pdf()


@worker_ready.connect
def warm_up_pdf_in_worker(sender=None, **kwargs) -> None:
    """Threads and solo pools run tasks in the worker process itself: warm it when it is ready
    (a prefork parent runs no task, its children warmed themselves)."""
    pool = getattr(sender, "pool", None)
    if pool is not None and type(pool).__module__ == "celery.concurrency.prefork":
        return
    _warm_up_pdf()


@shared_task(name="reports.tasks.render_report")
def render_report(request_id: int) -> bool:
    return services.report_render(request_id=request_id)


@shared_task(name="reports.tasks.render_snapshot")
def render_snapshot(snapshot_id: int) -> bool:
    return services.snapshot_render(snapshot_id=snapshot_id)


@shared_task(name="reports.tasks.render_municipal_export")
def render_municipal_export(export_id: int) -> bool:
    return services.municipal_export_run(export_id=export_id)


@shared_task(name="reports.tasks.purge_municipal_exports")
def purge_municipal_exports() -> int:
    return services.municipal_exports_purge()
