"""``manage.py backup PATH``: the database and the uploaded files into one directory.

See ``core/backup.py`` for what the directory holds; ``manage.py restore PATH`` reads it back.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Сделать резервную копию: база данных и загруженные файлы в одну папку."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Папка для копии (будет создана).")
        parser.add_argument("--database", default="default")

    def handle(self, *args, path: Path, database: str, **options):
        try:
            target = backup_create(path=path, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = sum(item.stat().st_size for item in target.iterdir() if item.is_file())
        self.stdout.write(self.style.SUCCESS(f"Резервная копия записана в {target} ({size // 1024} КБ)."))
