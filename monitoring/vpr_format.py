"""ВПР «Ф1 Индивидуальные результаты» (ФИС ОКО export), DESIGN.md §6.

One sheet per subject and grade, e.g. «РУ 4 Индивидуальные результаты»::

    ВПР 2026 Русский язык 4 класс
    Предмет:                       | Русский язык
    Максимальный первичный балл:   | 38
    Дата:                          | 15.04.2026
    Уровень сложности задания      | … | Б | П | В …
    ОО | Муниципалитет | Название ОО | Код участника | Класс | Вариант | 1 (2б) | 2 (1б) | … | 9.1 (1б) |
        4К1 (3б) | Первичный балл | Отметка | Отметка по журналу
    МБОУ СОШ № 1 (edu203389) | Кол-во участников: 89
    edu203389 | … | 10001 | 4А | 1 | 2 | 1 | X | … | 31 | 4 | 5

Task headers are ``N (Kб)``, ``N.M (Kб)`` or ``NК1 (Kб)``; a task cell holds the score or
«X» (not attempted). Participants are anonymous codes of the school.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from core.tabular import RowError, Sheet, normalise_header
from monitoring.models import ImportJob, Procedure
from monitoring.parsing import (
    ParsedFile,
    Progress,
    ResultRow,
    academic_year_of,
    column_label,
    is_blank,
    is_vpr_f1_header,
    parse_int,
    participant_keyer,
    row_cells,
    school_code_from,
)

_TITLE = re.compile(r"ВПР\s+(\d{4})\s+(.+?)\s+(\d{1,2})\s*класс", re.IGNORECASE)
_TASK = re.compile(r"^(\d+(?:\.\d+)?|\d+[кk]\d+)\s*\(\s*(\d+)\s*б\.?\s*\)$")
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2})")
_NOT_ATTEMPTED = {"x", "х"}  # Latin and Cyrillic
_MARKS = {2, 3, 4, 5}

_FIXED = {
    "оо": "school",
    "логин оо": "school",
    "код оо": "school",
    "код участника": "participant",
    "класс": "class_name",
    "вариант": "variant",
    "первичный балл": "primary",
    "отметка": "mark",
    "отметка по журналу": "journal",
}
_TITLES = {
    "school": "ОО",
    "participant": "Код участника",
    "class_name": "Класс",
    "variant": "Вариант",
    "primary": "Первичный балл",
    "mark": "Отметка",
    "journal": "Отметка по журналу",
}


@dataclass
class _Task:
    column: int
    title: str
    max_score: int
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)  # cell → (score text, error)


def _judge_task_cell(raw: str, task: _Task) -> tuple[str, str]:
    if raw.lower() in _NOT_ATTEMPTED:
        return "X", ""
    if not raw:
        return "", ""
    value = parse_int(raw)
    if value is None or value < 0:
        return "", f"«{raw}» — не балл: укажите целое число или X."
    if value > task.max_score:
        return "", f"Балл {value} больше максимального за это задание ({task.max_score})."
    return str(value), ""


@dataclass
class _SheetMeta:
    year_start: int | None = None
    subject_name: str = ""
    grade: int | None = None
    max_primary: int | None = None
    title_row: int = 1


def _read_meta(sheet: Sheet, header_index: int) -> _SheetMeta:
    meta = _SheetMeta()
    date_year: int | None = None
    for index, row in enumerate(sheet.rows[:header_index]):
        cells = [cell for cell in row if cell]
        if not cells:
            continue
        joined = " ".join(cells)
        title = _TITLE.search(joined)
        if title and meta.grade is None:
            meta.year_start = int(title.group(1)) - 1  # ВПР runs in spring
            meta.subject_name = title.group(2).strip()
            meta.grade = int(title.group(3))
            meta.title_row = index + 1
            continue
        label = normalise_header(cells[0]).rstrip(":")
        rest = " ".join(cells[1:]) if len(cells) > 1 else cells[0].split(":", 1)[-1]
        if label.startswith("предмет") and rest.strip():
            meta.subject_name = rest.strip()
        elif label.startswith("максимальный первичный балл"):
            meta.max_primary = parse_int(rest)
        elif label.startswith("дата"):
            found = _DATE.search(rest)
            if found:
                if found.group(3):
                    date_year = academic_year_of(int(found.group(3)), int(found.group(2)))
                else:
                    date_year = academic_year_of(int(found.group(4)), int(found.group(5)))
    if date_year is not None:
        meta.year_start = date_year
    return meta


def parse_vpr_f1(sheets: list[Sheet], *, subjects_by_name: dict[str, str], progress: Progress | None) -> ParsedFile:
    """Parse every Ф1 sheet of a workbook; sheets without the Ф1 header are skipped."""
    parsed = ParsedFile(layout=ImportJob.Layout.VPR_F1)
    seen = 0
    for number, sheet in enumerate(sheets, start=1):
        header_index = next(
            (i for i, row in enumerate(sheet.rows[:40]) if is_vpr_f1_header(row_cells(row))),
            None,
        )
        if header_index is not None:
            _parse_sheet(sheet, header_index, parsed, subjects_by_name)
        seen += len(sheet.rows)
        # A region's file is read one sheet at a time (core.tabular.LazySheet): the rows of a
        # sheet are dropped once parsed, and the total is estimated from the sheets so far.
        release = getattr(sheet, "release", None)
        if release is not None:
            release()
        if progress is not None:
            progress(seen, round(seen * len(sheets) / number))
    return parsed


def _parse_sheet(sheet: Sheet, header_index: int, parsed: ParsedFile, subjects_by_name: dict[str, str]) -> None:
    errors = parsed.errors
    meta = _read_meta(sheet, header_index)
    header = sheet.rows[header_index]
    columns: dict[str, int] = {}
    tasks: list[_Task] = []
    for col, title in enumerate(header):
        name = normalise_header(title)
        if not name:
            continue
        if name in _FIXED and _FIXED[name] not in columns:
            columns[_FIXED[name]] = col
            continue
        task = _TASK.match(name)
        if task:
            tasks.append(_Task(col, title, int(task.group(2))))

    def sheet_error(message: str, row: int = meta.title_row) -> None:
        errors.append(RowError(sheet.name, row, "", message))

    if meta.grade is None or meta.year_start is None:
        sheet_error("Не найдена строка заголовка вида «ВПР 2026 Русский язык 4 класс»: неизвестны год и класс.", 1)
        return
    subject_code = subjects_by_name.get(normalise_header(meta.subject_name))
    if subject_code is None:
        sheet_error(f"Неизвестный предмет «{meta.subject_name}»: его нет в справочнике предметов.")
        return
    max_primary = meta.max_primary if meta.max_primary is not None else (sum(t.max_score for t in tasks) or None)

    def label(key: str) -> str:
        return column_label(columns[key], _TITLES[key]) if key in columns else _TITLES[key]

    group_school = ""
    # A million rows hold few distinct schools and classes: one string object each, and one
    # keyed hash state per school (see participant_keyer).
    school_codes: dict[str, str] = {}
    class_names: dict[str, str] = {}
    keyers: dict[str, Callable[[str], str]] = {}
    year_text = str(meta.year_start)
    school_label, participant_label = label("school"), label("participant")
    # Column of every fixed field; a missing one points at a padding cell that is always "".
    pad = max([*columns.values(), *(task.column for task in tasks)], default=0) + 1
    at = {key: columns.get(key, pad) for key in _TITLES}
    c_school, c_participant, c_class, c_variant = at["school"], at["participant"], at["class_name"], at["variant"]
    c_primary, c_mark, c_journal = at["primary"], at["mark"], at["journal"]
    procedure, grade, year_start, sheet_name = Procedure.VPR, meta.grade, meta.year_start, sheet.name
    results = parsed.results
    row_errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        row_errors.append(RowError(sheet_name, row_number, column, message))

    rows = sheet.rows
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if len(row) <= pad:
            row = [*row, *[""] * (pad + 1 - len(row))]
        participant = row[c_participant]
        if not participant:
            if is_blank(row):
                continue
            # Group rows («МБОУ … (edu203389) | Кол-во участников: 89») and the difficulty row
            # carry no participant; looking at the whole row only then keeps a million rows fast.
            joined = " ".join(c for c in row if c)
            if "кол-во участников" in joined.lower() or school_code_from(joined):
                group_school = school_code_from(joined)
                continue
            if normalise_header(row[0]).startswith("уровень сложности"):
                continue
        row_number = index + 1
        parsed.total_rows += 1
        if not participant:
            errors.append(RowError(sheet_name, row_number, participant_label, "Не указан код участника."))
            continue
        raw_school = row[c_school]
        school_code = school_codes.get(raw_school)
        if school_code is None:
            school_code = school_codes[raw_school] = sys.intern(school_code_from(raw_school))
        school_code = school_code or group_school
        if not school_code:
            errors.append(
                RowError(
                    sheet_name,
                    row_number,
                    school_label,
                    "Не указана школа: нет кода ОО в строке и строки группы «… (edu…)» выше.",
                )
            )
            continue

        scores: list[str] = []
        for task in tasks:
            raw = row[task.column]
            # The few distinct cells of a task column are judged once each.
            judged = task.seen.get(raw)
            if judged is None:
                judged = task.seen[raw] = _judge_task_cell(raw, task)
            text, message = judged
            if message:
                error(column_label(task.column, task.title), message)
            else:
                scores.append(text)

        primary_raw = row[c_primary]
        primary = parse_int(primary_raw)
        if primary is None or primary < 0:
            error(label("primary"), f"Первичный балл «{primary_raw or 'пусто'}» — не целое неотрицательное число.")
        elif max_primary is not None and primary > max_primary:
            error(label("primary"), f"Первичный балл {primary} больше максимального ({max_primary}).")
        mark_raw = row[c_mark]
        mark = parse_int(mark_raw)
        if mark not in _MARKS:
            error(label("mark"), f"Отметка «{mark_raw or 'пусто'}»: допустимы 2, 3, 4, 5.")
        journal_raw = row[c_journal]
        journal = parse_int(journal_raw) if journal_raw else None
        if journal_raw and journal not in _MARKS:
            error(label("journal"), f"Отметка по журналу «{journal_raw}»: допустимы 2, 3, 4, 5 или пусто.")
        class_name = row[c_class]
        class_name = class_names.setdefault(class_name, class_name)
        if len(class_name) > 10:
            error(label("class_name"), f"Класс «{class_name}» длиннее 10 знаков.")
        if row_errors:
            errors.extend(row_errors)
            row_errors.clear()
            continue
        keyer = keyers.get(school_code)
        if keyer is None:
            keyer = keyers[school_code] = participant_keyer("vpr", year_text, school_code)
        # Positional, in ResultRow's field order: keywords cost a tenth of the loop.
        results.append(
            ResultRow(
                sheet_name,
                row_number,
                school_code,
                school_label,
                year_start,
                procedure,
                subject_code,
                grade,
                class_name,
                row[c_variant][:20],
                keyer(participant),
                participant_label,
                primary,
                max_primary,
                mark,
                journal,
                None,
                ",".join(scores),
            )
        )
