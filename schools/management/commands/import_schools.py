"""``manage.py import_schools PATH``: load a registry file as an operator.

Same validation and all-or-nothing write as the department's upload page; without
``--municipality`` every row must name its municipality (ОКТМО or name).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.tabular import TabularFileError, describe_error, read_tables
from schools.models import Municipality
from schools.services import registry_load


class Command(BaseCommand):
    help = "Загрузить реестр школ из файла XLSX или CSV (всё или ничего)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--municipality",
            help="ОКТМО муниципалитета: строки без муниципалитета относятся к нему, другие не принимаются.",
        )

    def handle(self, *args, path: Path, municipality: str | None, **options):
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        allowed = Municipality.objects.all()
        default = None
        if municipality:
            default = Municipality.objects.filter(oktmo=municipality).first()
            if default is None:
                raise CommandError(f"Муниципалитет с ОКТМО {municipality} не найден.")
            allowed = Municipality.objects.filter(pk=default.pk)
        try:
            with path.open("rb") as handle:
                sheets = read_tables(handle, path.name)
        except TabularFileError as exc:
            raise CommandError(str(exc)) from exc
        result, errors, total = registry_load(
            sheets=sheets, allowed_municipalities=allowed, default_municipality=default
        )
        if errors:
            for error in errors[:200]:
                self.stderr.write(describe_error(error.as_dict()))
            if len(errors) > 200:
                self.stderr.write(f"… и ещё {len(errors) - 200} ошибок.")
            raise CommandError(f"Ошибок: {len(errors)}. Ничего не записано.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Строк: {total}; добавлено школ: {result.created}, обновлено: {result.updated}, "
                f"без изменений: {result.unchanged}."
            )
        )
