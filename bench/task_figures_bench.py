"""Benchmark: per-task figures (issue #18) at region scale on PostgreSQL.

Creates its own database (dropped at the end), the world of ``identify_bench`` (``--schools``
schools × ``--years`` years of ВПР and ОГЭ results in a real region's shape) with every result
row carrying ``--tasks`` task scores, and a test structure per procedure, year, subject and
grade. Then measures:

* ``figures_s`` — ``analytics.aggregates.task_figures_recompute()`` over everything: per-task
  and per-mark rows of every class, school, municipality and region, pooled rows of small
  schools, inferred mark boundaries;
* ``floor_s`` — one hand-written SQL doing the same aggregation as directly as PostgreSQL
  allows: one scan of the rows unnesting the task scores, GROUPING SETS for class and school,
  the maxima joined, and one scan for the marks, written into tables shaped and indexed as
  ``TaskResult`` and ``MarkResult``; area rows summed from the school rows;
* ``page_ms`` — the school analytics page (best of three) and ``page_queries``, its SQL queries.

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

FLOOR_TABLES_SQL = """
DROP TABLE IF EXISTS floor_tasks; DROP TABLE IF EXISTS floor_marks;
CREATE TABLE floor_tasks (
    id bigserial PRIMARY KEY, year_id bigint, procedure varchar(3), subject_id bigint, grade smallint,
    level varchar(12), school_id bigint, municipality_id bigint, region_id bigint, class_name varchar(10),
    participants integer, task_number smallint, score_sum integer, max_sum integer
);
CREATE INDEX floor_tasks_school ON floor_tasks (school_id, year_id) WHERE school_id IS NOT NULL;
CREATE INDEX floor_tasks_muni ON floor_tasks (municipality_id, year_id) WHERE municipality_id IS NOT NULL;
CREATE INDEX floor_tasks_region ON floor_tasks (region_id, year_id) WHERE region_id IS NOT NULL;
CREATE TABLE floor_marks (
    id bigserial PRIMARY KEY, year_id bigint, procedure varchar(3), subject_id bigint, grade smallint,
    level varchar(12), school_id bigint, class_name varchar(10), participants integer,
    mark_2 integer, mark_3 integer, mark_4 integer, mark_5 integer, score_sum integer
);
CREATE INDEX floor_marks_school ON floor_marks (school_id, year_id) WHERE school_id IS NOT NULL;
"""

FLOOR_SQL = """
INSERT INTO floor_tasks (year_id, procedure, subject_id, grade, level, school_id, class_name,
                         participants, task_number, score_sum, max_sum)
SELECT g.year_id, g.procedure, g.subject_id, g.grade,
       CASE WHEN GROUPING(g.class_name) = 0 THEN 'class' ELSE 'school' END, g.school_id, COALESCE(g.class_name, ''),
       SUM(g.n), g.task_number, SUM(g.score), SUM(g.n) * tt.max_score
FROM (
    SELECT r.year_id, r.procedure, r.subject_id, r.grade, r.school_id, r.class_name, t.ord AS task_number,
           COUNT(*) AS n, SUM(CASE WHEN t.s ~ '^[0-9]+$' THEN t.s::int ELSE 0 END) AS score
    FROM monitoring_participantresult r
    CROSS JOIN LATERAL unnest(string_to_array(r.task_scores, ',')) WITH ORDINALITY AS t(s, ord)
    WHERE r.replaced_by_id IS NULL AND r.task_scores <> ''
    GROUP BY 1, 2, 3, 4, 5, 6, 7
) g
JOIN monitoring_assessmentstructure ts ON ts.year_id = g.year_id AND ts.procedure = g.procedure
 AND ts.subject_id = g.subject_id AND ts.grade = g.grade AND ts.variant = ''
JOIN monitoring_assessmenttask tt ON tt.structure_id = ts.id AND tt.number = g.task_number
GROUP BY GROUPING SETS ((g.year_id, g.procedure, g.subject_id, g.grade, g.school_id, g.class_name, g.task_number,
                         tt.max_score),
                        (g.year_id, g.procedure, g.subject_id, g.grade, g.school_id, g.task_number, tt.max_score));
INSERT INTO floor_marks (year_id, procedure, subject_id, grade, level, school_id, class_name, participants,
                         mark_2, mark_3, mark_4, mark_5, score_sum)
SELECT year_id, procedure, subject_id, grade, CASE WHEN GROUPING(class_name) = 0 THEN 'class' ELSE 'school' END,
       school_id, COALESCE(class_name, ''), COUNT(*), COUNT(*) FILTER (WHERE mark = 2),
       COUNT(*) FILTER (WHERE mark = 3), COUNT(*) FILTER (WHERE mark = 4), COUNT(*) FILTER (WHERE mark = 5),
       SUM(primary_score)
FROM monitoring_participantresult WHERE replaced_by_id IS NULL AND mark IS NOT NULL
GROUP BY GROUPING SETS ((year_id, procedure, subject_id, grade, school_id, class_name),
                        (year_id, procedure, subject_id, grade, school_id));
INSERT INTO floor_tasks (year_id, procedure, subject_id, grade, level, municipality_id, region_id, class_name,
                         participants, task_number, score_sum, max_sum)
SELECT t.year_id, t.procedure, t.subject_id, t.grade,
       CASE WHEN GROUPING(s.municipality_id) = 0 THEN 'municipality' ELSE 'region' END,
       s.municipality_id, CASE WHEN GROUPING(s.municipality_id) = 1 THEN mu.region_id END, '',
       SUM(t.participants), t.task_number, SUM(t.score_sum), SUM(t.max_sum)
FROM floor_tasks t JOIN schools_school s ON s.id = t.school_id JOIN schools_municipality mu ON mu.id = s.municipality_id
WHERE t.level = 'school'
GROUP BY GROUPING SETS ((t.year_id, t.procedure, t.subject_id, t.grade, s.municipality_id, mu.region_id, t.task_number),
                        (t.year_id, t.procedure, t.subject_id, t.grade, mu.region_id, t.task_number));
"""


def add_task_scores(*, tasks: int) -> int:
    """Every result row gets ``tasks`` task scores (a few hundred distinct strings, as a real
    test has), and every slice a structure of that many tasks of 1–3 points."""
    from django.db import connection

    from monitoring.models import AssessmentStructure, AssessmentTask, ParticipantResult

    rng = random.Random(18)  # nosec B311 # bench data, not security
    maxima = [rng.choice((1, 1, 2, 2, 3)) for _ in range(tasks)]
    pool = [",".join(str(rng.randint(0, m)) if rng.random() > 0.05 else "X" for m in maxima) for _ in range(256)]
    literal = "ARRAY[" + ",".join(f"'{text}'" for text in pool) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE monitoring_participantresult SET task_scores = ({literal})[1 + (id % 256)]"  # nosec B608 # generated digits
        )
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
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from analytics.aggregates import task_figures_recompute
        from analytics.models import TaskResult
        from monitoring.models import ParticipantResult

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        world = generate(schools=args.schools, years=args.years)
        # identify_bench's rows carry no class: give them four, as schools have.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE monitoring_participantresult"
                " SET class_name = grade::text || (ARRAY['А','Б','В','Г'])[1 + id % 4]"
            )
        slices = add_task_scores(tasks=args.tasks)
        rows = ParticipantResult.objects.count()
        print(f"generated {rows} rows with {args.tasks} tasks, {slices} tests, {time.perf_counter() - started:.0f} s")

        def floor() -> None:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_TABLES_SQL)
                cursor.execute(FLOOR_SQL)

        floor_s = best_of(2, floor)
        figures_s = best_of(2, task_figures_recompute)
        print(f"floor {floor_s:.2f} s; figures {figures_s:.2f} s, {TaskResult.objects.count()} task rows", flush=True)

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
