"""Benchmark: the pages a department opens for a reporting period, with many school programmes.

Builds a municipality of N schools (default 300), each with an approved programme of M measures
(default 12) and a submitted report, then times the period page (who has not filed + summary by
school and direction), the overdue list and a roadmap page, counting SQL queries. Runs on a
throw-away SQLite database in a temporary folder unless DATABASE_URL is set. Last line:

    roadmaps_period db=… schools=N measures=M period_ms=… period_queries=… overdue_ms=… roadmap_ms=…
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--measures", type=int, default=12)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Role, User
    from roadmaps.models import (
        Direction,
        Level,
        Measure,
        MeasureProgress,
        Objective,
        ProgressReport,
        ReportingPeriod,
        Roadmap,
    )
    from schools.models import AcademicYear, Municipality, Organisation, Region, School

    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(code="91", defaults={"name": "Регион для замеров карт"})
    municipality, _ = Municipality.objects.get_or_create(
        oktmo="91600000", defaults={"region": region, "name": "Район для замеров карт"}
    )
    year, _ = AcademicYear.objects.get_or_create(start_year=2025)
    department, _ = User.objects.get_or_create(
        username="bench_uo", defaults={"role": Role.DEPARTMENT, "municipality": municipality}
    )
    period, _ = ReportingPeriod.objects.get_or_create(
        municipality=municipality,
        name="I полугодие",
        defaults={"opens_on": dt.date(2025, 12, 1), "due_on": dt.date(2026, 1, 20), "created_by": department},
    )
    started = time.perf_counter()
    directions = [value for value, _ in Direction.choices]
    have = School.objects.filter(municipality=municipality).count()
    for n in range(have, args.schools):
        organisation = Organisation.objects.create(kind="school", municipality=municipality, name=f"Школа {n}")
        school = School.objects.create(
            organisation=organisation, municipality=municipality, code=f"edu{7000000 + n}", school_type="sosh",
            settlement="rural",
        )  # fmt: skip
        roadmap = Roadmap.objects.create(
            level=Level.SCHOOL, municipality=municipality, school=school, title=f"Программа {n}", start_year=year,
            end_year=year, status=Roadmap.Status.APPROVED, created_by=department,
        )  # fmt: skip
        objectives = Objective.objects.bulk_create(
            Objective(roadmap=roadmap, direction=d, title=f"Задача {d}") for d in directions
        )
        measures = Measure.objects.bulk_create(
            Measure(
                objective=objectives[k % len(objectives)],
                roadmap=roadmap,
                title=f"Мероприятие {k}",
                starts_on=dt.date(2025, 9, 1),
                due_on=dt.date(2025, 10, 1) + dt.timedelta(days=20 * k),
            )
            for k in range(args.measures)
        )
        report = ProgressReport.objects.create(
            roadmap=roadmap, period=period, status=ProgressReport.Status.SUBMITTED, submitted_at=timezone.now()
        )
        MeasureProgress.objects.bulk_create(
            MeasureProgress(report=report, measure=m, percent=(17 * k) % 101) for k, m in enumerate(measures)
        )
    build_s = time.perf_counter() - started

    client = Client()
    client.force_login(department)
    figures = {}
    for label, url in (
        ("period", f"/roadmaps/periods/{period.pk}/"),
        ("overdue", "/roadmaps/overdue/"),
        ("roadmap", f"/roadmaps/{Roadmap.objects.filter(municipality=municipality).first().pk}/"),
        ("list", "/roadmaps/"),
    ):
        client.get(url)  # warm caches and connections
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)  # nosec B101 # a bench script checking its own run
        figures[label] = (elapsed, len(queries))
        print(f"  {label:8} {url:32} {elapsed:8.0f} ms  {len(queries):3d} queries")
    engine = django.conf.settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"roadmaps_period db={engine} schools={args.schools} measures={args.measures} build_s={build_s:.1f} "
        + " ".join(f"{k}_ms={v[0]:.0f} {k}_queries={v[1]}" for k, v in figures.items())
    )


if __name__ == "__main__":
    main()
