"""The last stage: the job's outcome, its errors and the audit entry."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from core.audit import audit_record
from core.tabular import RowError
from monitoring.imports.retention import results_upload_discard
from monitoring.models import ImportJob

MAX_STORED_ERRORS = 1000


def job_update(job_id: int, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


@dataclass
class LoadOutcome:
    layout: str = ""
    total_rows: int = 0
    errors: list[RowError] | None = None
    unknown_school_codes: list[str] | None = None
    rows_created: int = 0
    rows_replaced: int = 0
    slices_written: int = 0
    slices_unchanged: int = 0
    schools_count: int = 0


def job_finish(job_id: int, outcome: LoadOutcome) -> None:
    """Record the outcome: errors (the first MAX_STORED_ERRORS of them) or the figures of a done job."""
    errors = outcome.errors or []
    fields = {
        "finished_at": timezone.now(),
        "total_rows": outcome.total_rows,
        "processed_rows": outcome.total_rows,
        "unknown_school_codes": outcome.unknown_school_codes or [],
        "schools_count": outcome.schools_count,
    }
    if outcome.layout:
        fields["layout"] = outcome.layout
    # Written or refused, the job is over: its upload (names and passports in РЦОИ files) goes.
    results_upload_discard(job_id=job_id)
    if errors:
        job_update(
            job_id,
            status=ImportJob.Status.FAILED,
            errors=[error.as_dict() for error in errors[:MAX_STORED_ERRORS]],
            error_count=len(errors),
            **fields,
        )
    else:
        job_update(
            job_id,
            status=ImportJob.Status.DONE,
            errors=[],
            error_count=0,
            rows_created=outcome.rows_created,
            rows_replaced=outcome.rows_replaced,
            slices_written=outcome.slices_written,
            slices_unchanged=outcome.slices_unchanged,
            **fields,
        )
        job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
        audit_record(
            actor=job.uploaded_by,
            action="results_import.done",
            target=job,
            municipality_id=job.municipality_id,
            details={"формат": job.get_layout_display(), "строк записано": outcome.rows_created},
        )
