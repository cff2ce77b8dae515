"""Benchmark: load a region's school registry (default 2,000 schools) from CSV.

Runs on a throw-away SQLite database in a temporary folder unless DATABASE_URL is set.
Measures the parse alone, the first import (all new), and the re-import (all
unchanged), and the peak RSS. Last line:

    registry_import schools=N parse_s=… import_s=… reimport_s=… rows_per_s=… peak_rss_mb=…
"""

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_csv(schools: int, municipalities: list[str]) -> bytes:
    from schools.registry_format import COLUMNS, inn_check_digit

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([c.title for c in COLUMNS])
    for n in range(schools):
        first = f"16{n:07d}"
        writer.writerow(
            [
                f"edu{600000 + n}",
                municipalities[n % len(municipalities)],
                f"Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № {n}»",
                f"МБОУ СОШ № {n}",
                "СОШ" if n % 4 else "ООШ",
                "Городская" if n % 3 else "Сельская",
                "НОО, ООО, СОО" if n % 4 else "НОО, ООО",
                f"Иванов Иван Иванович {n}",
                200 + n % 900,
                first + inn_check_digit(first),
                "",
                f"ул. Школьная, {n}",
                "54.7361",
                "52.7979",
                f"https://school{n}.example.ru",
                f"school{n}@example.ru",
                "+7 (85594) 1-23-45",
                "да",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--municipalities", type=int, default=40)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from core.tabular import read_tables
    from schools.models import Municipality, Region
    from schools.services import registry_load

    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(code="90", defaults={"name": "Регион для замеров"})
    oktmos = []
    for i in range(args.municipalities):
        m, _ = Municipality.objects.get_or_create(
            oktmo=f"{90600000 + i:08d}", defaults={"region": region, "name": f"Район для замеров {i}"}
        )
        oktmos.append(m.oktmo)
    content = build_csv(args.schools, oktmos)

    started = time.perf_counter()
    sheets = read_tables(io.BytesIO(content), "bench.csv")
    from schools.registry_format import parse_registry

    parse_registry(sheets, municipality_required=True)
    parse_s = time.perf_counter() - started

    allowed = Municipality.objects.all()
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        result, errors, _total = registry_load(
            sheets=read_tables(io.BytesIO(content), "bench.csv"),
            allowed_municipalities=allowed,
            default_municipality=None,
        )
        timings.append(time.perf_counter() - started)
        if errors:
            raise SystemExit(f"unexpected errors: {errors[:3]}")
        print(
            f"  pass: created={result.created} updated={result.updated} unchanged={result.unchanged} "
            f"in {timings[-1]:.2f}s"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine = django.conf.settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"registry_import db={engine} schools={args.schools} parse_s={parse_s:.2f} import_s={timings[0]:.2f} "
        f"reimport_s={timings[1]:.2f} rows_per_s={args.schools / timings[0]:.0f} peak_rss_mb={peak_mb:.0f}"
    )


if __name__ == "__main__":
    main()
