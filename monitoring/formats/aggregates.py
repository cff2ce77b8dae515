"""The canonical layout of per-school figures (one row per school and slice), DESIGN.md §6.

For figures that do not come as a ФИС ОКО or РЦОИ report — above all the ЕГЭ per-school
aggregates a region keeps in its own tables. One row per school, year, procedure, subject
and grade; columns are matched by name in any order, unknown ones are ignored. Only the
columns present are loaded: a file with «Понизили / Подтвердили / Повысили» alone leaves
the mark distribution already loaded for those schools as it is. An empty cell means «no
data». The same table is offered as a template on the import page.

The helpers at the bottom (subject names, duplicates) serve every aggregate layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.tabular import AnySheet, RowError, Sheet, normalise_header
from monitoring.formats.headers import TEMPLATE_SCAN_ROWS, find_header, is_aggregates_header
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


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    description: str
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("year", "Учебный год", "Например, 2024/2025 (ЕГЭ и ОГЭ лета 2025 года — 2024/2025).", True),
    Column("procedure", "Процедура", "ЕГЭ, ОГЭ, ГВЭ или ВПР; пусто — ЕГЭ."),
    Column("subject", "Предмет", "Название («Русский язык», «Математика профильная») или код РЦОИ («01»).", True),
    Column("grade", "Класс", "Параллель для ВПР (4–11); для ЕГЭ, ОГЭ, ГВЭ — пусто.", aliases=("параллель",)),
    Column("code", "Код ОО", "Логин школы в ФИС ОКО, например edu203389.", True),
    Column("participants", "Участников", "Число участников из школы.", True, ("приняли участие", "приняло участие")),
    Column("mark_2", "Отметок «2»", "Число участников с отметкой «2».", aliases=("2",)),
    Column("mark_3", "Отметок «3»", "", aliases=("3",)),
    Column("mark_4", "Отметок «4»", "", aliases=("4",)),
    Column("mark_5", "Отметок «5»", "Сумма отметок «2»–«5» равна числу участников.", aliases=("5",)),
    Column("lowered", "Понизили", "ВПР: отметка ниже отметки по журналу, участников."),
    Column("confirmed", "Подтвердили", "ВПР: отметка равна отметке по журналу, участников."),
    Column("raised", "Повысили", "ВПР: отметка выше отметки по журналу, участников."),
    Column(
        "below_minimum",
        "Не преодолели минимальный порог",
        "ЕГЭ: участников ниже минимального балла.",
        aliases=("не преодолен min порог", "не преодолели минимальный балл"),
    ),
    Column("high_scorers", "Высокобалльники 80–99", "ЕГЭ: участников с баллом от 80 до 99.", aliases=("80-99 баллов",)),
    Column("full_scorers", "100 баллов", "ЕГЭ: участников со 100 баллами.", aliases=("стобалльники",)),
    Column("mean_score", "Средний балл", "ЕГЭ: средний тестовый балл (0–100), например 68,4."),
)
_BY_TITLE: dict[str, Column] = {}
for _column in COLUMNS:
    for _title in (_column.title, *_column.aliases):
        _BY_TITLE[normalise_header(_title)] = _column
_BY_TITLE[normalise_header("Высокобалльники 80-99")] = _BY_TITLE[normalise_header("Высокобалльники 80–99")]

_COUNT_FIELDS = ("participants", "mark_2", "mark_3", "mark_4", "mark_5", "lowered", "confirmed", "raised",
                 "below_minimum", "high_scorers", "full_scorers")  # fmt: skip
_PROCEDURES = {"егэ": Procedure.EGE, "огэ": Procedure.OGE, "гвэ": Procedure.GVE, "впр": Procedure.VPR}
_YEAR = re.compile(r"^(\d{4})(?:\s*[/\-–]\s*(\d{2}|\d{4}))?$")

TEMPLATE_EXAMPLE = [
    ["2024/2025", "ЕГЭ", "Русский язык", "", "edu203389", 25, "", "", "", "", "", "", "", 1, 4, 0, "68,4"],
    ["2024/2025", "ЕГЭ", "Математика профильная", "", "edu203389", 12, "", "", "", "", "", "", "", 2, 1, 0, 55],
    ["2025/2026", "ВПР", "Русский язык", 4, "edu203389", 89, 5, 30, 40, 14, 10, 70, 9, "", "", "", ""],
]


def parse_aggregates(
    sheets: Sequence[AnySheet], *, subjects_by_name: dict[str, str], progress: Progress | None
) -> ParsedFile:
    parsed = ParsedFile(layout=ImportJob.Layout.AGGREGATES)
    for sheet in sheets:
        header_index = find_header(sheet.head(TEMPLATE_SCAN_ROWS), is_aggregates_header)
        if header_index is None:
            continue
        mapping: dict[str, int] = {}
        for col, title in enumerate(sheet.rows[header_index]):
            column = _BY_TITLE.get(normalise_header(title))
            if column and column.key not in mapping:
                mapping[column.key] = col
        for index in range(header_index + 1, len(sheet.rows)):
            row = sheet.rows[index]
            if is_blank(row):
                continue
            parsed.total_rows += 1
            result = _parse_row(sheet, row, index + 1, mapping, subjects_by_name, parsed.errors)
            if result is not None:
                parsed.aggregates.append(result)
            if progress is not None and parsed.total_rows % 500 == 0:
                progress(index, len(sheet.rows))
    report_duplicates(parsed)
    return parsed


def _parse_row(
    sheet: Sheet,
    row: list[str],
    row_number: int,
    mapping: dict[str, int],
    subjects_by_name: dict[str, str],
    errors: list[RowError],
) -> AggregateRow | None:
    ok = True
    labels = {c.key: column_label(mapping[c.key], c.title) if c.key in mapping else c.title for c in COLUMNS}

    def cell(key: str) -> str:
        col = mapping.get(key)
        return row[col] if col is not None and col < len(row) else ""

    def error(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        errors.append(RowError(sheet.name, row_number, labels[key], message))

    for column in COLUMNS:
        if column.required and not cell(column.key):
            error(column.key, f"Не заполнен обязательный столбец «{column.title}».")
    if not ok:
        return None
    year_start = 0
    found = _YEAR.match(cell("year"))
    if not found:
        error("year", f"Учебный год «{cell('year')}»: укажите его как 2024/2025.")
    else:
        year_start = int(found.group(1))
        if found.group(2) and int(found.group(2)[-2:]) != (year_start + 1) % 100:
            error("year", f"Учебный год «{cell('year')}»: второй год должен следовать за первым.")
    procedure = _PROCEDURES.get(normalise_header(cell("procedure")) or "егэ")
    if procedure is None:
        error("procedure", f"Процедура «{cell('procedure')}»: допустимы ЕГЭ, ОГЭ, ГВЭ, ВПР.")
    subject_code = subject_code_for(cell("subject"), subjects_by_name=subjects_by_name)
    if subject_code is None:
        error("subject", f"Неизвестный предмет «{cell('subject')}»: его нет в справочнике предметов.")
    grade = 0
    if cell("grade"):
        grade = parse_int(cell("grade")) or 0
        if not 1 <= grade <= 11:
            error("grade", f"Класс «{cell('grade')}»: укажите параллель от 1 до 11 или оставьте пустым.")
    if procedure == Procedure.VPR and not grade:
        error("grade", "Для ВПР укажите класс (параллель).")
    code = school_code_from(cell("code"))
    if not code:
        error("code", f"Код ОО «{cell('code')}» не похож на логин ФИС ОКО (edu и цифры).")

    values: dict = {}
    for key in _COUNT_FIELDS:
        if key not in mapping:
            continue
        raw = cell(key)
        number = parse_int(raw) if raw else None
        if raw and (number is None or number < 0):
            error(key, f"«{raw}» — не целое неотрицательное число.")
        values[key] = number
    if "mean_score" in mapping:
        raw = cell("mean_score")
        mean = parse_decimal(raw) if raw else None
        if raw and (mean is None or not 0 <= mean <= 100):
            error("mean_score", f"Средний балл «{raw}»: допустимо число от 0 до 100.")
        values["mean_score"] = mean.quantize(Decimal("0.01")) if mean is not None else None
    if not ok:
        return None
    participants = values["participants"]
    for group, message in (
        (("mark_2", "mark_3", "mark_4", "mark_5"), "Сумма отметок «2»–«5» ({total}) не равна числу участников"),
        (("lowered", "confirmed", "raised"), "Понизили + подтвердили + повысили ({total}) больше числа участников"),
        (("below_minimum", "high_scorers", "full_scorers"), "Ниже порога + 80–99 + 100 баллов ({total}) больше числа"
                                                            " участников"),
    ):  # fmt: skip
        present = [values[key] for key in group if values.get(key) is not None]
        if not present:
            continue
        total = sum(present)
        exact = group[0] == "mark_2" and len(present) == 4
        if total > participants or (exact and total != participants):
            error(group[-1], message.format(total=total) + f" ({participants}).")
    if not ok:
        return None
    if all(values.get(key) is not None for key in ("mark_2", "mark_3", "mark_4", "mark_5")):
        values["mean_mark"] = mean_mark(values)
    return AggregateRow(
        sheet=sheet.name,
        row=row_number,
        school_code=code,
        school_column=labels["code"],
        year_start=year_start,
        procedure=procedure,
        subject_code=subject_code,
        grade=grade,
        values=values,
    )


# --- Shared by the aggregate layouts ---------------------------------------------------------


def mean_mark(values: dict) -> Decimal | None:
    counted = sum(values[f"mark_{mark}"] for mark in (2, 3, 4, 5))
    if not counted:
        return None
    total = sum(mark * values[f"mark_{mark}"] for mark in (2, 3, 4, 5))
    return (Decimal(total) / counted).quantize(Decimal("0.01"))


FOREIGN_LANGUAGES = "Иностранные языки"
_LANGUAGE_STEMS = ("английск", "немецк", "французск", "испанск", "китайск")


def subject_code_for(text: str, *, subjects_by_name: dict[str, str]) -> str | None:
    """The subject code of a name as the reports write it; None when it is not in the catalogue.

    Takes the catalogue's own names, a leading РЦОИ code («02 - Математика»), and the usual
    variants: «Математика профильная / (профильный уровень)» is 02, «… базовая» is 22,
    «Информатика и ИКТ» is Информатика, «Иностранный язык (английский)» is Английский язык.
    """
    name = normalise_header(text)
    if not name:
        return None
    if name in subjects_by_name:
        return subjects_by_name[name]
    codes = set(subjects_by_name.values())
    leading = re.match(r"^(\d{2})(?:\s*[-–—.:]\s*|\s+|$)", name)
    if leading and leading.group(1) in codes:
        return leading.group(1)
    if name.startswith("математика") and "гвэ" not in name:
        return "22" if "баз" in name else "02"
    if name.startswith("информатика") or name in ("икт", "информатика и икт"):
        return subjects_by_name.get("информатика")
    if name.startswith("иностранн") and not any(stem in name for stem in _LANGUAGE_STEMS):
        # «Иностранные языки»: the languages of a school summed, a group subject of its own.
        return subjects_by_name.get(normalise_header(FOREIGN_LANGUAGES))
    for stem in _LANGUAGE_STEMS:
        if stem in name:
            return next((code for known, code in subjects_by_name.items() if known.startswith(stem)), None)
    return None


def report_duplicates(parsed: ParsedFile) -> None:
    """A school's slice twice in one file is an error: which of the two is right is unknown."""
    seen: dict[tuple, AggregateRow] = {}
    for row in parsed.aggregates:
        first = seen.setdefault(row.slice_key(), row)
        if first is row:
            continue
        place = f"строка {first.row}" + (f" листа «{first.sheet}»" if first.sheet != row.sheet else "")
        parsed.errors.append(
            RowError(
                row.sheet,
                row.row,
                row.school_column,
                f"Показатели школы {row.school_code or row.school_name} по этому предмету и классу повторяются: "
                f"они уже есть ({place}).",
            )
        )
