"""The worker's side of the import: claim the job, then detect, parse, validate and write.

The rows, the job's «done», its audit entry and its follow-ups commit in one transaction
(core.jobs): a worker killed before the commit leaves nothing behind, and the sweep gives the
job to another worker once its heartbeat stopped.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import time
from collections.abc import Sequence
from contextlib import contextmanager
from typing import cast

from django.db import transaction
from django.utils import timezone

from core.jobs.services import Claim, job_lock, job_run
from core.tabular import AnySheet, RowError, TabularFileError, read_tables
from monitoring.formats.parsing import ContextRow, ParsedRow, ResultRow
from monitoring.imports.appeals import appeals_validate, appeals_write
from monitoring.imports.areas import areas_save
from monitoring.imports.detect import layout_detect
from monitoring.imports.finish import LoadOutcome, job_update, outcome_record
from monitoring.imports.names import names_resolve
from monitoring.imports.parse import parse_sheets
from monitoring.imports.retention import UPLOAD_GONE
from monitoring.imports.structures import structures_save
from monitoring.imports.validate import check_duplicates, resolve_schools
from monitoring.imports.write import academic_years, write_aggregates, write_context, write_results
from monitoring.models import ImportJob

logger = logging.getLogger(__name__)

IMPORT_CRASHED = ImportJob.CRASH_MESSAGE
NO_DATA_ROWS = "В файле нет ни одной строки с данными."


def results_import_run(*, job_id: int) -> ImportJob | None:
    """The body of the Celery task: read, validate, write all or nothing; record the outcome.

    ``None`` when the job was not this call's to run (a message delivered again, a job already
    taken or finished): then nothing at all happens — no work, no follow-up (core.jobs).
    """
    if not job_run(ImportJob, job_id, _import_work, processed_rows=0, errors=[], error_count=0):
        return None
    return ImportJob.objects.get(pk=job_id)


def _import_work(claim: Claim) -> None:
    job = ImportJob.objects.select_related("school", "municipality", "form_school", "form_subject").get(pk=claim.pk)

    def progress(done: int, total: int) -> None:
        claim.progress(100 * done // max(total, 1), processed_rows=done, total_rows=total)

    try:
        if not job.file.name or not job.file.storage.exists(job.file.name):
            raise TabularFileError(UPLOAD_GONE)
        with job.file.open("rb") as handle:
            sheets = read_tables(handle, f"upload.{job.file_kind}", lazy=True)
        outcome = results_load(job=job, sheets=sheets, progress=progress, claim=claim)
    except TabularFileError as exc:
        outcome = LoadOutcome(errors=[RowError("", 0, "", str(exc))])
    if outcome.errors or outcome.pending_names:
        outcome_record(job.pk, outcome, claim)


def results_import_sheets(*, sheets: Sequence[AnySheet], original_name: str, **form_choices) -> ImportJob:
    """Load sheets built in code (the demo seed) through the same pipeline as an upload.

    The job is an operator's (no user, any school), runs in this process and is recorded
    like any other: it shows in the history and can be rolled back. No file is stored.
    ``form_choices``: ``form_school``, ``form_subject``, ``form_grade`` of a school's ВПР form.
    """
    digest = hashlib.sha256()
    for sheet in sheets:
        for row in sheet.rows:
            digest.update("\x1f".join(row).encode())
            digest.update(b"\n")
    job = ImportJob.objects.create(
        original_name=original_name[:255],
        sha256=digest.hexdigest(),
        status=ImportJob.Status.PARSING,
        attempts=1,
        started_at=timezone.now(),
        **form_choices,
    )
    # The seed recomputes the indicators itself once every file is in (identification.demo).
    outcome = results_load(job=job, sheets=sheets, follow_ups=False)
    if outcome.errors or outcome.pending_names:
        outcome_record(job.pk, outcome)
    job.refresh_from_db()
    return job


def results_load(
    *, job: ImportJob, sheets: Sequence[AnySheet], progress=None, claim: Claim | None = None, follow_ups: bool = True
) -> LoadOutcome:
    """Detect, parse and validate; when every row is good, write them and record the job «done»
    in one transaction (``claim``: the worker's hold on the job, see core.jobs).

    With any error nothing is written and the outcome lists the errors (sheet, row, column,
    message in Russian), for the caller to record.
    """
    with _cycle_collector_paused():
        return _results_load(job=job, sheets=sheets, progress=progress, claim=claim, follow_ups=follow_ups)


@contextmanager
def _cycle_collector_paused():
    """Python's cycle collector off while a file is loaded.

    A region's file makes tens of millions of cells, strings and lists, none of them in a
    reference cycle; every few thousand allocations the collector would walk the growing
    heap again (seconds per million rows, and the larger part of the run-to-run spread).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()  # no collection forced: the load made no cycles to free


def _results_load(
    *, job: ImportJob, sheets: Sequence[AnySheet], progress=None, claim: Claim | None = None, follow_ups: bool = True
) -> LoadOutcome:
    def update(**fields) -> None:
        # The worker's writes are conditional on its claim (core.jobs): a job taken back stays so.
        claim.update(**fields) if claim is not None else job_update(job.pk, **fields)

    layout, errors = layout_detect(sheets)
    if layout is None:
        return LoadOutcome(errors=errors)
    update(layout=layout)
    parsed = parse_sheets(layout, sheets, progress, job)
    update(status=ImportJob.Status.VALIDATING, processed_rows=parsed.total_rows, total_rows=parsed.total_rows)
    pending = names_resolve(job, parsed)

    def new_outcome(**fields) -> LoadOutcome:
        return LoadOutcome(
            layout=layout, total_rows=parsed.total_rows, skipped=parsed.skipped, warnings=parsed.warnings, **fields
        )

    if pending and not parsed.errors:
        return new_outcome(pending_names=pending)
    errors = list(parsed.errors)
    rows: Sequence[ParsedRow] = parsed.results or parsed.context or parsed.aggregates
    blocks = parsed.blocks
    if parsed.appeals:
        rows = [*parsed.results, *parsed.appeals]
    if not rows and not blocks and not parsed.areas and not errors:
        errors.append(RowError(sheets[0].name if sheets else "", 0, "", NO_DATA_ROWS))
    if parsed.aggregates and errors:
        rows = [row for row in parsed.aggregates if row.school_code]  # a name not resolved has its error
    schools, unknown = resolve_schools(job, rows, errors, blocks)
    if not parsed.aggregates:  # the aggregate parsers report their duplicates themselves
        checked = parsed.results if parsed.appeals else rows
        check_duplicates(cast(Sequence[ResultRow] | Sequence[ContextRow], checked), errors, blocks)
    if parsed.appeals and not errors:
        check_duplicates(parsed.appeals, errors)
        appeals_validate(parsed.appeals, schools, errors)
    outcome = new_outcome(unknown_school_codes=unknown)
    outcome.schools_count = len({row.school_code for row in rows}.union(*(block.school_codes for block in blocks)))
    if errors:
        errors.sort(key=lambda e: (e.sheet, e.row))
        outcome.errors = errors
        return outcome
    update(status=ImportJob.Status.WRITING)
    years = academic_years({row.year_start for row in rows} | {block.year_start for block in blocks})
    started = time.monotonic()
    with transaction.atomic():
        # Two imports of the same years wait for each other here: the second compares its slices
        # with the first one's committed rows and reports them «без изменений» (no unique-index error).
        job_lock(*(f"monitoring.results:{start}" for start in years))
        if parsed.results or blocks or parsed.appeals:
            if parsed.results or blocks:
                write_results(job, parsed.results, schools, years, outcome, blocks)
            if parsed.appeals:
                appeals_write(job, parsed.appeals, schools, years, outcome)
            structures_save(job=job, specs=parsed.structures, years=years)
        elif parsed.aggregates:
            write_aggregates(job, parsed.aggregates, schools, years, outcome)
        elif parsed.context:
            write_context(job, parsed.context, schools, years, outcome)
        areas_save(job=job, rows=parsed.areas, years=years, outcome=outcome)
        outcome_record(job.pk, outcome, claim, follow_ups=follow_ups)
    logger.info("results import %s wrote %s rows in %.1fs", job.pk, outcome.rows_created, time.monotonic() - started)
    return outcome
