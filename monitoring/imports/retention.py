"""What is kept of an uploaded results file: nothing, once its job has ended.

РЦОИ protocols carry every participant's surname, name, patronymic and passport series and
number; the database keeps a participant only as a keyed hash (monitoring.formats.parsing).
The stored upload is needed only until the worker has read it, so it is deleted as soon as the
job ends — written or refused — and a periodic purge removes any upload older than
``settings.UPLOAD_RETENTION_DAYS`` whatever its job's state (a job whose messages were all lost).
Backups leave these folders out (monitoring.backup, read by core.backup). The job row keeps the
file's SHA-256, so a re-upload of the same file is still recognised.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitoring.models import ImportJob

logger = logging.getLogger(__name__)

UPLOAD_GONE = (
    "Загруженный файл уже удалён (истёк срок хранения загрузок или копия восстановлена без него); "
    "ничего не записано. Загрузите файл снова."
)


def results_upload_discard(*, job_id: int) -> None:
    """Delete the job's stored upload once the surrounding transaction commits (now, outside one).

    Idempotent: a second call finds no file. The file is removed after commit so a rolled-back
    outcome never leaves a job that still needs its file without it.
    """

    def discard() -> None:
        name = ImportJob.objects.filter(pk=job_id).values_list("file", flat=True).first()
        if not name:
            return
        storage = ImportJob._meta.get_field("file").storage
        try:
            storage.delete(name)
        except OSError:
            logger.exception("results import %s: the upload %s could not be deleted", job_id, name)
            return
        ImportJob.objects.filter(pk=job_id, file=name).update(file="")

    transaction.on_commit(discard)


def results_uploads_purge(*, now=None) -> int:
    """Delete every stored results upload older than the retention period; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.UPLOAD_RETENTION_DAYS)
    expired = list(ImportJob.objects.filter(created_at__lt=cutoff).exclude(file="").values_list("pk", flat=True))
    for job_id in expired:
        results_upload_discard(job_id=job_id)
    return len(expired)
