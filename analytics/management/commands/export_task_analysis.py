"""``manage.py export_task_analysis --municipality OKTMO --year YYYY OUT.xlsx`` (issue #18).

YYYY is the academic year as the portal names it by its first calendar year: 2025 is
2025/2026, the year of the spring 2026 ВПР; «2025/2026» is accepted too.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analytics.task_analysis import task_analysis_workbook
from schools.models import AcademicYear, Municipality


def _start_year(text: str) -> int:
    head = text.split("/", 1)[0].strip()
    if not head.isdigit() or len(head) != 4:
        raise CommandError(f"Год «{text}»: укажите год начала учебного года, например 2025 (или 2025/2026).")
    return int(head)


class Command(BaseCommand):
    help = "Выгрузка анализа заданий и отметок школ муниципалитета за учебный год в XLSX."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="Файл .xlsx, куда записать.")
        parser.add_argument("--municipality", required=True, help="ОКТМО муниципалитета.")
        parser.add_argument("--year", required=True, help="Год начала учебного года: 2025 — это 2025/2026.")

    def handle(self, *args, out: Path, municipality: str, year: str, **options):
        found = Municipality.objects.filter(oktmo=municipality.strip()).select_related("region").first()
        if found is None:
            raise CommandError(f"Муниципалитет с ОКТМО «{municipality}» не найден.")
        academic = AcademicYear.objects.filter(start_year=_start_year(year)).first()
        if academic is None:
            raise CommandError(f"Учебного года {year} нет в портале.")
        out.write_bytes(task_analysis_workbook(municipality=found, year=academic))
        self.stdout.write(f"Записано: {out}")
