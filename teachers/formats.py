"""The canonical layouts of a school's list of teachers and of diagnostic results.

Both are one table per file (the first sheet that has the header); the header row may
stand anywhere in the first ten rows, columns come in any order and are matched by name
(case, «ё» and a trailing asterisk ignored); unknown columns are ignored. The import
pages show these columns and offer them as a template with a description sheet.

A teacher is identified within the school by surname, name and patronymic: a re-import
updates the people it names and adds new ones; teachers missing from the file are left
as they are (mark a teacher who left with «Работает» = «нет»).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.tabular import AnySheet, RowError, Sheet, column_letter, normalise_header
from teachers.models import Teacher


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    description: str
    required: bool = False


ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("last_name", "Фамилия", "Фамилия педагога.", True),
    Column("first_name", "Имя", "Имя педагога.", True),
    Column("middle_name", "Отчество", "Отчество, если есть. Фамилия, имя и отчество вместе — ключ записи в школе."),
    Column("position", "Должность", "Например: учитель, учитель-логопед, педагог-психолог. Пусто — «Учитель»."),
    Column("subjects", "Предметы", "Через запятую: «русский язык, литература»."),
    Column("experience_years", "Стаж (лет)", "Педагогический стаж, целое число от 0 до 70."),
    Column(
        "category",
        "Квалификационная категория",
        "Без категории, Соответствие занимаемой должности, Первая, Высшая, Педагог-методист, Педагог-наставник.",
    ),
    Column("is_young_specialist", "Молодой специалист", "да или нет (пусто — нет)."),
    Column("email", "Эл. почта", "Рабочий адрес; по нему педагог связывается с записями на мероприятия."),
    Column("is_active", "Работает", "да или нет (пусто — да). «нет» — педагог уволился; запись сохраняется."),
)

DIAGNOSTIC_COLUMNS: tuple[Column, ...] = (
    Column("last_name", "Фамилия", "Фамилия педагога, как в списке педагогов школы.", True),
    Column("first_name", "Имя", "Имя педагога.", True),
    Column("middle_name", "Отчество", "Отчество, если есть."),
    Column("competence", "Компетенция", "Название из каталога дефицитов портала (страница «Каталог дефицитов»).", True),
    Column("score", "Результат (%)", "От 0 до 100; ниже порога компетенции — дефицит.", True),
    Column("date", "Дата", "Дата диагностики: 15.10.2025 или 2025-10-15.", True),
    Column("source", "Источник", "Какая диагностика: «ЦНППМ, входная диагностика», «КИМ ИМЦ» и т. п.", True),
)

ROSTER_EXAMPLE = [
    "Орлова",
    "Наталья",
    "Геннадьевна",
    "Учитель русского языка и литературы",
    "русский язык, литература",
    17,
    "Первая",
    "нет",
    "orlova@example.ru",
    "да",
]
DIAGNOSTIC_EXAMPLE = [
    "Орлова",
    "Наталья",
    "Геннадьевна",
    "Формирование функциональной грамотности",
    48,
    "15.10.2025",
    "ЦНППМ, входная диагностика",
]

_YES = {"да", "1", "true", "yes", "+", "д"}
_NO = {"нет", "0", "false", "no", "-", "н", ""}
_CATEGORY = {normalise_header(label): value for value, label in Teacher.Category.choices}
_CATEGORY.update(
    {"соответствие": Teacher.Category.CONFORMITY, "сзд": Teacher.Category.CONFORMITY, "нет": Teacher.Category.NONE}
)
_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass
class ParsedTable:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def name_key(last: str, first: str, middle: str) -> tuple[str, str, str]:
    """How two spellings of a name compare: case, «ё» and extra spaces do not matter."""
    return normalise_header(last), normalise_header(first), normalise_header(middle)


def _clean_name(value: str) -> str:
    return " ".join(value.split())


def _find_header(sheets: list[Sheet], columns: tuple[Column, ...]) -> tuple[Sheet, int, dict[str, int]] | None:
    titles = {normalise_header(c.title): c.key for c in columns}
    required = {c.key for c in columns if c.required}
    for sheet in sheets:
        for index, row in enumerate(sheet.rows[:10]):
            mapping: dict[str, int] = {}
            for col, title in enumerate(row):
                key = titles.get(normalise_header(title))
                if key and key not in mapping:
                    mapping[key] = col
            if required <= mapping.keys():
                return sheet, index, mapping
    return None


def _missing_header_error(columns: tuple[Column, ...]) -> RowError:
    names = ", ".join(f"«{c.title}»" for c in columns if c.required)
    return RowError("", 0, "", f"Не найдена строка заголовков: нужны столбцы {names} (см. шаблон).")


def _read(
    sheets: list[Sheet], columns: tuple[Column, ...], parse_row, *, parse_incomplete: bool = False
) -> ParsedTable:
    parsed = ParsedTable()
    found = _find_header(sheets, columns)
    if found is None:
        parsed.errors.append(_missing_header_error(columns))
        return parsed
    sheet, header_index, mapping = found
    labels = {c.key: f"{column_letter(mapping[c.key])} ({c.title})" if c.key in mapping else c.title for c in columns}
    for index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[index]
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: (row[col].strip() if col < len(row) else "") for key, col in mapping.items()}
        errors: list[RowError] = []

        def error(key: str, message: str, *, _row=index + 1, _errors=errors) -> None:
            _errors.append(RowError(sheet.name, _row, labels[key], message))

        for column in columns:
            if column.required and not cells.get(column.key):
                error(column.key, f"Не заполнен обязательный столбец «{column.title}».")
        # The list's optional columns are checked even when a required one is empty, so one
        # pass over the file shows every error of the row.
        values = parse_row(cells, error) if not errors or parse_incomplete else None
        if errors:
            parsed.errors.extend(errors)
        elif values is not None:
            values["_row"] = index + 1
            values["_sheet"] = sheet.name
            values["_labels"] = labels
            parsed.rows.append(values)
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(sheet.name, 0, "", "В файле нет ни одной строки с данными."))
    return parsed


def _yes_no(raw: str, *, default: bool) -> bool | None:
    lowered = raw.strip().lower()
    if not lowered:
        return default
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    return None


def _parse_roster_row(cells: dict[str, str], error) -> dict | None:
    values: dict = {
        "last_name": _clean_name(cells.get("last_name", "")),
        "first_name": _clean_name(cells.get("first_name", "")),
        "middle_name": _clean_name(cells.get("middle_name", "")),
        "position": _clean_name(cells.get("position", "")) or "Учитель",
        "subjects": _clean_name(cells.get("subjects", "")),
    }
    ok = True
    for key, limit in (
        ("last_name", 100),
        ("first_name", 100),
        ("middle_name", 100),
        ("position", 200),
        ("subjects", 300),
    ):
        if len(values[key]) > limit:
            error(key, f"Слишком длинное значение: больше {limit} знаков.")
            ok = False
    raw = cells.get("experience_years", "")
    values["experience_years"] = None
    if raw:
        try:
            years = int(Decimal(raw.replace(",", ".")))
        except (InvalidOperation, ValueError):
            years = -1
        if not 0 <= years <= 70:
            error("experience_years", f"Стаж «{raw}»: укажите целое число лет от 0 до 70.")
            ok = False
        values["experience_years"] = years
    raw = cells.get("category", "")
    values["category"] = Teacher.Category.NONE
    if raw:
        category = _CATEGORY.get(normalise_header(raw))
        if category is None:
            error(
                "category",
                f"Категория «{raw}» не из списка: {', '.join(label for _, label in Teacher.Category.choices)}.",
            )
            ok = False
        values["category"] = category
    for key, default in (("is_young_specialist", False), ("is_active", True)):
        raw = cells.get(key, "")
        flag = _yes_no(raw, default=default)
        if flag is None:
            error(key, f"«{raw}»: укажите «да» или «нет».")
            ok = False
        values[key] = flag
    email = cells.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("email", f"«{email}» не похоже на адрес электронной почты.")
            ok = False
    values["email"] = email.lower()
    return values if ok else None


def parse_roster(sheets: Sequence[AnySheet]) -> ParsedTable:
    parsed = _read(sheets, ROSTER_COLUMNS, _parse_roster_row, parse_incomplete=True)
    seen: dict[tuple, int] = {}
    for values in parsed.rows:
        key = name_key(values["last_name"], values["first_name"], values["middle_name"])
        if key in seen:
            parsed.errors.append(
                RowError(
                    values["_sheet"],
                    values["_row"],
                    values["_labels"]["last_name"],
                    f"Педагог повторяется: он уже есть в строке {seen[key]}.",
                )
            )
        else:
            seen[key] = values["_row"]
    return parsed


def parse_date(raw: str) -> dt.date | None:
    raw = raw.strip()
    try:
        found = _DATE.match(raw)
        if found:
            return dt.date(int(found[3]), int(found[2]), int(found[1]))
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _parse_diagnostic_row(cells: dict[str, str], error) -> dict | None:
    ok = True
    values: dict = {
        "last_name": _clean_name(cells["last_name"]),
        "first_name": _clean_name(cells["first_name"]),
        "middle_name": _clean_name(cells.get("middle_name", "")),
        "competence": _clean_name(cells["competence"]),
        "source": _clean_name(cells["source"]),
    }
    if len(values["source"]) > 300:
        error("source", "Слишком длинное значение: больше 300 знаков.")
        ok = False
    raw = cells["score"].replace("%", "").replace(",", ".").strip()
    try:
        score = Decimal(raw)
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite() or not 0 <= score <= 100:
        error("score", f"Результат «{cells['score']}»: укажите число процентов от 0 до 100.")
        ok = False
    else:
        values["score"] = score.quantize(Decimal("0.01"))
    date = parse_date(cells["date"])
    if date is None:
        error("date", f"Дата «{cells['date']}» не распознана: укажите её как 15.10.2025.")
        ok = False
    elif date > dt.date.today():
        error("date", f"Дата {date:%d.%m.%Y} ещё не наступила.")
        ok = False
    values["date"] = date
    return values if ok else None


def parse_diagnostics(sheets: Sequence[AnySheet]) -> ParsedTable:
    return _read(sheets, DIAGNOSTIC_COLUMNS, _parse_diagnostic_row)
