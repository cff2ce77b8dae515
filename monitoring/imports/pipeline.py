"""The worker's side of the import: claim the job, then detect, parse, validate and write.

A worker killed inside the write transaction leaves nothing behind: the database rolls it
back and the job can be claimed again once it is stale (monitoring.imports.sweep).
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
from django.db.models import Q
from django.utils import timezone

from core.tabular import AnySheet, RowError, TabularFileError, read_tables
from core.testing_hooks import pause_before_commit
from monitoring.formats.parsing import ContextRow, ParsedRow, ResultRow
from monitoring.imports.areas import areas_save
from monitoring.imports.detect import layout_detect
from monitoring.imports.finish import LoadOutcome, job_finish, job_update
from monitoring.imports.parse import parse_sheets
from monitoring.imports.retention import UPLOAD_GONE
from monitoring.imports.structures import structures_save
from monitoring.imports.validate import check_duplicates, resolve_schools
from monitoring.imports.write import academic_years, write_aggregates, write_context, write_results
from monitoring.models import ImportJob

logger = logging.getLogger(__name__)

IMPORT_CRASHED = "Внутренняя ошибка при обработке файла; ничего не записано. Сообщите администратору."
NO_DATA_ROWS = "В файле нет ни одной строки с данными."


def job_claim(job_id: int) -> bool:
    """Take the job for this worker (an optimistic lock); False if another has it or it is finished."""
    now = timezone.now()
    claimable = Q(status=ImportJob.Status.QUEUED) | Q(
        status__in=ImportJob.RUNNING_STATUSES, started_at__lt=now - ImportJob.STALE_AFTER
    )
    return bool(
        ImportJob.objects.filter(claimable, pk=job_id).update(
            status=ImportJob.Status.PARSING, started_at=now, processed_rows=0, errors=[], error_count=0
        )
    )


def results_import_run(*, job_id: int) -> ImportJob | None:
    """The body of the Celery task: read, validate, write all or nothing; record the outcome."""
    if not job_claim(job_id):
        logger.info("results import %s already taken or finished", job_id)
        return None
    job = ImportJob.objects.select_related("school", "municipality").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        job_update(job_id, processed_rows=done, total_rows=total)

    try:
        if not job.file.name or not job.file.storage.exists(job.file.name):
            raise TabularFileError(UPLOAD_GONE)
        with job.file.open("rb") as handle:
            sheets = read_tables(handle, f"upload.{job.file_kind}", lazy=True)
        outcome = results_load(job=job, sheets=sheets, progress=progress)
    except TabularFileError as exc:
        outcome = LoadOutcome(errors=[RowError("", 0, "", str(exc))])
    except Exception:
        logger.exception("results import %s crashed", job_id)
        outcome = LoadOutcome(errors=[RowError("", 0, "", IMPORT_CRASHED)])
    job_finish(job_id, outcome)
    job.refresh_from_db()
    return job


def results_import_sheets(*, sheets: Sequence[AnySheet], original_name: str) -> ImportJob:
    """Load sheets built in code (the demo seed) through the same pipeline as an upload.

    The job is an operator's (no user, any school), runs in this process and is recorded
    like any other: it shows in the history and can be rolled back. No file is stored.
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
        started_at=timezone.now(),
    )
    job_finish(job.pk, results_load(job=job, sheets=sheets))
    job.refresh_from_db()
    return job


def results_load(*, job: ImportJob, sheets: Sequence[AnySheet], progress=None) -> LoadOutcome:
    """Detect, parse and validate; when every row is good, write them in one transaction.

    Used by the Celery task and by ``manage.py import_results``. With any error nothing
    is written and the outcome lists the errors (sheet, row, column, message in Russian).
    """
    with _cycle_collector_paused():
        return _results_load(job=job, sheets=sheets, progress=progress)


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


def _results_load(*, job: ImportJob, sheets: Sequence[AnySheet], progress=None) -> LoadOutcome:
    layout, errors = layout_detect(sheets)
    if layout is None:
        return LoadOutcome(errors=errors)
    job_update(job.pk, layout=layout)
    parsed = parse_sheets(layout, sheets, progress)
    job_update(
        job.pk, status=ImportJob.Status.VALIDATING, processed_rows=parsed.total_rows, total_rows=parsed.total_rows
    )
    errors = list(parsed.errors)
    rows: Sequence[ParsedRow] = parsed.results or parsed.context or parsed.aggregates
    blocks = parsed.blocks
    if not rows and not blocks and not parsed.areas and not errors:
        errors.append(RowError(sheets[0].name if sheets else "", 0, "", NO_DATA_ROWS))
    schools, unknown = resolve_schools(job, rows, errors, blocks)
    if not parsed.aggregates:  # the aggregate parsers report their duplicates themselves
        check_duplicates(cast(Sequence[ResultRow] | Sequence[ContextRow], rows), errors, blocks)
    outcome = LoadOutcome(layout=layout, total_rows=parsed.total_rows, unknown_school_codes=unknown)
    outcome.schools_count = len({row.school_code for row in rows}.union(*(block.school_codes for block in blocks)))
    if errors:
        errors.sort(key=lambda e: (e.sheet, e.row))
        outcome.errors = errors
        return outcome
    job_update(job.pk, status=ImportJob.Status.WRITING)
    years = academic_years({row.year_start for row in rows} | {block.year_start for block in blocks})
    started = time.monotonic()
    with transaction.atomic():
        if parsed.results or blocks:
            write_results(job, parsed.results, schools, years, outcome, blocks)
            structures_save(job=job, specs=parsed.structures, years=years)
        elif parsed.aggregates:
            write_aggregates(job, parsed.aggregates, schools, years, outcome)
        elif parsed.context:
            write_context(job, parsed.context, schools, years, outcome)
        areas_save(job=job, rows=parsed.areas, years=years, outcome=outcome)
        pause_before_commit(f"results import {job.pk}")
    logger.info("results import %s wrote %s rows in %.1fs", job.pk, outcome.rows_created, time.monotonic() - started)
    return outcome
