"""Stage: write every row of a valid file in the caller's transaction, all or nothing.

A slice (year, procedure, subject, grade, school) whose current rows equal the file's is
left alone, so importing the same data again changes nothing. Results go through COPY on
PostgreSQL (monitoring.imports.write_copy) and batched INSERTs elsewhere; context and
aggregate rows are few and go through the ORM.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection

from monitoring.formats.parsing import AggregateRow, ContextRow, ResultBlock, ResultRow
from monitoring.imports.finish import LoadOutcome
from monitoring.imports.sql import INSERT_VALUES_SQL
from monitoring.imports.validate import CHUNK
from monitoring.imports.write_copy import write_results_copy
from monitoring.models import CURRENT, ContextData, ImportJob, ParticipantResult, SchoolAggregate, Subject
from schools.models import AcademicYear, School

# Rows per INSERT on SQLite; PostgreSQL takes the COPY path (see write_copy).
BATCH_SIZE = 2000


def academic_years(starts: Iterable[int]) -> dict[int, AcademicYear]:
    # A year the registry has not opened yet is added (not current): results come first.
    return {start: AcademicYear.objects.get_or_create(start_year=start)[0] for start in starts}


def write_results(
    job: ImportJob,
    rows: list[ResultRow],
    schools: dict[str, School],
    years: dict[int, AcademicYear],
    outcome: LoadOutcome,
    blocks: Sequence[ResultBlock] = (),
) -> None:
    """Replace the slices (year, procedure, subject, grade, school) the file brings.

    A slice whose current rows equal the file's is left alone, so importing the same data
    again changes nothing. Must run inside the import's transaction. PostgreSQL takes the
    set-based path (COPY into a staging table, compare and merge in SQL); other databases
    compare in Python and insert in batches.
    """
    if connection.vendor == "postgresql":
        write_results_copy(job, rows, schools, years, outcome, blocks)
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
        for start in range(0, len(school_ids), CHUNK):
            for school_id, *values in base.filter(school_id__in=school_ids[start : start + CHUNK]).values_list(
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
        for start in range(0, len(changed), CHUNK):
            outcome.rows_replaced += base.filter(school_id__in=changed[start : start + CHUNK]).update(replaced_by=job)
    outcome.slices_written = len(to_write)
    insert_values = (
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
    outcome.rows_created = _insert_results(insert_values)


def _insert_results(values: Iterable[tuple]) -> int:
    """Insert result rows in batches (SQLite); returns how many.

    Plain ``executemany`` of value tuples, in the order of ``INSERT_VALUES_SQL``: building a
    model instance per row (``bulk_create``) took most of the demo seed's time.
    """
    count = 0
    with connection.cursor() as cursor:
        for batch in itertools.batched(values, BATCH_SIZE):
            cursor.executemany(INSERT_VALUES_SQL, batch)
            count += len(batch)
    return count


def write_context(
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
        for start in range(0, len(ids), CHUNK):
            for school_id, *values in base.filter(school_id__in=ids[start : start + CHUNK]).values_list(
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
        for start in range(0, len(changed), CHUNK):
            outcome.rows_replaced += base.filter(school_id__in=changed[start : start + CHUNK]).update(replaced_by=job)
    ContextData.objects.bulk_create(new_objects, batch_size=BATCH_SIZE)
    outcome.rows_created = len(new_objects)
    outcome.slices_written = len(new_objects)


def write_aggregates(
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
        for start in range(0, len(ids), CHUNK):
            for values in base.filter(school_id__in=ids[start : start + CHUNK]).values("pk", "school_id", *fields):
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
        for start in range(0, len(replaced), CHUNK):
            outcome.rows_replaced += SchoolAggregate.objects.filter(pk__in=replaced[start : start + CHUNK]).update(
                replaced_by=job
            )
    SchoolAggregate.objects.bulk_create(new_objects, batch_size=BATCH_SIZE)
    outcome.rows_created = len(new_objects)
    outcome.slices_written = len(new_objects)
