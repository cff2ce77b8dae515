"""The canonical layout of school context data: one row per school and academic year.

The header row may stand anywhere in the first ten rows and columns may come in any order
(matched by name, case and «ё» ignored); unknown columns are ignored, and an empty cell
means «no data». The same table is offered as a template on the import page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.tabular import AnySheet, RowError, Sheet, normalise_header
from monitoring.formats.headers import TEMPLATE_SCAN_ROWS, find_header, is_context_header
from monitoring.formats.parsing import (
    ContextRow,
    ParsedFile,
    Progress,
    column_label,
    is_blank,
    parse_decimal,
    parse_int,
    school_code_from,
)
from monitoring.models import ImportJob


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str  # "year", "code", "int", "share", "decimal"
    description: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("year", "Учебный год", "year", "Например, 2025/2026.", True),
    Column("code", "Код ОО", "code", "Логин школы в ФИС ОКО, например edu203389.", True),
    Column("contingent", "Контингент", "int", "Число обучающихся на конец года.", True),
    Column("low_income_share", "Доля малоимущих, %", "share", "Из малоимущих семей, % контингента (0–100)."),
    Column("ovz_share", "Доля обучающихся с ОВЗ, %", "share", "С ограниченными возможностями здоровья, %."),
    Column("non_native_share", "Доля неродных для русского языка, %", "share", "Для кого русский язык неродной, %."),
    Column("single_parent_share", "Доля из неполных семей, %", "share", "%."),
    Column(
        "preventive_register_share", "Доля на профилактическом учёте, %", "share", "ПДН, КДН, внутришкольный учёт, %."
    ),
    Column("parents_higher_ed_share", "Доля родителей с высшим образованием, %", "share", "%."),
    Column("missed_lessons", "Пропущено уроков", "int", "Всего за год по школе, уроков."),
    Column("discipline_incidents", "Дисциплинарные нарушения", "int", "Число зафиксированных нарушений за год."),
    Column("teacher_posts", "Ставок педагогов", "decimal", "Штатные ставки педагогических работников."),
    Column("teacher_vacancies", "Вакансий педагогов", "decimal", "Незанятые ставки на конец года."),
    Column("graduates_9", "Выпускников 9 класса", "int", ""),
    Column("certificates_9", "Получили аттестат (9 класс)", "int", "Не больше числа выпускников 9 класса."),
    Column("graduates_11", "Выпускников 11 класса", "int", ""),
    Column("certificates_11", "Получили аттестат (11 класс)", "int", "Не больше числа выпускников 11 класса."),
)
_BY_TITLE = {normalise_header(column.title): column for column in COLUMNS}
_BY_TITLE[normalise_header("Получили аттестат (9)")] = _BY_TITLE[normalise_header("Получили аттестат (9 класс)")]
_BY_TITLE[normalise_header("Получили аттестат (11)")] = _BY_TITLE[normalise_header("Получили аттестат (11 класс)")]
_YEAR = re.compile(r"^(\d{4})(?:\s*[/\-–]\s*(\d{2}|\d{4}))?$")
TEMPLATE_EXAMPLE = [
    "2025/2026",
    "edu203389",
    512,
    12.5,
    4.1,
    0,
    18.2,
    1.4,
    46,
    10432,
    7,
    38.5,
    2,
    48,
    48,
    21,
    21,
]


def parse_context(sheets: Sequence[AnySheet], *, progress: Progress | None) -> ParsedFile:
    parsed = ParsedFile(layout=ImportJob.Layout.CONTEXT)
    for sheet in sheets:
        header_index = find_header(sheet.head(TEMPLATE_SCAN_ROWS), is_context_header)
        if header_index is None:
            continue
        mapping: dict[str, int] = {}
        for col, title in enumerate(sheet.rows[header_index]):
            column = _BY_TITLE.get(normalise_header(title))
            if column and column.key not in mapping:
                mapping[column.key] = col
        total = len(sheet.rows) - header_index - 1
        for index in range(header_index + 1, len(sheet.rows)):
            row = sheet.rows[index]
            if is_blank(row):
                continue
            parsed.total_rows += 1
            result = _parse_row(sheet, row, index + 1, mapping, parsed.errors)
            if result is not None:
                parsed.context.append(result)
            if progress is not None and parsed.total_rows % 500 == 0:
                progress(parsed.total_rows, total)
    return parsed


def _parse_row(
    sheet: Sheet, row: list[str], row_number: int, mapping: dict[str, int], errors: list[RowError]
) -> ContextRow | None:
    ok = True
    values: dict = {}
    year_start = 0
    code = ""
    labels = {c.key: column_label(mapping[c.key], c.title) if c.key in mapping else c.title for c in COLUMNS}

    def error(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        errors.append(RowError(sheet.name, row_number, labels[key], message))

    for column in COLUMNS:
        col = mapping.get(column.key)
        raw = row[col] if col is not None and col < len(row) else ""
        if not raw:
            if column.required:
                error(column.key, f"Не заполнен обязательный столбец «{column.title}».")
            elif column.kind not in ("year", "code"):
                values[column.key] = None
            continue
        if column.kind == "year":
            found = _YEAR.match(raw.strip())
            if not found:
                error(column.key, f"Учебный год «{raw}»: укажите его как 2025/2026.")
            else:
                year_start = int(found.group(1))
                if found.group(2) and int(found.group(2)[-2:]) != (year_start + 1) % 100:
                    error(column.key, f"Учебный год «{raw}»: второй год должен следовать за первым.")
        elif column.kind == "code":
            code = school_code_from(raw)
            if not code:
                error(column.key, f"Код ОО «{raw}» не похож на логин ФИС ОКО (edu и цифры).")
        elif column.kind == "int":
            number = parse_int(raw)
            if number is None or number < 0:
                error(column.key, f"«{raw}» — не целое неотрицательное число.")
            values[column.key] = number
        else:
            number = parse_decimal(raw)
            if number is None or number < 0:
                error(column.key, f"«{raw}» — не неотрицательное число.")
            elif column.kind == "share" and number > 100:
                error(column.key, f"Доля {number}% больше 100%.")
            elif number.as_tuple().exponent < -2:
                number = number.quantize(Decimal("0.01"))
            values[column.key] = number
    for graduates, certificates in (("graduates_9", "certificates_9"), ("graduates_11", "certificates_11")):
        both = values.get(graduates) is not None and values.get(certificates) is not None
        if both and values[certificates] > values[graduates]:
            error(certificates, "Аттестатов больше, чем выпускников.")
    if not ok:
        return None
    return ContextRow(sheet.name, row_number, code, labels["code"], year_start, values)
