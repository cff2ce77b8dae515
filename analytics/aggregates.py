"""Per-task and per-mark figures, recomputed in SQL with the indicators (never per page view).

``task_figures_recompute`` runs after ``identification.indicators.indicators_recompute`` for the
same schools and years:

1. the class and school rows of those school-years are replaced by one scan of the current
   participant rows each (per task: the task scores split out of the compact score text);
2. the municipality and region rows of the areas the schools belong to are summed again
   from the stored school rows (so a municipality's import updates the region's figures);
3. the mark boundaries of the tests not described by a file are inferred from the data
   (the lowest primary score that got each mark).

Completion of a task (ФИС ОКО «процент выполнения»): Σ scores / (participants × maximum);
a task left blank («X») counts as 0 points for its participant. The maximum of a task comes
from the test's structure kept by the import (``analytics.models.AssessmentTask``); a slice whose
structure is unknown has no task rows (its marks are still counted).

The split of the score text is the one place where the two databases differ: PostgreSQL
unnests ``string_to_array`` with ordinality, SQLite walks ``json_each`` over the text turned
into a JSON array. Both see the same text: task scores separated by commas (ВПР «2,1,X,0»).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from analytics.models import MarkResult, TaskResult
from identification.models import IndicatorValue
from monitoring.models import AssessmentStructure

MIN_GROUP = IndicatorValue.MIN_GROUP
_CHUNK = 500
# The per-class, per-task sums have about two groups per participant row (20 tasks, ~10 pupils
# a class): with PostgreSQL's default 4 MB the planner sorts the unnested scores (20 × the rows)
# to group them, with room it hashes them — 2.5× faster (bench/task_figures_bench.py). Set for
# the recompute's own transactions only (``SET LOCAL``); a chunk of 500 schools × 5 years fits.
WORK_MEM = "256MB"

TASK_TABLE = TaskResult._meta.db_table
MARK_TABLE = MarkResult._meta.db_table

_SPLIT = {
    "postgresql": (
        "CROSS JOIN LATERAL unnest(string_to_array(r.task_scores, ',')) WITH ORDINALITY AS t(s, ord)",
        "t.ord",
        "CASE WHEN t.s ~ '^[0-9]+$' THEN CAST(t.s AS INTEGER) ELSE 0 END",
    ),
    "sqlite": (
        """CROSS JOIN json_each('["' || replace(r.task_scores, ',', '","') || '"]') AS t""",
        "t.key + 1",
        "CAST(t.value AS INTEGER)",
    ),
}

# One scan of the slice's participant rows into per-class, per-task sums. The compact text of
# a РЦОИ protocol before it is split into task scores («++-|0(2)») is not read here.
TASK_CLASS_SQL = """
CREATE TEMP TABLE an_task_class AS
SELECT r.year_id, r.procedure, r.subject_id, r.grade, r.school_id, r.class_name,
       {ord} AS task_number, COUNT(*) AS n, SUM({score}) AS score
FROM monitoring_participantresult r
{split}
WHERE r.replaced_by_id IS NULL AND r.task_scores <> '' AND r.task_scores NOT LIKE '%|%' {scope}
GROUP BY r.year_id, r.procedure, r.subject_id, r.grade, r.school_id, r.class_name, {ord}
"""

# The maximum of each task from the structure kept by the import (without one, no row), as a
# small temporary table keyed like the sums, so the join below is one hash join.
TASK_MAX_SQL = """
CREATE TEMP TABLE an_task_max AS
SELECT ts.year_id, ts.procedure, ts.subject_id, ts.grade, tt.number AS task_number, tt.max_score
FROM monitoring_assessmentstructure ts
JOIN monitoring_assessmenttask tt ON tt.structure_id = ts.id
WHERE ts.variant = '' {years}
"""
TASK_INSERT_SQL = """
INSERT INTO {table} (year_id, procedure, subject_id, grade, level, school_id, municipality_id, region_id,
                     class_name, participants, task_number, score_sum, max_sum)
SELECT c.year_id, c.procedure, c.subject_id, c.grade, '{level}', c.school_id, NULL, NULL,
       {class_name}, SUM(c.n), c.task_number, SUM(c.score), SUM(c.n) * tt.max_score
FROM an_task_class c
JOIN an_task_max tt
  ON tt.year_id = c.year_id AND tt.procedure = c.procedure AND tt.subject_id = c.subject_id
 AND tt.grade = c.grade AND tt.task_number = c.task_number
GROUP BY c.year_id, c.procedure, c.subject_id, c.grade, c.school_id, {group_class} c.task_number, tt.max_score
"""

MARK_SELECT = """
COUNT(*), SUM(CASE WHEN r.mark = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN r.mark = 3 THEN 1 ELSE 0 END),
SUM(CASE WHEN r.mark = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN r.mark = 5 THEN 1 ELSE 0 END), SUM(r.primary_score),
SUM(CASE WHEN r.journal_mark IS NOT NULL THEN 1 ELSE 0 END),
SUM(CASE WHEN r.mark < r.journal_mark THEN 1 ELSE 0 END), SUM(CASE WHEN r.mark = r.journal_mark THEN 1 ELSE 0 END),
SUM(CASE WHEN r.mark > r.journal_mark THEN 1 ELSE 0 END)
"""
MARK_COLUMNS = """(year_id, procedure, subject_id, grade, grade_to, level, school_id, municipality_id, region_id,
class_name, participants, mark_2, mark_3, mark_4, mark_5, score_sum, journal_n, lowered, confirmed, raised)"""

MARK_INSERT_SQL = """
INSERT INTO {table} {columns}
SELECT r.year_id, r.procedure, r.subject_id, r.grade, NULL, '{level}', r.school_id, NULL, NULL, {class_name},
{marks}
FROM monitoring_participantresult r
WHERE r.replaced_by_id IS NULL AND r.mark IS NOT NULL {scope}
GROUP BY r.year_id, r.procedure, r.subject_id, r.grade, r.school_id {group_class}
"""

# The school rows are the sums of its class rows just written: no second scan of the results.
MARK_SCHOOL_SQL = """
INSERT INTO {table} {columns}
SELECT m.year_id, m.procedure, m.subject_id, m.grade, NULL, 'school', m.school_id, NULL, NULL, '',
       SUM(m.participants), SUM(m.mark_2), SUM(m.mark_3), SUM(m.mark_4), SUM(m.mark_5), SUM(m.score_sum),
       SUM(m.journal_n), SUM(m.lowered), SUM(m.confirmed), SUM(m.raised)
FROM {table} m
WHERE m.level = 'class' {scope}
GROUP BY m.year_id, m.procedure, m.subject_id, m.grade, m.school_id
"""

# Small schools (DESIGN.md §7): the school's slices of one subject and level of education
# (grades 1–4, 5–9, 10–11) that are each under MIN_GROUP are pooled into one row; only two or
# more slices make a pool (a lone small slice is shown as it is, with its count and interval).
_LEVEL_OF = "CASE WHEN {g} <= 4 THEN 1 WHEN {g} <= 9 THEN 2 ELSE 3 END"
MARK_POOLED_SQL = """
INSERT INTO {table} {columns}
SELECT m.year_id, m.procedure, m.subject_id, MIN(m.grade), MAX(m.grade), 'school', m.school_id, NULL, NULL, '',
       SUM(m.participants), SUM(m.mark_2), SUM(m.mark_3), SUM(m.mark_4), SUM(m.mark_5), SUM(m.score_sum),
       SUM(m.journal_n), SUM(m.lowered), SUM(m.confirmed), SUM(m.raised)
FROM {table} m
WHERE m.level = 'school' AND m.grade_to IS NULL AND m.participants < {min_group} {scope}
GROUP BY m.year_id, m.procedure, m.subject_id, m.school_id, {level}
HAVING COUNT(*) > 1
"""

# Two years (issue #18 item 5, a methodology option in identification; always shown here,
# marked): where the school's slices of one subject and level stay under MIN_GROUP even
# together, the same level's slices of the year before are added. ``year`` is the later year;
# the row exists only when both years have slices. Its scope is the recomputed years and the
# years after them (a recompute of a year changes the next year's two-year rows).
MARK_TWO_YEARS_SQL = """
INSERT INTO {table} {columns}
SELECT c.year_id, c.procedure, c.subject_id, MIN(m.grade), MAX(m.grade), TRUE, 'school', c.school_id, NULL, NULL, '',
       SUM(m.participants), SUM(m.mark_2), SUM(m.mark_3), SUM(m.mark_4), SUM(m.mark_5), SUM(m.score_sum),
       SUM(m.journal_n), SUM(m.lowered), SUM(m.confirmed), SUM(m.raised)
FROM (
    SELECT m.year_id, m.procedure, m.subject_id, m.school_id, {level} AS lvl
    FROM {table} m
    WHERE m.level = 'school' AND m.grade_to IS NULL {scope}
    GROUP BY m.year_id, m.procedure, m.subject_id, m.school_id, {level}
    HAVING SUM(m.participants) < {min_group}
) c
JOIN schools_academicyear y ON y.id = c.year_id
JOIN schools_academicyear py ON py.start_year = y.start_year OR py.start_year = y.start_year - 1
JOIN {table} m ON m.year_id = py.id AND m.school_id = c.school_id AND m.procedure = c.procedure
 AND m.subject_id = c.subject_id AND m.level = 'school' AND m.grade_to IS NULL AND {level} = c.lvl
GROUP BY c.year_id, c.procedure, c.subject_id, c.school_id, c.lvl
HAVING COUNT(DISTINCT m.year_id) = 2
"""
TWO_YEARS_COLUMNS = MARK_COLUMNS.replace("grade_to,", "grade_to, two_years,")

# Areas: sums of the stored school rows (pooled rows are not summed twice).
AREA_TASK_SQL = """
INSERT INTO {table} (year_id, procedure, subject_id, grade, level, school_id, municipality_id, region_id,
                     class_name, participants, task_number, score_sum, max_sum)
SELECT t.year_id, t.procedure, t.subject_id, t.grade, '{level}', NULL, {muni}, {region}, '',
       SUM(t.participants), t.task_number, SUM(t.score_sum), SUM(t.max_sum)
FROM {table} t JOIN schools_school s ON s.id = t.school_id JOIN schools_municipality mu ON mu.id = s.municipality_id
WHERE t.level = 'school' AND {area_filter} {years}
GROUP BY t.year_id, t.procedure, t.subject_id, t.grade, {area_key}, t.task_number
"""
AREA_MARK_SQL = """
INSERT INTO {table} {columns}
SELECT m.year_id, m.procedure, m.subject_id, m.grade, NULL, '{level}', NULL, {muni}, {region}, '',
       SUM(m.participants), SUM(m.mark_2), SUM(m.mark_3), SUM(m.mark_4), SUM(m.mark_5), SUM(m.score_sum),
       SUM(m.journal_n), SUM(m.lowered), SUM(m.confirmed), SUM(m.raised)
FROM {table} m JOIN schools_school s ON s.id = m.school_id JOIN schools_municipality mu ON mu.id = s.municipality_id
WHERE m.level = 'school' AND m.grade_to IS NULL AND {area_filter} {years}
GROUP BY m.year_id, m.procedure, m.subject_id, m.grade, {area_key}
"""

BOUNDARIES_SQL = """
SELECT r.year_id, r.procedure, r.subject_id, r.grade, r.mark, MIN(r.primary_score)
FROM monitoring_participantresult r
WHERE r.replaced_by_id IS NULL AND r.mark IN (3, 4, 5) {years}
GROUP BY r.year_id, r.procedure, r.subject_id, r.grade, r.mark
"""


def _ids(ids: Iterable[int]) -> str:
    return ",".join(str(int(pk)) for pk in ids) or "NULL"


def _scope(alias: str, school_ids: list[int] | None, year_ids: list[int] | None) -> str:
    clauses = []
    if school_ids is not None:
        clauses.append(f"{alias}.school_id IN ({_ids(school_ids)})")
    if year_ids is not None:
        clauses.append(f"{alias}.year_id IN ({_ids(year_ids)})")
    return "".join(f" AND {clause}" for clause in clauses)


def school_statements(
    school_ids: list[int] | None, year_ids: list[int] | None, two_year_ids: list[int] | None = None
) -> list[str]:
    """The SQL that writes the class and school rows of the given schools × years, in order
    (``two_year_ids``: the years whose two-year rows are rewritten, default ``year_ids``)."""
    postgresql = connection.vendor == "postgresql"
    split, ord_expr, score_expr = _SPLIT["postgresql" if postgresql else "sqlite"]
    scope = _scope("r", school_ids, year_ids)
    common = {"table": TASK_TABLE}
    marks = {"table": MARK_TABLE, "columns": MARK_COLUMNS, "marks": MARK_SELECT, "scope": scope}
    # Autovacuum never sees a temporary table: without ANALYZE PostgreSQL guesses one row and
    # joins the sums to the maxima by a nested loop (24 s instead of 1.4 s at 100 schools).
    analyze = ["ANALYZE an_task_class", "ANALYZE an_task_max"] if postgresql else []
    years = f" AND ts.year_id IN ({_ids(year_ids)})" if year_ids is not None else ""
    return [
        "DROP TABLE IF EXISTS an_task_class",
        "DROP TABLE IF EXISTS an_task_max",
        TASK_CLASS_SQL.format(split=split, ord=ord_expr, score=score_expr, scope=scope),
        TASK_MAX_SQL.format(years=years),
        *analyze,
        TASK_INSERT_SQL.format(level="class", class_name="c.class_name", group_class="c.class_name,", **common),
        TASK_INSERT_SQL.format(level="school", class_name="''", group_class="", **common),
        "DROP TABLE an_task_class",
        "DROP TABLE an_task_max",
        MARK_INSERT_SQL.format(level="class", class_name="r.class_name", group_class=", r.class_name", **marks),
        MARK_SCHOOL_SQL.format(table=MARK_TABLE, columns=MARK_COLUMNS, scope=_scope("m", school_ids, year_ids)),
        MARK_POOLED_SQL.format(
            table=MARK_TABLE,
            columns=MARK_COLUMNS,
            min_group=MIN_GROUP,
            scope=_scope("m", school_ids, year_ids),
            level=_LEVEL_OF.format(g="m.grade"),
        ),
        MARK_TWO_YEARS_SQL.format(
            table=MARK_TABLE,
            columns=TWO_YEARS_COLUMNS,
            min_group=MIN_GROUP,
            scope=_scope("m", school_ids, two_year_ids if two_year_ids is not None else year_ids),
            level=_LEVEL_OF.format(g="m.grade"),
        ),
    ]


def area_statements(municipality_ids: list[int], region_ids: list[int], year_ids: list[int] | None) -> list[str]:
    years = f" AND {{alias}}.year_id IN ({_ids(year_ids)})" if year_ids is not None else ""
    statements = []
    for level, muni, region, area_key, area_filter in (
        (
            "municipality",
            "s.municipality_id",
            "NULL",
            "s.municipality_id",
            f"s.municipality_id IN ({_ids(municipality_ids)})",
        ),
        ("region", "NULL", "mu.region_id", "mu.region_id", f"mu.region_id IN ({_ids(region_ids)})"),
    ):
        parts = {"level": level, "muni": muni, "region": region, "area_key": area_key, "area_filter": area_filter}
        statements.append(AREA_TASK_SQL.format(table=TASK_TABLE, years=years.format(alias="t"), **parts))
        statements.append(
            AREA_MARK_SQL.format(table=MARK_TABLE, columns=MARK_COLUMNS, years=years.format(alias="m"), **parts)
        )
    return statements


def _chunks(ids: list[int] | None) -> Iterable[list[int] | None]:
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _room_to_hash() -> None:
    """Hash, not sort: room for the per-class sums, and no merge join — every join of the
    recompute is its big sums against a small table (the tasks' maxima: 800 rows against
    700,000 sums at 300 × 2), which PostgreSQL, given the memory, sorted both sides for
    (5.8 s; a hash of the small side 1.5 s). For the recompute's own transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute("SET LOCAL enable_mergejoin = off")


def _delete(model, **filters) -> None:
    stale = model.objects.filter(**filters)
    stale._raw_delete(stale.db)


def _with_next_years(year_ids: list[int] | None) -> list[int] | None:
    """The years and the year after each: what the two-year rows of a recompute cover."""
    if year_ids is None:
        return None
    from schools.models import AcademicYear

    starts = AcademicYear.objects.filter(pk__in=year_ids).values_list("start_year", flat=True)
    following = AcademicYear.objects.filter(start_year__in=[start + 1 for start in starts]).values_list("pk", flat=True)
    return sorted(set(year_ids) | set(following))


def task_figures_recompute(*, school_ids: list[int] | None = None, year_ids: list[int] | None = None) -> None:
    """Replace the per-task and per-mark figures of the given schools × years (None — all),
    then those of their municipalities and regions, then infer unknown mark boundaries."""
    from schools.models import School

    year_filter = {"year_id__in": year_ids} if year_ids is not None else {}
    two_year_ids = _with_next_years(year_ids)
    ids = sorted(set(school_ids)) if school_ids is not None else None
    for chunk in _chunks(ids):
        school_filter = {"school_id__in": chunk} if chunk is not None else {"school__isnull": False}
        with transaction.atomic():
            _room_to_hash()
            for model in (TaskResult, MarkResult):
                _delete(model, level__in=["class", "school"], **school_filter, **year_filter)
            if two_year_ids is not None:
                _delete(MarkResult, level="school", two_years=True, year_id__in=two_year_ids, **school_filter)
            with connection.cursor() as cursor:
                for sql in school_statements(chunk, year_ids, two_year_ids):
                    cursor.execute(sql)
    schools = School.objects.all() if ids is None else School.objects.filter(pk__in=ids)
    municipality_ids = sorted(set(schools.values_list("municipality_id", flat=True)))
    region_ids = sorted(set(schools.values_list("municipality__region_id", flat=True)))
    with transaction.atomic():
        for model in (TaskResult, MarkResult):
            _delete(model, level="municipality", municipality_id__in=municipality_ids, **year_filter)
            _delete(model, level="region", region_id__in=region_ids, **year_filter)
        with connection.cursor() as cursor:
            for sql in area_statements(municipality_ids, region_ids, year_ids):
                cursor.execute(sql)
    infer_boundaries(year_ids=year_ids)


def infer_boundaries(*, year_ids: list[int] | None = None) -> int:
    """Mark boundaries of the tests whose file did not give them: the lowest primary score
    that got each mark in the current rows. Returns the structures updated."""
    years = f" AND r.year_id IN ({_ids(year_ids)})" if year_ids is not None else ""
    found: dict[tuple, dict[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(BOUNDARIES_SQL.format(years=years))
        for year_id, procedure, subject_id, grade, mark, lowest in cursor.fetchall():
            found.setdefault((year_id, procedure, subject_id, grade), {})[mark] = lowest
    structures = AssessmentStructure.objects.exclude(boundaries_source=AssessmentStructure.BoundarySource.FILE)
    if year_ids is not None:
        structures = structures.filter(year_id__in=year_ids)
    changed = []
    for structure in structures:
        bounds = found.get((structure.year_id, structure.procedure, structure.subject_id, structure.grade))
        if not bounds:
            continue
        new = (bounds.get(3), bounds.get(4), bounds.get(5))
        if new != (structure.boundary_3, structure.boundary_4, structure.boundary_5):
            structure.boundary_3, structure.boundary_4, structure.boundary_5 = new
            structure.boundaries_source = AssessmentStructure.BoundarySource.INFERRED
            changed.append(structure)
    AssessmentStructure.objects.bulk_update(changed, ["boundary_3", "boundary_4", "boundary_5", "boundaries_source"])
    return len(changed)
