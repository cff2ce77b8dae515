"""Benchmark: indicator recompute and identification over a region on PostgreSQL.

Creates its own database (``--db``, by default ``identify_bench_<pid>``, on the server of
``--pg``), dropped at the end unless ``--keep``; generates ``--schools`` schools × ``--years``
years of results with INSERT … SELECT generate_series in a realistic shape
(``generate_results``): a slice (school, subject, grade) has as many pupils as the school's
grade cohort — its contingent over its number of grades, 3 to 120 — so small rural schools give
slices under ten that count nowhere; primary schools (НОШ) write ВПР in grade 4 only and sit no
ОГЭ; ВПР in history and biology (grades 5–8) is held in about half the classes; one school-year
in twenty has no results at all (a missing year). Context data for every school-year that has
results. Then measures:

* ``recompute_s`` — ``identification.indicators.indicators_recompute()`` over everything,
  into an empty table (the values are deleted before each timed run, untimed);
* ``recompute_populated_s`` — the same recompute when the values are stored and a few results
  changed since (the marks of about 1 % of the schools, ``change_results``, untimed): every
  recompute after a region's first import replaces values, and this is that case;
* ``floor_populated_s`` — the floor doing the same replacement into its populated copy, the
  fastest of three honest ways: DELETE everything + INSERT; the new values into a temporary
  table, then DELETE of the rows not among them + INSERT of the rows not stored (hash
  anti-joins; the floor's rows have unique keys, so a set comparison is exact); or, as the
  product does, the school-years whose rows differ found by one GROUP BY of both sides and
  rewritten — each in one transaction; ``ratio_floor_populated`` is ``recompute_populated_s / floor_populated_s``;
* ``floor_s`` — the fastest hand-written SQL for the same indicators: one plain ``GROUP BY``
  scan of the result rows (per slice), the school-wide sums over the slices that count, and
  the context indicators, written into a table of the same columns, constraints and indexes as
  ``IndicatorValue`` (what the recompute must produce, with nothing else done), with the
  recompute's ``work_mem`` (``indicators.WORK_MEM``); ``scan_s`` is
  the GROUP BY alone into a temporary table, for information;
* ``run_s`` — one identification run (the low-results preset, two consecutive years) over all
  the schools (they are put in one municipality so that one run covers them all);
* ``region_run_s`` — the region role's regional run of the same preset over every school of
  the region (the big municipality and a small one), started through the service;
* ``page_queries`` — SQL queries of the municipal dashboard, the school's monitoring page and
  the run page, the largest of them; the same figure is printed for a small municipality
  (``small_page_queries``) to show the count does not grow with the data.

Each timed step runs twice and the better time counts (the machine is shared). Last line:

    identify_bench schools=N rows=… recompute_s=… floor_s=… ratio_floor=… run_s=… region_run_s=… page_queries=…
        recompute_populated_s=… floor_populated_s=… ratio_floor_populated=…
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_YEAR = 2021

# The same indicators as identification.indicators (SLICES_SQL, RESULTS_SQL, CONTEXT_SQL),
# written by hand as directly as PostgreSQL allows: one scan and GROUP BY of the result rows
# into a temporary table of slices, then one INSERT of every value into a table shaped and
# indexed as IndicatorValue.
FLOOR_SCAN_SQL = """
CREATE TEMP TABLE floor_slices AS
SELECT school_id, year_id, procedure, subject_id, grade,
       COUNT(*) AS n,
       COUNT(*) FILTER (WHERE mark = 2) AS n2,
       SUM(mark) AS marks,
       COUNT(journal_mark) AS nj,
       COUNT(*) FILTER (WHERE mark < journal_mark) AS low,
       COUNT(*) FILTER (WHERE mark = journal_mark) AS conf,
       COUNT(*) FILTER (WHERE mark > journal_mark) AS rai,
       COUNT(*) FILTER (WHERE ABS(mark - journal_mark) >= 2) AS gap
FROM monitoring_participantresult
WHERE replaced_by_id IS NULL AND mark IS NOT NULL AND procedure IN ('vpr', 'oge')
GROUP BY school_id, year_id, procedure, subject_id, grade
HAVING COUNT(*) >= 10
"""

# The floor's table is IndicatorValue's own shape: its columns, defaults, identity, check
# constraints and indexes (LIKE … INCLUDING ALL), so the floor pays every cost of the real write.
FLOOR_TABLE_SQL = """
DROP TABLE IF EXISTS floor_values;
CREATE TABLE floor_values (LIKE identification_indicatorvalue INCLUDING ALL);
"""

FLOOR_WRITE_SQL = """
WITH s AS (
    SELECT school_id, year_id, procedure, SUM(n) AS n, SUM(n2) AS n2, SUM(marks) AS marks,
           SUM(nj) AS nj, SUM(low) AS low, SUM(conf) AS conf, SUM(rai) AS rai, SUM(gap) AS gap
    FROM floor_slices GROUP BY school_id, year_id, procedure
), c AS (
    SELECT d.*, CASE WHEN sc.settlement = 'rural' THEN 100.0 ELSE 0.0 END AS rural, prev.contingent AS prev_contingent
    FROM monitoring_contextdata d
    JOIN schools_school sc ON sc.id = d.school_id
    JOIN schools_academicyear y ON y.id = d.year_id
    LEFT JOIN schools_academicyear py ON py.start_year = y.start_year - 1
    LEFT JOIN monitoring_contextdata prev
           ON prev.school_id = d.school_id AND prev.year_id = py.id AND prev.replaced_by_id IS NULL
    WHERE d.replaced_by_id IS NULL
)
INSERT INTO floor_values (school_id, year_id, indicator, subject_id, grade, value, participants)
SELECT school_id, year_id, procedure || v.suffix, subject_id, grade, v.value, n
FROM floor_slices
CROSS JOIN LATERAL (VALUES ('_share_2', 100.0 * n2 / n), ('_mean_mark', 1.0 * marks / n)) v(suffix, value)
UNION ALL
SELECT school_id, year_id, v.indicator, NULL, NULL, v.value, v.n
FROM s CROSS JOIN LATERAL (VALUES
    (procedure || '_share_2', 100.0 * n2 / n, n),
    (procedure || '_mean_mark', 1.0 * marks / n, n),
    (CASE WHEN procedure = 'vpr' AND nj >= 10 THEN 'vpr_lowered' END, 100.0 * low / NULLIF(nj, 0), nj),
    (CASE WHEN procedure = 'vpr' AND nj >= 10 THEN 'vpr_confirmed' END, 100.0 * conf / NULLIF(nj, 0), nj),
    (CASE WHEN procedure = 'vpr' AND nj >= 10 THEN 'vpr_raised' END, 100.0 * rai / NULLIF(nj, 0), nj),
    (CASE WHEN procedure = 'vpr' AND nj >= 10 THEN 'vpr_gap_2' END, 100.0 * gap / NULLIF(nj, 0), nj)
) v(indicator, value, n)
WHERE v.indicator IS NOT NULL
UNION ALL
SELECT school_id, year_id, v.indicator, NULL, NULL, v.value, COALESCE(contingent, 0)
FROM c CROSS JOIN LATERAL (VALUES
    ('low_income_share', low_income_share::float), ('ovz_share', ovz_share::float),
    ('non_native_share', non_native_share::float), ('single_parent_share', single_parent_share::float),
    ('preventive_share', preventive_register_share::float), ('parents_higher_ed', parents_higher_ed_share::float),
    ('rural', rural::float), ('contingent', contingent::float),
    ('missed_per_student', 1.0 * missed_lessons / NULLIF(contingent, 0)),
    ('discipline_per_100', 100.0 * discipline_incidents / NULLIF(contingent, 0)),
    ('contingent_change', 100.0 * (contingent - prev_contingent) / NULLIF(prev_contingent, 0)),
    ('vacancy_share', 100.0 * teacher_vacancies / NULLIF(teacher_posts, 0)),
    ('certified_9', 100.0 * certificates_9 / NULLIF(graduates_9, 0)),
    ('isbsh', 100.0 - (COALESCE(low_income_share, 0) + COALESCE(ovz_share, 0) + COALESCE(non_native_share, 0)
        + COALESCE(single_parent_share, 0) + COALESCE(preventive_register_share, 0)
        + (100.0 - COALESCE(parents_higher_ed_share, 100)) + rural
        + CASE WHEN contingent >= 500 THEN 0.0 ELSE 100.0 - contingent / 5.0 END) / 8.0)
) v(indicator, value)
WHERE v.value IS NOT NULL
"""


# The floor's replacement of its populated copy, the set-based way: new values into a
# temporary table, then only the differences written (keys compared with COALESCE so that
# PostgreSQL hashes the anti-joins; IS NOT DISTINCT FROM would make them nested loops).
FLOOR_MATCH = """
    n.school_id = f.school_id AND n.year_id = f.year_id AND n.indicator = f.indicator
    AND COALESCE(n.subject_id, 0) = COALESCE(f.subject_id, 0) AND COALESCE(n.grade, 0) = COALESCE(f.grade, 0)
    AND n.value = f.value AND n.participants = f.participants
"""
FLOOR_DIFF_SQL = (
    "DROP TABLE IF EXISTS floor_new",
    "CREATE TEMP TABLE floor_new AS SELECT school_id, year_id, indicator, subject_id, grade, value, participants "
    "FROM floor_values WITH NO DATA",
    FLOOR_WRITE_SQL.replace("INSERT INTO floor_values", "INSERT INTO floor_new"),
    # Hash anti-joins: without statistics of the new values the planner sorts both sides for
    # merge anti-joins or loops over the index (3 to 10 times slower at 300 schools × 2 years).
    "SET LOCAL enable_mergejoin = off",
    "SET LOCAL enable_nestloop = off",
    f"DELETE FROM floor_values f WHERE NOT EXISTS (SELECT 1 FROM floor_new n WHERE {FLOOR_MATCH})",  # nosec B608 # fixed SQL of the bench
    "INSERT INTO floor_values (school_id, year_id, indicator, subject_id, grade, value, participants) "
    f"SELECT * FROM floor_new n WHERE NOT EXISTS (SELECT 1 FROM floor_values f WHERE {FLOOR_MATCH})",  # nosec B608 # fixed SQL of the bench
    "DROP TABLE floor_new",
)
FLOOR_REPLACE_SQL = ("DELETE FROM floor_values", FLOOR_WRITE_SQL)
# The third way, the product's own: whole rows of both sides compared in one hash GROUP BY
# (old +1, new −1), and the school-years that differ rewritten.
FLOOR_GROUPED_SQL = (
    *FLOOR_DIFF_SQL[:3],
    """
CREATE TEMP TABLE floor_changed AS
SELECT DISTINCT school_id, year_id FROM (
    SELECT school_id, year_id FROM (
        SELECT school_id, year_id, indicator, subject_id, grade, value, participants, 1 AS side FROM floor_values
        UNION ALL
        SELECT school_id, year_id, indicator, subject_id, grade, value, participants, -1 FROM floor_new
    ) u
    GROUP BY school_id, year_id, indicator, subject_id, grade, value, participants
    HAVING SUM(side) <> 0
) d
""",
    "DELETE FROM floor_values f USING floor_changed c WHERE f.school_id = c.school_id AND f.year_id = c.year_id",
    "INSERT INTO floor_values (school_id, year_id, indicator, subject_id, grade, value, participants) "
    "SELECT n.* FROM floor_new n JOIN floor_changed c ON c.school_id = n.school_id AND c.year_id = n.year_id",
    "DROP TABLE floor_changed",
    "DROP TABLE floor_new",
)


def change_results(step: int) -> int:
    """A small change of results between two recomputes, as an import of a few schools makes:
    every seventh result row of about 1 % of the schools swaps «2» and «3». Returns rows changed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE monitoring_participantresult SET mark = CASE mark WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE mark END "
            "WHERE school_id %% 100 = %s AND id %% 7 = 0",
            [step],
        )
        return cursor.rowcount


def _admin_connection(pg: str):
    import psycopg2

    connection = psycopg2.connect(pg.rstrip("/") + "/postgres")
    connection.autocommit = True
    return connection


# Grades a school type teaches (for the cohort size) and sits ВПР in.
_SCHOOL_GRADES_SQL = "CASE s.school_type WHEN 'nosh' THEN 4 WHEN 'oosh' THEN 9 ELSE 11 END"


def generate_results(
    *,
    years: int,
    school_ids: list[int] | None = None,
    first_year: int = FIRST_YEAR,
    class_sql: str = "''",
    task_scores_sql: str = "''",
) -> dict:
    """Results and context of ``years`` academic years for the schools (all by default), set-based.

    The shape is a real region's (see the module docstring); every school has its own
    weakness (0…30 % of «2»), drifting a little by year, and journal marks that are the ВПР
    mark ± 1 now and then. Secondary indexes of the result table are dropped for the load and
    built once afterwards. Returns counts and the AcademicYear objects.

    ``class_sql`` and ``task_scores_sql`` are SQL expressions of the row's class and task-score
    text (they may read ``sl.school_id``, ``sl.subj``, ``sl.gr`` and the pupil's number ``i``):
    set in the same INSERT, so a bench that needs them never rewrites the table afterwards.
    """
    from django.db import connection

    from monitoring.models import ImportJob, ParticipantResult, Subject
    from schools.models import AcademicYear

    year_objects = []
    for k in range(years):
        year, _ = AcademicYear.objects.get_or_create(start_year=first_year + k)
        year_objects.append(year)
    job = ImportJob.objects.create(original_name="bench", sha256="b" * 64, status=ImportJob.Status.DONE)
    subjects = dict(Subject.objects.values_list("code", "pk"))
    core_subjects = f"{subjects['01']},{subjects['02']}"
    chosen_subjects = f"{subjects['07']},{subjects['08']}"
    scope = "TRUE" if school_ids is None else f"s.id IN ({','.join(str(int(pk)) for pk in school_ids) or 'NULL'})"
    slice_size = (
        f"GREATEST(3, LEAST(120, round(COALESCE(s.contingent, 300)::float / {_SCHOOL_GRADES_SQL}"
        " * (0.7 + 0.3 * random() + 0 * subj + 0 * gr))::int))"
    )
    # One school-year in twenty is missing: ВПР not held or not exported.
    present = "((s.id * 7919 + %(k)s * 104729) %% 20) <> 0"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'monitoring_participantresult' "
            "AND indexname <> 'monitoring_participantresult_pkey'"
        )
        indexes = cursor.fetchall()
        for index_name, _ in indexes:
            cursor.execute(f'DROP INDEX "{index_name}"')
        cursor.execute("SELECT setseed(0.42)")
        for k, year in enumerate(year_objects):
            for procedure, subject_list, grade_list, condition in (
                ("vpr", core_subjects, "4,5,6,7,8", "(s.school_type <> 'nosh' OR gr = 4)"),
                # History and biology: grades 5–8, in about half the classes (assigned by the
                # federal schedule, not chosen by the school).
                (
                    "vpr",
                    chosen_subjects,
                    "5,6,7,8",
                    "s.school_type <> 'nosh' AND random() < 0.5 + 0 * s.id * subj * gr",
                ),
                ("oge", core_subjects, "9", "s.school_type <> 'nosh'"),
            ):
                cursor.execute(
                    f"""
                    INSERT INTO monitoring_participantresult
                        (year_id, procedure, subject_id, grade, school_id, class_name, variant, participant_key,
                         primary_score, max_primary_score, mark, journal_mark, task_scores, import_job_id)
                    SELECT %(year)s, %(procedure)s, sl.subj, sl.gr, sl.school_id, {class_sql}, '',
                           lpad(i::text, 8, '0'), 10, 20, m.mark,
                           CASE WHEN %(procedure)s = 'vpr'
                                THEN GREATEST(2, LEAST(5, m.mark + (floor(random() * 3) - 1)::int)) END,
                           {task_scores_sql}, %(job)s
                    FROM (
                        SELECT s.id AS school_id, subj, gr, {slice_size} AS size
                        FROM schools_school s
                        CROSS JOIN unnest(ARRAY[{subject_list}]) AS subj
                        CROSS JOIN unnest(ARRAY[{grade_list}]) AS gr
                        WHERE {scope} AND {present} AND {condition}
                    ) sl
                    CROSS JOIN generate_series(1, sl.size) AS i
                    -- «+ 0 * i»: without a reference to the pupil PostgreSQL evaluates the
                    -- subquery once per slice, and every pupil of a slice had the same mark.
                    CROSS JOIN LATERAL (
                        SELECT CASE
                            WHEN random() + 0 * i < ((sl.school_id * 7919 + %(k)s) %% 30) / 100.0 THEN 2
                            ELSE 3 + floor(random() * 3)::int END AS mark
                    ) m
                    """,  # nosec B608 # interpolated lists are integer ids and fixed SQL from the bench itself
                    {"year": year.pk, "procedure": procedure, "job": job.pk, "k": k},
                )
            cursor.execute(
                f"""
                INSERT INTO monitoring_contextdata
                    (year_id, school_id, contingent, low_income_share, ovz_share, non_native_share,
                     single_parent_share, preventive_register_share, parents_higher_ed_share, missed_lessons,
                     discipline_incidents, teacher_posts, teacher_vacancies, graduates_9, certificates_9, import_job_id)
                SELECT %(year)s, s.id, COALESCE(s.contingent, 300), (s.id %% 40), (s.id %% 9), (s.id %% 13),
                       10 + (s.id %% 25), (s.id %% 5), 20 + (s.id %% 50), COALESCE(s.contingent, 300) * 30,
                       s.id %% 20, 40, s.id %% 5,
                       CASE WHEN s.school_type = 'nosh' THEN NULL ELSE 40 END,
                       CASE WHEN s.school_type = 'nosh' THEN NULL ELSE 40 - (s.id %% 3) END, %(job)s
                FROM schools_school s
                WHERE {scope} AND {present}
                """,  # nosec B608 # fixed SQL from the bench itself
                {"year": year.pk, "job": job.pk, "k": k},
            )
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")
    return {"years": year_objects, "rows": ParticipantResult.objects.filter(import_job=job).count()}


def generate(*, schools: int, years: int, **results) -> dict:
    """The bench's world: one big municipality of ``schools`` schools with results, and a small one."""
    from accounts.models import Role, User
    from schools.demo import load_region_seed
    from schools.models import Municipality, Organisation, School

    load_region_seed(municipalities=1, schools=schools)
    big = Municipality.objects.get(oktmo="90001000")
    # A small municipality elsewhere, for the query count at a small size.
    region = big.region
    small = Municipality.objects.create(region=region, name="Малый район", oktmo="90999000")
    for i in range(3):
        org = Organisation.objects.create(kind="school", municipality=small, name=f"Малая школа {i}")
        School.objects.create(
            organisation=org,
            municipality=small,
            code=f"edu59990{i:02d}",
            school_type="sosh",
            settlement="urban",
            contingent=600,
        )
    generated = generate_results(years=years, **results)
    department = User.objects.create(username="bench-uo", role=Role.DEPARTMENT, municipality=big)
    region_user = User.objects.create(username="bench-region", role=Role.REGION, region=region)
    small_department = User.objects.create(username="bench-small", role=Role.DEPARTMENT, municipality=small)
    return {
        "big": big,
        "small": small,
        "years": generated["years"],
        "rows": generated["rows"],
        "department": department,
        "small_department": small_department,
        "region_user": region_user,
    }


def best_of(runs: int, step, setup=None) -> float:
    """The best of ``runs`` timings of ``step``; ``setup`` (untimed) runs before each."""
    best = float("inf")
    for _ in range(runs):
        if setup:
            setup()
        started = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - started)
    return best


def page_queries(user, school, run) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    counts = []
    for url in (
        reverse("identification:dashboard"),
        reverse("identification:school", args=[school.pk]),
        reverse("identification:run_detail", args=[run.pk]),
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)  # nosec B101 # a bench script checking its own run
        counts.append(len(captured))
    print(f"queries per page (dashboard, school, run): {counts}", flush=True)
    return max(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument(
        "--db", default="", help="name of the bench database (default identify_bench_<pid>); created and dropped"
    )
    args = parser.parse_args()

    name = args.db or f"identify_bench_{os.getpid()}"
    admin = _admin_connection(args.pg)
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    tmp = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = f"{args.pg.rstrip('/')}/{name}"
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection, transaction

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        world = generate(schools=args.schools, years=args.years)
        from monitoring.models import ParticipantResult

        rows = ParticipantResult.objects.count()
        print(f"generated {rows} result rows in {time.perf_counter() - started:.1f} s", flush=True)

        from identification import services
        from identification.indicators import WORK_MEM, indicators_recompute
        from identification.models import IdentificationRun, IndicatorValue, MethodologyVersion

        def scan() -> None:
            with connection.cursor() as cursor:
                # The recompute's own memory for sorts and hashes (it sets it per transaction).
                cursor.execute(f"SET work_mem = '{WORK_MEM}'")
                cursor.execute("DROP TABLE IF EXISTS floor_slices")
                cursor.execute(FLOOR_SCAN_SQL)

        def floor() -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"SET work_mem = '{WORK_MEM}'")
                cursor.execute(FLOOR_TABLE_SQL)
                cursor.execute("DROP TABLE IF EXISTS floor_slices")
                cursor.execute(FLOOR_SCAN_SQL)
                cursor.execute(FLOOR_WRITE_SQL)
                cursor.execute("SELECT COUNT(*) FROM floor_values")
                print(f"floor values: {cursor.fetchone()[0]}", flush=True)

        scan_s = best_of(2, scan)
        floor_s = best_of(2, floor)
        print(f"floor: {floor_s:.2f} s (of which the GROUP BY scan {scan_s:.2f} s)", flush=True)

        def empty_values() -> None:
            IndicatorValue.objects.all()._raw_delete("default")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM identification_indicatorvalue")

        recompute_s = best_of(2, indicators_recompute, setup=empty_values)
        values = IndicatorValue.objects.count()
        print(f"recompute into an empty table: {recompute_s:.2f} s, {values} values", flush=True)

        # Into a populated database: values stored, a few results changed since (untimed).
        # The floor first, into its populated copy (floor_values holds the last floor run's).
        changes = iter(range(100))

        def change() -> None:
            print(f"changed {change_results(next(changes))} result rows", flush=True)

        def floor_replace(statements) -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                cursor.execute("DROP TABLE IF EXISTS floor_slices")
                cursor.execute(FLOOR_SCAN_SQL)
                for sql in statements:
                    cursor.execute(sql)

        floor_diff_s = best_of(2, lambda: floor_replace(FLOOR_DIFF_SQL), setup=change)
        floor_replace_s = best_of(2, lambda: floor_replace(FLOOR_REPLACE_SQL), setup=change)
        floor_grouped_s = best_of(2, lambda: floor_replace(FLOOR_GROUPED_SQL), setup=change)
        floor_populated_s = min(floor_diff_s, floor_replace_s, floor_grouped_s)
        print(
            f"floor into its populated copy: {floor_populated_s:.2f} s (differences only {floor_diff_s:.2f} s, "
            f"delete + insert {floor_replace_s:.2f} s, changed school-years rewritten {floor_grouped_s:.2f} s)",
            flush=True,
        )
        recompute_populated_s = best_of(2, indicators_recompute, setup=change)
        print(
            f"recompute into a populated table: {recompute_populated_s:.2f} s, {IndicatorValue.objects.count()} values",
            flush=True,
        )

        version = MethodologyVersion.objects.get(methodology__kind="low_results", number=1)
        year = world["years"][-1]

        def run_once() -> IdentificationRun:
            run = IdentificationRun.objects.create(version=version, year=year, municipality=world["big"])
            return services.identification_run_execute(run_id=run.pk)

        run_s = best_of(2, run_once)
        run = IdentificationRun.objects.filter(municipality=world["big"]).order_by("-pk").first()
        print(f"run: {run_s:.2f} s, {run.schools_count} schools, {run.proposed_count} proposed", flush=True)

        # The region role's run over every school of the region (issue #20, item 5), as it
        # starts it: through the service, pools by municipality and region as the preset says.
        def region_run_once() -> IdentificationRun:
            user = world["region_user"]
            run = services.identification_run_create(user=user, version=version, year=year, region=user.region)
            return services.identification_run_execute(run_id=run.pk)

        region_run_s = best_of(2, region_run_once)
        region_run = IdentificationRun.objects.filter(region__isnull=False).order_by("-pk").first()
        print(
            f"region run: {region_run_s:.2f} s, {region_run.schools_count} schools, "
            f"{region_run.proposed_count} proposed",
            flush=True,
        )

        school = world["big"].schools.order_by("pk").first()
        queries = page_queries(world["department"], school, run)
        for _ in range(2):  # two runs, as in the big municipality: the run page compares with the earlier one
            small_run = IdentificationRun.objects.create(version=version, year=year, municipality=world["small"])
            services.identification_run_execute(run_id=small_run.pk)
        small_queries = page_queries(world["small_department"], world["small"].schools.first(), small_run)
        print(f"page queries: {queries} (small municipality: {small_queries})", flush=True)
        connection.close()
    finally:
        if not args.keep:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    print(
        f"identify_bench schools={args.schools} rows={rows} recompute_s={recompute_s:.2f} floor_s={floor_s:.2f} "
        f"scan_s={scan_s:.2f} "
        f"ratio_floor={recompute_s / floor_s:.2f} run_s={run_s:.2f} region_run_s={region_run_s:.2f} "
        f"page_queries={queries} recompute_populated_s={recompute_populated_s:.2f} "
        f"floor_populated_s={floor_populated_s:.2f} "
        f"ratio_floor_populated={recompute_populated_s / floor_populated_s:.2f}"
    )


if __name__ == "__main__":
    main()
