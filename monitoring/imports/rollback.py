"""Undo a finished import exactly: its rows deleted, the rows it replaced current again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.audit import audit_record
from monitoring.imports.follow_ups import import_follow_ups_run
from monitoring.imports.permissions import ROLLBACK_ALREADY, ROLLBACK_NOT_DONE, ROLLBACK_REPLACED, ImportRefused
from monitoring.models import AreaMarkStat, ContextData, ImportJob, ParticipantResult, SchoolAggregate


def import_job_rollback(*, job: ImportJob, user: User | None) -> ImportJob:
    """Undo a finished job: delete the rows it wrote and make the rows it replaced current again.

    Refused while a later job has replaced some of this job's rows: roll that one back
    first, so the state restored is always the one right before this job (DESIGN.md §6,
    «an import batch can be rolled back by the department»).
    """
    with transaction.atomic():
        if job.status != ImportJob.Status.DONE:
            raise ImportRefused(ROLLBACK_NOT_DONE)
        later = (
            set(
                ParticipantResult.objects.filter(import_job=job, replaced_by__isnull=False)
                .values_list("replaced_by_id", flat=True)
                .distinct()[:10]
            )
            | set(
                ContextData.objects.filter(import_job=job, replaced_by__isnull=False)
                .values_list("replaced_by_id", flat=True)
                .distinct()[:10]
            )
            | set(
                SchoolAggregate.objects.filter(import_job=job, replaced_by__isnull=False)
                .values_list("replaced_by_id", flat=True)
                .distinct()[:10]
            )
        )
        if later:
            numbers = ", ".join(f"№{pk}" for pk in sorted(later))
            raise ImportRefused(ROLLBACK_REPLACED.format(numbers=numbers), extra={"later_jobs": sorted(later)})
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DONE).update(
            status=ImportJob.Status.ROLLED_BACK, rolled_back_by=user, rolled_back_at=timezone.now()
        )
        if not claimed:
            raise ImportRefused(ROLLBACK_ALREADY)
        ParticipantResult.objects.filter(import_job=job).delete()
        ParticipantResult.objects.filter(replaced_by=job).update(replaced_by=None)
        ContextData.objects.filter(import_job=job).delete()
        ContextData.objects.filter(replaced_by=job).update(replaced_by=None)
        SchoolAggregate.objects.filter(import_job=job).delete()
        SchoolAggregate.objects.filter(replaced_by=job).update(replaced_by=None)
        AreaMarkStat.objects.filter(import_job=job).delete()
        AreaMarkStat.objects.filter(replaced_by=job).update(replaced_by=None)
        audit_record(actor=user, action="results_import.rolled_back", target=job, municipality_id=job.municipality_id)
        job.refresh_from_db()
        import_follow_ups_run(job)
    job.refresh_from_db()
    return job
