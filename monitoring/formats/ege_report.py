"""Regional ЕГЭ reports by school, with multi-row merged headers, DESIGN.md §6.

The regions publish them in Excel as they like, but the family is recognisable::

    Информация о результатах ЕГЭ выпускников школ в 2023 году
    Муниципальное образование | Образовательная организация (школа) | … | Русский язык, чел. | …
                              |                                      |   | приняло участие | не преодолен min порог |
                                     высокобалльники (80-99 баллов) | получили 100 баллов | средний балл | …
    1 | 2 | 3 | …                                                  (a numbering row)
    ВСЕГО по региону | … (the region total)
    город Биробиджан | … (a municipality's subtotal, or a caption)
                     | МБОУ "Гимназия № 1" | 97 | … (a school, often without any code)

A merged cell is read as its first cell filled and the others empty, so the subject of a
measure column is the nearest subject cell at or left of it in the row above the
measures; subject titles come as «Русский язык, чел.», «ИКТ», «Иностранные языки» (the
languages summed: their own group subject), with notes in brackets. A school is the «Код ОО»
column or an «(edu…)» in its name; without either it is its name, under the municipality of
the nearest caption or subtotal row above (or of the municipality column), and
monitoring.imports.names resolves both names. Every other row is read past on purpose and
counted with its reason (numbering, totals, captions, a school with no result), as is a sheet
with no results (a sheet of applications only). Base mathematics reports a mean *mark* (2–5),
other subjects a mean test score (0–100). A count the indicators do not use (80–99, 100
points) that cannot be right is left empty with a warning; the rest of the row imports. The
exams are in summer: «ЕГЭ 2025» is the year 2024/2025.
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
_TOTAL = re.compile(r"^(всего|итого|итог|в целом|по региону|по области|по краю|по республике)\b", re.IGNORECASE)
# A caption that names a territory, not a school (layouts without a municipality column).
_TERRITORY = re.compile(r"\b(район|округ|город|г\.|муниципал|улус|поселение)", re.IGNORECASE)
_SCHOOL_WORDS = re.compile(r"\b(школ|сош|оош|гимнази|лице|центр|мбоу|мкоу|маоу|гбоу|учрежден)", re.IGNORECASE)
_SUBJECT_NOTE = re.compile(r"\((?:[^)]*(?:в т\.? ?ч|участв|включ)[^)]*)\)")
_PERSONS = re.compile(r"\s*,?\s*чел\.?\s*$")
BASE_MATHS = "22"
_MEASURE_TITLES = {
    "participants": "Приняло участие",
    "below_minimum": "Не преодолен min порог",
    "high_scorers": "Высокобалльники 80–99",
    "full_scorers": "100 баллов",
    "mean_score": "Средний балл",
}
# Figures no indicator reads: a wrong one is left empty with a warning, the rest of the row imports.
_UNUSED_BY_INDICATORS = ("high_scorers", "full_scorers")

SKIP_NUMBERING = "Строка с номерами столбцов."
SKIP_REGION_TOTAL = "Итоговая строка по региону."
SKIP_TOTAL = "Итоговая строка."
SKIP_MUNICIPALITY = "Строка муниципалитета (итог или подзаголовок): данные берутся по школам."
SKIP_NO_RESULTS = "У школы нет результатов ни по одному предмету."
SKIP_APPLICATIONS = "Лист заявлений на участие в ЕГЭ: результатов на нём нет, лист пропущен."
SKIP_NO_HEADER = "На листе нет шапки отчёта ЕГЭ («приняло участие», «средний балл»): лист пропущен."


def _measure(text: str) -> str | None:
    name = normalise_header(text)
    if name.startswith(("приняло участие", "приняли участие", "кол-во участников", "количество участников")):
        return "participants"
    if "не преодол" in name or "ниже мин" in name:
        return "below_minimum"
    if "высокобалл" in name or re.search(r"80\s*[-–—]\s*99", name):
        return "high_scorers"
    if name.startswith("100") or "стобалл" in name or "100-балл" in name or re.search(r"\b100\s*балл", name):
        return "full_scorers"
    if ("средний" in name and "балл" in name) or "средняя отметка" in name:
        return "mean_score"
    return None


def subject_title(text: str) -> str:
    """«География, чел. (в т.ч. участвовавшие в 2022 году)» → «география»."""
    name = _SUBJECT_NOTE.sub(" ", normalise_header(text))
    return _PERSONS.sub("", " ".join(name.split())).strip(" ,")


def _year_start(rows: list[list[str]], sheet_name: str) -> int | None:
    text = " ".join(cell for row in rows for cell in row if cell)
    found = _ACADEMIC_YEAR.search(text)
    if found:
        return int(found.group(1))
    found = _YEAR.search(text) or _YEAR.search(sheet_name)
    return int(found.group(1)) - 1 if found else None


def parse_ege_report(
    sheets: Sequence[AnySheet], *, subjects_by_name: dict[str, str], progress: Progress | None
) -> ParsedFile:
    parsed = ParsedFile(layout=ImportJob.Layout.EGE_REPORT)
    for number, sheet in enumerate(sheets, 1):
        measures_index = find_header(sheet.head(HEADER_SCAN_ROWS), is_ege_report_header)
        if measures_index is not None:
            _parse_sheet(sheet, measures_index, parsed, subjects_by_name)
        else:
            _skip_sheet(sheet, parsed)
        if progress is not None:
            progress(number, len(sheets))
    report_duplicates(parsed)
    return parsed


def _skip_sheet(sheet: Sheet, parsed: ParsedFile) -> None:
    """A sheet without results (applications only, notes): its rows are counted as skipped."""
    head = sheet.head(HEADER_SCAN_ROWS)
    text = normalise_header(" ".join(cell for row in head for cell in row if cell))
    reason = SKIP_APPLICATIONS if "заявлен" in text else SKIP_NO_HEADER
    # The data rows stand below the last header row («…, чел.» subject titles).
    start = 0
    for index, row in enumerate(head):
        if sum(1 for cell in row if cell and _PERSONS.search(normalise_header(cell))) >= 2:
            start = index + 1
    for index in range(start, len(sheet.rows)):
        if not is_blank(sheet.rows[index]):
            parsed.total_rows += 1
            parsed.skip(sheet.name, index + 1, reason)


def _header_columns(sheet: Sheet, first: int, last: int) -> tuple[int | None, int | None, int | None]:
    code_col = name_col = municipality_col = None
    # «Код ОО» and the name may be merged down from a row above the subjects (three-row headers).
    for header in sheet.rows[first:last]:
        for col, text in enumerate(header):
            name = normalise_header(text)
            if not name:
                continue
            words = set(re.split(r"[^\w]+", name))
            if code_col is None and (
                name in ("код оо", "код", "логин оо", "код организации") or name.startswith("код оо")
            ):
                code_col = col
            elif municipality_col is None and (
                "муниципал" in name or name.startswith("орган") or words & {"мо", "мсу", "ату", "район", "территория"}
            ):
                municipality_col = col
            elif name_col is None and (
                "наименование" in name or "название" in name or name.startswith("образовательная")
                or "школа" in words or name in ("оо", "организация")
            ):  # fmt: skip
                name_col = col
    return code_col, name_col, municipality_col


def _parse_sheet(sheet: Sheet, measures_index: int, parsed: ParsedFile, subjects_by_name: dict[str, str]) -> None:
    errors = parsed.errors
    subjects_index = next((i for i in range(measures_index - 1, -1, -1) if not is_blank(sheet.rows[i])), None)
    if subjects_index is None:
        errors.append(RowError(sheet.name, measures_index + 1, "", "Над строкой показателей нет строки предметов."))
        return
    year_start = _year_start(sheet.rows[:subjects_index], sheet.name)
    if year_start is None:
        errors.append(
            RowError(sheet.name, 1, "", "В заголовке отчёта не найден год (например, «Результаты ЕГЭ 2025 года»).")
        )
        return
    subject_row, measure_row = sheet.rows[subjects_index], sheet.rows[measures_index]
    code_col, name_col, municipality_col = _header_columns(
        sheet, max(0, subjects_index - _HEADER_ROWS_ABOVE), measures_index + 1
    )
    # Measure columns grouped by the subject written over them (merged cells: fill forward).
    groups: dict[int, dict] = {}
    subject_text, subject_col = "", -1
    for col, text in enumerate(measure_row):
        if col < len(subject_row) and subject_row[col]:
            subject_text, subject_col = subject_row[col], col
        if not text or subject_col < 0:
            continue
        key = _measure(text)
        if key is None:
            parsed.warnings.append(
                RowError(sheet.name, measures_index + 1, column_label(col, text),
                         f"Столбец «{text}» не распознан и не загружается.")
            )  # fmt: skip
            continue
        group = groups.setdefault(subject_col, {"title": subject_text, "columns": {}})
        group["columns"].setdefault(key, col)
    usable: list[tuple[str, dict]] = []
    for subject_col, group in sorted(groups.items()):
        code = subject_code_for(subject_title(group["title"]), subjects_by_name=subjects_by_name)
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
    code_label = column_label(code_col, "Код ОО") if code_col is not None else ""
    school_label = code_label or column_label(name_col or 0, "ОО")
    if code_col is None and name_col is None:
        errors.append(
            RowError(sheet.name, measures_index + 1, "", "В отчёте нет ни кода ОО, ни названия школы: "
                                                         "добавьте столбец «Код ОО» или «Наименование ОО».")
        )  # fmt: skip
        return

    def cell(row: list[str], col: int | None) -> str:
        return row[col].strip() if col is not None and col < len(row) else ""

    municipality = ""
    for index in range(measures_index + 1, len(sheet.rows)):
        row = sheet.rows[index]
        if is_blank(row):
            continue
        parsed.total_rows += 1
        row_number = index + 1
        if all(parse_int(value) is not None for value in row if value):
            parsed.skip(sheet.name, row_number, SKIP_NUMBERING)
            continue
        raw_code = cell(row, code_col)
        name = cell(row, name_col)
        if parse_int(name) is not None or parse_decimal(name) is not None:
            name = ""  # a total's figure standing in the name column
        place = cell(row, municipality_col)
        code = school_code_from(raw_code) if raw_code else ""
        if not code and "edu" in name.lower():
            code = school_code_from(name)
        if raw_code and not code and _CODE_LIKE.search(raw_code):
            errors.append(RowError(sheet.name, row_number, school_label, f"Код ОО «{raw_code}» не распознан."))
            continue
        if raw_code and not code and not name:
            name = raw_code  # a caption written in the code column
        if not code and not name:
            if place and (_TOTAL.search(place) or "регион" in place.lower()):
                parsed.skip(sheet.name, row_number, SKIP_REGION_TOTAL)
            elif place:
                municipality = place
                parsed.skip(sheet.name, row_number, SKIP_MUNICIPALITY)
            else:
                parsed.skip(sheet.name, row_number, SKIP_TOTAL)
            continue
        if not code and _TOTAL.search(name):
            parsed.skip(sheet.name, row_number, SKIP_TOTAL)
            continue
        has_figures = any(cell(row, col) for _code, group in usable for col in group["columns"].values())
        caption = not code and not has_figures and municipality_col is None
        if caption and _TERRITORY.search(name) and not _SCHOOL_WORDS.search(name):
            municipality = name
            parsed.skip(sheet.name, row_number, SKIP_MUNICIPALITY)
            continue
        if place:
            municipality = place
        errors_before, rows_before = len(errors), len(parsed.aggregates)
        for subject_code, group in usable:
            _parse_group(
                sheet, row, row_number, code, school_label, year_start, subject_code, group, parsed,
                school_name="" if code else name, municipality_name="" if code else municipality,
            )  # fmt: skip
        if len(errors) == errors_before and len(parsed.aggregates) == rows_before:
            parsed.skip(sheet.name, row_number, SKIP_NO_RESULTS)


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
    *,
    school_name: str,
    municipality_name: str,
) -> None:
    columns: dict[str, int] = group["columns"]
    raw = {key: (row[col].strip() if col < len(row) else "") for key, col in columns.items()}
    if not any(raw.values()):
        return  # the school did not take this subject

    def label(key: str) -> str:
        return column_label(columns[key], f"{group['title']}: {_MEASURE_TITLES[key]}")

    errors: list[RowError] = []
    warnings: list[RowError] = []
    values: dict = {}
    for key, text in raw.items():
        if key == "mean_score":
            mean = parse_decimal(text) if text else None
            if subject_code == BASE_MATHS:
                # Base mathematics is marked 2–5: its «средний балл» is a mean mark.
                if text and (mean is None or not 2 <= mean <= 5):
                    errors.append(
                        RowError(sheet.name, row_number, label(key),
                                 f"Средняя отметка по базовой математике «{text}»: от 2 до 5.")
                    )  # fmt: skip
                values["mean_mark"] = mean.quantize(Decimal("0.01")) if mean is not None else None
                continue
            if text and (mean is None or not 0 <= mean <= 100):
                errors.append(RowError(sheet.name, row_number, label(key), f"Средний балл «{text}»: от 0 до 100."))
            values[key] = mean.quantize(Decimal("0.01")) if mean is not None else None
            continue
        number = parse_int(text) if text else 0
        if number is None or number < 0:
            message = f"«{text}» — не целое неотрицательное число."
            if key in _UNUSED_BY_INDICATORS:
                warnings.append(RowError(sheet.name, row_number, label(key), f"{message} Ячейка оставлена пустой."))
                values[key] = None
                continue
            errors.append(RowError(sheet.name, row_number, label(key), message))
        values[key] = number
    if not errors and not values["participants"]:
        if any(values.get(key) for key in ("below_minimum", "high_scorers", "full_scorers", "mean_score", "mean_mark")):
            errors.append(
                RowError(sheet.name, row_number, label("participants"), "Не указано, сколько участников сдавали.")
            )
        else:
            return
    if not errors:
        participants = values["participants"]
        if (values.get("below_minimum") or 0) > participants:
            errors.append(
                RowError(sheet.name, row_number, label("below_minimum"),
                         f"Не преодолели порог ({values['below_minimum']}) больше, чем участников ({participants}).")
            )  # fmt: skip
        else:
            counted = values.get("below_minimum") or 0
            for key in _UNUSED_BY_INDICATORS:
                if key not in values or values[key] is None:
                    continue
                if counted + values[key] > participants:
                    warnings.append(
                        RowError(sheet.name, row_number, label(key),
                                 f"Ниже порога, 80–99 и 100 баллов вместе ({counted + values[key]}) больше числа "
                                 f"участников ({participants}): ячейка «{raw[key]}» оставлена пустой.")
                    )  # fmt: skip
                    values[key] = None
                else:
                    counted += values[key]
    if errors:
        parsed.errors.extend(errors)
        return
    parsed.warnings.extend(warnings)
    parsed.aggregates.append(
        AggregateRow(sheet.name, row_number, school_code, school_label, year_start, Procedure.EGE, subject_code, 0,
                     values, school_name=school_name, municipality_name=municipality_name)
    )  # fmt: skip
