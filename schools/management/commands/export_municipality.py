"""``manage.py export_municipality OKTMO --out FILE.zip``: everything a municipality owns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schools.models import Municipality
from schools.municipal_export import municipality_export_write


class Command(BaseCommand):
    help = "Выгрузить все данные муниципалитета: JSON по каждой модели и книга XLSX."

    def add_arguments(self, parser):
        parser.add_argument("oktmo")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, oktmo: str, out: Path, **options):
        municipality = Municipality.objects.filter(oktmo=oktmo).first()
        if municipality is None:
            raise CommandError(f"Муниципалитет с ОКТМО {oktmo} не найден.")
        summary = municipality_export_write(municipality=municipality, out=out)
        done = f"Выгрузка «{municipality}» записана в {out}: {summary.rows} записей, {summary.models} таблиц."
        self.stdout.write(self.style.SUCCESS(done))
