"""The ВПР «форма сбора результатов» a school fills in before ФИС ОКО computes the marks (issue #16).

Sheet «Протокол» (the first sheet with the header is read)::

    Код участника | Вариант | Порядковый номер класса | 1 (5б) | 2 (1б) | … | 4К1 (3б) |
        Отметка за предыдущий триместр (четверть, полугодие) | Итого баллов

The file names neither the school, nor the subject, nor the grade: the uploader chooses them
in the upload form (ImportJob.form_school, form_subject, form_grade); the year is the academic
year of the upload. A task cell holds the score or «X» (not attempted), as in Ф1. «Итого баллов»
must equal the sum of the task scores (an empty total is that sum). The form has no ВПР mark —
ФИС ОКО gives it later in Ф1 — so the result has none; the previous term's mark is kept as the
journal mark («нет отметки» or empty: none). Participants are keyed as in Ф1 (the school's
participant code), so the Ф1 of the same work later replaces these rows participant by participant.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.tabular import AnySheet, RowError, normalise_header
from monitoring.formats.headers import HEADER_SCAN_ROWS, find_header, is_school_form_header
from monitoring.formats.parsing import (
    ParsedFile,
    Progress,
    ResultRow,
    StructureSpec,
    TaskSpec,
    column_label,
    is_blank,
    parse_int,
    participant_keyer,
)
from monitoring.formats.vpr_f1 import NO_MARK, NOT_ATTEMPTED, TASK_HEADER
from monitoring.models import ImportJob, Procedure

_MARKS = {2, 3, 4, 5}
_FIXED = {
    "код участника": "participant",
    "вариант": "variant",
    "порядковый номер класса": "class_number",
    "итого баллов": "total",
}
_TITLES = {
    "participant": "Код участника",
    "variant": "Вариант",
    "class_number": "Порядковый номер класса",
    "total": "Итого баллов",
    "previous": "Отметка за предыдущий период",
}
CHOOSE_IN_FORM = (
    "Это форма сбора результатов ВПР школы: в ней нет школы, предмета и класса. "
    "Выберите их в форме загрузки и загрузите файл снова."
)


def parse_school_form(
    sheets: Sequence[AnySheet],
    *,
    school_code: str,
    subject_code: str,
    grade: int | None,
    year_start: int,
    progress: Progress | None,
) -> ParsedFile:
    parsed = ParsedFile(layout=ImportJob.Layout.SCHOOL_FORM)
    for sheet in sheets:
        header_index = find_header(sheet.head(HEADER_SCAN_ROWS), is_school_form_header)
        if header_index is None:
            continue
        if not (school_code and subject_code and grade):
            parsed.errors.append(RowError(sheet.name, header_index + 1, "", CHOOSE_IN_FORM))
            return parsed
        _parse_sheet(sheet, header_index, parsed, school_code, subject_code, grade, year_start)
        if progress is not None:
            progress(parsed.total_rows, parsed.total_rows)
        break
    return parsed


def _parse_sheet(
    sheet: AnySheet,
    header_index: int,
    parsed: ParsedFile,
    school_code: str,
    subject_code: str,
    grade: int,
    year_start: int,
) -> None:
    rows = sheet.rows
    columns: dict[str, int] = {}
    tasks: list[tuple[int, str, int]] = []  # column, label, maximum
    for col, title in enumerate(rows[header_index]):
        name = normalise_header(title)
        if not name:
            continue
        if name in _FIXED and _FIXED[name] not in columns:
            columns[_FIXED[name]] = col
        elif name.startswith("отметка за предыдущ") and "previous" not in columns:
            columns["previous"] = col
        elif found := TASK_HEADER.match(name):
            tasks.append((col, title.split("(", 1)[0].strip(), int(found.group(2))))
    maximum = sum(top for _c, _l, top in tasks)
    parsed.structures.append(
        StructureSpec(
            sheet.name,
            year_start,
            Procedure.VPR,
            subject_code,
            grade,
            maximum or None,
            [TaskSpec(label, top) for _c, label, top in tasks],
            keep_existing=True,
        )
    )
    keyer = participant_keyer("vpr", str(year_start), school_code)

    def label(key: str) -> str:
        return column_label(columns[key], _TITLES[key]) if key in columns else _TITLES[key]

    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if is_blank(row):
            continue
        row_number = index + 1
        errors: list[RowError] = []

        def cell(key: str, row=row) -> str:
            col = columns.get(key)
            return row[col] if col is not None and col < len(row) else ""

        def error(column: str, message: str, errors=errors, row_number=row_number) -> None:
            errors.append(RowError(sheet.name, row_number, column, message))

        participant = cell("participant")
        filled_tasks = any(col < len(row) and row[col] for col, _l, _t in tasks)
        if not filled_tasks and not cell("total"):
            # A caption or a total line («Всего участников: 3»), or a participant who did not write.
            parsed.total_rows += 1
            text = " ".join(c for c in row if c)[:60]
            parsed.skipped.append(
                RowError(sheet.name, row_number, "", f"Строка без баллов («{text}»): не результат участника.")
            )
            continue
        parsed.total_rows += 1
        if not participant:
            error(label("participant"), "Не указан код участника.")
        scores: list[str] = []
        points = 0
        for col, title, top in tasks:
            raw = row[col] if col < len(row) else ""
            where = column_label(col, f"{title} ({top}б)")
            if raw.lower() in NOT_ATTEMPTED:
                scores.append("X")
                continue
            value = parse_int(raw) if raw else None
            if value is None:
                error(where, f"«{raw or 'пусто'}» — не балл: укажите целое число или X.")
            elif not 0 <= value <= top:
                error(where, f"Балл {value} вне пределов задания (0–{top}).")
            else:
                scores.append(str(value))
                points += value
        total_raw = cell("total")
        total = parse_int(total_raw) if total_raw else points
        if total is None:
            error(label("total"), f"Итого баллов «{total_raw}» — не целое число.")
        elif total != points and not errors:
            error(label("total"), f"Итого баллов {total}, а сумма баллов за задания {points}.")
        previous_raw = cell("previous")
        previous = None
        if previous_raw and previous_raw.lower() not in NO_MARK:
            previous = parse_int(previous_raw)
            if previous not in _MARKS:
                error(label("previous"), f"Отметка «{previous_raw}»: допустимы 2, 3, 4, 5, «нет отметки» или пусто.")
        number = cell("class_number")
        class_name = f"{grade}-{number}" if number else ""
        if len(class_name) > 10:
            error(label("class_number"), f"Порядковый номер класса «{number}» слишком длинный.")
        if errors:
            parsed.errors.extend(errors)
            continue
        parsed.results.append(
            ResultRow(
                sheet.name,
                row_number,
                school_code,
                "",
                year_start,
                Procedure.VPR,
                subject_code,
                grade,
                class_name,
                cell("variant")[:20],
                keyer(participant),
                label("participant"),
                points,
                maximum or None,
                None,
                previous,
                None,
                ",".join(scores),
            )
        )
