"""The canonical participant-results layout (CSV or XLSX): one row per participant result.

For results that come neither as a ФИС ОКО «Ф1» nor as a РЦОИ protocol (a school's own
system, a converted archive). The header row may stand anywhere in the first ten rows, the
columns come in any order (matched by name, case and «ё» ignored), unknown columns are
ignored. The checks and messages are those of the Ф1 parser; participants are keyed the
same way as there (ВПР) or as in the РЦОИ protocols (ОГЭ, ЕГЭ, ГВЭ), so the same results
loaded from either file replace each other instead of doubling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.tabular import AnySheet, RowError, normalise_header
from monitoring.formats.headers import TEMPLATE_SCAN_ROWS, find_header, is_results_csv_header
from monitoring.formats.parsing import (
    ParsedFile,
    Progress,
    ResultRow,
    column_label,
    is_blank,
    parse_int,
    participant_keyer,
    school_code_from,
)
from monitoring.models import ImportJob, Procedure


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    description: str
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("year", "Учебный год", "2025/2026 или год его начала (2025); ВПР весны 2026 — 2025/2026.", True, ("Год",)),
    Column("procedure", "Процедура", "ВПР, ОГЭ, ЕГЭ или ГВЭ.", True),
    Column("subject", "Код предмета", "Код РЦОИ (01 — русский язык) или название.", True, ("Предмет",)),
    Column("grade", "Класс", "Номер класса, 1–11.", True),
    Column("code", "Код ОО", "Логин школы в ФИС ОКО, например edu203389.", True),
    Column("class_name", "Класс (буква)", "Класс с буквой, например 4А (до 10 знаков).", False, ("Буква класса",)),
    Column("variant", "Вариант", "Номер варианта."),
    Column("participant", "Код участника", "Код участника в школе; ФИО не указываются.", True),
    Column("primary", "Первичный балл", "Целое неотрицательное, не больше максимального.", True),
    Column("max_primary", "Максимальный первичный балл", "Максимум по работе.", False, ("Максимальный балл",)),
    Column("mark", "Отметка", "2, 3, 4 или 5; для ВПР обязательна."),
    Column("journal", "Отметка по журналу", "2, 3, 4, 5 или пусто."),
    Column("test_score", "Тестовый балл", "ЕГЭ: 0–100."),
    Column("tasks", "Баллы за задания", "Через запятую, по порядку заданий; X — задание не выполнялось."),
)
_BY_TITLE = {normalise_header(name): column for column in COLUMNS for name in (column.title, *column.aliases)}
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?(?:\s*[/\-–]\s*(\d{2}|\d{4}))?$")
_PROCEDURES = {normalise_header(label): value for value, label in Procedure.choices} | {
    value: value for value in Procedure.values
}
_MARKS = {2, 3, 4, 5}
_NOT_ATTEMPTED = {"x", "х"}  # Latin and Cyrillic
TEMPLATE_EXAMPLE = [
    ["2025/2026", "ВПР", "01", 4, "edu203389", "4А", 1, "10001", 31, 38, 4, 5, "", "2,1,X,2,1,1,2,2,1,2,2,3"],
    ["2025/2026", "ЕГЭ", "02", 11, "edu203389", "11А", 305, "25203389001", 14, 31, "", "", 70, ""],
]


def parse_results_csv(sheets: Sequence[AnySheet], *, subjects: dict[str, str], progress: Progress | None) -> ParsedFile:
    """``subjects`` maps a normalised subject code or name to its code."""
    parsed = ParsedFile(layout=ImportJob.Layout.RESULTS_CSV)
    keyers: dict[tuple, Callable[[str], str]] = {}
    for sheet in sheets:
        header_index = find_header(sheet.head(TEMPLATE_SCAN_ROWS), is_results_csv_header)
        if header_index is None:
            continue
        mapping: dict[str, int] = {}
        for col, title in enumerate(sheet.rows[header_index]):
            column = _BY_TITLE.get(normalise_header(title))
            if column and column.key not in mapping:
                mapping[column.key] = col
        labels = {c.key: column_label(mapping[c.key], c.title) if c.key in mapping else c.title for c in COLUMNS}
        total = len(sheet.rows) - header_index - 1
        for index in range(header_index + 1, len(sheet.rows)):
            row = sheet.rows[index]
            if is_blank(row):
                continue
            parsed.total_rows += 1
            cells = {key: (row[col].strip() if col < len(row) else "") for key, col in mapping.items()}
            result = _parse_row(sheet.name, index + 1, cells, labels, subjects, keyers, parsed.errors)
            if result is not None:
                parsed.results.append(result)
            if progress is not None and parsed.total_rows % 5000 == 0:
                progress(parsed.total_rows, total)
    return parsed


def _parse_row(
    sheet: str,
    row_number: int,
    cells: dict[str, str],
    labels: dict[str, str],
    subjects: dict[str, str],
    keyers: dict[tuple, Callable[[str], str]],
    errors: list[RowError],
) -> ResultRow | None:
    row_errors: list[RowError] = []

    def error(key: str, message: str) -> None:
        row_errors.append(RowError(sheet, row_number, labels[key], message))

    for column in COLUMNS:
        if column.required and not cells.get(column.key):
            error(column.key, f"Не заполнен обязательный столбец «{column.title}».")
    if row_errors:
        errors.extend(row_errors)
        return None
    raw_year = cells["year"]
    found = _YEAR.match(raw_year)
    year_start = int(found.group(1)) if found else 0
    if not found:
        error("year", f"Учебный год «{raw_year}»: укажите его как 2025/2026.")
    elif found.group(2) and int(found.group(2)[-2:]) != (year_start + 1) % 100:
        error("year", f"Учебный год «{raw_year}»: второй год должен следовать за первым.")
    procedure = _PROCEDURES.get(normalise_header(cells["procedure"]), "")
    if not procedure:
        error("procedure", f"Процедура «{cells['procedure']}»: допустимы ВПР, ОГЭ, ЕГЭ, ГВЭ.")
    subject_code = subjects.get(normalise_header(cells["subject"]), "")
    if not subject_code:
        error("subject", f"Неизвестный предмет «{cells['subject']}»: его нет в справочнике предметов.")
    grade = parse_int(cells["grade"])
    if grade is None or not 1 <= grade <= 11:
        error("grade", f"Класс «{cells['grade']}»: укажите номер от 1 до 11.")
    school_code = school_code_from(cells["code"])
    if not school_code:
        error("code", f"Код ОО «{cells['code']}» не похож на логин ФИС ОКО (edu и цифры).")
    max_raw = cells.get("max_primary", "")
    max_primary = parse_int(max_raw) if max_raw else None
    if max_raw and (max_primary is None or max_primary < 0):
        error("max_primary", f"Максимальный первичный балл «{max_raw}» — не целое неотрицательное число.")
        max_primary = None
    primary_raw = cells["primary"]
    primary = parse_int(primary_raw)
    if primary is None or primary < 0:
        error("primary", f"Первичный балл «{primary_raw}» — не целое неотрицательное число.")
    elif max_primary is not None and primary > max_primary:
        error("primary", f"Первичный балл {primary} больше максимального ({max_primary}).")
    mark_raw = cells.get("mark", "")
    mark = parse_int(mark_raw) if mark_raw else None
    if (mark_raw or procedure == Procedure.VPR) and mark not in _MARKS:
        error("mark", f"Отметка «{mark_raw or 'пусто'}»: допустимы 2, 3, 4, 5.")
    journal_raw = cells.get("journal", "")
    journal = parse_int(journal_raw) if journal_raw else None
    if journal_raw and journal not in _MARKS:
        error("journal", f"Отметка по журналу «{journal_raw}»: допустимы 2, 3, 4, 5 или пусто.")
    test_raw = cells.get("test_score", "")
    test_score = parse_int(test_raw) if test_raw else None
    if test_raw and (test_score is None or not 0 <= test_score <= 100):
        error("test_score", f"Тестовый балл «{test_raw}»: допустимо целое число от 0 до 100.")
    scores: list[str] = []
    for part in filter(None, (p.strip() for p in cells.get("tasks", "").split(","))):
        value = parse_int(part)
        if part.lower() in _NOT_ATTEMPTED:
            scores.append("X")
        elif value is None or value < 0:
            error("tasks", f"«{part}» — не балл: укажите целые числа или X через запятую.")
            break
        else:
            scores.append(str(value))
    class_name = cells.get("class_name", "")
    if len(class_name) > 10:
        error("class_name", f"Класс «{class_name}» длиннее 10 знаков.")
    if row_errors:
        errors.extend(row_errors)
        return None
    # Keyed as the Ф1 parser (ВПР: per school) and the РЦОИ parser (exams: per region) key them.
    prefix = ("vpr", str(year_start), school_code) if procedure == Procedure.VPR else ("rcoi", str(year_start))
    keyer = keyers.get(prefix)
    if keyer is None:
        keyer = keyers[prefix] = participant_keyer(*prefix)
    return ResultRow(
        sheet,
        row_number,
        school_code,
        labels["code"],
        year_start,
        procedure,
        subject_code,
        grade,
        class_name,
        cells.get("variant", "")[:20],
        keyer(cells["participant"]),
        labels["participant"],
        primary,
        max_primary,
        mark,
        journal,
        test_score,
        ",".join(scores),
    )
