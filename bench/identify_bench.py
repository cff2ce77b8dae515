"""Benchmark: indicator recompute and identification over a region on PostgreSQL.

Creates its own database (``identify_bench_<pid>`` on the server of ``--pg``), dropped at the
end; generates ``--schools`` schools × ``--years`` years of results with INSERT … SELECT
generate_series (1,000 result rows per school-year: ВПР in 4 subjects × grades 4–8 × 45
participants, ОГЭ in Russian and mathematics × 50 — ten million rows for 2,000 × 5) and the
context data of every school-year. Then measures:

* ``recompute_s`` — ``identification.indicators.indicators_recompute()`` over everything;
* ``floor_s`` — one hand-written SQL statement computing the same core indicators (per slice
  and per school-year: counts, share of «2», mean mark, ВПР vs journal) into a temporary
  table: the cost of one scan and aggregate, which the recompute cannot beat;
* ``run_s`` — one identification run (the low-results preset, two consecutive years) over all
  the schools (they are put in one municipality so that one run covers them all);
* ``page_queries`` — SQL queries of the municipal dashboard, the school's monitoring page and
  the run page, the largest of them; the same figure is printed for a small municipality
  (``small_page_queries``) to show the count does not grow with the data.

Each timed step runs twice and the better time counts (the machine is shared). Last line:

    identify_bench schools=N recompute_s=… floor_s=… ratio_floor=… run_s=… page_queries=…
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

VPR_SUBJECTS = ("01", "02", "07", "08")
VPR_GRADES = (4, 5, 6, 7, 8)
VPR_PER_SLICE = 45
OGE_SUBJECTS = ("01", "02")
OGE_PER_SLICE = 50
FIRST_YEAR = 2021

FLOOR_SQL = """
CREATE TEMP TABLE floor_indicators AS
SELECT school_id, year_id, procedure, subject_id, grade,
       COUNT(*) AS n,
       100.0 * SUM(CASE WHEN mark = 2 THEN 1 ELSE 0 END) / COUNT(*) AS share_2,
       AVG(mark) AS mean_mark,
       100.0 * SUM(CASE WHEN mark < journal_mark THEN 1 ELSE 0 END) / NULLIF(COUNT(journal_mark), 0) AS lowered,
       100.0 * SUM(CASE WHEN mark = journal_mark THEN 1 ELSE 0 END) / NULLIF(COUNT(journal_mark), 0) AS confirmed,
       100.0 * SUM(CASE WHEN mark > journal_mark THEN 1 ELSE 0 END) / NULLIF(COUNT(journal_mark), 0) AS raised,
       100.0 * SUM(CASE WHEN ABS(mark - journal_mark) >= 2 THEN 1 ELSE 0 END) / NULLIF(COUNT(journal_mark), 0) AS gap
FROM monitoring_participantresult
WHERE replaced_by_id IS NULL AND mark IS NOT NULL AND procedure IN ('vpr', 'oge')
GROUP BY GROUPING SETS ((school_id, year_id, procedure, subject_id, grade), (school_id, year_id, procedure))
HAVING COUNT(*) >= 10
"""


def _admin_connection(pg: str):
    import psycopg2

    connection = psycopg2.connect(pg.rstrip("/") + "/postgres")
    connection.autocommit = True
    return connection


def generate(*, schools: int, years: int) -> dict:
    """Schools, years, results and context, set-based. Returns ids the measurements need."""
    from django.db import connection

    from accounts.models import Role, User
    from monitoring.models import ImportJob, Subject
    from schools.demo import load_region_seed
    from schools.models import AcademicYear, Municipality, School

    load_region_seed(municipalities=1, schools=schools)
    big = Municipality.objects.get(oktmo="90001000")
    # A small municipality elsewhere, for the query count at a small size.
    from schools.models import Organisation

    region = big.region
    small = Municipality.objects.create(region=region, name="Малый район", oktmo="90999000")
    for i in range(3):
        org = Organisation.objects.create(kind="school", municipality=small, name=f"Малая школа {i}")
        School.objects.create(
            organisation=org, municipality=small, code=f"edu59990{i:02d}", school_type="sosh", settlement="urban"
        )
    year_objects = [
        AcademicYear.objects.get_or_create(start_year=FIRST_YEAR + k, defaults={"is_current": k == years - 1})[0]
        for k in range(years)
    ]
    job = ImportJob.objects.create(original_name="bench", sha256="b" * 64, status=ImportJob.Status.DONE)
    subjects = dict(Subject.objects.values_list("code", "pk"))
    vpr_subjects = ",".join(str(subjects[c]) for c in VPR_SUBJECTS)
    oge_subjects = ",".join(str(subjects[c]) for c in OGE_SUBJECTS)
    grades = ",".join(str(g) for g in VPR_GRADES)
    with connection.cursor() as cursor:
        # Load without the secondary indexes and build them once afterwards (much faster).
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'monitoring_participantresult' "
            "AND indexname <> 'monitoring_participantresult_pkey'"
        )
        indexes = cursor.fetchall()
        for index_name, _ in indexes:
            cursor.execute(f'DROP INDEX "{index_name}"')
        cursor.execute("SELECT setseed(0.42)")
        for k, year in enumerate(year_objects):
            # A school's weakness (0…0.3) drifts a little by year; marks follow it, the journal
            # marks are the ВПР mark ± 1 now and then.
            for procedure, subject_list, grade_list, per_slice in (
                ("vpr", vpr_subjects, grades, VPR_PER_SLICE),
                ("oge", oge_subjects, "9", OGE_PER_SLICE),
            ):
                cursor.execute(
                    f"""
                    INSERT INTO monitoring_participantresult
                        (year_id, procedure, subject_id, grade, school_id, class_name, variant, participant_key,
                         primary_score, max_primary_score, mark, journal_mark, task_scores, import_job_id)
                    SELECT %s, %s, subj, gr, s.id, '', '', lpad(i::text, 8, '0'), 10, 20, m.mark,
                           CASE WHEN %s = 'vpr' THEN GREATEST(2, LEAST(5, m.mark + (floor(random() * 3) - 1)::int))
                           END,
                           '', %s
                    FROM schools_school s
                    CROSS JOIN unnest(ARRAY[{subject_list}]) AS subj
                    CROSS JOIN unnest(ARRAY[{grade_list}]) AS gr
                    CROSS JOIN generate_series(1, %s) AS i
                    CROSS JOIN LATERAL (
                        SELECT CASE
                            WHEN random() < ((s.id * 7919 + %s) %% 30) / 100.0 THEN 2
                            ELSE 3 + floor(random() * 3)::int END AS mark
                    ) m
                    """,  # nosec B608 # interpolated lists are integer ids from the bench itself
                    [year.pk, procedure, procedure, job.pk, per_slice, k],
                )
            cursor.execute(
                """
                INSERT INTO monitoring_contextdata
                    (year_id, school_id, contingent, low_income_share, ovz_share, non_native_share,
                     single_parent_share, preventive_register_share, parents_higher_ed_share, missed_lessons,
                     discipline_incidents, teacher_posts, teacher_vacancies, graduates_9, certificates_9, import_job_id)
                SELECT %s, s.id, 200 + (s.id %% 700), (s.id %% 40), (s.id %% 9), (s.id %% 13), 10 + (s.id %% 25),
                       (s.id %% 5), 20 + (s.id %% 50), (200 + (s.id %% 700)) * 30, s.id %% 20, 40, s.id %% 5,
                       40, 40 - (s.id %% 3), %s
                FROM schools_school s
                """,
                [year.pk, job.pk],
            )
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")
    department = User.objects.create(username="bench-uo", role=Role.DEPARTMENT, municipality=big)
    small_department = User.objects.create(username="bench-small", role=Role.DEPARTMENT, municipality=small)
    return {
        "big": big,
        "small": small,
        "years": year_objects,
        "department": department,
        "small_department": small_department,
    }


def best_of(runs: int, step) -> float:
    best = float("inf")
    for _ in range(runs):
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
    args = parser.parse_args()

    name = f"identify_bench_{os.getpid()}"
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

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        world = generate(schools=args.schools, years=args.years)
        from monitoring.models import ParticipantResult

        rows = ParticipantResult.objects.count()
        print(f"generated {rows} result rows in {time.perf_counter() - started:.1f} s", flush=True)

        from identification import services
        from identification.indicators import indicators_recompute
        from identification.models import IdentificationRun, IndicatorValue, MethodologyVersion

        def floor() -> None:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS floor_indicators")
                cursor.execute(FLOOR_SQL)

        floor_s = best_of(2, floor)
        print(f"floor: {floor_s:.2f} s", flush=True)
        recompute_s = best_of(2, indicators_recompute)
        values = IndicatorValue.objects.count()
        print(f"recompute: {recompute_s:.2f} s, {values} values", flush=True)

        version = MethodologyVersion.objects.get(methodology__kind="low_results", number=1)
        year = world["years"][-1]

        def run_once() -> IdentificationRun:
            run = IdentificationRun.objects.create(version=version, year=year, municipality=world["big"])
            return services.identification_run_execute(run_id=run.pk)

        run_s = best_of(2, run_once)
        run = IdentificationRun.objects.filter(municipality=world["big"]).order_by("-pk").first()
        print(f"run: {run_s:.2f} s, {run.schools_count} schools, {run.proposed_count} proposed", flush=True)

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
        f"identify_bench schools={args.schools} recompute_s={recompute_s:.2f} floor_s={floor_s:.2f} "
        f"ratio_floor={recompute_s / floor_s:.2f} run_s={run_s:.2f} page_queries={queries}"
    )


if __name__ == "__main__":
    main()
