"""``manage.py restore PATH [--force]``: put a backup made by ``manage.py backup`` back.

Says first, in Russian, what it will replace; refuses a non-empty database or media folder
unless ``--force``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore_apply, restore_plan


class Command(BaseCommand):
    help = "Восстановить базу данных и загруженные файлы из резервной копии (manage.py backup)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Папка с резервной копией.")
        parser.add_argument(
            "--force", action="store_true", help="Заменить содержимое непустой базы данных и папки файлов."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, path: Path, force: bool, database: str, **options):
        try:
            plan = restore_plan(path=path, alias=database)
            self.stdout.write(plan.describe())
            restore_apply(plan=plan, force=force, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Восстановление завершено."))
