"""Results import: store the upload, then parse, validate every row and write once.

Stages (STYLE.md, after pretix's modelimport): ``results_import_create`` stores the file
and queues the Celery task on commit; ``results_import_run`` claims the job by a
conditional update (safe to run twice), reads the file, detects the layout from the
header, parses, validates everything against the database, and only then writes in one
transaction. A worker killed inside that transaction leaves nothing behind: the database
rolls it back and the job can be claimed again once it is stale.

Replacement and rollback are described in monitoring.models: rows are never overwritten,
the replaced ones are marked with the replacing job, so a rollback restores them exactly.
"""

from __future__ import annotations

import gc
import hashlib
import io
import itertools
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from typing import IO

import numpy as np
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from core.audit import audit_record
from core.queue import RESEND_QUEUED_AFTER, enqueue_on_commit, requeue_stale
from core.tabular import RowError, Sheet, TabularFileError, normalise_header, read_tables, read_upload
from core.testing_hooks import pause_before_commit
from monitoring.aggregates_format import parse_aggregates
from monitoring.context_format import parse_context
from monitoring.ege_report_format import parse_ege_report
from monitoring.models import CURRENT, ContextData, ImportJob, ParticipantResult, SchoolAggregate, Subject
from monitoring.parsing import (
    AggregateRow,
    ContextRow,
    ParsedFile,
    ResultBlock,
    ResultRow,
    detect_layout,
    map_distinct,
)
from monitoring.rcoi_format import parse_rcoi
from monitoring.results_csv_format import parse_results_csv
from monitoring.vpr_format import parse_vpr_f1
from monitoring.vpr_reports_format import parse_vpr_f3, parse_vpr_journal
from schools.models import AcademicYear, School

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1000
# Rows per INSERT on SQLite; PostgreSQL takes the COPY path (see _write_results_copy).
BATCH_SIZE = 2000
# Rows per COPY statement: bounds the text buffer (about 15 MB) whatever the file size.
COPY_CHUNK = 100_000
_CHUNK = 500  # ids per IN (...) clause


class ImportRefused(Exception):
    """An action on an import that the rules forbid; the message is for the user, in Russian."""


# --- Who may upload ------------------------------------------------------------------


def can_upload_results(user: User) -> bool:
    """Department staff for their municipality, a director for their own school (DESIGN.md §3)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.role == Role.DEPARTMENT:
        return user.municipality_id is not None
    return user.role == Role.DIRECTOR and user.school_id is not None


def can_roll_back_results(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == Role.DEPARTMENT and user.municipality_id is not None)


# --- Stage 1: store and queue ------------------------------------------------------------


def results_import_create(
    *, user: User | None, uploaded_file: IO[bytes], original_name: str, queue: bool = True
) -> ImportJob:
    """Store the upload under a name of our own and queue its processing after commit.

    ``queue=False`` leaves the job for the caller to run (``manage.py import_results``).

    The job's scope is taken from the user: a department's job may touch only its
    municipality's schools, a director's job only their own school; a job without a user
    (``manage.py import_results`` with no ``--user``) is an operator's and may touch any.
    """
    from monitoring.tasks import import_results

    data, kind = read_upload(uploaded_file, original_name)
    job = ImportJob(original_name=original_name[:255], file_kind=kind, sha256=hashlib.sha256(data).hexdigest())
    if user is not None:
        if not user.is_superuser and not can_upload_results(user):
            raise ImportRefused("Загружать результаты могут управление образования и руководитель школы.")
        job.uploaded_by = user
        if not user.is_superuser:
            if user.role == Role.DIRECTOR:
                job.school = user.school
                job.municipality_id = user.school.municipality_id
            else:
                job.municipality_id = user.municipality_id
    job.file.save(f"upload.{kind}", ContentFile(data), save=False)
    job.save()
    if queue:
        enqueue_on_commit(import_results, job.pk)
    return job


# --- Stage 2: the worker -------------------------------------------------------------------


def _claim(job_id: int) -> bool:
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


def _set(job_id: int, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


def results_import_run(*, job_id: int) -> ImportJob | None:
    """The body of the Celery task: read, validate, write all or nothing; record the outcome."""
    if not _claim(job_id):
        logger.info("results import %s already taken or finished", job_id)
        return None
    job = ImportJob.objects.select_related("school", "municipality").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        _set(job_id, processed_rows=done, total_rows=total)

    try:
        with job.file.open("rb") as handle:
            sheets = read_tables(handle, f"upload.{job.file_kind}", lazy=True)
        outcome = results_load(job=job, sheets=sheets, progress=progress)
    except TabularFileError as exc:
        outcome = LoadOutcome(errors=[RowError("", 0, "", str(exc))])
    except Exception:
        logger.exception("results import %s crashed", job_id)
        message = "Внутренняя ошибка при обработке файла; ничего не записано. Сообщите администратору."
        outcome = LoadOutcome(errors=[RowError("", 0, "", message)])
    _finish(job_id, outcome)
    job.refresh_from_db()
    return job


def results_import_sheets(*, sheets: list[Sheet], original_name: str) -> ImportJob:
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
    _finish(job.pk, results_load(job=job, sheets=sheets))
    job.refresh_from_db()
    return job


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


def _finish(job_id: int, outcome: LoadOutcome) -> None:
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
    if errors:
        _set(
            job_id,
            status=ImportJob.Status.FAILED,
            errors=[error.as_dict() for error in errors[:MAX_STORED_ERRORS]],
            error_count=len(errors),
            **fields,
        )
    else:
        _set(
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


def results_load(*, job: ImportJob, sheets: list[Sheet], progress=None) -> LoadOutcome:
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


def _results_load(*, job: ImportJob, sheets: list[Sheet], progress=None) -> LoadOutcome:
    layout = detect_layout(sheets)
    if layout is None:
        return LoadOutcome(
            errors=[
                RowError(
                    sheets[0].name if sheets else "",
                    0,
                    "",
                    "Не удалось определить формат файла по заголовку: ожидается отчёт ВПР («Ф1 Индивидуальные "
                    "результаты», «Ф3 Статистика по отметкам», «Сравнение отметок с отметками по журналу»), "
                    "протокол ОГЭ/ЕГЭ РЦОИ, отчёт ЕГЭ по школам или один из шаблонов (см. описание форматов "
                    "на странице загрузки).",
                )
            ]
        )
    _set(job.pk, layout=layout)
    parsed = _parse(layout, sheets, progress)
    _set(job.pk, status=ImportJob.Status.VALIDATING, processed_rows=parsed.total_rows, total_rows=parsed.total_rows)
    errors = list(parsed.errors)
    rows: list[ResultRow | ContextRow | AggregateRow] = parsed.results or parsed.context or parsed.aggregates
    blocks = parsed.blocks
    if not rows and not blocks and not errors:
        errors.append(RowError(sheets[0].name if sheets else "", 0, "", "В файле нет ни одной строки с данными."))
    schools, unknown = _resolve_schools(job, rows, errors, blocks)
    if not parsed.aggregates:  # the aggregate parsers report their duplicates themselves
        _check_duplicates(rows, errors, blocks)
    outcome = LoadOutcome(layout=layout, total_rows=parsed.total_rows, unknown_school_codes=unknown)
    outcome.schools_count = len({row.school_code for row in rows}.union(*(block.school_codes for block in blocks)))
    if errors:
        errors.sort(key=lambda e: (e.sheet, e.row))
        outcome.errors = errors
        return outcome
    _set(job.pk, status=ImportJob.Status.WRITING)
    years = _years({row.year_start for row in rows} | {block.year_start for block in blocks})
    started = time.monotonic()
    with transaction.atomic():
        if parsed.results or blocks:
            _write_results(job, parsed.results, schools, years, outcome, blocks)
        elif parsed.aggregates:
            _write_aggregates(job, parsed.aggregates, schools, years, outcome)
        else:
            _write_context(job, parsed.context, schools, years, outcome)
        pause_before_commit(f"results import {job.pk}")
    logger.info("results import %s wrote %s rows in %.1fs", job.pk, outcome.rows_created, time.monotonic() - started)
    return outcome


def _parse(layout: str, sheets: list[Sheet], progress) -> ParsedFile:
    if layout == ImportJob.Layout.VPR_F1:
        subjects = {normalise_header(name): code for code, name in Subject.objects.values_list("code", "name")}
        return parse_vpr_f1(sheets, subjects_by_name=subjects, progress=progress)
    if layout == ImportJob.Layout.RESULTS_CSV:
        subjects = {normalise_header(name): code for code, name in Subject.objects.values_list("code", "name")}
        subjects |= {normalise_header(code): code for code in subjects.values()}
        return parse_results_csv(sheets, subjects=subjects, progress=progress)
    if layout == ImportJob.Layout.RCOI_PROTOCOL:
        codes = set(Subject.objects.values_list("code", flat=True))
        return parse_rcoi(sheets, subject_codes=codes, progress=progress)
    if layout in _AGGREGATE_PARSERS:
        subjects = {normalise_header(name): code for code, name in Subject.objects.values_list("code", "name")}
        return _AGGREGATE_PARSERS[layout](sheets, subjects_by_name=subjects, progress=progress)
    return parse_context(sheets, progress=progress)


_AGGREGATE_PARSERS = {
    ImportJob.Layout.VPR_F3: parse_vpr_f3,
    ImportJob.Layout.VPR_JOURNAL: parse_vpr_journal,
    ImportJob.Layout.EGE_REPORT: parse_ege_report,
    ImportJob.Layout.AGGREGATES: parse_aggregates,
}


def _resolve_schools(
    job: ImportJob,
    rows: list[ResultRow] | list[ContextRow],
    errors: list[RowError],
    blocks: list[ResultBlock] = (),
) -> tuple[dict[str, School], list[str]]:
    """School of every row, within the job's scope; unknown codes are reported once per sheet."""
    # (sheet, code) → [first row number, column title, rows]
    first_rows: dict[tuple[str, str], list] = {}
    for row in rows:
        key = (row.sheet, row.school_code)
        if key not in first_rows:
            first_rows[key] = [row.row, row.school_column, 0]
        first_rows[key][2] += 1
    for block in blocks:
        # The first row of each school: a dict built from the end keeps the earliest.
        firsts = dict(zip(reversed(block.school_codes), reversed(block.rows), strict=True))
        for code, count in Counter(block.school_codes).items():
            entry = first_rows.setdefault((block.sheet, code), [firsts[code], block.school_column, 0])
            entry[0] = min(entry[0], firsts[code])
            entry[2] += count
    codes = sorted({code for _sheet, code in first_rows})
    found: dict[str, School] = {}
    for start in range(0, len(codes), _CHUNK):
        for school in School.objects.filter(code__in=codes[start : start + _CHUNK]).only(
            "pk", "code", "municipality_id"
        ):
            found[school.code] = school
    for (sheet, code), (first_row, column, count) in first_rows.items():
        school = found.get(code)
        where = f"строк: {count}, первая — {first_row}"
        if school is None:
            message = (
                f"Школа с кодом {code} не найдена в реестре ({where}). Добавьте её в реестр и загрузите файл снова."
            )
        elif job.school_id is not None and school.pk != job.school_id:
            message = f"Строки школы {code} ({where}): руководитель может загружать данные только своей школы."
        elif job.municipality_id is not None and school.municipality_id != job.municipality_id:
            message = f"Школа {code} относится к другому муниципалитету ({where}): её данные загрузить нельзя."
        else:
            continue
        errors.append(RowError(sheet, first_row, column, message))
    unknown = [code for code in codes if code not in found]
    return found, unknown


def _check_duplicates(
    rows: list[ResultRow] | list[ContextRow], errors: list[RowError], blocks: list[ResultBlock] = ()
) -> None:
    """Every row whose key repeats an earlier row's is an error naming that earlier row.

    Vectorised for a region's file: the keys' hashes go into one numpy array and are sorted,
    so only rows with equal hashes are compared (a dict of a million key tuples would cost
    hundreds of megabytes). The rows of column-wise blocks are hashed from their columns
    and made into ResultRows only when some hashes repeat, to word the errors.
    """
    if blocks:
        hashes = [np.fromiter((hash((*row.slice_key(), row.participant_key)) for row in rows), np.int64, len(rows))]
        for block in blocks:
            year, procedure, subject, grade = block.slice_prefix()
            slice_repeated = (repeat(year), repeat(procedure), repeat(subject), repeat(grade))
            keys = zip(*slice_repeated, block.school_codes, block.participant_keys, strict=False)
            hashes.append(np.fromiter(map(hash, keys), np.int64, len(block)))
        every = np.concatenate(hashes)
        if len(np.unique(every)) == len(every):
            return
        rows = [*rows, *(row for block in blocks for row in block.result_rows())]
    if not rows:
        return
    if isinstance(rows[0], ResultRow):

        def key(row):
            return (*row.slice_key(), row.participant_key)

    else:

        def key(row):
            return (row.year_start, row.school_code)

    hashes = np.fromiter((hash(key(row)) for row in rows), dtype=np.int64, count=len(rows))
    order = np.argsort(hashes, kind="stable")  # stable: equal hashes keep the file's order
    ordered = hashes[order]
    repeats = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not len(repeats):
        return
    found: list[RowError] = []
    run_start = None
    firsts: dict[tuple, object] = {}
    for position in repeats.tolist():
        if run_start is None or position != run_start:
            firsts = {}  # a new run of equal hashes
        run_start = position + 1
        for index in (order[position], order[position + 1]):
            row = rows[int(index)]
            first = firsts.setdefault(key(row), row)
            if first is row:
                continue
            if isinstance(row, ResultRow):
                column, what = row.participant_column, "Участник повторяется"
            else:
                column = row.school_column
                what = f"Школа {row.school_code} за {row.year_start}/{row.year_start + 1} учебный год повторяется"
            place = f"строка {first.row}" + (f" листа «{first.sheet}»" if first.sheet != row.sheet else "")
            found.append(RowError(row.sheet, row.row, column, f"{what}: та же запись уже есть ({place})."))
    # A row in the middle of a run is looked at twice; report it once.
    unique = {(e.sheet, e.row, e.message): e for e in found}
    errors.extend(unique.values())


def _years(starts: Iterable[int]) -> dict[int, AcademicYear]:
    # A year the registry has not opened yet is added (not current): results come first.
    return {start: AcademicYear.objects.get_or_create(start_year=start)[0] for start in starts}


def _write_results(
    job: ImportJob,
    rows: list[ResultRow],
    schools: dict[str, School],
    years: dict[int, AcademicYear],
    outcome: LoadOutcome,
    blocks: list[ResultBlock] = (),
) -> None:
    """Replace the slices (year, procedure, subject, grade, school) the file brings.

    A slice whose current rows equal the file's is left alone, so importing the same data
    again changes nothing. Must run inside the import's transaction. PostgreSQL takes the
    set-based path (COPY into a staging table, compare and merge in SQL); other databases
    compare in Python and insert in batches.
    """
    if connection.vendor == "postgresql":
        _write_results_copy(job, rows, schools, years, outcome, blocks)
    else:
        rows = [*rows, *(row for block in blocks for row in block.result_rows())]
        _write_results_batched(job, rows, schools, years, outcome)


def _write_results_batched(
    job: ImportJob,
    rows: list[ResultRow],
    schools: dict[str, School],
    years: dict[int, AcademicYear],
    outcome: LoadOutcome,
) -> None:
    subject_ids = dict(Subject.objects.values_list("code", "pk"))
    incoming: dict[tuple, list[ResultRow]] = defaultdict(list)
    for row in rows:
        incoming[row.slice_key()].append(row)

    # Group slices by (year, procedure, subject, grade): one query per group and chunk of schools.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for year_start, procedure, subject_code, grade, school_code in incoming:
        groups[(year_start, procedure, subject_code, grade)].append(schools[school_code].pk)
    to_write: list[tuple] = []
    for (year_start, procedure, subject_code, grade), school_ids in groups.items():
        base = ParticipantResult.objects.filter(
            CURRENT,
            year=years[year_start],
            procedure=procedure,
            subject_id=subject_ids[subject_code],
            grade=grade,
        )
        current: dict[int, list[tuple]] = defaultdict(list)
        for start in range(0, len(school_ids), _CHUNK):
            for school_id, *values in base.filter(school_id__in=school_ids[start : start + _CHUNK]).values_list(
                "school_id",
                "participant_key",
                "class_name",
                "variant",
                "primary_score",
                "max_primary_score",
                "mark",
                "journal_mark",
                "test_score",
                "task_scores",
            ):
                current[school_id].append(tuple(values))
        changed: list[int] = []
        code_by_id = {schools[code].pk: code for code in schools}
        for school_id in school_ids:
            key = (year_start, procedure, subject_code, grade, code_by_id[school_id])
            new_values = sorted(row.values() for row in incoming[key])
            if sorted(current.get(school_id, [])) == new_values:
                outcome.slices_unchanged += 1
            else:
                changed.append(school_id)
                to_write.append(key)
        for start in range(0, len(changed), _CHUNK):
            outcome.rows_replaced += base.filter(school_id__in=changed[start : start + _CHUNK]).update(replaced_by=job)
    outcome.slices_written = len(to_write)
    values = (
        (
            years[row.year_start].pk,
            row.procedure,
            subject_ids[row.subject_code],
            row.grade,
            schools[row.school_code].pk,
            row.participant_key,
            row.class_name,
            row.variant,
            row.primary_score,
            row.max_primary_score,
            row.mark,
            row.journal_mark,
            row.test_score,
            row.task_scores,
            job.pk,
        )
        for key in to_write
        for row in incoming[key]
    )
    outcome.rows_created = _insert_results(values)


def _insert_results(values: Iterable[tuple]) -> int:
    """Insert result rows in batches (SQLite); returns how many.

    Plain ``executemany`` of value tuples, in the order of ``_INSERT_VALUES_SQL``: building a
    model instance per row (``bulk_create``) took most of the demo seed's time.
    """
    count = 0
    with connection.cursor() as cursor:
        for batch in itertools.batched(values, BATCH_SIZE):
            cursor.executemany(_INSERT_VALUES_SQL, batch)
            count += len(batch)
    return count


# The staging table of one import: the file's rows with ids resolved, nothing else.
# Temporary (private to the connection) and dropped at commit; dropped first too, because
# inside an outer transaction (tests, a seed) an earlier import's table may still exist.
_STAGE = "monitoring_result_stage"
_SLICE = ("year_id", "procedure", "subject_id", "grade", "school_id")
_VALUES = (
    "participant_key",
    "class_name",
    "variant",
    "primary_score",
    "max_primary_score",
    "mark",
    "journal_mark",
    "test_score",
    "task_scores",
)
_STAGE_DDL = f"""
    CREATE TEMPORARY TABLE {_STAGE} (
        year_id bigint NOT NULL, procedure varchar(3) NOT NULL, subject_id bigint NOT NULL,
        grade smallint NOT NULL, school_id bigint NOT NULL, participant_key varchar(32) NOT NULL,
        class_name varchar(10) NOT NULL, variant varchar(20) NOT NULL, primary_score integer NOT NULL,
        max_primary_score integer, mark integer, journal_mark integer, test_score integer,
        task_scores text NOT NULL
    ) ON COMMIT DROP
"""
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# The statements are built from the constant names above only; values go as parameters.
_RESULTS = "monitoring_participantresult"
_SLICE_COLS = ", ".join(_SLICE)
_VALUE_COLS = ", ".join(_VALUES)
_COPY_SQL = f"COPY {_STAGE} ({_SLICE_COLS}, {_VALUE_COLS}) FROM STDIN"
# The slices whose current rows differ from the file's: a participant only in the file,
# only in the table, or with other values. Participant keys are unique within a slice on
# both sides (the file was checked for duplicates; current rows have a unique constraint).
_CHANGED_SQL = f"""
    CREATE TEMPORARY TABLE {_STAGE}_changed ON COMMIT DROP AS
    WITH slices AS (SELECT DISTINCT {_SLICE_COLS} FROM {_STAGE}),
    current_rows AS (
        SELECT r.* FROM {_RESULTS} r JOIN slices USING ({_SLICE_COLS}) WHERE r.replaced_by_id IS NULL
    )
    SELECT DISTINCT {", ".join(f"COALESCE(s.{c}, c.{c}) AS {c}" for c in _SLICE)}
    FROM {_STAGE} s FULL JOIN current_rows c
      ON {" AND ".join(f"s.{c} = c.{c}" for c in (*_SLICE, "participant_key"))}
    WHERE s.participant_key IS NULL OR c.participant_key IS NULL
       OR ({", ".join(f"s.{c}" for c in _VALUES)}) IS DISTINCT FROM ({", ".join(f"c.{c}" for c in _VALUES)})
"""  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
_COPY_RESULTS_SQL = f"COPY {_RESULTS} ({_SLICE_COLS}, {_VALUE_COLS}, import_job_id) FROM STDIN"
# The schools with current rows in one (year, procedure, subject, grade): an index-only scan
# of the prefix of result_unique_current.
_EXISTING_SLICES_SQL = (
    f"SELECT DISTINCT school_id FROM {_RESULTS} "  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
    "WHERE year_id = %s AND procedure = %s AND subject_id = %s AND grade = %s AND replaced_by_id IS NULL"
)
_REPLACE_SQL = (
    f"UPDATE {_RESULTS} r SET replaced_by_id = %s FROM {_STAGE}_changed ch "  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
    f"WHERE r.replaced_by_id IS NULL AND {' AND '.join(f'r.{c} = ch.{c}' for c in _SLICE)}"
)
_INSERT_SQL = (
    f"INSERT INTO {_RESULTS} ({_SLICE_COLS}, {_VALUE_COLS}, import_job_id) "  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
    f"SELECT {', '.join(f's.{c}' for c in (*_SLICE, *_VALUES))}, %s "
    f"FROM {_STAGE} s JOIN {_STAGE}_changed ch USING ({_SLICE_COLS})"
)


_INSERT_VALUES_SQL = (
    f"INSERT INTO {_RESULTS} ({_SLICE_COLS}, {_VALUE_COLS}, import_job_id) "  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
    f"VALUES ({', '.join(['%s'] * (len(_SLICE) + len(_VALUES) + 1))})"
)


def _copy_text(value: str) -> str:
    # COPY's text format: backslash, tab and line breaks must be escaped; cells rarely hold them.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_int(value: int | None) -> str:
    return "\\N" if value is None else str(value)


def _copy_lines(rows: Iterable[ResultRow], ids: _CopyIds, suffix: str = "") -> str:
    years, subjects, schools = ids.years, ids.subjects, ids.schools
    return "".join(
        f"{years[row.year_start]}\t{row.procedure}\t{subjects[row.subject_code]}\t{row.grade}\t"
        f"{schools[row.school_code]}\t{row.participant_key}\t{_copy_text(row.class_name)}\t"
        f"{_copy_text(row.variant)}\t{row.primary_score}\t{_copy_int(row.max_primary_score)}\t"
        f"{_copy_int(row.mark)}\t{_copy_int(row.journal_mark)}\t{_copy_int(row.test_score)}\t"
        f"{_copy_text(row.task_scores)}{suffix}\n"
        for row in rows
    )


def _write_results_copy(
    job: ImportJob,
    rows: list[ResultRow],
    schools: dict[str, School],
    years: dict[int, AcademicYear],
    outcome: LoadOutcome,
    blocks: list[ResultBlock] = (),
) -> None:
    """PostgreSQL: COPY the rows of new slices straight in; compare and merge the others set-based.

    A slice with no current rows (a new year's file) is COPY'd into the results table as it
    is, streamed: the text of the next rows is made while the server stores the last. For
    the other slices the rows go into a staging table: a slice changed when some
    participant is only in the file, only in the database, or has other values; its current
    rows are marked ``replaced_by=job`` and the file's rows are inserted with one INSERT …
    SELECT. Unchanged slices are not touched. Everything runs in the caller's transaction: a
    worker killed here leaves nothing.
    """
    ids = _CopyIds(
        years={start: year.pk for start, year in years.items()},
        subjects=dict(Subject.objects.values_list("code", "pk")),
        schools={code: school.pk for code, school in schools.items()},
    )
    slices = {row.slice_key() for row in rows}
    for block in blocks:
        slices.update((*block.slice_prefix(), code) for code in set(block.school_codes))
    existing = _existing_slices(slices, ids)
    new_rows = [row for row in rows if row.slice_key() not in existing] if existing else rows
    old_rows = [row for row in rows if row.slice_key() in existing] if existing else []
    new_blocks: list[tuple[ResultBlock, list[int] | None]] = []
    for block in blocks:
        prefix = block.slice_prefix()
        old_codes = {code for code in set(block.school_codes) if (*prefix, code) in existing}
        if not old_codes:
            new_blocks.append((block, None))
            continue
        old_rows += block.result_rows(i for i, code in enumerate(block.school_codes) if code in old_codes)
        new_blocks.append((block, [i for i, code in enumerate(block.school_codes) if code not in old_codes]))
    suffix = f"\t{job.pk}"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: copy_expert is not in the DB-API
        chunks = itertools.chain(
            (_copy_lines(chunk, ids, suffix) for chunk in itertools.batched(new_rows, COPY_CHUNK)),
            (text for block, picked in new_blocks for text in _block_copy_text(block, picked, ids, job.pk)),
        )
        raw.copy_expert(_COPY_RESULTS_SQL, _ChunkReader(chunks), size=_COPY_READ_SIZE)
        outcome.rows_created = len(new_rows) + sum(len(b) if p is None else len(p) for b, p in new_blocks)
        outcome.slices_written = len(slices) - len(existing)
        if not old_rows:
            return
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}, {_STAGE}_changed")
        cursor.execute(_STAGE_DDL)
        chunks = (_copy_lines(chunk, ids) for chunk in itertools.batched(old_rows, COPY_CHUNK))
        raw.copy_expert(_COPY_SQL, _ChunkReader(chunks), size=_COPY_READ_SIZE)
        # Temporary tables get no autovacuum: without statistics the planner guesses badly.
        cursor.execute(f"ANALYZE {_STAGE}")
        cursor.execute(_CHANGED_SQL)
        changed = cursor.rowcount
        cursor.execute(_REPLACE_SQL, [job.pk])
        outcome.rows_replaced += cursor.rowcount
        cursor.execute(_INSERT_SQL, [job.pk])
        outcome.rows_created += cursor.rowcount
        cursor.execute(f"DROP TABLE {_STAGE}, {_STAGE}_changed")
    outcome.slices_written += changed
    outcome.slices_unchanged += len(existing) - changed


@dataclass
class _CopyIds:
    """Database ids of the codes a file names: year start → id, subject code → id, school code → id."""

    years: dict[int, int]
    subjects: dict[str, int]
    schools: dict[str, int]


_COPY_READ_SIZE = 1 << 20


class _ChunkReader(io.TextIOBase):
    """A file for ``copy_expert`` over an iterator of text chunks, made as the server asks for more."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = iter(chunks)
        self._pending = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._pending) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._pending += chunk
        if size < 0:
            size = len(self._pending)
        text, self._pending = self._pending[:size], self._pending[size:]
        return text


def _block_copy_text(block: ResultBlock, picked: list[int] | None, ids: _CopyIds, job_id: int) -> Iterator[str]:
    """COPY text of a block's rows (all, or the ``picked`` ones), made column by column in chunks."""

    def column(values: list) -> list:
        return values if picked is None else [values[i] for i in picked]

    schools, keys, classes, variants = (
        column(block.school_codes),
        column(block.participant_keys),
        column(block.class_names),
        column(block.variants),
    )
    primaries, marks, journals, scores = (
        column(block.primary_scores),
        column(block.marks),
        column(block.journal_marks),
        column(block.task_scores),
    )
    year, procedure, subject, grade = block.slice_prefix()
    lead = f"{ids.years[year]}\t{procedure}\t{ids.subjects[subject]}\t{grade}"
    for start in range(0, len(keys), COPY_CHUNK):
        part = slice(start, start + COPY_CHUNK)
        lines = zip(
            repeat(lead),
            map_distinct(schools[part], lambda code: str(ids.schools[code])),
            keys[part],
            map_distinct(classes[part], _copy_text),
            map_distinct(variants[part], _copy_text),
            map_distinct(primaries[part], str),
            repeat(_copy_int(block.max_primary_score)),
            map_distinct(marks[part], _copy_int),
            map_distinct(journals[part], _copy_int),
            repeat("\\N"),  # test_score: ВПР has none
            map(_copy_text, scores[part]),
            repeat(str(job_id)),
        )
        yield "\n".join(map("\t".join, lines)) + "\n"


def _existing_slices(slices: set[tuple], ids: _CopyIds) -> set[tuple]:
    """The file's slices that have current rows.

    One index-only query per (year, procedure, subject, grade) of the file, on the prefix of
    result_unique_current: instant for a new year's data, one pass over the index entries
    of those slices for a re-import.
    """
    schools_by_group: dict[tuple, set[str]] = defaultdict(set)
    for year, procedure, subject, grade, code in slices:
        schools_by_group[(year, procedure, subject, grade)].add(code)
    code_by_id = {pk: code for code, pk in ids.schools.items()}
    found: set[tuple] = set()
    with connection.cursor() as cursor:
        for (year, procedure, subject, grade), codes in schools_by_group.items():
            cursor.execute(_EXISTING_SLICES_SQL, [ids.years[year], procedure, ids.subjects[subject], grade])
            for (school_id,) in cursor.fetchall():
                code = code_by_id.get(school_id)
                if code in codes:
                    found.add((year, procedure, subject, grade, code))
    return found


def _write_context(
    job: ImportJob,
    rows: list[ContextRow],
    schools: dict[str, School],
    years: dict[int, AcademicYear],
    outcome: LoadOutcome,
) -> None:
    """Replace the context of each (school, year) the file brings; equal rows are left alone."""
    fields = ContextData.VALUE_FIELDS
    by_year: dict[int, list[ContextRow]] = defaultdict(list)
    for row in rows:
        by_year[row.year_start].append(row)
    new_objects: list[ContextData] = []
    for year_start, year_rows in by_year.items():
        ids = [schools[row.school_code].pk for row in year_rows]
        base = ContextData.objects.filter(CURRENT, year=years[year_start])
        current: dict[int, tuple] = {}
        for start in range(0, len(ids), _CHUNK):
            for school_id, *values in base.filter(school_id__in=ids[start : start + _CHUNK]).values_list(
                "school_id", *fields
            ):
                current[school_id] = tuple(values)
        changed: list[int] = []
        for row in year_rows:
            school_id = schools[row.school_code].pk
            if current.get(school_id) == tuple(row.values[name] for name in fields):
                outcome.slices_unchanged += 1
                continue
            changed.append(school_id)
            new_objects.append(ContextData(year=years[year_start], school_id=school_id, import_job=job, **row.values))
        for start in range(0, len(changed), _CHUNK):
            outcome.rows_replaced += base.filter(school_id__in=changed[start : start + _CHUNK]).update(replaced_by=job)
    ContextData.objects.bulk_create(new_objects, batch_size=BATCH_SIZE)
    outcome.rows_created = len(new_objects)
    outcome.slices_written = len(new_objects)


def _write_aggregates(
    job: ImportJob,
    rows: list[AggregateRow],
    schools: dict[str, School],
    years: dict[int, AcademicYear],
    outcome: LoadOutcome,
) -> None:
    """Replace the imported per-school figures of each slice the file brings.

    A report brings some of the fields (Ф3 the marks, the journal comparison lowered /
    confirmed / raised, an ЕГЭ report its five figures): the new row takes the rest from
    the current one, so two reports of one slice fill one row and rolling either back
    restores the row before it. A row whose fields equal the current ones is left alone.
    Must run inside the import's transaction.
    """
    fields = SchoolAggregate.VALUE_FIELDS
    subject_ids = dict(Subject.objects.values_list("code", "pk"))
    groups: dict[tuple, list[AggregateRow]] = defaultdict(list)
    for row in rows:
        groups[(row.year_start, row.procedure, row.subject_code, row.grade)].append(row)
    new_objects: list[SchoolAggregate] = []
    for (year_start, procedure, subject_code, grade), group_rows in groups.items():
        base = SchoolAggregate.objects.filter(
            CURRENT,
            source=SchoolAggregate.Source.IMPORTED,
            year=years[year_start],
            procedure=procedure,
            subject_id=subject_ids[subject_code],
            grade=grade,
        )
        ids = [schools[row.school_code].pk for row in group_rows]
        current: dict[int, dict] = {}
        for start in range(0, len(ids), _CHUNK):
            for values in base.filter(school_id__in=ids[start : start + _CHUNK]).values("pk", "school_id", *fields):
                current[values["school_id"]] = values
        replaced: list[int] = []
        for row in group_rows:
            school_id = schools[row.school_code].pk
            before = current.get(school_id)
            merged = {name: before[name] for name in fields} if before else dict.fromkeys(fields)
            merged.update(row.values)
            for name, value in row.defaults.items():
                if not merged.get(name):
                    merged[name] = value
            merged["participants"] = merged["participants"] or 0
            if before is not None and all(merged[name] == before[name] for name in fields):
                outcome.slices_unchanged += 1
                continue
            if before is not None:
                replaced.append(before["pk"])
            new_objects.append(
                SchoolAggregate(
                    year=years[year_start],
                    procedure=procedure,
                    subject_id=subject_ids[subject_code],
                    grade=grade,
                    school_id=school_id,
                    source=SchoolAggregate.Source.IMPORTED,
                    import_job=job,
                    **merged,
                )
            )
        for start in range(0, len(replaced), _CHUNK):
            outcome.rows_replaced += SchoolAggregate.objects.filter(pk__in=replaced[start : start + _CHUNK]).update(
                replaced_by=job
            )
    SchoolAggregate.objects.bulk_create(new_objects, batch_size=BATCH_SIZE)
    outcome.rows_created = len(new_objects)
    outcome.slices_written = len(new_objects)


# --- Stale jobs ----------------------------------------------------------------------------


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
        else:
            won = mine.update(status=ImportJob.Status.QUEUED, requeued=requeued + 1, processed_rows=0)
            if won:
                enqueue_on_commit(import_results, job_id)
        if won:
            handled.append(job_id)
    return resent + handled


# --- Rollback ------------------------------------------------------------------------------


def import_job_rollback(*, job: ImportJob, user: User | None) -> ImportJob:
    """Undo a finished job: delete the rows it wrote and make the rows it replaced current again.

    Refused while a later job has replaced some of this job's rows: roll that one back
    first, so the state restored is always the one right before this job (DESIGN.md §6,
    «an import batch can be rolled back by the department»).
    """
    with transaction.atomic():
        if job.status != ImportJob.Status.DONE:
            raise ImportRefused("Отменить можно только успешно завершённую загрузку.")
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
            raise ImportRefused(f"Данные этой загрузки уже заменены загрузкой {numbers}: сначала отмените её.")
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DONE).update(
            status=ImportJob.Status.ROLLED_BACK, rolled_back_by=user, rolled_back_at=timezone.now()
        )
        if not claimed:
            raise ImportRefused("Загрузка уже отменена.")
        ParticipantResult.objects.filter(import_job=job).delete()
        ParticipantResult.objects.filter(replaced_by=job).update(replaced_by=None)
        ContextData.objects.filter(import_job=job).delete()
        ContextData.objects.filter(replaced_by=job).update(replaced_by=None)
        SchoolAggregate.objects.filter(import_job=job).delete()
        SchoolAggregate.objects.filter(replaced_by=job).update(replaced_by=None)
        audit_record(actor=user, action="results_import.rolled_back", target=job, municipality_id=job.municipality_id)
        from monitoring.tasks import after_import_finished

        after_import_finished(job.pk)
    job.refresh_from_db()
    return job
