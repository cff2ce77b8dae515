"""Celery tasks of reports: thin, take ids, safe to run twice (the services claim the work).

Named ``render_*`` so ``CELERY_TASK_ROUTES`` sends them to the ``reports`` queue.
"""

from celery import shared_task

from reports import services


@shared_task(name="reports.tasks.render_report")
def render_report(request_id: int) -> bool:
    return services.report_render(request_id=request_id)


@shared_task(name="reports.tasks.render_snapshot")
def render_snapshot(snapshot_id: int) -> bool:
    return services.snapshot_render(snapshot_id=snapshot_id)
