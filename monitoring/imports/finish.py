"""The last stage: the job's outcome, its errors, the audit entry and the follow-ups.

A done job's figures, its audit entry and its follow-ups (monitoring.imports.follow_ups) are
written inside the transaction that writes its rows (core.jobs: status with the data), so a
worker killed before the commit leaves neither rows nor a «done» nor a recompute behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from core.audit import audit_record
from core.jobs.services import Claim, job_fail, job_finish, job_park
from core.tabular import RowError
from monitoring.imports.follow_ups import import_follow_ups_run
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
    skipped: list[RowError] | None = None
    warnings: list[RowError] | None = None
    # Names the matching step must settle before anything is written (monitoring.imports.names).
    pending_names: list[dict] = field(default_factory=list)


def outcome_record(job_id: int, outcome: LoadOutcome, claim: Claim | None = None, *, follow_ups: bool = True) -> None:
    """Record the outcome: errors (the first MAX_STORED_ERRORS of them) or the figures of a done job.

    With ``claim`` (a worker's run) every write is the job layer's conditional one; without it
    (the demo seed, which runs its own job in-process) a plain update. A done outcome must be
    recorded inside the transaction that wrote its rows.
    """
    errors = outcome.errors or []
    fields = {
        "total_rows": outcome.total_rows,
        "processed_rows": outcome.total_rows,
        "unknown_school_codes": outcome.unknown_school_codes or [],
        "schools_count": outcome.schools_count,
        "rows_skipped": len(outcome.skipped or []),
        "skipped": [error.as_dict() for error in (outcome.skipped or [])[:MAX_STORED_ERRORS]],
        "warnings": [error.as_dict() for error in (outcome.warnings or [])[:MAX_STORED_ERRORS]],
        "pending_names": outcome.pending_names,
    }
    if outcome.layout:
        fields["layout"] = outcome.layout
    if outcome.pending_names and not errors:
        # Parked at the matching step: nothing written, the upload kept until the job resumes.
        fields |= {"errors": [], "error_count": 0}
        if claim is not None:
            job_park(claim, ImportJob.Status.MATCHING, **fields)
        else:
            job_update(job_id, status=ImportJob.Status.MATCHING, **fields)
        return
    if claim is None:
        # Written or refused, the job is over: its upload goes (a worker's job: ImportJob.job_ended).
        results_upload_discard(job_id=job_id)
    if errors:
        fields |= {"errors": [error.as_dict() for error in errors[:MAX_STORED_ERRORS]], "error_count": len(errors)}
        if claim is not None:
            job_fail(claim, errors[0].message, **fields)
        else:
            job_update(job_id, status=ImportJob.Status.FAILED, finished_at=timezone.now(), **fields)
        return
    fields |= {
        "errors": [],
        "error_count": 0,
        "rows_created": outcome.rows_created,
        "rows_replaced": outcome.rows_replaced,
        "slices_written": outcome.slices_written,
        "slices_unchanged": outcome.slices_unchanged,
    }
    if claim is not None:
        job_finish(claim, **fields)
    else:
        job_update(job_id, status=ImportJob.Status.DONE, finished_at=timezone.now(), progress=100, **fields)
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    audit_record(
        actor=job.uploaded_by,
        action="results_import.done",
        target=job,
        municipality_id=job.municipality_id,
        details={"формат": job.get_layout_display(), "строк записано": outcome.rows_created},
    )
    if follow_ups:
        import_follow_ups_run(job)
