"""Benchmark: one school's list of teachers and its diagnostics, imported synchronously.

The imports run inside the request (teachers.services): this checks that a large school's
files stay well under a second. Runs on a throw-away SQLite database unless DATABASE_URL
is set. Last line:

    teachers_import db=… teachers=N diagnoses=M roster_s=… roster_again_s=… diagnostics_s=… diagnostics_again_s=…
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_files(teachers: int, competences: list[str]) -> tuple[bytes, bytes]:
    from teachers.formats import DIAGNOSTIC_COLUMNS, ROSTER_COLUMNS

    roster, diagnostics = io.StringIO(), io.StringIO()
    roster_writer, diag_writer = csv.writer(roster, delimiter=";"), csv.writer(diagnostics, delimiter=";")
    roster_writer.writerow([c.title for c in ROSTER_COLUMNS])
    diag_writer.writerow([c.title for c in DIAGNOSTIC_COLUMNS])
    for n in range(teachers):
        last, first, middle = f"Учителева{n}", "Мария", "Ивановна"
        roster_writer.writerow(
            [last, first, middle, "Учитель", "русский язык, литература" if n % 2 else "математика", n % 40,
             "Первая", "нет", f"t{n}@example.ru", "да"]
        )  # fmt: skip
        for k, competence in enumerate(competences):
            diag_writer.writerow([last, first, middle, competence, (n * 7 + k * 13) % 100, "15.10.2025", "ЦНППМ"])
            diag_writer.writerow([last, first, middle, competence, (n * 11 + k * 5) % 100, "20.03.2026", "ИМЦ"])
    return roster.getvalue().encode(), diagnostics.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teachers", type=int, default=120, help="a large school has about a hundred")
    parser.add_argument("--competences", type=int, default=5)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Role, User
    from schools.models import Municipality, Organisation, Region, School
    from teachers import services
    from teachers.models import Competence

    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(code="90", defaults={"name": "Регион для замеров"})
    municipality, _ = Municipality.objects.get_or_create(
        oktmo="90600000", defaults={"region": region, "name": "Район для замеров"}
    )
    organisation = Organisation.objects.create(
        kind=Organisation.Kind.SCHOOL, municipality=municipality, name="Школа для замеров", short_name="Школа"
    )
    school = School.objects.create(
        organisation=organisation, municipality=municipality, code="edu909090", school_type="sosh", settlement="urban"
    )
    user = User.objects.create(username="bench-director", role=Role.DIRECTOR, school=school)
    competences = list(Competence.objects.values_list("name", flat=True)[: args.competences])
    roster, diagnostics = build_files(args.teachers, competences)

    def timed(run) -> float:
        started = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - started
        print(f"  created={result.created} updated={result.updated} unchanged={result.unchanged} in {elapsed:.3f}s")
        return elapsed

    def roster_run():
        return services.teachers_import(school=school, fileobj=io.BytesIO(roster), name="p.csv", user=user)

    def diagnostics_run():
        return services.diagnostics_import(school=school, fileobj=io.BytesIO(diagnostics), name="d.csv", user=user)

    roster_s, roster_again_s = timed(roster_run), timed(roster_run)
    diagnostics_s, diagnostics_again_s = timed(diagnostics_run), timed(diagnostics_run)
    engine = django.conf.settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"teachers_import db={engine} teachers={args.teachers} diagnoses={2 * args.teachers * len(competences)} "
        f"roster_s={roster_s:.3f} roster_again_s={roster_again_s:.3f} "
        f"diagnostics_s={diagnostics_s:.3f} diagnostics_again_s={diagnostics_again_s:.3f}"
    )


if __name__ == "__main__":
    main()
