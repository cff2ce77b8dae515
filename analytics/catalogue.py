"""The task catalogue (кодификатор работы): its spreadsheet template and its import.

The template follows the table of the official «Описание проверочной работы» (ФИОКО) and of
the ФИПИ specifications, one row per task:

=====================  ==============================================================
column                 meaning
=====================  ==============================================================
Задание                the task as the results file names it: «1», «3.1», «4К1»
Проверяемое умение     the checked skill / requirement (required)
КЭС                    content element codes, separated by «;» («1.1; 2.3»)
КТ                     requirement (КТ / ФГОС) codes, separated by «;»
Раздел / тема          section or topic of the course
Уровень сложности      Б, П or В (empty if the description does not say)
=====================  ==============================================================

One catalogue per year, procedure, subject and grade («versioned by year»): a new year gets a
new catalogue, an upload for a year that has one replaces its rows. Every row is checked
first; any error and nothing is written (errors name the row and the column, in Russian).

Who edits (``schools.catalogues``): the shipped catalogues (no municipality) are the
operator's and every territory reads them. A municipality's methodological centre edits its
own copy: its upload writes the copy, and its first change of a shipped row copies the whole
catalogue into the municipality first (``catalogue_item_save``). That municipality's pages
read its copy (``analytics.selectors.catalogue_items``); nobody else's reading changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from analytics.models import Difficulty, TaskCatalogue, TaskCatalogueItem
from core.errors import ApplicationError
from core.tabular import RowError, normalise_header, read_tables, xlsx_bytes
from monitoring.models import Subject
from schools.catalogues import may_edit_catalogue, refusal
from schools.models import AcademicYear

COLUMNS = [
    ("task_label", "Задание", True),
    ("skill", "Проверяемое умение", True),
    ("kes", "КЭС", False),
    ("kt", "КТ", False),
    ("section", "Раздел / тема", False),
    ("difficulty", "Уровень сложности", False),
]
_HEADERS = {normalise_header(title): key for key, title, _ in COLUMNS}
_ALIASES = {
    "номер задания": "task_label",
    "№ задания": "task_label",
    "проверяемые требования (умения)": "skill",
    "проверяемые умения": "skill",
    "проверяемое требование": "skill",
    "коды кэс": "kes",
    "коды кт": "kt",
    "раздел": "section",
    "тема": "section",
    "уровень": "difficulty",
}
_DIFFICULTY = {"б": "Б", "базовый": "Б", "п": "П", "повышенный": "П", "в": "В", "высокий": "В", "": ""}

NO_HEADER = "Не найдена строка заголовка с колонками «Задание» и «Проверяемое умение» (см. шаблон)."
NO_TASKS = "В файле нет ни одного задания."


class CatalogueError(ApplicationError):
    """The file had errors; nothing was written. ``errors`` are RowError, for the page."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


def can_edit_catalogue(user: User, found: TaskCatalogue | None = None) -> bool:
    """The operator edits the shipped catalogues; a municipality's methodological centre its
    own copies, and a shipped one by copying it (issue #17's fence: no district's change
    alters what another district reads)."""
    return may_edit_catalogue(
        user, "analytics.TaskCatalogue", municipality_id=found.municipality_id if found is not None else None
    )


def visible_catalogues(user: User):
    """The shipped catalogues and the copies of the municipalities the user reads."""
    from django.db.models import Q

    from schools.scopes import municipalities_for

    return TaskCatalogue.objects.filter(
        Q(municipality__isnull=True) | Q(municipality__in=municipalities_for(user).values("pk"))
    )


def owner_municipality(user: User) -> int | None:
    """Whose catalogue the user's upload or change writes: None — the shipped one (operator)."""
    return None if user.is_superuser else user.municipality_id


def template_xlsx() -> bytes:
    example = [
        ["1", "Умение списывать текст с пропущенными буквами", "1.1; 1.2", "2.1", "Орфография", "Б"],
        ["2", "Умение распознавать однородные члены предложения", "3.1", "1.4", "Синтаксис", "П"],
    ]
    notes = [
        ("Задание", "Как в файле результатов: «1», «3.1», «4К1». Обязательно."),
        ("Проверяемое умение", "Проверяемое умение (требование) из описания работы. Обязательно."),
        ("КЭС", "Коды элементов содержания через «;»."),
        ("КТ", "Коды проверяемых требований через «;»."),
        ("Раздел / тема", "Раздел курса или тема."),
        ("Уровень сложности", "Б, П или В."),
    ]
    return xlsx_bytes("Кодификатор", [title for _, title, _ in COLUMNS], example, notes=notes)


@dataclass
class _Row:
    number: int
    values: dict


def _parse(fileobj: IO[bytes], name: str) -> list[_Row]:
    sheets = read_tables(fileobj, name)
    errors: list[RowError] = []
    for sheet in sheets:
        rows = sheet.rows
        header_at = None
        columns: dict[str, int] = {}
        for index, row in enumerate(rows[:20]):
            found = {}
            for col, title in enumerate(row):
                key = _HEADERS.get(normalise_header(title)) or _ALIASES.get(normalise_header(title))
                if key and key not in found:
                    found[key] = col
            if "task_label" in found and "skill" in found:
                header_at, columns = index, found
                break
        if header_at is None:
            continue
        parsed: list[_Row] = []
        seen: dict[str, int] = {}
        for index in range(header_at + 1, len(rows)):
            row = rows[index]
            values = {key: (row[col].strip() if col < len(row) else "") for key, col in columns.items()}
            if not any(values.values()):
                continue
            number = index + 1
            for key, title, required in COLUMNS:
                if required and not values.get(key):
                    errors.append(RowError(sheet.name, number, title, f"Не заполнено «{title}»."))
            label = values.get("task_label", "")
            if label in seen:
                errors.append(
                    RowError(sheet.name, number, "Задание", f"Задание «{label}» уже есть в строке {seen[label]}.")
                )
            seen.setdefault(label, number)
            difficulty = _DIFFICULTY.get(values.get("difficulty", "").lower())
            if difficulty is None:
                errors.append(
                    RowError(
                        sheet.name,
                        number,
                        "Уровень сложности",
                        f"Уровень «{values['difficulty']}»: допустимы Б, П, В или пусто.",
                    )
                )
            values["difficulty"] = difficulty or ""
            for key, limit in (("task_label", 20), ("skill", 500), ("kes", 200), ("kt", 200), ("section", 200)):
                if len(values.get(key, "")) > limit:
                    title = next(t for k, t, _ in COLUMNS if k == key)
                    errors.append(RowError(sheet.name, number, title, f"Длиннее {limit} знаков."))
            parsed.append(_Row(number, values))
        if errors:
            raise CatalogueError(errors)
        if not parsed:
            raise CatalogueError([RowError(sheet.name, header_at + 2, "", NO_TASKS)])
        return parsed
    raise CatalogueError([RowError(sheets[0].name if sheets else "", 1, "", NO_HEADER)])


def task_catalogue_import(
    *,
    user: User | None,
    year: AcademicYear,
    procedure: str,
    subject: Subject,
    grade: int,
    fileobj: IO[bytes],
    name: str,
    source_document: str = "",
    municipality_id: int | None = None,
) -> TaskCatalogue:
    """Create or replace the catalogue of one year, procedure, subject and grade from a file
    (``municipality_id``: that municipality's copy; None — the shipped one).

    Raises CatalogueError (nothing written) when any row is wrong.
    """
    rows = _parse(fileobj, name)
    with transaction.atomic():
        owner: dict = {"municipality_id": municipality_id}  # None: the shipped catalogue
        catalogue, _ = TaskCatalogue.objects.select_for_update().get_or_create(
            year=year, procedure=procedure, subject=subject, grade=grade, **owner
        )
        catalogue.updated_by = user
        if source_document:
            catalogue.source_document = source_document[:300]
        catalogue.save()
        catalogue.items.all().delete()
        TaskCatalogueItem.objects.bulk_create(
            TaskCatalogueItem(
                catalogue=catalogue,
                order=order,
                task_label=row.values["task_label"],
                skill=row.values["skill"],
                kes=row.values.get("kes", ""),
                kt=row.values.get("kt", ""),
                section=row.values.get("section", ""),
                difficulty=row.values["difficulty"],
            )
            for order, row in enumerate(rows, start=1)
        )
    return catalogue


def _copy_for(shipped: TaskCatalogue, municipality_id: int, user: User) -> TaskCatalogue:
    """The municipality's copy of a shipped catalogue, made (with every row) if it has none."""
    copy, created = TaskCatalogue.objects.select_for_update().get_or_create(
        year_id=shipped.year_id,
        procedure=shipped.procedure,
        subject_id=shipped.subject_id,
        grade=shipped.grade,
        municipality_id=municipality_id,
        defaults={"source_document": shipped.source_document, "updated_by": user},
    )
    if created:
        TaskCatalogueItem.objects.bulk_create(
            TaskCatalogueItem(
                catalogue=copy,
                order=row.order,
                task_label=row.task_label,
                skill=row.skill,
                kes=row.kes,
                kt=row.kt,
                section=row.section,
                difficulty=row.difficulty,
            )
            for row in shipped.items.all()
        )
    return copy


def catalogue_item_save(*, item: TaskCatalogueItem, user: User, **values) -> TaskCatalogueItem:
    """One row edited on the page; the catalogue records who changed it. A methodologist's
    change of a shipped row goes into the municipality's copy (made on this first change) and
    returns the copy's row; the shipped row stays as it was."""
    if not can_edit_catalogue(user, item.catalogue):
        raise PermissionDenied(refusal("analytics.TaskCatalogue"))
    owner = owner_municipality(user)
    with transaction.atomic():
        if item.catalogue.municipality_id is None and owner is not None:
            copy = _copy_for(item.catalogue, owner, user)
            item = copy.items.get(task_label=item.task_label)
        for key, value in values.items():
            setattr(item, key, value)
        item.full_clean()
        item.save()
        TaskCatalogue.objects.filter(pk=item.catalogue_id).update(updated_by=user)
        item.catalogue.save(update_fields=["updated_at"])
    return item


DIFFICULTY_CHOICES = Difficulty.choices
