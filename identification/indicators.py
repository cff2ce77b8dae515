"""Indicator recompute: set-based SQL from the current result rows and context data.

Per chunk of schools: one aggregate of the result rows into a temporary table, then three
INSERT … SELECT statements (results, ЕГЭ aggregates, context),
after a DELETE of the same school-years: nothing loops over result rows in Python, so the
cost is the database's one scan (bench/identify_bench.py compares it with a hand-written
floor). The SQL is plain enough to run on SQLite and PostgreSQL alike. On PostgreSQL a
recompute over values already stored writes only the school-years that differ
(``_replace_differences``).

The minimum-group rule (DESIGN.md §7: «only groups of ≥ 10 participants count») is applied
per slice (school, year, procedure, subject, grade); smaller slices of one subject and level of
education are pooled first (GROUPS_SQL) and count, marked ``pooled``, when the pool reaches the
minimum; what stays under it gives no value and does not enter the school-wide one either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Q

from core.extensions import feature_modules
from identification.isbsh import REFERENCE
from identification.models import IndicatorMean, IndicatorValue

MIN_GROUP = IndicatorValue.MIN_GROUP
_CHUNK = 500
# Memory for the sorts and hashes of the recompute's statements on PostgreSQL (SET LOCAL, this
# transaction only): with the default 4 MB the GROUP BY of a region's result rows sorts on disk
# (≈ 45 MB spilled at 1,000 schools × 2 years) and takes a third longer. The benchmark's
# hand-written floor runs with the same setting.
WORK_MEM = "64MB"

TABLE = IndicatorValue._meta.db_table
COLUMNS = "(school_id, year_id, indicator, subject_id, grade, value, participants)"
POOLED_COLUMNS = "(school_id, year_id, indicator, subject_id, grade, value, participants, pooled)"

# One scan of the result rows into a temporary table of per-slice counts (CREATE TABLE AS
# may use a parallel plan on PostgreSQL, an INSERT … SELECT may not), then the school-wide
# sums over the slices that count. The journal comparison is ВПР only (РЦОИ protocols carry no journal mark).
# A slice with no participant rows but an imported aggregate (Ф3 marks, «Сравнение отметок
# с отметками по журналу», in participants) counts from the aggregate; the gap of ≥ 2 marks
# exists only in participant rows, hence its own denominator ``ng``.
SLICES_SQL = """
CREATE TEMP TABLE ident_all AS
SELECT r.school_id, r.year_id, r.procedure, r.subject_id, r.grade,
       COUNT(*) AS n,
       SUM(CASE WHEN r.mark = 2 THEN 1 ELSE 0 END) AS n2,
       SUM(r.mark) AS marks,
       SUM(CASE WHEN r.journal_mark IS NOT NULL THEN 1 ELSE 0 END) AS nj,
       SUM(CASE WHEN r.mark < r.journal_mark THEN 1 ELSE 0 END) AS low,
       SUM(CASE WHEN r.mark = r.journal_mark THEN 1 ELSE 0 END) AS conf,
       SUM(CASE WHEN r.mark > r.journal_mark THEN 1 ELSE 0 END) AS rai,
       SUM(CASE WHEN ABS(r.mark - r.journal_mark) >= 2 THEN 1 ELSE 0 END) AS gap,
       SUM(CASE WHEN r.journal_mark IS NOT NULL THEN 1 ELSE 0 END) AS ng
FROM monitoring_participantresult r
WHERE r.replaced_by_id IS NULL AND r.mark IS NOT NULL AND r.procedure IN ('vpr', 'oge') {scope}
GROUP BY r.school_id, r.year_id, r.procedure, r.subject_id, r.grade
"""

# Small schools (issue #18, DESIGN.md §7): the slices under the minimum are pooled by school,
# subject and level of education (grades 1–4, 5–9, 10–11) before they are given up; a pool of
# two or more slices reaching the minimum counts, with no grade and ``pooled`` set, for the
# subject and in the school-wide sums. A slice at the minimum counts on its own, as before.
GROUPS_SQL = """
CREATE TEMP TABLE ident_slices AS
SELECT school_id, year_id, procedure, subject_id, grade, n, n2, marks, nj, low, conf, rai, gap, ng, 0 AS pooled
FROM ident_all WHERE n >= {min_group}
UNION ALL
SELECT school_id, year_id, procedure, subject_id, {n}, SUM(n), SUM(n2), SUM(marks), SUM(nj), SUM(low), SUM(conf),
       SUM(rai), SUM(gap), SUM(ng), 1
FROM ident_all WHERE n < {min_group}
GROUP BY school_id, year_id, procedure, subject_id, CASE WHEN grade <= 4 THEN 1 WHEN grade <= 9 THEN 2 ELSE 3 END
HAVING SUM(n) >= {min_group} AND COUNT(*) > 1
"""

RESULTS_SQL = """
WITH p AS (
    SELECT * FROM ident_slices
), a AS (
    SELECT a.school_id, a.year_id, a.procedure, a.subject_id, a.grade,
           a.mark_2 + a.mark_3 + a.mark_4 + a.mark_5 AS n,
           a.mark_2 AS n2,
           2 * a.mark_2 + 3 * a.mark_3 + 4 * a.mark_4 + 5 * a.mark_5 AS marks,
           COALESCE(a.lowered + a.confirmed + a.raised, 0) AS nj,
           COALESCE(a.lowered, 0) AS low, COALESCE(a.confirmed, 0) AS conf, COALESCE(a.raised, 0) AS rai,
           0 AS gap, 0 AS ng, 0 AS pooled
    FROM monitoring_schoolaggregate a
    WHERE a.replaced_by_id IS NULL AND a.source = 'imported' AND a.procedure IN ('vpr', 'oge')
      AND a.mark_2 IS NOT NULL AND a.mark_3 IS NOT NULL AND a.mark_4 IS NOT NULL AND a.mark_5 IS NOT NULL
      AND a.mark_2 + a.mark_3 + a.mark_4 + a.mark_5 >= {min_group} {scope_a}
      AND NOT EXISTS (
          SELECT 1 FROM monitoring_participantresult r
          WHERE r.replaced_by_id IS NULL AND r.year_id = a.year_id AND r.procedure = a.procedure
            AND r.subject_id = a.subject_id AND r.grade = a.grade AND r.school_id = a.school_id
      )
), g AS (
    SELECT * FROM p UNION ALL SELECT * FROM a
), s AS (
    SELECT school_id, year_id, procedure, SUM(n) AS n, SUM(n2) AS n2, SUM(marks) AS marks,
           SUM(nj) AS nj, SUM(low) AS low, SUM(conf) AS conf, SUM(rai) AS rai, SUM(gap) AS gap, SUM(ng) AS ng,
           MAX(pooled) AS pooled
    FROM g GROUP BY school_id, year_id, procedure
)
INSERT INTO {table} {pooled_columns}
SELECT school_id, year_id, procedure || '_share_2', subject_id, grade, 100.0 * n2 / n, n, pooled = 1 FROM g
UNION ALL
SELECT school_id, year_id, procedure || '_mean_mark', subject_id, grade, 1.0 * marks / n, n, pooled = 1 FROM g
UNION ALL
SELECT school_id, year_id, procedure || '_share_2', {nn}, 100.0 * n2 / n, n, pooled = 1 FROM s
UNION ALL
SELECT school_id, year_id, procedure || '_mean_mark', {nn}, 1.0 * marks / n, n, pooled = 1 FROM s
UNION ALL
SELECT school_id, year_id, 'vpr_lowered', {nn}, 100.0 * low / nj, nj, pooled = 1 FROM s
    WHERE procedure = 'vpr' AND nj >= {min_group}
UNION ALL
SELECT school_id, year_id, 'vpr_confirmed', {nn}, 100.0 * conf / nj, nj, pooled = 1 FROM s
    WHERE procedure = 'vpr' AND nj >= {min_group}
UNION ALL
SELECT school_id, year_id, 'vpr_raised', {nn}, 100.0 * rai / nj, nj, pooled = 1 FROM s
    WHERE procedure = 'vpr' AND nj >= {min_group}
UNION ALL
SELECT school_id, year_id, 'vpr_gap_2', {nn}, 100.0 * gap / ng, ng, pooled = 1 FROM s
    WHERE procedure = 'vpr' AND ng >= {min_group}
"""

# ЕГЭ comes as per-school aggregates (regional reports), not as participant rows.
EGE_SQL = """
WITH g AS (
    SELECT a.school_id, a.year_id, a.subject_id, SUM(a.participants) AS n, SUM(a.below_minimum) AS below
    FROM monitoring_schoolaggregate a
    WHERE a.replaced_by_id IS NULL AND a.procedure = 'ege' AND a.below_minimum IS NOT NULL {scope}
    GROUP BY a.school_id, a.year_id, a.subject_id
    HAVING SUM(a.participants) >= {min_group}
)
INSERT INTO {table} {columns}
SELECT school_id, year_id, 'ege_below_min', subject_id, {n}, 100.0 * below / n, n FROM g
UNION ALL
SELECT school_id, year_id, 'ege_below_min', {nn}, 100.0 * SUM(below) / SUM(n), SUM(n) FROM g
    GROUP BY school_id, year_id
"""

CONTEXT_SQL = """
WITH c AS (
    SELECT d.school_id, d.year_id, d.contingent, d.low_income_share, d.ovz_share, d.non_native_share,
           d.single_parent_share, d.preventive_register_share, d.parents_higher_ed_share,
           d.missed_lessons, d.discipline_incidents, d.teacher_posts, d.teacher_vacancies,
           d.graduates_9, d.certificates_9,
           CASE WHEN sc.settlement = 'rural' THEN 100.0 ELSE 0.0 END AS rural,
           CASE WHEN d.contingent IS NULL THEN NULL
                WHEN d.contingent >= 500 THEN 0.0 ELSE 100.0 - d.contingent / 5.0 END AS small_school,
           prev.contingent AS prev_contingent,
           COALESCE(d.contingent, 0) AS n
    FROM monitoring_contextdata d
    JOIN schools_school sc ON sc.id = d.school_id
    JOIN schools_academicyear y ON y.id = d.year_id
    LEFT JOIN schools_academicyear py ON py.start_year = y.start_year - 1
    LEFT JOIN monitoring_contextdata prev
           ON prev.school_id = d.school_id AND prev.year_id = py.id AND prev.replaced_by_id IS NULL
    WHERE d.replaced_by_id IS NULL {scope}
)
INSERT INTO {table} {columns}
SELECT school_id, year_id, 'low_income_share', {nn}, low_income_share, n FROM c
    WHERE low_income_share IS NOT NULL
UNION ALL SELECT school_id, year_id, 'ovz_share', {nn}, ovz_share, n FROM c WHERE ovz_share IS NOT NULL
UNION ALL SELECT school_id, year_id, 'non_native_share', {nn}, non_native_share, n FROM c
    WHERE non_native_share IS NOT NULL
UNION ALL SELECT school_id, year_id, 'single_parent_share', {nn}, single_parent_share, n FROM c
    WHERE single_parent_share IS NOT NULL
UNION ALL SELECT school_id, year_id, 'preventive_share', {nn}, preventive_register_share, n FROM c
    WHERE preventive_register_share IS NOT NULL
UNION ALL SELECT school_id, year_id, 'parents_higher_ed', {nn}, parents_higher_ed_share, n FROM c
    WHERE parents_higher_ed_share IS NOT NULL
UNION ALL SELECT school_id, year_id, 'rural', {nn}, rural, n FROM c
UNION ALL SELECT school_id, year_id, 'contingent', {nn}, contingent, n FROM c WHERE contingent IS NOT NULL
UNION ALL SELECT school_id, year_id, 'missed_per_student', {nn}, 1.0 * missed_lessons / contingent, n FROM c
    WHERE missed_lessons IS NOT NULL AND contingent > 0
UNION ALL SELECT school_id, year_id, 'discipline_per_100', {nn}, 100.0 * discipline_incidents / contingent, n
    FROM c WHERE discipline_incidents IS NOT NULL AND contingent > 0
UNION ALL SELECT school_id, year_id, 'contingent_change', {nn},
    100.0 * (contingent - prev_contingent) / prev_contingent, n FROM c
    WHERE contingent IS NOT NULL AND prev_contingent > 0
UNION ALL SELECT school_id, year_id, 'vacancy_share', {nn}, 100.0 * teacher_vacancies / teacher_posts, n FROM c
    WHERE teacher_vacancies IS NOT NULL AND teacher_posts > 0
UNION ALL SELECT school_id, year_id, 'certified_9', {nn}, 100.0 * certificates_9 / graduates_9, graduates_9
    FROM c WHERE certificates_9 IS NOT NULL AND graduates_9 > 0
UNION ALL SELECT school_id, year_id, 'isbsh', {nn}, 100.0 - ({isbsh_sum}) / ({isbsh_weights}), n FROM c
    WHERE ({isbsh_weights}) > 0
"""

# ИСБШ factor → SQL expression of its «difficulty» in 0–100 (adverse shares as they are,
# favourable ones inverted).
_FACTOR_SQL = {
    "low_income_share": "low_income_share",
    "ovz_share": "ovz_share",
    "non_native_share": "non_native_share",
    "single_parent_share": "single_parent_share",
    "preventive_share": "preventive_register_share",
    "parents_higher_ed": "(100.0 - parents_higher_ed_share)",
    "rural": "rural",
    "small_school": "small_school",
}


def isbsh_weights() -> dict[str, float]:
    """The weights the stored ИСБШ is computed by: the reference scale (the catalogue's defaults).
    A methodology version with other weights or scaling computes its own (``identification.isbsh``)."""
    return dict(REFERENCE.weights)


def _isbsh_sql(weights: dict[str, float]) -> tuple[str, str]:
    """Weighted mean of the known factors: Σ wᵢ·xᵢ / Σ wᵢ over the factors with data."""
    parts, denominators = [], []
    for code, weight in weights.items():
        if weight <= 0:
            continue
        expr = _FACTOR_SQL[code]
        parts.append(f"{float(weight)!r} * COALESCE({expr}, 0)")
        denominators.append(f"CASE WHEN {expr} IS NULL THEN 0 ELSE {float(weight)!r} END")
    return (" + ".join(parts) or "0"), (" + ".join(denominators) or "0")


def _scope(alias: str, school_ids: list[int] | None, year_ids: list[int] | None) -> str:
    clauses = []
    if school_ids is not None:
        clauses.append(f"{alias}.school_id IN ({','.join(str(int(pk)) for pk in school_ids) or 'NULL'})")
    if year_ids is not None:
        clauses.append(f"{alias}.year_id IN ({','.join(str(int(pk)) for pk in year_ids) or 'NULL'})")
    return "".join(f" AND {clause}" for clause in clauses)


def _chunks(ids: list[int] | None) -> Iterable[list[int] | None]:
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def statements(
    school_ids: list[int] | None, year_ids: list[int] | None, weights: dict[str, float], table: str = TABLE
) -> list[tuple[str, bool]]:
    """The recompute's SQL in order, each with whether its row count is indicator values written
    (into ``table``: the values' own, or the temporary ``ident_new`` of a replacing recompute)."""
    isbsh_sum, isbsh_den = _isbsh_sql(weights)
    # Typed NULLs: PostgreSQL resolves an all-NULL column of a UNION to text otherwise.
    null = "CAST(NULL AS INTEGER)"
    common = {"table": table, "columns": COLUMNS, "min_group": MIN_GROUP, "n": null, "nn": f"{null}, {null}"}
    return [
        ("DROP TABLE IF EXISTS ident_all", False),
        ("DROP TABLE IF EXISTS ident_slices", False),
        (SLICES_SQL.format(scope=_scope("r", school_ids, year_ids), **common), False),
        (GROUPS_SQL.format(**common), False),
        (RESULTS_SQL.format(scope_a=_scope("a", school_ids, year_ids), pooled_columns=POOLED_COLUMNS, **common), True),
        ("DROP TABLE ident_slices", False),
        ("DROP TABLE ident_all", False),
        (EGE_SQL.format(scope=_scope("a", school_ids, year_ids), **common), True),
        (
            CONTEXT_SQL.format(
                scope=_scope("d", school_ids, year_ids), isbsh_sum=isbsh_sum, isbsh_weights=isbsh_den, **common
            ),
            True,
        ),
    ]


MEANS_TABLE = IndicatorMean._meta.db_table

# School-wide values only (subject and grade empty): what the school's page sets beside the
# municipality's. One scan of the touched municipalities' values, grouped twice.
MEANS_SQL = """
INSERT INTO {table} (year_id, indicator, municipality_id, region_id, value, schools)
SELECT v.year_id, v.indicator, s.municipality_id, NULL, AVG(v.value), COUNT(*)
FROM {values} v JOIN schools_school s ON s.id = v.school_id
WHERE v.subject_id IS NULL AND v.grade IS NULL {municipality_scope} {year_scope}
GROUP BY v.year_id, v.indicator, s.municipality_id
UNION ALL
SELECT v.year_id, v.indicator, NULL, m.region_id, AVG(v.value), COUNT(*)
FROM {values} v JOIN schools_school s ON s.id = v.school_id JOIN schools_municipality m ON m.id = s.municipality_id
WHERE v.subject_id IS NULL AND v.grade IS NULL {region_scope} {year_scope}
GROUP BY v.year_id, v.indicator, m.region_id
"""


def _ids(values: Iterable[int]) -> str:
    return ",".join(str(int(pk)) for pk in values) or "NULL"


def means_recompute(*, school_ids: list[int] | None = None, year_ids: list[int] | None = None) -> int:
    """Store the municipal and regional means of the municipalities (and regions) the schools
    belong to, for the years (None — all); returns rows written. Called by the recompute in
    the same transaction as the values, so a page never sees means of other values."""
    from schools.models import Municipality, School

    if school_ids is None:
        municipalities: list[int] | None = None
        regions: list[int] | None = None
    else:
        municipalities = sorted(set(School.objects.filter(pk__in=school_ids).values_list("municipality_id", flat=True)))
        regions = sorted(set(Municipality.objects.filter(pk__in=municipalities).values_list("region_id", flat=True)))
    stale = IndicatorMean.objects.all()
    if municipalities is not None and regions is not None:
        stale = stale.filter(Q(municipality_id__in=municipalities) | Q(region_id__in=regions))
    if year_ids is not None:
        stale = stale.filter(year_id__in=year_ids)
    stale._raw_delete(stale.db)
    sql = MEANS_SQL.format(
        table=MEANS_TABLE,
        values=TABLE,
        municipality_scope="" if municipalities is None else f"AND s.municipality_id IN ({_ids(municipalities)})",
        region_scope="" if regions is None else f"AND m.region_id IN ({_ids(regions)})",
        year_scope="" if year_ids is None else f"AND v.year_id IN ({_ids(year_ids)})",
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The values were all just written in this transaction, so the planner's statistics
            # of the table are those of before (a region's first recompute: an empty table) and
            # it joins the values with the schools in a nested loop — quadratic, 3 s at 500
            # schools, minutes at 2,000. A hash join is right at every size here.
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql)
        written = max(cursor.rowcount, 0)
        if connection.vendor == "postgresql":
            cursor.execute("RESET enable_nestloop")
        return written


# A replacing recompute on PostgreSQL (values of the scope already stored — every recompute
# after a region's first): the new values go to a temporary table, and only the school-years
# whose values differ are rewritten. Deleting and re-inserting everything took twice the
# recompute into an empty table (the dead rows, the index entries of both), while an import
# changes a few schools' results. The comparison is of whole rows as multisets (GROUP BY of
# both sides, old +1, new −1): a school-year is rewritten when any row of it is gone, new or
# changed, duplicates included (two pooled levels of one subject may give equal rows).
NEW_TABLE_SQL = """
CREATE TEMP TABLE ident_new AS
SELECT school_id, year_id, indicator, subject_id, grade, value, participants, pooled FROM {table} WITH NO DATA
"""

CHANGED_SQL = """
CREATE TEMP TABLE ident_changed AS
SELECT DISTINCT school_id, year_id FROM (
    SELECT school_id, year_id
    FROM (
        SELECT school_id, year_id, indicator, subject_id, grade, value, participants, pooled, 1 AS side
        FROM {table} v WHERE TRUE {scope}
        UNION ALL
        SELECT school_id, year_id, indicator, subject_id, grade, value, participants, pooled, -1 AS side
        FROM ident_new
    ) u
    GROUP BY school_id, year_id, indicator, subject_id, grade, value, participants, pooled
    HAVING SUM(side) <> 0
) d
"""

REWRITE_SQL = (
    """
DELETE FROM {table} v USING ident_changed c WHERE v.school_id = c.school_id AND v.year_id = c.year_id
""",
    """
INSERT INTO {table} {pooled_columns}
SELECT n.school_id, n.year_id, n.indicator, n.subject_id, n.grade, n.value, n.participants, n.pooled
FROM ident_new n JOIN ident_changed c ON c.school_id = n.school_id AND c.year_id = n.year_id
""",
)


def _replace_differences(chunk: list[int] | None, year_ids: list[int] | None, weights: dict[str, float]) -> int:
    """PostgreSQL, values stored: compute into ``ident_new``, rewrite the school-years that
    differ (see NEW_TABLE_SQL). Returns the values computed, as the straight path does."""
    computed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("DROP TABLE IF EXISTS ident_new")
        cursor.execute("DROP TABLE IF EXISTS ident_changed")
        cursor.execute(NEW_TABLE_SQL.format(table=TABLE))
        cursor.execute("ALTER TABLE ident_new ALTER COLUMN pooled SET DEFAULT false")
        for sql, counts in statements(chunk, year_ids, weights, table="ident_new"):
            cursor.execute(sql)
            if counts:
                computed += max(cursor.rowcount, 0)
        cursor.execute(CHANGED_SQL.format(table=TABLE, scope=_scope("v", chunk, year_ids)))
        cursor.execute("ANALYZE ident_changed")
        for sql in REWRITE_SQL:
            cursor.execute(sql.format(table=TABLE, pooled_columns=POOLED_COLUMNS))
        cursor.execute("DROP TABLE ident_changed")
        cursor.execute("DROP TABLE ident_new")
    return computed


def indicators_recompute(
    *,
    school_ids: list[int] | None = None,
    year_ids: list[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replace the stored indicators of the given schools × years (None — all); returns the
    values computed (on PostgreSQL only the school-years that differ are written again)."""
    weights = isbsh_weights()
    chunks = list(_chunks(sorted(set(school_ids)) if school_ids is not None else None))
    written = 0
    for number, chunk in enumerate(chunks, start=1):
        with transaction.atomic():
            stale = IndicatorValue.objects.all()
            if chunk is not None:
                stale = stale.filter(school_id__in=chunk)
            if year_ids is not None:
                stale = stale.filter(year_id__in=year_ids)
            postgresql = connection.vendor == "postgresql"
            if postgresql and stale.exists():
                written += _replace_differences(chunk, year_ids, weights)
            else:
                # Nothing stored yet (a region's first recompute), or SQLite: straight in.
                stale._raw_delete(stale.db)
                with connection.cursor() as cursor:
                    if postgresql:
                        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                    for sql, counts in statements(chunk, year_ids, weights):
                        cursor.execute(sql)
                        if counts:
                            written += max(cursor.rowcount, 0)
        if progress:
            progress(round(100 * number / len(chunks)))
    with transaction.atomic():
        means_recompute(school_ids=school_ids, year_ids=year_ids)
    return written


def derived_figures_recompute(*, school_ids: list[int] | None = None, year_ids: list[int] | None = None) -> None:
    """Figures the apps above derive from the same results (the per-task figures of analytics,
    issue #18), run by the recompute job right after the indicators: never per page view.
    Kept out of ``indicators_recompute`` so its benchmark measures the indicators alone."""
    for module in feature_modules("figures"):
        module.figures_recompute(school_ids=school_ids, year_ids=year_ids)
