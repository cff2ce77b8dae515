"""``manage.py import_results PATH [--user USERNAME]``: the upload page, from a shell.

Same pipeline as the page (stored file, ImportJob, validation, one transaction), run in
this process instead of a worker. With ``--user`` the job has that user's scope; without
it the job is an operator's and may load any school. Exits non-zero on errors.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.tabular import TabularFileError, describe_error
from monitoring import imports
from monitoring.models import ImportJob


class Command(BaseCommand):
    help = "Загрузить результаты (Ф1 ВПР, протокол РЦОИ, контекстные данные) из файла: всё или ничего."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", help="Логин пользователя, от имени которого загрузить (его права и школы).")

    def handle(self, *args, path: Path, user: str | None, **options):
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        owner = None
        if user:
            owner = User.objects.filter(username=user).first()
            if owner is None:
                raise CommandError(f"Пользователь {user} не найден.")
        try:
            with path.open("rb") as handle:
                job = imports.results_import_create(
                    user=owner, uploaded_file=handle, original_name=path.name, queue=False
                )
        except (TabularFileError, imports.ImportRefused) as exc:
            raise CommandError(str(exc)) from exc
        job = imports.results_import_run(job_id=job.pk) or ImportJob.objects.get(pk=job.pk)
        if job.status != ImportJob.Status.DONE:
            for error in job.errors[:200]:
                self.stderr.write(describe_error(error))
            if job.error_count > 200:
                self.stderr.write(f"… и ещё {job.error_count - 200} ошибок.")
            raise CommandError(f"Загрузка №{job.pk}: ошибок {job.error_count}. Ничего не записано.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Загрузка №{job.pk} ({job.get_layout_display()}): строк {job.total_rows}, школ {job.schools_count}; "
                f"записано {job.rows_created}, заменено {job.rows_replaced}, "
                f"наборов без изменений {job.slices_unchanged}."
            )
        )
