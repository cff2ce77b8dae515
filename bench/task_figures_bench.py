"""Benchmark: per-task figures (issue #18) at region scale on PostgreSQL.

Creates its own database (dropped at the end), the world of ``identify_bench`` (``--schools``
schools × ``--years`` years of ВПР and ОГЭ results in a real region's shape) with every result
row carrying ``--tasks`` task scores, and a test structure per procedure, year, subject and
grade. Then measures:

* ``figures_s`` — ``analytics.aggregates.task_figures_recompute()`` over everything: per-task
  and per-mark rows of every class, school, municipality and region, pooled rows of small
  schools, inferred mark boundaries;
* ``floor_s`` — the fastest honest SQL for the same figures (``FLOOR_SQL``, measured with
  EXPLAIN ANALYZE): the unnested scores hashed (not sorted) into class rows joined with the
  tasks' maxima, school rows summed from the class rows, the marks in one scan into class rows
  and summed to schools, area rows summed from school rows — written in one transaction into
  twins of ``TaskResult`` and ``MarkResult`` (same columns, checks and indexes, no foreign keys
  like them), the schools in the product's chunks of 500. It writes no pooled or two-year rows
  and infers no boundaries: a floor. The bench stops if its task rows differ from the product's;
* ``page_ms`` — the school analytics page (best of three) and ``page_queries``, its SQL queries.

The data are written set-based (``identify_bench.generate_results``: INSERT … SELECT over
generate_series, with the classes and task scores in the same INSERT), so the issue's size,
2,000 schools × 5 years × 20 tasks (≈ 5 M result rows), is ``make bench``'s line. At that size
each side is measured once (``--runs``; two below 1 M rows).

Last line:

    task_figures_bench schools=N rows=… figures_s=… floor_s=… ratio_floor=… page_ms=… page_queries=…
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# The floor's tables are the product's tables' twins: the same columns, defaults, checks and
# indexes (LIKE … INCLUDING ALL); like them, no foreign keys (analytics.models._SliceFigures).
FLOOR_TABLES_SQL = [
    "DROP TABLE IF EXISTS floor_tasks",
    "DROP TABLE IF EXISTS floor_marks",
    "CREATE TABLE floor_tasks (LIKE analytics_taskresult INCLUDING ALL)",
    "CREATE TABLE floor_marks (LIKE analytics_markresult INCLUDING ALL)",
]

# The fastest honest SQL for the same figures, as measured (EXPLAIN ANALYZE at 100 × 2 and 300 × 2):
# * the per-class, per-task sums are hashed, not sorted: with the default 4 MB work_mem the
#   planner sorts 20 × the rows (incremental sort + group aggregate, 7.3 s) — with room to hash,
#   2.9 s. The last floor (GROUPING SETS over the unnested scores) always sorted, which is why it
#   was slower than the product (ratio 0.69): it was no floor;
# * the sums are kept once (a temporary table with statistics), joined with the tasks' maxima
#   into the class rows and summed into the school rows;
# * marks: one scan of the results into class rows, school rows summed from them;
# * areas summed from the school rows.
# It writes no pooled or two-year rows and infers no boundaries (the product does): a floor.
FLOOR_SQL = [
    "SET LOCAL work_mem = '256MB'",
    # With room to sort, the planner joins the 700,000 sums to the 800 maxima by sorting both
    # (merge join, 5.8 s at 300 × 2); a hash of the 800 takes 1.5 s. As the product does.
    "SET LOCAL enable_mergejoin = off",
    # The sums into a temporary table with statistics: joined straight to the maxima, PostgreSQL
    # estimates one row out of the aggregate and loops over the tasks' index (2.4 s of 20 at
    # 300 × 2), and the school rows read back from the just-written, statistics-less class rows
    # took 10 s; a CTE instead sorts for merge joins (28 s). Measured, not guessed.
    "DROP TABLE IF EXISTS floor_sums",
    "DROP TABLE IF EXISTS floor_max",
    """
CREATE TEMP TABLE floor_sums AS
SELECT r.year_id, r.procedure, r.subject_id, r.grade, r.school_id, r.class_name, t.ord AS task_number,
       COUNT(*) AS n, SUM(CASE WHEN t.s ~ '^[0-9]+$' THEN t.s::int ELSE 0 END) AS score
FROM monitoring_participantresult r
CROSS JOIN LATERAL unnest(string_to_array(r.task_scores, ',')) WITH ORDINALITY AS t(s, ord)
WHERE r.replaced_by_id IS NULL AND r.task_scores <> '' AND r.task_scores NOT LIKE '%|%'
  AND r.school_id BETWEEN {low} AND {high}
GROUP BY 1, 2, 3, 4, 5, 6, 7
""",
    """
CREATE TEMP TABLE floor_max AS
SELECT ts.year_id, ts.procedure, ts.subject_id, ts.grade, tt.number AS task_number, tt.max_score
FROM monitoring_assessmentstructure ts JOIN monitoring_assessmenttask tt ON tt.structure_id = ts.id
WHERE ts.variant = ''
""",
    "ANALYZE floor_sums",
    "ANALYZE floor_max",
    """
INSERT INTO floor_tasks (year_id, procedure, subject_id, grade, level, school_id, municipality_id, region_id,
                         class_name, participants, task_number, score_sum, max_sum)
SELECT g.year_id, g.procedure, g.subject_id, g.grade, 'class', g.school_id, NULL, NULL, g.class_name,
       g.n, g.task_number, g.score, g.n * m.max_score
FROM floor_sums g JOIN floor_max m USING (year_id, procedure, subject_id, grade, task_number)
""",
    """
INSERT INTO floor_tasks (year_id, procedure, subject_id, grade, level, school_id, municipality_id, region_id,
                         class_name, participants, task_number, score_sum, max_sum)
SELECT g.year_id, g.procedure, g.subject_id, g.grade, 'school', g.school_id, NULL, NULL, '',
       SUM(g.n), g.task_number, SUM(g.score), SUM(g.n) * m.max_score
FROM floor_sums g JOIN floor_max m USING (year_id, procedure, subject_id, grade, task_number)
GROUP BY g.year_id, g.procedure, g.subject_id, g.grade, g.school_id, g.task_number, m.max_score
""",
    "DROP TABLE floor_sums",
    "DROP TABLE floor_max",
    """
INSERT INTO floor_marks (year_id, procedure, subject_id, grade, grade_to, two_years, level, school_id,
                         municipality_id, region_id, class_name, participants, mark_2, mark_3, mark_4, mark_5,
                         score_sum, journal_n, lowered, confirmed, raised)
SELECT year_id, procedure, subject_id, grade, NULL, FALSE, 'class', school_id, NULL, NULL, class_name, COUNT(*),
       COUNT(*) FILTER (WHERE mark = 2), COUNT(*) FILTER (WHERE mark = 3), COUNT(*) FILTER (WHERE mark = 4),
       COUNT(*) FILTER (WHERE mark = 5), SUM(primary_score), COUNT(journal_mark),
       COUNT(*) FILTER (WHERE mark < journal_mark), COUNT(*) FILTER (WHERE mark = journal_mark),
       COUNT(*) FILTER (WHERE mark > journal_mark)
FROM monitoring_participantresult
WHERE replaced_by_id IS NULL AND mark IS NOT NULL AND school_id BETWEEN {low} AND {high}
GROUP BY year_id, procedure, subject_id, grade, school_id, class_name
""",
    """
INSERT INTO floor_marks (year_id, procedure, subject_id, grade, grade_to, two_years, level, school_id,
                         municipality_id, region_id, class_name, participants, mark_2, mark_3, mark_4, mark_5,
                         score_sum, journal_n, lowered, confirmed, raised)
SELECT year_id, procedure, subject_id, grade, NULL, FALSE, 'school', school_id, NULL, NULL, '',
       SUM(participants), SUM(mark_2), SUM(mark_3), SUM(mark_4), SUM(mark_5), SUM(score_sum), SUM(journal_n),
       SUM(lowered), SUM(confirmed), SUM(raised)
FROM floor_marks WHERE level = 'class' AND school_id BETWEEN {low} AND {high}
GROUP BY year_id, procedure, subject_id, grade, school_id
""",
]
# Areas: summed from the school rows once every chunk is written.
FLOOR_AREA_SQL = [
    *(
        f"""
INSERT INTO floor_tasks (year_id, procedure, subject_id, grade, level, school_id, municipality_id, region_id,
                         class_name, participants, task_number, score_sum, max_sum)
SELECT t.year_id, t.procedure, t.subject_id, t.grade, '{level}', NULL, {muni}, {region}, '',
       SUM(t.participants), t.task_number, SUM(t.score_sum), SUM(t.max_sum)
FROM floor_tasks t JOIN schools_school s ON s.id = t.school_id JOIN schools_municipality mu ON mu.id = s.municipality_id
WHERE t.level = 'school'
GROUP BY t.year_id, t.procedure, t.subject_id, t.grade, {key}, t.task_number
"""  # nosec B608 # the fragments are fixed column names of this file
        for level, muni, region, key in (
            ("municipality", "s.municipality_id", "NULL", "s.municipality_id"),
            ("region", "NULL", "mu.region_id", "mu.region_id"),
        )
    ),
    *(
        f"""
INSERT INTO floor_marks (year_id, procedure, subject_id, grade, grade_to, two_years, level, school_id,
                         municipality_id, region_id, class_name, participants, mark_2, mark_3, mark_4, mark_5,
                         score_sum, journal_n, lowered, confirmed, raised)
SELECT m.year_id, m.procedure, m.subject_id, m.grade, NULL, FALSE, '{level}', NULL, {muni}, {region}, '',
       SUM(m.participants), SUM(m.mark_2), SUM(m.mark_3), SUM(m.mark_4), SUM(m.mark_5), SUM(m.score_sum),
       SUM(m.journal_n), SUM(m.lowered), SUM(m.confirmed), SUM(m.raised)
FROM floor_marks m JOIN schools_school s ON s.id = m.school_id JOIN schools_municipality mu ON mu.id = s.municipality_id
WHERE m.level = 'school'
GROUP BY m.year_id, m.procedure, m.subject_id, m.grade, {key}
"""  # nosec B608 # the fragments are fixed column names of this file
        for level, muni, region, key in (
            ("municipality", "s.municipality_id", "NULL", "s.municipality_id"),
            ("region", "NULL", "mu.region_id", "mu.region_id"),
        )
    ),
]


def floor_chunks() -> list[tuple[int, int]]:
    """The schools in the product's chunks (``analytics.aggregates._CHUNK`` schools, all years),
    as ranges of ids: at the issue's size one hash of every class × task would not fit the
    memory either side gives it, and spill."""
    from analytics.aggregates import _CHUNK
    from schools.models import School

    ids = sorted(School.objects.values_list("pk", flat=True))
    return [(ids[i], ids[min(i + _CHUNK, len(ids)) - 1]) for i in range(0, len(ids), _CHUNK)]


def task_scores_sql(*, tasks: int) -> tuple[list[int], str]:
    """The maxima of ``tasks`` tasks of 1–3 points, and the SQL expression of a row's task
    scores for ``identify_bench.generate_results`` — one of 256 texts (about 5 % «X»), picked
    by the pupil's number and school, so the rows are written once, set-based, with their scores."""
    rng = random.Random(18)  # nosec B311 # bench data, not security
    maxima = [rng.choice((1, 1, 2, 2, 3)) for _ in range(tasks)]
    pool = [",".join(str(rng.randint(0, m)) if rng.random() > 0.05 else "X" for m in maxima) for _ in range(256)]
    literal = "ARRAY[" + ",".join(f"'{text}'" for text in pool) + "]"
    return maxima, f"({literal})[1 + mod(i * 7 + sl.school_id, 256)]"


# Four classes a grade, as schools have («5А» … «5Г»).
CLASS_SQL = "sl.gr::text || (ARRAY['А','Б','В','Г'])[1 + mod(i, 4)]"


def add_structures(maxima: list[int]) -> int:
    """A test structure of the given maxima for every slice that has results."""
    from django.db import connection

    from monitoring.models import AssessmentStructure, AssessmentTask, ParticipantResult

    slices = ParticipantResult.objects.values_list("year_id", "procedure", "subject_id", "grade").distinct()
    for year_id, procedure, subject_id, grade in slices:
        structure = AssessmentStructure.objects.create(
            year_id=year_id, procedure=procedure, subject_id=subject_id, grade=grade, max_primary_score=sum(maxima)
        )
        AssessmentTask.objects.bulk_create(
            AssessmentTask(structure=structure, number=n, label=str(n), max_score=m)
            for n, m in enumerate(maxima, start=1)
        )
    with connection.cursor() as cursor:
        # Statistics for every table the two sides read, so the floor is planned as well as it can be.
        for table in ("monitoring_participantresult", "monitoring_assessmentstructure", "monitoring_assessmenttask"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return len(slices)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument(
        "--runs", type=int, default=0, help="runs of each side, best taken (0: 2 below 1 M rows, else 1)"
    )
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()

    from identify_bench import _admin_connection, best_of, generate

    name = f"task_figures_bench_{os.getpid()}"
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
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from analytics.aggregates import task_figures_recompute
        from analytics.models import TaskResult
        from monitoring.models import ParticipantResult

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        maxima, scores = task_scores_sql(tasks=args.tasks)
        world = generate(schools=args.schools, years=args.years, class_sql=CLASS_SQL, task_scores_sql=scores)
        slices = add_structures(maxima)
        rows = ParticipantResult.objects.count()
        print(f"generated {rows} rows with {args.tasks} tasks, {slices} tests, {time.perf_counter() - started:.0f} s")

        def floor() -> None:
            # One transaction, as each chunk of the product's recompute (and its deferred checks).
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in FLOOR_TABLES_SQL:
                    cursor.execute(sql)
                for low, high in floor_chunks():
                    for sql in FLOOR_SQL:
                        cursor.execute(sql.replace("{low}", str(low)).replace("{high}", str(high)))
                for sql in FLOOR_AREA_SQL:
                    cursor.execute(sql)

        runs = args.runs or (2 if rows < 1_000_000 else 1)
        floor_s = best_of(runs, floor)
        figures_s = best_of(runs, task_figures_recompute)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM floor_tasks")
            (floor_rows,) = cursor.fetchone()
        task_rows = TaskResult.objects.count()
        print(
            f"floor {floor_s:.2f} s; figures {figures_s:.2f} s, {task_rows} task rows (floor {floor_rows})", flush=True
        )
        if floor_rows != task_rows:
            raise SystemExit("the floor wrote other task rows than the product: not the same aggregation")

        school = world["big"].schools.order_by("pk").first()
        client = Client()
        client.force_login(world["department"])
        url = reverse("analytics:school", args=[school.pk])
        timings = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - began)
            assert response.status_code == 200  # nosec B101 # a bench script checking its own run
        queries = len(captured)
        page_ms = 1000 * min(timings)
        print(f"school page: {page_ms:.0f} ms, {queries} queries", flush=True)
        connection.close()
    finally:
        if not args.keep:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    ratio = figures_s / floor_s
    print(
        f"target: ratio_floor <= 1.5 (at 2,000 schools × 5 years); measured at {args.schools} × {args.years}:"
        f" {ratio:.2f} — {'met' if ratio <= 1.5 else 'NOT met'}; page {page_ms:.0f} ms (target ≤ 300):"
        f" {'met' if page_ms <= 300 else 'NOT met'}"
    )
    print(
        f"task_figures_bench schools={args.schools} rows={rows} figures_s={figures_s:.2f} floor_s={floor_s:.2f} "
        f"ratio_floor={figures_s / floor_s:.2f} page_ms={page_ms:.0f} page_queries={queries}"
    )


if __name__ == "__main__":
    main()
