"""Stage: every parsed row against the database — its school, the job's scope, duplicates.

Nothing is written here; the errors name sheet, row and column as the user sees them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from typing import Any, cast

import numpy as np

from accounts.models import Role
from core.tabular import RowError
from monitoring.formats.parsing import ContextRow, ParsedRow, ResultBlock, ResultRow
from monitoring.models import ImportJob
from schools.models import Municipality, School

CHUNK = 500  # ids per IN (...) clause


def resolve_schools(
    job: ImportJob,
    rows: Sequence[ParsedRow],
    errors: list[RowError],
    blocks: Sequence[ResultBlock] = (),
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
    for start in range(0, len(codes), CHUNK):
        for school in School.objects.filter(code__in=codes[start : start + CHUNK]).only(
            "pk", "code", "municipality_id"
        ):
            found[school.code] = school
    # The region role's job covers its region's schools.
    user = job.uploaded_by if job.uploaded_by_id is not None else None
    region_id = None
    region_of: dict[int, int] = {}
    if job.municipality_id is None and user is not None and not user.is_superuser and user.role == Role.REGION:
        region_id = user.region_id
        region_of = dict(
            Municipality.objects.filter(pk__in={s.municipality_id for s in found.values()}).values_list(
                "pk", "region_id"
            )
        )
    for (sheet, code), (first_row, column, count) in first_rows.items():
        found_school = found.get(code)
        where = f"строк: {count}, первая — {first_row}"
        if found_school is None:
            message = (
                f"Школа с кодом {code} не найдена в реестре ({where}). Добавьте её в реестр и загрузите файл снова."
            )
        elif job.school_id is not None and found_school.pk != job.school_id:
            message = f"Строки школы {code} ({where}): руководитель может загружать данные только своей школы."
        elif job.municipality_id is not None and found_school.municipality_id != job.municipality_id:
            message = f"Школа {code} относится к другому муниципалитету ({where}): её данные загрузить нельзя."
        elif region_id is not None and region_of.get(found_school.municipality_id) != region_id:
            message = f"Школа {code} относится к другому региону ({where}): её данные загрузить нельзя."
        else:
            continue
        errors.append(RowError(sheet, first_row, column, message))
    unknown = [code for code in codes if code not in found]
    return found, unknown


def check_duplicates(
    rows: Sequence[ResultRow] | Sequence[ContextRow], errors: list[RowError], blocks: Sequence[ResultBlock] = ()
) -> None:
    """Every row whose key repeats an earlier row's is an error naming that earlier row.

    Vectorised for a region's file: the keys' hashes go into one numpy array and are sorted,
    so only rows with equal hashes are compared (a dict of a million key tuples would cost
    hundreds of megabytes). The rows of column-wise blocks are hashed from their columns
    and made into ResultRows only when some hashes repeat, to word the errors.
    """
    if blocks:
        results = cast(Sequence[ResultRow], rows)  # blocks come only with participant results
        hashes = [np.fromiter((hash((*row.slice_key(), row.participant_key)) for row in results), np.int64, len(rows))]
        for block in blocks:
            year, procedure, subject, grade = block.slice_prefix()
            slice_repeated = (repeat(year), repeat(procedure), repeat(subject), repeat(grade))
            keys = zip(*slice_repeated, block.school_codes, block.participant_keys, strict=False)
            hashes.append(np.fromiter(map(hash, keys), np.int64, len(block)))
        every = np.concatenate(hashes)
        if len(np.unique(every)) == len(every):
            return
        rows = [*results, *(row for block in blocks for row in block.result_rows())]
    if not rows:
        return
    if isinstance(rows[0], ResultRow):

        def key(row):
            return (*row.slice_key(), row.participant_key)

    else:

        def key(row):
            return (row.year_start, row.school_code)

    row_hashes = np.fromiter((hash(key(row)) for row in rows), dtype=np.int64, count=len(rows))
    order = np.argsort(row_hashes, kind="stable")  # stable: equal hashes keep the file's order
    ordered = row_hashes[order]
    repeats = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not len(repeats):
        return
    found: list[RowError] = []
    run_start = None
    firsts: dict[tuple, Any] = {}
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
