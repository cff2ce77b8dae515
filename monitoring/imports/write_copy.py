"""The write stage on PostgreSQL: COPY new slices straight in, compare and merge the others set-based."""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import cast

from django.db import connection

from monitoring.formats.parsing import ResultBlock, ResultRow, map_distinct
from monitoring.imports.finish import LoadOutcome
from monitoring.imports.sql import (
    CHANGED_SQL,
    COPY_RESULTS_SQL,
    COPY_SQL,
    EXISTING_SLICES_SQL,
    INSERT_SQL,
    REPLACE_SQL,
    STAGE,
    STAGE_DDL,
)
from monitoring.models import ImportJob, Subject
from schools.models import AcademicYear, School

# Rows per COPY statement: bounds the text buffer (about 15 MB) whatever the file size.
COPY_CHUNK = 100_000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


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


def write_results_copy(
    job: ImportJob,
    rows: list[ResultRow],
    schools: dict[str, School],
    years: dict[int, AcademicYear],
    outcome: LoadOutcome,
    blocks: Sequence[ResultBlock] = (),
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
        raw.copy_expert(COPY_RESULTS_SQL, _ChunkReader(chunks), size=_COPY_READ_SIZE)
        outcome.rows_created = len(new_rows) + sum(len(b) if p is None else len(p) for b, p in new_blocks)
        outcome.slices_written = len(slices) - len(existing)
        if not old_rows:
            return
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {STAGE}_changed")
        cursor.execute(STAGE_DDL)
        old_chunks = (_copy_lines(chunk, ids) for chunk in itertools.batched(old_rows, COPY_CHUNK))
        raw.copy_expert(COPY_SQL, _ChunkReader(old_chunks), size=_COPY_READ_SIZE)
        # Temporary tables get no autovacuum: without statistics the planner guesses badly.
        cursor.execute(f"ANALYZE {STAGE}")
        cursor.execute(CHANGED_SQL)
        changed = cursor.rowcount
        cursor.execute(REPLACE_SQL, [job.pk])
        outcome.rows_replaced += cursor.rowcount
        cursor.execute(INSERT_SQL, [job.pk])
        outcome.rows_created += cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGE}, {STAGE}_changed")
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

    def read(self, size: int | None = -1) -> str:
        if size is None:
            size = -1
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

    def distinct(values: list, convert: Callable) -> list:
        # Every cell of a parsed block is a str or an int: always hashable.
        return cast(list, map_distinct(values, convert))

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
            distinct(schools[part], lambda code: str(ids.schools[code])),
            keys[part],
            distinct(classes[part], _copy_text),
            distinct(variants[part], _copy_text),
            distinct(primaries[part], str),
            repeat(_copy_int(block.max_primary_score)),
            distinct(marks[part], _copy_int),
            distinct(journals[part], _copy_int),
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
            cursor.execute(EXISTING_SLICES_SQL, [ids.years[year], procedure, ids.subjects[subject], grade])
            for (school_id,) in cursor.fetchall():
                code = code_by_id.get(school_id)
                if code in codes:
                    found.add((year, procedure, subject, grade, code))
    return found
