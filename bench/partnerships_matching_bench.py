"""Benchmark: partner matching for one supported school of a large district.

Runs on a throw-away SQLite database in a temporary folder unless DATABASE_URL is set.
Builds ``--schools`` schools (``--candidates`` of them with a high-result status), each
with ВПР and ОГЭ results in four subjects and three grades (``--participants`` per group),
and ``--agreements`` agreements; then times ``match_candidates`` and ``dashboard_figures``
(median of 5) and counts their queries. Last line:

    partnerships_matching schools=N candidates=C results=R match_ms=… match_queries=… dashboard_ms=… dashboard_queries=…
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=120)
    parser.add_argument("--candidates", type=int, default=40)
    parser.add_argument("--participants", type=int, default=25)
    parser.add_argument("--agreements", type=int, default=300)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import random
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from identification.models import SchoolStatus, StatusKind
    from monitoring.models import ImportJob, ParticipantResult, Procedure, Subject
    from partnerships.models import Agreement
    from partnerships.selectors import dashboard_figures, match_candidates
    from schools.models import AcademicYear, Municipality, Organisation, Region, School

    call_command("migrate", verbosity=0)
    rng = random.Random(6)  # nosec B311 # seeded generator for demo/bench data, not for secrets
    region, _ = Region.objects.get_or_create(code="91", defaults={"name": "Регион для замеров партнёрства"})
    municipality, _ = Municipality.objects.get_or_create(
        oktmo="91610000", defaults={"region": region, "name": "Район для замеров"}
    )
    year, _ = AcademicYear.objects.get_or_create(start_year=2025)
    job = ImportJob.objects.create(original_name="bench.xlsx", sha256="d" * 64)
    subjects = [Subject.objects.get_or_create(code=f"9{i}", defaults={"name": f"Предмет {i}"})[0] for i in range(4)]
    schools = []
    for n in range(args.schools):
        organisation = Organisation.objects.create(
            kind=Organisation.Kind.SCHOOL,
            municipality=municipality,
            name=f"Школа {n}",
            latitude=Decimal("54.7") + Decimal(rng.randint(0, 5000)) / 10000,
            longitude=Decimal("52.8") + Decimal(rng.randint(0, 5000)) / 10000,
        )
        schools.append(
            School.objects.create(
                organisation=organisation,
                municipality=municipality,
                code=f"edu{7100000 + n}",
                school_type=School.Type.SOSH,
                settlement=rng.choice(School.Settlement.values),
                contingent=rng.randint(80, 900),
            )
        )
    rows = []
    for school in schools:
        bad = rng.uniform(0.02, 0.4)
        for subject in subjects:
            for procedure, grades in ((Procedure.VPR, (5, 6, 7)), (Procedure.OGE, (9,))):
                for grade in grades:
                    for p in range(args.participants):
                        mark = 2 if rng.random() < bad else rng.choice((3, 4, 5))
                        rows.append(
                            ParticipantResult(
                                year=year,
                                procedure=procedure,
                                subject=subject,
                                grade=grade,
                                school=school,
                                participant_key=f"{school.pk:08x}{subject.pk:04x}{grade:04x}{p:016x}",
                                primary_score=mark * 5,
                                mark=mark,
                                import_job=job,
                            )
                        )
    ParticipantResult.objects.bulk_create(rows, batch_size=5000)
    supported = schools[0]
    SchoolStatus.objects.create(school=supported, year=year, kind=StatusKind.LOW_RESULTS)
    for school in schools[1 : args.candidates + 1]:
        SchoolStatus.objects.create(school=school, year=year, kind=StatusKind.HIGH_RESULTS)
    for school in schools[args.candidates + 1 : args.candidates + 40]:
        SchoolStatus.objects.create(school=school, year=year, kind=StatusKind.LOW_RESULTS)
    for n in range(args.agreements):
        agreement = Agreement.objects.create(
            municipality=municipality,
            supported_school=schools[args.candidates + 1 + n % 39],
            number=str(n),
            status=rng.choice(Agreement.Status.values),
        )
        agreement.partners.add(schools[1 + n % args.candidates].organisation)

    def timed(fn):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            fn()
        return result, 1000 * statistics.median(times), len(queries)

    suggestions, match_ms, match_queries = timed(lambda: match_candidates(school=supported))
    _, dashboard_ms, dashboard_queries = timed(lambda: dashboard_figures(municipality=municipality))
    print(f"top suggestion: {suggestions[0].organisation} {suggestions[0].score} {suggestions[0].reasons}")
    print(
        f"partnerships_matching schools={args.schools} candidates={len(suggestions)} results={len(rows)} "
        f"match_ms={match_ms:.1f} match_queries={match_queries} "
        f"dashboard_ms={dashboard_ms:.1f} dashboard_queries={dashboard_queries}"
    )


if __name__ == "__main__":
    main()
