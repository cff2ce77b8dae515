"""ОГЭ/ЕГЭ/ГВЭ protocols of the РЦОИ, DESIGN.md §6.

A file holds one or more exam blocks; each starts with a title row «01 - Русский язык
2025.06.09» (exam code, subject, date) followed by its header row::

    № | Код ОО | Класс | Код ППЭ | Аудитория | (Код МСУ) | Код участника | Фамилия | Имя | Отчество |
    (Серия | Номер) | Ответы в краткой форме | Ответы в развернутой форме | Первичный балл | Оценка

ЕГЭ adds Вариант, Профиль and Тестовый балл. Columns are found by name, so «sparse»
protocols with empty columns between the named ones read the same. Short answers look
like ``++-+2+``, long ones like ``0(2)1(2)`` (score and maximum per task).

Personal data: surname, name, patronymic and passport series/number are read only to
build the participant's keyed hash and are never stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.tabular import AnySheet, RowError, Sheet, normalise_header
from monitoring.formats.headers import is_rcoi_header, row_cells
from monitoring.formats.max_scores import max_primary_score
from monitoring.formats.parsing import (
    ParsedFile,
    Progress,
    ResultRow,
    academic_year_of,
    column_label,
    is_blank,
    parse_int,
    participant_key,
    school_code_from,
)
from monitoring.models import ImportJob, Procedure

_TITLE = re.compile(r"^\s*(\d{2})\s*[-–—]\s*(.+?)\s+(\d{4})[.\-/](\d{2})[.\-/](\d{2})\s*$")
_LONG = re.compile(r"(\d+)\((\d+)\)")
_SHORT = re.compile(r"^[0-9+\-*xXхХ]*$")
_GVE_CODES = {"51", "52"}
_MARKS = {2, 3, 4, 5}

_COLUMNS = {
    "код оо": "school",
    "класс": "class_name",
    "код участника": "participant",
    "фамилия": "surname",
    "имя": "name",
    "отчество": "patronymic",
    "серия": "doc_series",
    "номер": "doc_number",
    "вариант": "variant",
    "ответы в краткой форме": "short",
    "ответы в развернутой форме": "long",
    "первичный балл": "primary",
    "оценка": "mark",
    "тестовый балл": "test_score",
}
_TITLES = {
    "school": "Код ОО",
    "class_name": "Класс",
    "participant": "Код участника",
    "variant": "Вариант",
    "short": "Ответы в краткой форме",
    "long": "Ответы в развернутой форме",
    "primary": "Первичный балл",
    "mark": "Оценка",
    "test_score": "Тестовый балл",
}


def _title_of(row: list[str]) -> re.Match | None:
    cells = [cell for cell in row if cell]
    return _TITLE.match(cells[0]) if len(cells) == 1 or (cells and _TITLE.match(cells[0])) else None


def parse_rcoi(sheets: Sequence[AnySheet], *, subject_codes: set[str], progress: Progress | None) -> ParsedFile:
    parsed = ParsedFile(layout=ImportJob.Layout.RCOI_PROTOCOL)
    total = sum(len(sheet.rows) for sheet in sheets)
    seen = 0
    for sheet in sheets:
        _parse_sheet(sheet, parsed, subject_codes)
        seen += len(sheet.rows)
        if progress is not None:
            progress(seen, total)
    return parsed


def _parse_sheet(sheet: Sheet, parsed: ParsedFile, subject_codes: set[str]) -> None:
    errors = parsed.errors
    block: dict | None = None
    columns: dict[str, int] | None = None
    for index, row in enumerate(sheet.rows):
        row_number = index + 1
        if is_blank(row):
            continue
        title = _title_of(row)
        if title:
            code = title.group(1)
            year, month = int(title.group(3)), int(title.group(4))
            block = {"code": code, "subject": title.group(2).strip(), "year_start": academic_year_of(year, month)}
            columns = None
            if code not in subject_codes:
                errors.append(
                    RowError(sheet.name, row_number, "", f"Неизвестный код предмета «{code}» ({block['subject']}).")
                )
                block["unknown"] = True
            continue
        if columns is None:
            if is_rcoi_header(row_cells(row)):
                if block is None:
                    errors.append(
                        RowError(
                            sheet.name,
                            row_number,
                            "",
                            "Перед таблицей нет строки экзамена вида «01 - Русский язык 2025.06.09».",
                        )
                    )
                    return
                columns = {}
                for col, text in enumerate(row):
                    key = _COLUMNS.get(normalise_header(text))
                    if key and key not in columns:
                        columns[key] = col
                is_ege = "test_score" in columns
                if block["code"] in _GVE_CODES or "гвэ" in block["subject"].lower():
                    block["procedure"] = Procedure.GVE
                else:
                    block["procedure"] = Procedure.EGE if is_ege else Procedure.OGE
            continue
        if block.get("unknown"):
            continue
        if parse_int(row[0]) is None and len([c for c in row if c]) == 1:
            continue  # a caption or a total line inside the block
        parsed.total_rows += 1
        result = _parse_row(sheet, row, row_number, block, columns, errors)
        if result is not None:
            parsed.results.append(result)


def _parse_row(
    sheet: Sheet, row: list[str], row_number: int, block: dict, columns: dict[str, int], errors: list[RowError]
) -> ResultRow | None:
    procedure = block["procedure"]
    ok = True

    def cell(key: str) -> str:
        col = columns.get(key)
        return row[col] if col is not None and col < len(row) else ""

    def label(key: str) -> str:
        return column_label(columns[key], _TITLES[key]) if key in columns else _TITLES[key]

    def error(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        errors.append(RowError(sheet.name, row_number, label(key), message))

    school_code = school_code_from(cell("school"))
    if not school_code:
        error("school", f"Код ОО «{cell('school') or 'пусто'}» не распознан.")
    class_name = cell("class_name")
    digits = re.match(r"\d{1,2}", class_name)
    grade = int(digits.group()) if digits and 9 <= int(digits.group()) <= 11 else None
    if grade is None:
        grade = 11 if procedure == Procedure.EGE else 9

    short, long = cell("short"), cell("long")
    if short and not _SHORT.match(short):
        error("short", f"Ответы в краткой форме «{short}»: допустимы знаки «+», «-» и цифры.")
    long_tasks = _LONG.findall(long)
    if long and "".join(f"{a}({b})" for a, b in long_tasks) != long.replace(" ", ""):
        error("long", f"Ответы в развернутой форме «{long}»: ожидается вид 0(2)1(2).")
    elif any(int(score) > int(top) for score, top in long_tasks):
        error("long", f"Ответы в развернутой форме «{long}»: балл за задание больше максимального.")

    primary = parse_int(cell("primary"))
    max_primary = max_primary_score(procedure, block["code"])
    if primary is None or primary < 0:
        error("primary", f"Первичный балл «{cell('primary') or 'пусто'}» — не целое неотрицательное число.")
    elif max_primary is not None and primary > max_primary:
        error("primary", f"Первичный балл {primary} больше максимального ({max_primary}).")

    mark_raw = cell("mark")
    mark = parse_int(mark_raw) if mark_raw else None
    if procedure != Procedure.EGE and mark not in _MARKS:
        error("mark", f"Оценка «{mark_raw or 'пусто'}»: допустимы 2, 3, 4, 5.")
    elif mark_raw and mark not in _MARKS:
        error("mark", f"Оценка «{mark_raw}»: допустимы 2, 3, 4, 5 или пусто.")

    test_score = None
    if procedure == Procedure.EGE:
        test_score = parse_int(cell("test_score"))
        if test_score is None or not 0 <= test_score <= 100:
            error("test_score", f"Тестовый балл «{cell('test_score') or 'пусто'}»: допустимо целое от 0 до 100.")

    person = [cell("surname"), cell("name"), cell("patronymic")]
    document = cell("doc_series") + cell("doc_number")
    participant = cell("participant")
    if any(person):
        key = participant_key("person", *person, document or school_code)
    elif participant:
        key = participant_key("rcoi", str(block["year_start"]), participant)
    else:
        error("participant", "Нет ни кода участника, ни ФИО: участника не отличить от других.")
        key = ""
    if not ok:
        return None
    return ResultRow(
        sheet=sheet.name,
        row=row_number,
        school_code=school_code,
        school_column=label("school"),
        year_start=block["year_start"],
        procedure=procedure,
        subject_code=block["code"],
        grade=grade,
        class_name=class_name[:10],
        variant=cell("variant")[:20],
        participant_key=key,
        participant_column=label("participant"),
        primary_score=primary,
        max_primary_score=max_primary,
        mark=mark,
        journal_mark=None,
        test_score=test_score,
        task_scores=f"{short}|{long}" if short or long else "",
    )
