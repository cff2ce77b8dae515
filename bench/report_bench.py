"""Benchmark: reports on region-scale data (issue #9).

Runs on a throw-away SQLite database in a temporary folder unless DATABASE_URL is set; with
PostgreSQL the server of DATABASE_URL is used, never its database: the bench makes (and keeps,
for a faster second run) its own database «report_bench» there. Generates ``--schools``
schools in ``--municipalities`` municipalities with four years of ВПР aggregates (4 subjects ×
2 grades), context data, statuses, a school programme with a filed progress report and
agreements, then times the building and rendering of:

* the school passport of one school (the department's request);
* the identification report over every school of the region (the region's request), when the
  identification kind is available;
* the year's results of one municipality and the register of agreements of the region (PDF),
  for information.

Targets: passport ≤ 2 s, identification report ≤ 60 s, peak RSS ≤ 1 GB. Last line:

    report_bench passport_s=… identification_report_s=… peak_rss_mb=…
"""

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(label: str, function) -> tuple[float, int]:
    started = time.perf_counter()
    content = function()
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.2f} s, {len(content) / 1024:.0f} KiB")
    return elapsed, len(content)


def _own_database(url: str, name: str, *, fresh: bool = False) -> str:
    """The URL of database ``name`` on the server of ``url``, created when missing (dropped first with ``fresh``)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {name}")
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--municipalities", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="200 schools: a smoke check, not the target size")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the bench database")
    args = parser.parse_args()
    if args.quick:
        args.schools, args.municipalities = 200, 4
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = _own_database(
            url, os.environ.get("REPORT_BENCH_DB", "report_bench"), fresh=args.fresh
        )

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from django.core.management import call_command

    from accounts.models import Role, User
    from identification.models import SchoolStatus, StatusKind
    from monitoring.models import ContextData, ImportJob, SchoolAggregate, Subject
    from partnerships.models import Agreement
    from reports import documents, services
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
    rng = random.Random(9)  # nosec B311 # seeded generator for bench data, not for secrets
    region, _ = Region.objects.get_or_create(code="93", defaults={"name": "Регион для замеров отчётов"})
    municipalities = [
        Municipality.objects.get_or_create(
            oktmo=f"93{600000 + n * 1000:06d}"[:8], defaults={"region": region, "name": f"Район № {n + 1}"}
        )[0]
        for n in range(args.municipalities)
    ]
    years = [AcademicYear.objects.get_or_create(start_year=y)[0] for y in (2022, 2023, 2024, 2025)]
    year = years[-1]
    subjects = [
        Subject.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in (("01", "Русский язык"), ("02", "Математика"), ("07", "История"), ("10", "Биология"))
    ]
    job, _ = ImportJob.objects.get_or_create(sha256="r" * 64, defaults={"original_name": "bench", "status": "done"})
    existing = School.objects.filter(municipality__region=region).count()
    if existing < args.schools:
        started = time.perf_counter()
        orgs = Organisation.objects.bulk_create(
            Organisation(
                kind="school",
                municipality=municipalities[n % len(municipalities)],
                name=f"Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № {n + 1}»",
                short_name=f"МБОУ СОШ № {n + 1}",
            )
            for n in range(existing, args.schools)
        )
        schools = School.objects.bulk_create(
            School(
                organisation=o,
                municipality_id=o.municipality_id,
                code=f"edu{930000 + existing + i}",
                school_type="sosh",
                settlement=rng.choice(("urban", "rural")),
                contingent=rng.randint(80, 1200),
            )
            for i, o in enumerate(orgs)
        )
        aggregates, contexts, statuses = [], [], []
        for s in schools:
            weak = rng.random() < 0.1
            for y in years:
                for subject in subjects:
                    for grade in (4, 8):
                        n = rng.randint(15, 90)
                        two = int(n * (rng.uniform(0.15, 0.35) if weak else rng.uniform(0.0, 0.12)))
                        five = int(n * rng.uniform(0.05, 0.25))
                        three = (n - two - five) // 2
                        aggregates.append(
                            SchoolAggregate(
                                year=y, procedure="vpr", subject=subject, grade=grade, school=s, participants=n,
                                mark_2=two, mark_3=three, mark_4=n - two - three - five, mark_5=five,
                                mean_mark=Decimal("3.5"), import_job=job,
                            )
                        )  # fmt: skip
                contexts.append(
                    ContextData(
                        year=y, school=s, import_job=job, contingent=s.contingent,
                        low_income_share=Decimal(f"{rng.uniform(0, 40):.2f}"),
                        ovz_share=Decimal(f"{rng.uniform(0, 10):.2f}"),
                    )
                )  # fmt: skip
                if weak:
                    statuses.append(SchoolStatus(school=s, year=y, kind=StatusKind.LOW_RESULTS, decision_number="1-ОД"))
            if len(aggregates) > 40_000:
                SchoolAggregate.objects.bulk_create(aggregates, batch_size=5000)
                aggregates = []
        SchoolAggregate.objects.bulk_create(aggregates, batch_size=5000)
        ContextData.objects.bulk_create(contexts, batch_size=5000)
        SchoolStatus.objects.bulk_create(statuses, batch_size=5000)
        print(f"  generated {args.schools - existing} schools in {time.perf_counter() - started:.1f} s")

    school = School.objects.filter(municipality__region=region).select_related("organisation").order_by("pk").first()
    municipality = school.municipality
    department, _ = User.objects.get_or_create(
        username="report-bench-department", defaults={"role": Role.DEPARTMENT, "municipality": municipality}
    )
    if department.municipality_id != municipality.pk:  # a second run after the schools were regrouped
        department.municipality = municipality
        department.save(update_fields=["municipality"])
    regional, _ = User.objects.get_or_create(
        username="report-bench-region", defaults={"role": Role.REGION, "region": region}
    )
    if not Roadmap.objects.filter(school=school).exists():
        roadmap = Roadmap.objects.create(
            level=Level.SCHOOL, municipality=municipality, school=school, title="Программа повышения качества",
            start_year=year, end_year=year, status=Roadmap.Status.APPROVED, created_by=department,
        )  # fmt: skip
        period = ReportingPeriod.objects.create(
            municipality=municipality, name="I полугодие", opens_on=dt.date(2025, 12, 1), due_on=dt.date(2025, 12, 25),
            created_by=department,
        )  # fmt: skip
        report = ProgressReport.objects.create(roadmap=roadmap, period=period, status="submitted")
        for d, (direction, _label) in enumerate(Direction.choices):
            objective = Objective.objects.create(roadmap=roadmap, direction=direction, title=f"Задача {d + 1}")
            for k in range(5):
                measure = Measure.objects.create(
                    objective=objective, roadmap=roadmap, title=f"Мероприятие {d + 1}.{k + 1}",
                    starts_on=dt.date(2025, 9, 1), due_on=dt.date(2026, 5, 1),
                )  # fmt: skip
                MeasureProgress.objects.create(report=report, measure=measure, percent=rng.choice((0, 50, 100)))
        partners = list(School.objects.filter(municipality=municipality).exclude(pk=school.pk)[:40])
        for n, partner in enumerate(partners):
            agreement = Agreement.objects.create(
                municipality=municipality, number=f"{n + 1}-П", signed_on=dt.date(2025, 10, 1),
                supported_school=school if n == 0 else partner, status="active", created_by=department,
            )  # fmt: skip
            agreement.partners.add(partner.organisation if n == 0 else school.organisation)

    print(f"report_bench: {args.schools} schools in {args.municipalities} municipalities")
    from core.pdf import warm_up

    # The worker warms the renderer up when it starts (reports.tasks); the first render of a
    # cold process pays for loading WeasyPrint, Pango and the fonts once.
    print(f"  renderer warm-up (once per worker): {warm_up():.2f} s")
    passport_s, _ = _timed(
        "school passport",
        lambda: services.render_document(documents.passport(user=department, params={"school": school.pk})),
    )
    _timed(
        "year's results of a municipality",
        lambda: services.render_document(
            documents.year_results(user=department, params={"municipality": municipality.pk})
        ),
    )
    _timed(
        "agreements register (PDF)",
        lambda: services.render_document(documents.agreements_register(user=regional, params={})),
    )
    identification = "n/a"
    share = "n/a"
    builder = documents.BUILDERS.get("identification")
    if builder is not None:
        _identification_run(regional=regional, region=region, year=year, rng=rng)
        from reports.identification_report import bench_params

        params = bench_params(user=regional)
        from identification.models import IdentificationRun

        run = IdentificationRun.objects.filter(pk=params.get("run")).first() if isinstance(params, dict) else None
        if run is not None and run.schools_count:
            share = f"{100 * run.proposed_count / run.schools_count:.1f}"
            print(f"  run №{run.pk}: {run.proposed_count} of {run.schools_count} schools proposed ({share} %)")
        identification_s, _ = _timed(
            "identification report (region)",
            lambda: services.render_document(builder(user=regional, params=params)),
        )
        identification = f"{identification_s:.2f}"
    # ru_maxrss is in KiB on Linux.
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"report_bench passport_s={passport_s:.2f} identification_report_s={identification} "
        f"proposed_share_pct={share} peak_rss_mb={peak_rss_mb:.0f}"
    )


PROPOSED_SHARE = 0.15


def _identification_run(*, regional, region, year, rng) -> None:
    """A finished run over every school of the region, stored as the engine stores it.

    The report reads stored results only, so the bench writes them directly (the engine's own
    timing is bench/identify_bench.py's). Runs are per municipality: the region's schools are
    put under the run's municipality view by using one municipality holding them all.
    """
    from identification.models import (
        Criterion,
        IdentificationRun,
        Methodology,
        MethodologyVersion,
        RunResult,
        StatusKind,
    )
    from schools.models import Municipality, School

    big, _ = Municipality.objects.get_or_create(
        oktmo="93999000", defaults={"region": region, "name": "Район для отчёта по выявлению"}
    )
    # A realistic share of proposals (issue #20): about 15 % of the schools, as regional lists
    # of ШНОР run; the name changed with the share, so a kept database gets the new run.
    name = "ШНОР (замеры, 15 %)"
    if IdentificationRun.objects.filter(municipality=big, status="done", version__methodology__name=name).exists():
        return
    School.objects.filter(municipality__region=region).update(municipality=big)
    methodology, _ = Methodology.objects.get_or_create(name=name, defaults={"kind": StatusKind.LOW_RESULTS})
    version, created = MethodologyVersion.objects.get_or_create(
        methodology=methodology, number=1, defaults={"required_count": 2, "source_document": "Приказ № 1"}
    )
    labels = ["доля «2» по ВПР (русский язык)", "доля «2» по ВПР (математика)", "средняя отметка по ВПР"]
    if created:
        for n, code in enumerate(("vpr_share_2", "vpr_share_2", "vpr_mean_mark")):
            Criterion.objects.create(version=version, indicator=code, operator="bottom", value=10, order=n)
    run = IdentificationRun.objects.create(
        version=version, year=year, municipality=big, status="done", progress=100, created_by=regional
    )
    results = []
    for school_id in School.objects.filter(municipality=big).values_list("pk", flat=True):
        # Proposed (two or three criteria hold) with probability PROPOSED_SHARE; else at most one.
        if rng.random() < PROPOSED_SHARE:
            fired = [True, True, rng.random() < 0.5]
        else:
            fired = [False, False, rng.random() < 0.2]
        rng.shuffle(fired)
        details = [
            {
                "criterion": n, "label": label, "fired": f, "value": round(rng.uniform(0, 30), 1),
                "percentile": round(rng.uniform(0, 100), 1), "threshold": 20.0, "text": "", "years": [2025],
            }
            for n, (label, f) in enumerate(zip(labels, fired, strict=True))
        ]  # fmt: skip
        proposed = sum(fired) >= 2
        results.append(
            RunResult(
                run=run, school_id=school_id, proposed=proposed, fired_count=sum(fired), details=details,
                explanation="Выполнены критерии: " + "; ".join(t for t, f in zip(labels, fired, strict=True) if f),
            )
        )  # fmt: skip
    RunResult.objects.bulk_create(results, batch_size=2000)
    IdentificationRun.objects.filter(pk=run.pk).update(
        schools_count=len(results), proposed_count=sum(r.proposed for r in results)
    )
    regional.refresh_from_db()


if __name__ == "__main__":
    main()
