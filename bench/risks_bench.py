"""Benchmark: objectivity signals and risk profiles over a region of generated results.

Runs on a throw-away SQLite database in a temporary folder unless DATABASE_URL is set (then
that database is migrated and filled: give it one of its own). Generates ``--schools`` schools
with ВПР (4 subjects × 2 grades) and ОГЭ rows, ``--per-slice`` participants each, then times the
full recompute of signals and risk levels and counts the queries of the signals list and the
overview page. Last line:

    risks_bench db=… schools=N rows=… signals_s=… profiles_s=… signals=… page_queries=…/…
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=500)
    parser.add_argument("--per-slice", type=int, default=25)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User
    from monitoring.models import ContextData, ImportJob, ParticipantResult, Subject
    from risks.services import objectivity_recompute, risk_profile_compute
    from schools.models import AcademicYear, Municipality, Organisation, Region, School

    call_command("migrate", verbosity=0)
    rng = random.Random(42)  # nosec B311 # seeded generator for demo/bench data, not for secrets
    region, _ = Region.objects.get_or_create(code="91", defaults={"name": "Регион для замеров рисков"})
    municipality, _ = Municipality.objects.get_or_create(
        oktmo="91600000", defaults={"region": region, "name": "Район для замеров рисков"}
    )
    year, _ = AcademicYear.objects.get_or_create(start_year=2025)
    subjects = [
        Subject.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in (("01", "Русский язык"), ("02", "Математика"), ("07", "История"), ("10", "Биология"))
    ]
    job, _ = ImportJob.objects.get_or_create(sha256="b" * 64, defaults={"original_name": "bench", "status": "done"})
    existing = School.objects.filter(municipality=municipality).count()
    if existing < args.schools:
        orgs = Organisation.objects.bulk_create(
            Organisation(kind="school", municipality=municipality, name=f"Школа для замеров {n}", short_name=f"Ш{n}")
            for n in range(existing, args.schools)
        )
        schools = School.objects.bulk_create(
            School(
                organisation=o,
                municipality=municipality,
                code=f"edu{910000 + existing + i}",
                school_type="sosh",
                settlement="urban",
            )
            for i, o in enumerate(orgs)
        )
        rows, contexts = [], []
        for s in schools:
            lean = rng.random() < 0.05  # a few schools with raised marks and boundary peaks
            for subject in subjects:
                for grade in (5, 8):
                    for k in range(args.per_slice):
                        score = 4 if lean and k < 6 else max(0, min(15, int(rng.gauss(8, 3))))
                        mark = 2 if score < 4 else 3 if score < 8 else 4 if score < 12 else 5
                        journal = max(2, mark - (1 if lean and k % 2 else 0))
                        rows.append(
                            ParticipantResult(
                                year=year, procedure="vpr", subject=subject, grade=grade, school=s,
                                participant_key=f"{s.pk:010d}{subject.pk:04d}{grade:02d}{k:016d}",
                                primary_score=score, mark=mark, journal_mark=journal, import_job=job,
                            )
                        )  # fmt: skip
                for k in range(args.per_slice):
                    rows.append(
                        ParticipantResult(
                            year=year, procedure="oge", subject=subject, grade=9, school=s,
                            participant_key=f"{s.pk:010d}{subject.pk:04d}09{k:016d}",
                            primary_score=20, mark=rng.choice((2, 3, 3, 4)), import_job=job,
                        )
                    )  # fmt: skip
            contexts.append(
                ContextData(
                    year=year, school=s, import_job=job, ovz_share=rng.uniform(0, 15),
                    teacher_posts=40, teacher_vacancies=rng.choice((0, 1, 3, 6)), non_native_share=rng.uniform(0, 30),
                )
            )  # fmt: skip
            if len(rows) > 50_000:
                ParticipantResult.objects.bulk_create(rows, batch_size=5000)
                rows = []
        ParticipantResult.objects.bulk_create(rows, batch_size=5000)
        ContextData.objects.bulk_create(contexts, batch_size=5000)
    total_rows = ParticipantResult.objects.filter(year=year, school__municipality=municipality).count()

    started = time.perf_counter()
    signals = objectivity_recompute(year=year)
    signals_s = time.perf_counter() - started
    started = time.perf_counter()
    risk_profile_compute(year=year)
    profiles_s = time.perf_counter() - started
    again = time.perf_counter()
    objectivity_recompute(year=year)
    again_s = time.perf_counter() - again
    print(f"  signals recompute again (idempotent) in {again_s:.2f}s")

    user, _ = User.objects.get_or_create(
        username="risks-bench", defaults={"role": Role.DEPARTMENT, "municipality": municipality}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    counts = []
    for url in ("/risks/signals/", "/risks/overview/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200  # nosec B101 # a bench script checking its own run
        counts.append(len(ctx.captured_queries))
    engine = django.conf.settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"risks_bench db={engine} schools={args.schools} rows={total_rows} signals_s={signals_s:.2f} "
        f"profiles_s={profiles_s:.2f} signals={signals} page_queries={counts[0]}/{counts[1]}"
    )


if __name__ == "__main__":
    main()
