"""Regional ЕГЭ reports by school, with multi-row merged headers, DESIGN.md §6.

The regions publish them in Excel as they like, but the shape is the same::

    Результаты ЕГЭ 2025 года по общеобразовательным организациям
    Код ОО | Наименование ОО | Русский язык    |   |   |   |   | Математика профильная | …
           |                 | Приняло участие | Не преодолен min порог | Высокобалльники 80–99 |
                                                   100 баллов | Средний балл | Приняло участие | …
    Заречный муниципальный район                                          (a caption row)
    edu203389 | МБОУ СОШ № 1 | 25 | 1 | 4 | 0 | 68,5 | …

A merged cell is read as its first cell filled and the others empty, so the subject of a
measure column is the nearest subject cell at or left of it in the row above the
measures. The school is the «Код ОО» column or an «(edu…)» in the name; rows without one
are captions and totals (a municipality, «Итого») and are read past. A subject a school
did not take is left empty. The exams are in summer: «ЕГЭ 2025» is the year 2024/2025.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from core.tabular import AnySheet, RowError, Sheet, normalise_header
from monitoring.formats.aggregates import report_duplicates, subject_code_for
from monitoring.formats.headers import HEADER_SCAN_ROWS, find_header, is_ege_report_header
from monitoring.formats.parsing import (
    AggregateRow,
    ParsedFile,
    Progress,
    column_label,
    is_blank,
    parse_decimal,
    parse_int,
    school_code_from,
)
from monitoring.models import ImportJob, Procedure

_HEADER_ROWS_ABOVE = 2
_ACADEMIC_YEAR = re.compile(r"\b(20\d{2})\s*[/\-–]\s*(20\d{2}|\d{2})\b")
_YEAR = re.compile(r"\b(20\d{2})\b")
# What is meant as a school code (and is an error when it is not one); other text in the code
# column — «Заречный муниципальный район», «Итого» — is a caption.
_CODE_LIKE = re.compile(r"edu|^\s*\d+\s*$", re.IGNORECASE)
_MEASURE_TITLES = {
    "participants": "Приняло участие",
    "below_minimum": "Не преодолен min порог",
    "high_scorers": "Высокобалльники 80–99",
    "full_scorers": "100 баллов",
    "mean_score": "Средний балл",
}


def _measure(text: str) -> str | None:
    name = normalise_header(text)
    if name.startswith(("приняло участие", "приняли участие", "кол-во участников", "количество участников")):
        return "participants"
    if "не преодол" in name or "ниже мин" in name:
        return "below_minimum"
    if "высокобалл" in name or re.search(r"80\s*[-–—]\s*99", name):
        return "high_scorers"
    if name.startswith("100") or "стобалл" in name or "100-балл" in name:
        return "full_scorers"
    if "средний" in name and "балл" in name:
        return "mean_score"
    return None


def _year_start(rows: list[list[str]]) -> int | None:
    text = " ".join(cell for row in rows for cell in row if cell)
    found = _ACADEMIC_YEAR.search(text)
    if found:
        return int(found.group(1))
    found = _YEAR.search(text)
    return int(found.group(1)) - 1 if found else None


def parse_ege_report(
    sheets: Sequence[AnySheet], *, subjects_by_name: dict[str, str], progress: Progress | None
) -> ParsedFile:
    parsed = ParsedFile(layout=ImportJob.Layout.EGE_REPORT)
    for number, sheet in enumerate(sheets, 1):
        measures_index = find_header(sheet.head(HEADER_SCAN_ROWS), is_ege_report_header)
        if measures_index is not None:
            _parse_sheet(sheet, measures_index, parsed, subjects_by_name)
        if progress is not None:
            progress(number, len(sheets))
    report_duplicates(parsed)
    return parsed


def _parse_sheet(sheet: Sheet, measures_index: int, parsed: ParsedFile, subjects_by_name: dict[str, str]) -> None:
    errors = parsed.errors
    subjects_index = next((i for i in range(measures_index - 1, -1, -1) if not is_blank(sheet.rows[i])), None)
    if subjects_index is None:
        errors.append(RowError(sheet.name, measures_index + 1, "", "Над строкой показателей нет строки предметов."))
        return
    year_start = _year_start(sheet.rows[:subjects_index])
    if year_start is None:
        errors.append(
            RowError(sheet.name, 1, "", "В заголовке отчёта не найден год (например, «Результаты ЕГЭ 2025 года»).")
        )
        return
    subject_row, measure_row = sheet.rows[subjects_index], sheet.rows[measures_index]
    code_col = name_col = None
    # «Код ОО» and the name may be merged down from a row above the subjects (three-row headers).
    for header in sheet.rows[max(0, subjects_index - _HEADER_ROWS_ABOVE) : measures_index + 1]:
        for col, text in enumerate(header):
            name = normalise_header(text)
            if code_col is None and (
                name in ("код оо", "код", "логин оо", "код организации") or name.startswith("код оо")
            ):
                code_col = col
            elif name_col is None and (
                "наименование" in name or "название" in name or name.startswith("образовательная")
            ):
                name_col = col
    # Measure columns grouped by the subject written over them (merged cells: fill forward).
    groups: dict[int, dict] = {}
    subject_text, subject_col = "", -1
    for col, text in enumerate(measure_row):
        if col < len(subject_row) and subject_row[col]:
            subject_text, subject_col = subject_row[col], col
        key = _measure(text)
        if key is None or subject_col < 0:
            continue
        group = groups.setdefault(subject_col, {"title": subject_text, "columns": {}})
        group["columns"].setdefault(key, col)
    usable: list[tuple[str, dict]] = []
    for subject_col, group in sorted(groups.items()):
        code = subject_code_for(group["title"], subjects_by_name=subjects_by_name)
        if code is None:
            errors.append(
                RowError(
                    sheet.name,
                    subjects_index + 1,
                    column_label(subject_col, group["title"]),
                    f"Неизвестный предмет «{group['title']}»: его нет в справочнике предметов.",
                )
            )
        elif "participants" not in group["columns"]:
            errors.append(
                RowError(sheet.name, measures_index + 1, column_label(subject_col, group["title"]),
                         f"У предмета «{group['title']}» нет столбца «Приняло участие».")
            )  # fmt: skip
        else:
            usable.append((code, group))
    if len(usable) < len(groups):
        return
    school_label = column_label(code_col, "Код ОО") if code_col is not None else column_label(name_col or 0, "ОО")

    schools_before = parsed.total_rows
    for index in range(measures_index + 1, len(sheet.rows)):
        row = sheet.rows[index]
        if is_blank(row):
            continue
        row_number = index + 1
        raw_code = row[code_col] if code_col is not None and code_col < len(row) else ""
        code = school_code_from(raw_code) if raw_code else ""
        if not code and name_col is not None and name_col < len(row):
            code = school_code_from(row[name_col]) if "edu" in row[name_col].lower() else ""
        if raw_code and not code and _CODE_LIKE.search(raw_code):
            if parse_int(raw_code) is not None and not any(c for i, c in enumerate(row) if i != code_col and c):
                continue  # a row of column numbers under the header
            errors.append(RowError(sheet.name, row_number, school_label, f"Код ОО «{raw_code}» не распознан."))
            continue
        if not code:
            continue  # a municipality caption or a total line
        parsed.total_rows += 1
        for subject_code, group in usable:
            _parse_group(sheet, row, row_number, code, school_label, year_start, subject_code, group, parsed)
    if parsed.total_rows == schools_before and code_col is None:
        # Names alone do not identify a school reliably (the same «СОШ № 1» in every district).
        errors.append(
            RowError(sheet.name, measures_index + 1, "", "В отчёте нет кодов ОО: добавьте столбец «Код ОО» "
                                                         "(логин ФИС ОКО, edu…) или код в скобках после названия.")
        )  # fmt: skip


def _parse_group(
    sheet: Sheet,
    row: list[str],
    row_number: int,
    school_code: str,
    school_label: str,
    year_start: int,
    subject_code: str,
    group: dict,
    parsed: ParsedFile,
) -> None:
    columns: dict[str, int] = group["columns"]
    raw = {key: (row[col] if col < len(row) else "") for key, col in columns.items()}
    if not any(raw.values()):
        return  # the school did not take this subject

    def label(key: str) -> str:
        return column_label(columns[key], f"{group['title']}: {_MEASURE_TITLES[key]}")

    errors: list[RowError] = []
    values: dict = {}
    for key, text in raw.items():
        if key == "mean_score":
            mean = parse_decimal(text) if text else None
            if text and (mean is None or not 0 <= mean <= 100):
                errors.append(RowError(sheet.name, row_number, label(key), f"Средний балл «{text}»: от 0 до 100."))
            values[key] = mean.quantize(Decimal("0.01")) if mean is not None else None
            continue
        number = parse_int(text) if text else 0
        if number is None or number < 0:
            errors.append(RowError(sheet.name, row_number, label(key), f"«{text}» — не целое неотрицательное число."))
        values[key] = number
    if not errors and not values["participants"]:
        if any(values.get(key) for key in ("below_minimum", "high_scorers", "full_scorers", "mean_score")):
            errors.append(
                RowError(sheet.name, row_number, label("participants"), "Не указано, сколько участников сдавали.")
            )
        else:
            return
    if not errors:
        counted = sum(values.get(key) or 0 for key in ("below_minimum", "high_scorers", "full_scorers"))
        if counted > values["participants"]:
            errors.append(
                RowError(sheet.name, row_number, label("participants"),
                         f"Ниже порога, 80–99 и 100 баллов вместе ({counted}) больше числа участников "
                         f"({values['participants']}).")
            )  # fmt: skip
    if errors:
        parsed.errors.extend(errors)
        return
    parsed.aggregates.append(
        AggregateRow(sheet.name, row_number, school_code, school_label, year_start, Procedure.EGE, subject_code, 0,
                     values)
    )  # fmt: skip
