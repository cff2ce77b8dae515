"""Stage: schools named without a code (regional reports) resolved by name, issue 16.

Runs after the parse stage, before anything is checked against the registry. Each row that
names its school (``AggregateRow.school_name``) under a municipality or its education
authority (``municipality_name``) is resolved with schools.matching: the municipality within
the job's region, then the school within the municipality (and the region's «региональное
подчинение» group). Unique confident matches and a person's earlier choices (aliases) go
through; a name chosen to be skipped is skipped on purpose, with the reason. Anything
ambiguous or unknown is returned as *pending*: the pipeline parks the job at the matching
step (nothing written) until a person settles the names, and the next file with the same
names asks nothing.

A department's job covers its own municipality: rows of the others are either skipped on
purpose, counted with the reason (``ImportJob.own_municipality_only``, the choice in the upload
form), or one error that says how many there are and what to choose — never an error per row.
"""

from __future__ import annotations

from collections import defaultdict

from accounts.models import Role
from core.tabular import RowError
from monitoring.formats.aggregates import report_duplicates
from monitoring.formats.parsing import AggregateRow, ParsedFile
from monitoring.models import ImportJob
from schools.matching import SKIPPED, Resolution, municipality_names_resolve, school_names_resolve
from schools.models import Municipality, Region, School

SKIP_OTHER_MUNICIPALITY = "Строка другого муниципалитета («{name}»): загружаются только строки своего."
SKIP_CHOSEN = "Школа «{name}» пропущена по выбору в сопоставлении названий."
OTHER_MUNICIPALITIES = (
    "В файле {rows} строк школ других муниципалитетов ({names}). Это региональный файл: загрузите его снова, "
    "отметив «только строки моего муниципалитета», — строки других будут пропущены и посчитаны."
)
NO_MUNICIPALITY = (
    "Школа «{name}» названа без кода, а муниципалитет не указан: строка муниципалитета над школами "
    "или столбец «Муниципальное образование» нужны, чтобы найти её по названию."
)


def job_region_ids(job: ImportJob) -> set[int]:
    """The regions whose names a job resolves: its municipality's, its uploader's, or (an operator) all."""
    if job.municipality_id is not None:
        return {Municipality.objects.values_list("region_id", flat=True).get(pk=job.municipality_id)}
    user = job.uploaded_by
    if user is not None and not user.is_superuser and user.role == Role.REGION and user.region_id:
        return {user.region_id}
    return set(Region.objects.values_list("pk", flat=True))


def _pending(kind: str, resolution: Resolution, rows: list[AggregateRow], **extra) -> dict:
    first = min(rows, key=lambda row: (row.sheet, row.row))
    return {
        "kind": kind,
        "name": resolution.name,
        "status": resolution.status,
        "candidates": [{"pk": c.pk, "name": c.name, "score": c.score} for c in resolution.candidates],
        "rows": len({(row.sheet, row.row) for row in rows}),
        "where": f"лист «{first.sheet}», строка {first.row}",
        **extra,
    }


def names_resolve(job: ImportJob, parsed: ParsedFile) -> list[dict]:
    """Fill ``school_code`` of the rows that name their school; the names still to settle.

    Rows skipped on purpose leave ``parsed.aggregates`` and are counted in ``parsed.skipped``.
    An empty list: every name resolved (or the file has codes).
    """
    named = [row for row in parsed.aggregates if not row.school_code and row.school_name]
    if not named:
        return []
    region_ids = job_region_ids(job)
    by_municipality_name: dict[str, list[AggregateRow]] = defaultdict(list)
    for row in named:
        by_municipality_name[row.municipality_name].append(row)
    resolved = municipality_names_resolve(region_ids=region_ids, names=set(by_municipality_name) - {""})
    pending = [
        _pending("municipality", resolution, by_municipality_name[name])
        for name, resolution in sorted(resolved.items())
        if not resolution.settled
    ]
    if pending:
        return pending  # the schools are looked for once their municipalities are known
    municipality_of: dict[str, int] = {name: resolution.pk for name, resolution in resolved.items() if resolution.pk}
    if "" in by_municipality_name:
        if job.municipality_id is not None:
            municipality_of[""] = job.municipality_id
        else:
            for row in by_municipality_name[""]:
                parsed.errors.append(
                    RowError(row.sheet, row.row, row.school_column, NO_MUNICIPALITY.format(name=row.school_name))
                )
            return []
    skipped_rows: set[tuple[str, int]] = set()

    def skip(row: AggregateRow, reason: str) -> None:
        if (row.sheet, row.row) not in skipped_rows:
            skipped_rows.add((row.sheet, row.row))
            parsed.skip(row.sheet, row.row, reason)

    own = job.municipality_id
    others = [row for row in named if own is not None and municipality_of[row.municipality_name] != own]
    if others:
        if not job.own_municipality_only:
            names = sorted({row.municipality_name for row in others})
            rows_count = len({(row.sheet, row.row) for row in others})
            listed = ", ".join(f"«{name}»" for name in names[:5]) + (" …" if len(names) > 5 else "")
            message = OTHER_MUNICIPALITIES.format(rows=rows_count, names=listed)
            parsed.errors.append(RowError(others[0].sheet, others[0].row, "", message))
            return []
        for row in others:
            skip(row, SKIP_OTHER_MUNICIPALITY.format(name=row.municipality_name))
    mine = [row for row in named if (row.sheet, row.row) not in skipped_rows]
    pairs = {(municipality_of[row.municipality_name], row.school_name) for row in mine}
    schools = school_names_resolve(pairs=pairs)
    # A name not found in its municipality may be a school of the region's own («региональное
    # подчинение»): looked for there too, taken only when it matches there for sure.
    unsettled = [pair for pair, resolution in schools.items() if not resolution.settled]
    groups = list(
        Municipality.objects.filter(region_id__in=region_ids, is_regional_group=True).values_list("pk", flat=True)
    )
    if unsettled and groups:
        fallback = school_names_resolve(pairs=[(group, name) for _m, name in unsettled for group in groups])
        for municipality_id, name in unsettled:
            found = [fallback[(group, name)] for group in groups if fallback[(group, name)].settled]
            if len(found) == 1 and found[0].pk is not None:
                schools[(municipality_id, name)] = found[0]
    codes = dict(School.objects.filter(pk__in={r.pk for r in schools.values() if r.pk}).values_list("pk", "code"))
    waiting: dict[tuple[int, str], list[AggregateRow]] = defaultdict(list)
    for row in mine:
        resolution = schools[(municipality_of[row.municipality_name], row.school_name)]
        if resolution.status == SKIPPED:
            skip(row, SKIP_CHOSEN.format(name=row.school_name))
        elif resolution.settled and resolution.pk is not None:
            row.school_code = codes[resolution.pk]
        else:
            waiting[(municipality_of[row.municipality_name], row.school_name)].append(row)
    if waiting:
        labels = dict(Municipality.objects.filter(pk__in={m for m, _n in waiting}).values_list("pk", "name"))
        return [
            _pending("school", schools[key], rows, municipality_id=key[0], municipality=labels[key[0]])
            for key, rows in sorted(waiting.items(), key=lambda item: (labels[item[0][0]], item[0][1]))
        ]
    if skipped_rows:
        parsed.aggregates = [row for row in parsed.aggregates if (row.sheet, row.row) not in skipped_rows]
    # Two names of one school (or a name and a code) would give one slice twice.
    if not parsed.errors:
        report_duplicates(parsed)
    return []
