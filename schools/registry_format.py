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

from core.tabular import LazySheet, RowError, Sheet, column_letter, normalise_header
from schools.models import SCHOOL_CODE_RE, School
from schools.validators import inn_check_digit, ogrn_check_digit, validate_inn, validate_ogrn

__all__ = [
    "COLUMNS",
    "find_header_row",
    "inn_check_digit",
    "ogrn_check_digit",
    "parse_registry",
    "school_to_row",
    "suggest_mapping",
]


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
    Column("website", "Сайт", False, "Адрес сайта; без http:// — он будет добавлен."),
    Column("email", "Эл. почта", False, "Если адресов несколько, сохраняется первый (с пометкой)."),
    Column("phone", "Телефон", False, ""),
    Column("is_active", "Действует", False, "да или нет; пусто — да."),
    # The other codes of a school (issue 16); ИНН and ОГРН are above.
    Column("rcoi_code", "Код РЦОИ", False, "Региональный код ОО в протоколах ОГЭ/ЕГЭ (цифры), например 9306."),
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
            ("Код РЦОИ", "rcoi_code"),
            ("Региональный код ОО", "rcoi_code"),
        )
    }
)

_TYPE_BY_LABEL = {normalise_header(label): value for value, label in School.Type.choices}
_TYPE_BY_LABEL.update({normalise_header(v): v for v in School.Type.values})
_TYPE_BY_LABEL.update({"гимназия": "gymnasium", "лицей": "lyceum", "коррекционная": "correctional"})
# How real registers word the type (open-data registers spell it out): the first rule whose
# words all occur in the cell wins, so the more specific rules come first.
_TYPE_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("филиал",), School.Type.BRANCH),
    (("санатор",), School.Type.SANATORIUM),
    (("кадет",), School.Type.CADET),
    (("коррекц",), School.Type.CORRECTIONAL),
    (("адаптирован",), School.Type.CORRECTIONAL),
    (("овз",), School.Type.CORRECTIONAL),
    (("вечерн",), School.Type.EVENING),
    (("сменн",), School.Type.EVENING),
    (("центр", "образован"), School.Type.EDUCATION_CENTRE),
    (("интернат",), School.Type.BOARDING),
    (("гимназ",), School.Type.GYMNASIUM),
    (("лицей",), School.Type.LYCEUM),
    (("начальн",), School.Type.NOSH),
    (("основн",), School.Type.OOSH),
    (("средн",), School.Type.SOSH),
)
_SETTLEMENT = {"городская": "urban", "город": "urban", "сельская": "rural", "село": "rural"}
_SETTLEMENT.update({normalise_header(v): v for v in School.Settlement.values})
# Whole words only: «поСЕЛОк» is not a «село» (a «поселок» may be either, so it is asked).
_SETTLEMENT_WORDS: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(pattern), value)
    for pattern, value in (
        (r"\bсельск", "rural"),
        (r"\bсело\b", "rural"),
        (r"\bдеревн", "rural"),
        (r"\bстаниц", "rural"),
        (r"\bаул\b", "rural"),
        (r"\bхутор", "rural"),
        (r"\bгородск", "urban"),
        (r"\bгород\b", "urban"),
        (r"\bпгт\b", "urban"),
        (r"\bпоселок городского типа\b", "urban"),
    )
)


def school_type_from(text: str) -> str | None:
    """The registry type for a cell of a register: «СОШ», «Средняя общеобразовательная школа», …"""
    name = normalise_header(text)
    if name in _TYPE_BY_LABEL:
        return _TYPE_BY_LABEL[name]
    for words, value in _TYPE_WORDS:
        if all(word in name for word in words):
            return value
    return None


def settlement_from(text: str) -> str | None:
    name = normalise_header(text)
    if name in _SETTLEMENT:
        return _SETTLEMENT[name]
    for pattern, value in _SETTLEMENT_WORDS:
        if pattern.search(name):
            return value
    return None


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
    # What was changed on the way in (a scheme added to a site, the first of several
    # e-mails kept): shown on the job page, never silent.
    notes: list[RowError] = field(default_factory=list)


# Words of a foreign register's header that suggest a registry field, most specific first
# (a «Краткое наименование» column must not be taken for the full name).
_SUGGEST: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rcoi_code", ("рцои", "региональный код")),
    ("code", ("фис око", "логин", "код оо", "edu")),
    ("inn", ("инн",)),
    ("ogrn", ("огрн",)),
    ("short_name", ("кратк", "сокращ")),
    ("name", ("полное наименование", "наименование", "название")),
    ("municipality", ("октмо", "муниципал", "район", "городской округ")),
    ("settlement", ("местност", "городская/сельская", "сельская", "тип населенного", "тип поселения")),
    ("school_type", ("тип", "вид организации", "вид оо", "вид учреждения")),
    ("levels", ("уровн", "ступен")),
    ("head_name", ("руководител", "директор")),
    ("contingent", ("контингент", "численност", "количество обучающихся", "число обучающихся", "учащихся")),
    ("latitude", ("широт", "latitude")),
    ("longitude", ("долгот", "longitude")),
    ("address", ("адрес",)),
    ("website", ("сайт", "url", "web")),
    ("email", ("почт", "email", "e-mail")),
    ("phone", ("телефон", "тел.")),
    ("is_active", ("действ", "статус")),
)


def suggest_field(title: str) -> str | None:
    """The registry field a foreign column title most likely holds, or None."""
    name = normalise_header(title)
    if not name:
        return None
    if name in _TITLE_TO_KEY:
        return _TITLE_TO_KEY[name]
    if "адрес" in name and ("почт" in name or "mail" in name):
        return "email"  # «Адрес электронной почты» is not an address
    if "адрес" in name and "сайт" in name:
        return "website"
    for key, words in _SUGGEST:
        if any(word in name for word in words):
            return key
    return None


def find_header_row(sheet: Sheet | LazySheet, *, scan: int = 10) -> int | None:
    """The row that looks like a header in a foreign register: the first of the first rows
    with at least three text cells and no more numbers than text."""
    best: tuple[int, int] | None = None
    for index, row in enumerate(sheet.rows[:scan]):
        texts = [cell for cell in row if cell and not cell.replace(".", "").replace(",", "").isdigit()]
        numbers = [cell for cell in row if cell and cell not in texts]
        if len(texts) >= 3 and len(numbers) <= len(texts) and (best is None or len(texts) > best[1]):
            best = (index, len(texts))
    return best[0] if best else None


def suggest_mapping(header: list[str]) -> dict[str, int]:
    """Registry field → column index, suggested from the header words (first column wins)."""
    mapping: dict[str, int] = {}
    for col, title in enumerate(header):
        key = suggest_field(title)
        if key and key not in mapping:
            mapping[key] = col
    return mapping


def _find_header(sheet: Sheet | LazySheet) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(sheet.rows[:10]):
        mapping: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = _TITLE_TO_KEY.get(normalise_header(cell))
            if key and key not in mapping:
                mapping[key] = col
        if "code" in mapping and "name" in mapping:
            return index, mapping
    return None


def _column_label(mapping: dict[str, int], key: str, header: list[str] | None = None) -> str:
    col = mapping[key]
    title = header[col] if header and col < len(header) and header[col] else COLUMN_BY_KEY[key].title
    return f"{column_letter(col)} ({title})"


_EMAIL_SPLIT = re.compile(r"[,;\s]+")


def parse_registry(
    sheets: list[Sheet],
    *,
    municipality_required: bool,
    progress=None,
    mapping: dict[str, int] | None = None,
    header_index: int | None = None,
    value_map: dict[str, dict[str, str]] | None = None,
) -> ParsedRegistry:
    """Validate every row; return the clean rows and every error found (never stop at the first).

    ``mapping`` (registry field → column index) and ``header_index`` come from the mapping
    step for a foreign register; without them the documented titles are looked for.
    ``value_map`` maps a file's own words for a type or a settlement kind (normalised cell
    text → registry value) where the built-in words do not know them.
    """
    errors: list[RowError] = []
    notes: list[RowError] = []
    value_map = value_map or {}
    if mapping is not None and header_index is not None:
        sheet = sheets[0]
    else:
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
    header = sheet.rows[header_index] if header_index < len(sheet.rows) else []
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
    seen_rcoi: dict[str, int] = {}
    data_rows = sheet.rows[header_index + 1 :]
    total = sum(1 for r in data_rows if any(r))
    types_map = value_map.get("school_type", {})
    settlements_map = value_map.get("settlement", {})
    for offset, raw in enumerate(data_rows):
        row_number = header_index + 2 + offset
        if not any(raw):
            continue

        def cell(key: str, raw=raw) -> str:
            col = mapping.get(key)
            return raw[col].strip() if col is not None and col < len(raw) else ""

        def error(key: str, message: str, row_number=row_number) -> None:
            errors.append(RowError(sheet.name, row_number, _column_label(mapping, key, header), message))

        def note(key: str, message: str, row_number=row_number) -> None:
            notes.append(RowError(sheet.name, row_number, _column_label(mapping, key, header), message))

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

        rcoi = cell("rcoi_code")
        if rcoi.endswith(".0"):
            rcoi = rcoi[:-2]  # a number cell of a spreadsheet
        if rcoi and not rcoi.isdigit():
            error("rcoi_code", f"Код РЦОИ «{rcoi}» — не число.")
        elif rcoi and rcoi in seen_rcoi:
            error("rcoi_code", f"Код РЦОИ {rcoi} уже встречался в строке {seen_rcoi[rcoi]}.")
        elif rcoi:
            seen_rcoi[rcoi] = row_number
        values["rcoi_code"] = rcoi

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

        type_text = cell("school_type")
        school_type = types_map.get(normalise_header(type_text)) or school_type_from(type_text)
        if not school_type:
            shown = type_text or "пусто"
            error("school_type", f"Неизвестный тип «{shown}»: допустимы {', '.join(School.Type.labels)}.")
        values["school_type"] = school_type

        settlement_text = cell("settlement")
        settlement = settlements_map.get(normalise_header(settlement_text)) or settlement_from(settlement_text)
        if not settlement:
            error("settlement", f"Местность «{settlement_text or 'пусто'}»: укажите «Городская» или «Сельская».")
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
        if contingent_raw.endswith(".0"):
            contingent_raw = contingent_raw[:-2]
        values["contingent"] = None
        if contingent_raw:
            if contingent_raw.isdigit():
                values["contingent"] = int(contingent_raw)
            else:
                error("contingent", f"Контингент «{cell('contingent')}» — не целое неотрицательное число.")

        for key, validate in (("inn", validate_inn), ("ogrn", validate_ogrn)):
            values[key] = cell(key).removesuffix(".0")
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
        if website and "://" not in website:
            # Registers write «school3.ru» or «www.school3.ru»: the scheme is all that is missing.
            note("website", f"К адресу сайта «{website}» добавлено http://.")
            website = "http://" + website
        if website:
            try:
                _url_validator(website)
            except ValidationError:
                error("website", f"«{website}» — не адрес сайта.")
        values["website"] = website[:200]
        email = cell("email")
        addresses = [part for part in _EMAIL_SPLIT.split(email) if part]
        if len(addresses) > 1:
            note("email", f"В ячейке несколько адресов; сохранён первый, {addresses[0]} (остальные: "
                          f"{', '.join(addresses[1:])}).")  # fmt: skip
            email = addresses[0]
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
    return ParsedRegistry(rows, errors, total, notes)


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
        school.municipality.oktmo or school.municipality.name,
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
        school.rcoi_code,
    ]
