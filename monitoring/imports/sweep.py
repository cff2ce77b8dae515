"""Jobs a dead worker or a lost message left behind: queued again, or failed after the attempts."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from core.queue import RESEND_QUEUED_AFTER, enqueue_on_commit, requeue_stale
from core.tabular import RowError
from monitoring.imports.retention import results_upload_discard
from monitoring.models import ImportJob


def results_imports_requeue_stale() -> list[int]:
    """Queue again the jobs a dead worker left running; fail them after ImportJob.MAX_ATTEMPTS.

    The write is one transaction, so a job whose worker died has written nothing and a rerun
    is safe. Celery redelivers a lost task at once, while the job is not yet stale and the
    claim refuses it; this periodic sweep (CELERY_BEAT_SCHEDULE) is what finally runs it.
    Idempotent: each stale job is moved by a conditional update that only one sweep wins.

    Jobs still «queued» after core.queue.RESEND_QUEUED_AFTER are sent to the broker again:
    their message was lost (the broker was down at upload, see core.queue). A job whose
    message was only slow gets a second one, which the claim turns into a no-op.
    """
    from monitoring.tasks import import_results

    now = timezone.now()
    # Dead workers are handled below (a job is failed after MAX_ATTEMPTS), so only lost messages here.
    resent = requeue_stale(
        jobs=ImportJob.objects.all(),
        task=import_results,
        lost=Q(status=ImportJob.Status.QUEUED, created_at__lt=now - RESEND_QUEUED_AFTER),
    )
    cutoff = now - ImportJob.STALE_AFTER
    stale = Q(status__in=ImportJob.RUNNING_STATUSES, started_at__lt=cutoff)
    handled: list[int] = []
    for job_id, requeued in ImportJob.objects.filter(stale).values_list("pk", "requeued"):
        mine = ImportJob.objects.filter(stale, pk=job_id, requeued=requeued)
        if requeued + 1 >= ImportJob.MAX_ATTEMPTS:
            message = (
                f"Обработка файла прерывалась {requeued + 1} раз (сбой обработчика); ничего не записано. "
                "Загрузите файл снова или сообщите администратору."
            )
            won = mine.update(
                status=ImportJob.Status.FAILED,
                finished_at=timezone.now(),
                requeued=requeued + 1,
                errors=[RowError("", 0, "", message).as_dict()],
                error_count=1,
            )
            if won:
                results_upload_discard(job_id=job_id)
        else:
            won = mine.update(status=ImportJob.Status.QUEUED, requeued=requeued + 1, processed_rows=0)
            if won:
                enqueue_on_commit(import_results, job_id)
        if won:
            handled.append(job_id)
    return resent + handled
