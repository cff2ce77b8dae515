"""``manage.py import_results PATH [--municipality OKTMO] [--user LOGIN] [--aliases FILE.csv]``:
the upload page, from a shell.

Same pipeline as the page (stored file, ImportJob, validation, one transaction, the same
follow-ups: the recompute and what comes after it), run in this process instead of a worker.
With ``--user`` the job has that user's scope; without it the job is an operator's and may
load any school (``--municipality`` narrows it to one municipality, whose names it resolves).
A file that names schools without codes imports when every name resolves; otherwise the job
waits at the matching step (the page can settle it) and the command exits 1 listing the names.
``--aliases`` settles names beforehand from a CSV (``;`` or ``,``) with the columns
«Муниципалитет» (name or ОКТМО, as a person would pick it), «Название в файле» and «Код ОО»
(the school's ФИС ОКО login; empty or «пропустить» — skip the name's rows on purpose; for a
municipality's name, the ОКТМО of the municipality it stands for).
"""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from core.tabular import TabularFileError, describe_error
from monitoring import imports
from monitoring.models import ImportJob
from schools.matching import municipality_alias_save, school_alias_save
from schools.models import Municipality, School

SKIP_WORDS = {"", "-", "—", "пропустить", "skip"}


class Command(BaseCommand):
    help = (
        "Загрузить результаты (ВПР, протоколы РЦОИ, отчёт ЕГЭ по школам, шаблоны) из файла: всё или ничего. "
        "Школы без кодов находятся по названию; несопоставленные названия — код выхода 1 и их список."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", help="Логин пользователя, от имени которого загрузить (его права и школы).")
        parser.add_argument("--municipality", help="ОКТМО муниципалитета: загрузка только его школ.")
        parser.add_argument(
            "--aliases",
            type=Path,
            help="CSV «Муниципалитет;Название в файле;Код ОО» — как понимать названия без кодов.",
        )

    def handle(self, *args, path: Path, user: str | None, municipality: str | None, aliases: Path | None, **options):
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        owner = None
        if user:
            owner = User.objects.filter(username=user).first()
            if owner is None:
                raise CommandError(f"Пользователь {user} не найден.")
        scope = None
        if municipality:
            scope = Municipality.objects.filter(oktmo=municipality).first()
            if scope is None:
                raise CommandError(f"Муниципалитет с ОКТМО {municipality} не найден.")
        if aliases is not None:
            saved = aliases_load(aliases, actor=owner)
            self.stdout.write(f"Сопоставлений названий сохранено: {saved}.")
        try:
            with path.open("rb") as handle:
                job = imports.results_import_create(
                    user=owner, uploaded_file=handle, original_name=path.name, queue=False, municipality=scope
                )
        except (TabularFileError, imports.ImportRefused) as exc:
            raise CommandError(str(exc)) from exc
        job = imports.results_import_run(job_id=job.pk) or ImportJob.objects.get(pk=job.pk)
        if job.status == ImportJob.Status.MATCHING:
            self.stderr.write("Названия, которые нужно сопоставить (страница загрузки или --aliases):")
            for entry in job.pending_names:
                where = entry.get("municipality") or "муниципалитет"
                offered = "; ".join(f"{c['name']} ({c['score']:.0f}%)" for c in entry["candidates"]) or "нет похожих"
                self.stderr.write(f"  {where}: «{entry['name']}» ({entry['where']}) — кандидаты: {offered}")
            raise CommandError(
                f"Загрузка №{job.pk}: не сопоставлено названий {len(job.pending_names)}. Ничего не записано."
            )
        if job.status != ImportJob.Status.DONE:
            for error in job.errors[:200]:
                self.stderr.write(describe_error(error))
            if job.error_count > 200:
                self.stderr.write(f"… и ещё {job.error_count - 200} ошибок.")
            raise CommandError(f"Загрузка №{job.pk}: ошибок {job.error_count}. Ничего не записано.")
        skipped = f" (пропущено намеренно {job.rows_skipped})" if job.rows_skipped else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Загрузка №{job.pk} ({job.get_layout_display()}): строк {job.total_rows}{skipped}, "
                f"школ {job.schools_count}; записано {job.rows_created}, заменено {job.rows_replaced}, "
                f"наборов без изменений {job.slices_unchanged}."
            )
        )


def _municipality(text: str) -> Municipality | None:
    text = text.strip()
    if text.isdigit():
        return Municipality.objects.filter(oktmo=text).first()
    return Municipality.objects.filter(name__iexact=text).first()


@transaction.atomic
def aliases_load(path: Path, *, actor: User | None) -> int:
    """Save the aliases a CSV gives; CommandError naming the line of the first one that does not fit."""
    text = path.read_bytes().decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ";", delimiters=";,")
    rows = list(csv.reader(io.StringIO(text), dialect))
    saved = 0
    for number, row in enumerate(rows, 1):
        if len(row) < 2 or (number == 1 and "назван" in row[1].lower()):
            continue  # the header, or an empty line
        place, name, code = (*(cell.strip() for cell in row), "")[:3]
        if code.isdigit() and len(code) in (8, 11):
            target = Municipality.objects.filter(oktmo=code).first()
            if target is None:
                raise CommandError(f"{path.name}, строка {number}: муниципалитет с ОКТМО {code} не найден.")
            municipality_alias_save(region=target.region, name=name, municipality=target, actor=actor)
        elif code.lower() in SKIP_WORDS:
            municipality = _municipality(place)
            if municipality is None:
                raise CommandError(f"{path.name}, строка {number}: муниципалитет «{place}» не найден.")
            school_alias_save(municipality=municipality, name=name, school=None, actor=actor)
        else:
            school = School.objects.select_related("municipality").filter(code=code.lower()).first()
            if school is None:
                raise CommandError(f"{path.name}, строка {number}: школа с кодом {code} не найдена.")
            school_alias_save(municipality=school.municipality, name=name, school=school, actor=actor)
        saved += 1
    return saved
