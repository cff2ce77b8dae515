"""The documented layout of the school registry file, and row validation.

One row per school; the header row may stand anywhere in the first ten rows and columns
may come in any order (matched by name, case and «ё» ignored). Unknown columns are
ignored. The same table is offered as a template on the import page and is what the
registry export writes, so an export can be edited and loaded back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from core.tabular import RowError, Sheet, column_letter, normalise_header
from schools.models import SCHOOL_CODE_RE, School
from schools.validators import inn_check_digit, ogrn_check_digit, validate_inn, validate_ogrn

__all__ = ["COLUMNS", "inn_check_digit", "ogrn_check_digit", "parse_registry", "school_to_row"]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    required: bool = False
    description: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("code", "Код ОО", True, "Логин организации в ФИС ОКО: «edu» и цифры, например edu203389. Ключ строки."),
    Column(
        "municipality",
        "Муниципалитет",
        False,
        "ОКТМО (8 или 11 цифр) или точное название муниципалитета. Управление образования может не заполнять: "
        "берётся его муниципалитет.",
    ),
    Column("name", "Полное наименование", True, "Как в уставе, например «Муниципальное бюджетное …»."),
    Column("short_name", "Краткое наименование", False, "Например, «МБОУ СОШ № 3»."),
    Column("school_type", "Тип", True, "Одно из: " + ", ".join(School.Type.labels) + "."),
    Column("settlement", "Местность", True, "Городская или Сельская."),
    Column("levels", "Уровни образования", False, "НОО, ООО, СОО через запятую; пусто — все три."),
    Column("head_name", "Руководитель", False, "ФИО руководителя."),
    Column("contingent", "Контингент", False, "Число обучающихся, целое неотрицательное."),
    Column("inn", "ИНН", False, "10 цифр, проверяется контрольное число."),
    Column("ogrn", "ОГРН", False, "13 цифр, проверяется контрольное число."),
    Column("address", "Адрес", False, ""),
    Column("latitude", "Широта", False, "Десятичные градусы, например 54.7361; задаётся вместе с долготой."),
    Column("longitude", "Долгота", False, "Десятичные градусы, например 52.7979."),
    Column("website", "Сайт", False, "Адрес с http:// или https://."),
    Column("email", "Эл. почта", False, ""),
    Column("phone", "Телефон", False, ""),
    Column("is_active", "Действует", False, "да или нет; пусто — да."),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
_TITLE_TO_KEY = {normalise_header(c.title): c.key for c in COLUMNS}
# Common spellings seen in departments' own files.
_TITLE_TO_KEY.update(
    {
        normalise_header(alias): key
        for alias, key in (
            ("Код ОО в ФИС ОКО", "code"),
            ("Логин ОО", "code"),
            ("Наименование", "name"),
            ("Наименование ОО", "name"),
            ("Тип ОО", "school_type"),
            ("Директор", "head_name"),
            ("Численность обучающихся", "contingent"),
            ("Email", "email"),
            ("E-mail", "email"),
            ("ОКТМО", "municipality"),
        )
    }
)

_TYPE_BY_LABEL = {normalise_header(label): value for value, label in School.Type.choices}
_TYPE_BY_LABEL.update({normalise_header(v): v for v in School.Type.values})
_TYPE_BY_LABEL.update({"гимназия": "gymnasium", "лицей": "lyceum", "коррекционная": "correctional"})
_SETTLEMENT = {"городская": "urban", "город": "urban", "сельская": "rural", "село": "rural"}
_SETTLEMENT.update({normalise_header(v): v for v in School.Settlement.values})
_LEVELS = {"ноо": "has_primary", "ооо": "has_basic", "соо": "has_secondary"}
_YES = {"да", "1", "true", "yes", "действует"}
_NO = {"нет", "0", "false", "no", "не действует"}
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class RegistryRow:
    row_number: int
    values: dict = field(default_factory=dict)
    municipality_ref: str = ""


@dataclass
class ParsedRegistry:
    rows: list[RegistryRow]
    errors: list[RowError]
    total_rows: int


def _find_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(sheet.rows[:10]):
        mapping: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = _TITLE_TO_KEY.get(normalise_header(cell))
            if key and key not in mapping:
                mapping[key] = col
        if "code" in mapping and "name" in mapping:
            return index, mapping
    return None


def _column_label(mapping: dict[str, int], key: str) -> str:
    return f"{column_letter(mapping[key])} ({COLUMN_BY_KEY[key].title})"


def parse_registry(sheets: list[Sheet], *, municipality_required: bool, progress=None) -> ParsedRegistry:
    """Validate every row; return the clean rows and every error found (never stop at the first)."""
    errors: list[RowError] = []
    sheet = next((s for s in sheets if _find_header(s)), None)
    if sheet is None:
        return ParsedRegistry(
            [],
            [
                RowError(
                    sheets[0].name if sheets else "",
                    1,
                    "",
                    "Не найдена строка заголовков: нужны как минимум столбцы «Код ОО» и «Полное наименование». "
                    "Скачайте шаблон на странице загрузки.",
                )
            ],
            0,
        )
    header_index, mapping = _find_header(sheet)
    required = [c for c in COLUMNS if c.required or (c.key == "municipality" and municipality_required)]
    missing = [c.title for c in required if c.key not in mapping]
    if missing:
        return ParsedRegistry(
            [],
            [RowError(sheet.name, header_index + 1, "", "Нет обязательных столбцов: " + ", ".join(missing) + ".")],
            0,
        )

    rows: list[RegistryRow] = []
    seen_codes: dict[str, int] = {}
    data_rows = sheet.rows[header_index + 1 :]
    total = sum(1 for r in data_rows if any(r))
    for offset, raw in enumerate(data_rows):
        row_number = header_index + 2 + offset
        if not any(raw):
            continue

        def cell(key: str, raw=raw) -> str:
            col = mapping.get(key)
            return raw[col].strip() if col is not None and col < len(raw) else ""

        def error(key: str, message: str, row_number=row_number) -> None:
            errors.append(RowError(sheet.name, row_number, _column_label(mapping, key), message))

        row = RegistryRow(row_number)
        values = row.values

        code = cell("code").lower()
        if not code:
            error("code", "Не указан код ОО.")
        elif not SCHOOL_CODE_RE.match(code):
            error("code", f"«{cell('code')}» — не код ОО ФИС ОКО (ожидается вид edu203389).")
        elif code in seen_codes:
            error("code", f"Код {code} уже встречался в строке {seen_codes[code]}.")
        else:
            seen_codes[code] = row_number
        values["code"] = code

        row.municipality_ref = cell("municipality")
        if municipality_required and not row.municipality_ref:
            error("municipality", "Не указан муниципалитет (ОКТМО или название).")

        name = cell("name")
        if not name:
            error("name", "Не указано полное наименование.")
        elif len(name) > 500:
            error("name", "Наименование длиннее 500 знаков.")
        values["name"] = name
        short_name = cell("short_name")
        if len(short_name) > 200:
            error("short_name", "Краткое наименование длиннее 200 знаков.")
        values["short_name"] = short_name

        school_type = _TYPE_BY_LABEL.get(normalise_header(cell("school_type")))
        if not school_type:
            shown = cell("school_type") or "пусто"
            error("school_type", f"Неизвестный тип «{shown}»: допустимы {', '.join(School.Type.labels)}.")
        values["school_type"] = school_type

        settlement = _SETTLEMENT.get(normalise_header(cell("settlement")))
        if not settlement:
            error("settlement", f"Местность «{cell('settlement') or 'пусто'}»: укажите «Городская» или «Сельская».")
        values["settlement"] = settlement

        levels_raw = cell("levels")
        flags = {"has_primary": True, "has_basic": True, "has_secondary": True}
        if levels_raw:
            parts = [normalise_header(p) for p in re.split(r"[,;/\s]+", levels_raw) if p.strip()]
            unknown = [p for p in parts if p not in _LEVELS]
            if unknown:
                error("levels", f"Неизвестные уровни: {', '.join(unknown)}; допустимы НОО, ООО, СОО.")
            else:
                flags = dict.fromkeys(flags, False)
                for part in parts:
                    flags[_LEVELS[part]] = True
        values.update(flags)

        values["head_name"] = cell("head_name")[:200]

        contingent_raw = cell("contingent").replace(" ", "").replace("\u00a0", "")
        values["contingent"] = None
        if contingent_raw:
            if contingent_raw.isdigit():
                values["contingent"] = int(contingent_raw)
            else:
                error("contingent", f"Контингент «{cell('contingent')}» — не целое неотрицательное число.")

        for key, validate in (("inn", validate_inn), ("ogrn", validate_ogrn)):
            values[key] = cell(key)
            if values[key]:
                try:
                    validate(values[key])
                except ValidationError as exc:
                    error(key, exc.messages[0])
        values["address"] = cell("address")[:500]

        coords = {}
        for key, limit in (("latitude", 90), ("longitude", 180)):
            raw_value = cell(key).replace(",", ".")
            coords[key] = None
            if raw_value:
                try:
                    number = Decimal(raw_value).quantize(Decimal("0.000001"))
                except InvalidOperation:
                    error(key, f"«{cell(key)}» — не число.")
                    continue
                if abs(number) > limit:
                    error(key, f"Значение {number} вне диапазона ±{limit}°.")
                else:
                    coords[key] = number
        if (coords["latitude"] is None) != (coords["longitude"] is None) and (cell("latitude") or cell("longitude")):
            errors.append(
                RowError(sheet.name, row_number, "", "Координаты задаются парой: укажите и широту, и долготу.")
            )
        values.update(coords)

        website = cell("website")
        if website:
            try:
                _url_validator(website)
            except ValidationError:
                error("website", f"«{website}» — не адрес сайта (нужен http:// или https://).")
        values["website"] = website
        email = cell("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error("email", f"«{email}» — не адрес электронной почты.")
        values["email"] = email
        values["phone"] = cell("phone")[:50]

        active_raw = normalise_header(cell("is_active"))
        if not active_raw or active_raw in _YES:
            values["is_active"] = True
        elif active_raw in _NO:
            values["is_active"] = False
        else:
            error("is_active", f"«{cell('is_active')}»: укажите «да» или «нет».")

        rows.append(row)
        if progress is not None and len(rows) % 250 == 0:
            progress(len(rows), total)
    return ParsedRegistry(rows, errors, total)


def school_to_row(school: School) -> list:
    """A school as a registry row (the export and the template share this layout)."""
    org = school.organisation
    levels = ", ".join(
        label
        for flag, label in ((school.has_primary, "НОО"), (school.has_basic, "ООО"), (school.has_secondary, "СОО"))
        if flag
    )
    return [
        school.code,
        school.municipality.oktmo,
        org.name,
        org.short_name,
        school.get_school_type_display(),
        school.get_settlement_display(),
        levels,
        school.head_name,
        school.contingent,
        org.inn,
        org.ogrn,
        org.address,
        float(org.latitude) if org.latitude is not None else None,
        float(org.longitude) if org.longitude is not None else None,
        org.website,
        org.email,
        org.phone,
        "да" if school.is_active else "нет",
    ]
