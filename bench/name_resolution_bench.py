"""Benchmark: what resolving schools by name adds to the import of a region's ЕГЭ report (issue 16).

Builds a region of 2,000 schools in 40 municipalities (registry names written in full, as a
register does) and two files of the same figures in the regional report's shape (municipality
rows above their schools, 11 subjects × 5 figures): one with a «Код ОО» column, one naming the
schools only as a regional report does («МБОУ "СОШ № 17 с. Примерное"»). Each is imported
through the same pipeline as an upload (monitoring.imports.results_import_sheets), into years
of their own so both write every row; the median of ``--repeat`` runs is compared. Runs on a
throw-away SQLite database unless DATABASE_URL is set. Last line:

    name_resolution schools=N codes_s=… names_s=… resolve_s=… overhead_pct=…
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SUBJECTS = ("Русский язык", "Математика (профиль)", "Иностранные языки", "История", "Литература",
            "Обществознание", "ИКТ", "Химия", "Физика", "Биология", "География")  # fmt: skip
MEASURES = ("приняло участие", "не преодолен min порог", "высокобалльники (80-99 баллов)", "получили 100 баллов",
            "средний балл")  # fmt: skip
STEMS = [f"{a}{b}" for a in ("Бел", "Крас", "Зел", "Чер", "Син") for b in ("огор", "оозер", "олес", "орец", "опол",
                                                                      "оярс", "осел", "одол")]  # fmt: skip
PLACES = ("с. Озёрное", "п. Лесной", "с. Заречье", "г. Северск", "д. Берёзовка")


def school_name(n: int) -> tuple[str, str]:
    """The register's full name and the report's short one of school ``n``."""
    place = PLACES[n % len(PLACES)]
    return (
        f"Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № {n} {place}»",
        f'МБОУ "СОШ № {n} {place.replace(". ", ".")}"',
    )


def report_rows(schools: list[tuple[str, str, str]], *, with_codes: bool, year: int) -> list[list[str]]:
    """The sheet as text cells (what core.tabular reads): title, two-row header, numbering, data."""
    width = 3 + 5 * len(SUBJECTS)
    rows = [[f"Информация о результатах ЕГЭ выпускников школ в {year} году"], [""] * width]
    subjects = ["Код ОО" if with_codes else "", "Муниципальное образование", "Образовательная организация (школа)"]
    for subject in SUBJECTS:
        subjects += [f"{subject}, чел.", "", "", "", ""]
    rows.append(subjects)
    rows.append(["", "", ""] + list(MEASURES) * len(SUBJECTS))
    rows.append([str(n) for n in range(1, width + 1)])
    current = ""
    for index, (municipality, code, name) in enumerate(schools):
        if municipality != current:
            current = municipality
            rows.append(["", municipality] + [""] * (width - 2))
        row = [code if with_codes else "", "", name]
        for s in range(len(SUBJECTS)):
            took = (index + s) % 3 != 0
            participants = 5 + (index * 7 + s) % 40
            row += [str(participants), "1", "2", "0", f"{50 + (index + s) % 40}.5"] if took else ["", "", "", "", ""]
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--municipalities", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    import monitoring.imports.pipeline as pipeline
    from core.tabular import Sheet
    from monitoring.imports import results_import_sheets
    from monitoring.models import ImportJob
    from schools.models import Municipality, Organisation, Region, School

    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(code="91", defaults={"name": "Регион для замера названий"})
    municipalities = [
        Municipality.objects.get_or_create(
            region=region,
            name=f"{STEMS[i % 40]}ский муниципальный район{'' if i < 40 else f' {i}'}",
            defaults={"oktmo": f"{91600000 + i:08d}"},
        )[0]
        for i in range(args.municipalities)
    ]
    schools: list[tuple[str, str, str]] = []
    for n in range(args.schools):
        municipality = municipalities[n % len(municipalities)]
        full, short = school_name(n)
        code = f"edu{910000 + n}"
        if not School.objects.filter(code=code).exists():
            organisation = Organisation.objects.create(
                kind=Organisation.Kind.SCHOOL, municipality=municipality, name=full
            )
            School.objects.create(
                organisation=organisation, municipality=municipality, code=code, school_type="sosh", settlement="urban"
            )
        schools.append((municipality.name.replace(" муниципальный", ""), code, short))
    schools.sort(key=lambda school: school[0])

    # The name-resolution stage alone, timed inside the pipeline.
    resolve_times: list[float] = []
    original = pipeline.names_resolve

    def timed(job, parsed):
        started = time.perf_counter()
        try:
            return original(job, parsed)
        finally:
            resolve_times.append(time.perf_counter() - started)

    pipeline.names_resolve = timed

    def run(with_codes: bool, year: int) -> float:
        sheet = Sheet(name=str(year), rows=report_rows(schools, with_codes=with_codes, year=year))
        started = time.perf_counter()
        job = results_import_sheets(sheets=[sheet], original_name=f"ege-{year}.xlsx")
        elapsed = time.perf_counter() - started
        if job.status != ImportJob.Status.DONE:
            raise SystemExit(f"import failed: {job.status} {job.errors[:3]} {job.pending_names[:3]}")
        return elapsed

    codes_s, names_s, resolve_s = [], [], []
    for attempt in range(args.repeat):
        codes_s.append(run(True, 2000 + attempt))
        resolve_times.clear()
        names_s.append(run(False, 2040 + attempt))
        resolve_s.append(sum(resolve_times))
    codes, names, resolve = (statistics.median(v) for v in (codes_s, names_s, resolve_s))
    print(
        f"name_resolution schools={args.schools} codes_s={codes:.2f} names_s={names:.2f} resolve_s={resolve:.3f} "
        f"overhead_pct={100 * (names - codes) / codes:.1f} resolve_pct={100 * resolve / codes:.1f}"
    )


if __name__ == "__main__":
    main()
