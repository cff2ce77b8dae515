"""The catalogue of indicators (DESIGN.md §7): code, Russian name, unit, direction, source.

The catalogue is code, not data: each indicator is computed by a fixed SQL expression in
``identification.indicators``; what the department edits is the methodology (which
indicators, which thresholds), see ``identification.models.Criterion``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    unit: str  # «%», «балл», «ур./уч.», «на 100 уч.», «чел.»
    higher_is_better: bool
    source: str
    # Whether values exist per subject/grade (subject and grade filled) as well as overall.
    by_subject: bool = False

    @property
    def is_share(self) -> bool:
        return self.unit == "%"


SOURCE_VPR = "ВПР, Ф1 (результаты участников)"
SOURCE_OGE = "ОГЭ, протоколы РЦОИ"
SOURCE_EGE = "ЕГЭ, отчёт по школам (загруженные показатели)"
SOURCE_CONTEXT = "Контекстные данные школ"
SOURCE_REGISTRY = "Реестр школ"

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("vpr_share_2", "Доля «2» по ВПР", "%", False, SOURCE_VPR, by_subject=True),
    IndicatorSpec("vpr_mean_mark", "Средняя отметка по ВПР", "балл", True, SOURCE_VPR, by_subject=True),
    IndicatorSpec("vpr_lowered", "ВПР ниже отметки по журналу", "%", True, SOURCE_VPR),
    IndicatorSpec("vpr_confirmed", "ВПР подтверждает отметку по журналу", "%", True, SOURCE_VPR),
    IndicatorSpec("vpr_raised", "ВПР выше отметки по журналу", "%", False, SOURCE_VPR),
    IndicatorSpec("vpr_gap_2", "Расхождение ВПР и журнала на 2 и более отметки", "%", False, SOURCE_VPR),
    IndicatorSpec("oge_share_2", "Доля «2» по ОГЭ", "%", False, SOURCE_OGE, by_subject=True),
    IndicatorSpec("oge_mean_mark", "Средняя отметка по ОГЭ", "балл", True, SOURCE_OGE, by_subject=True),
    IndicatorSpec("ege_below_min", "Доля не преодолевших минимальный порог ЕГЭ", "%", False, SOURCE_EGE, True),
    IndicatorSpec("low_income_share", "Доля обучающихся из малоимущих семей", "%", False, SOURCE_CONTEXT),
    IndicatorSpec("ovz_share", "Доля обучающихся с ОВЗ", "%", False, SOURCE_CONTEXT),
    IndicatorSpec("non_native_share", "Доля обучающихся с неродным русским языком", "%", False, SOURCE_CONTEXT),
    IndicatorSpec("single_parent_share", "Доля обучающихся из неполных семей", "%", False, SOURCE_CONTEXT),
    IndicatorSpec("preventive_share", "Доля обучающихся на профилактическом учёте", "%", False, SOURCE_CONTEXT),
    IndicatorSpec("parents_higher_ed", "Доля родителей с высшим образованием", "%", True, SOURCE_CONTEXT),
    IndicatorSpec("rural", "Сельская школа", "%", False, SOURCE_REGISTRY),
    IndicatorSpec("contingent", "Численность обучающихся", "чел.", True, SOURCE_CONTEXT),
    IndicatorSpec("isbsh", "Индекс социального благополучия школы (ИСБШ)", "балл", True, SOURCE_CONTEXT),
    IndicatorSpec("missed_per_student", "Пропущено уроков на одного обучающегося", "ур./уч.", False, SOURCE_CONTEXT),
    IndicatorSpec(
        "discipline_per_100", "Дисциплинарные нарушения на 100 обучающихся", "на 100 уч.", False, SOURCE_CONTEXT
    ),
    IndicatorSpec("contingent_change", "Изменение контингента за год", "%", True, SOURCE_CONTEXT),
    IndicatorSpec("vacancy_share", "Доля вакантных ставок педагогов", "%", False, SOURCE_CONTEXT),
    IndicatorSpec("certified_9", "Доля выпускников 9 класса, получивших аттестат", "%", True, SOURCE_CONTEXT),
)

BY_CODE: dict[str, IndicatorSpec] = {spec.code: spec for spec in INDICATORS}
CHOICES: list[tuple[str, str]] = [(spec.code, spec.name) for spec in INDICATORS]

# ИСБШ factors: (code of the context indicator, Russian name, default weight, adverse).
# An adverse factor's share adds to social difficulty; the others subtract (DESIGN.md §7).
ISBSH_FACTORS: tuple[tuple[str, str, float, bool], ...] = (
    ("low_income_share", "Малоимущие семьи", 3.0, True),
    ("ovz_share", "Обучающиеся с ОВЗ", 1.0, True),
    ("non_native_share", "Неродной русский язык", 2.0, True),
    ("single_parent_share", "Неполные семьи", 1.0, True),
    ("preventive_share", "Профилактический учёт", 2.0, True),
    ("parents_higher_ed", "Родители с высшим образованием", 2.0, False),
    ("rural", "Сельская местность", 1.0, True),
    ("small_school", "Малочисленная школа (менее 500 обучающихся)", 1.0, True),
)


# --- Precision: one rule for comparisons, ranks and the printed figures -------------------------
#
# A double carries 15 significant decimal digits reliably (DBL_DIG); beyond that the last bits
# depend on the order of the arithmetic (SQLite and PostgreSQL, or two equal ratios computed
# from different counts: 100·7/30 − 100·4/30 = 9.999999999999998). So:
# - values are *stored precision* equal when they agree to 15 significant digits: ranks and
#   ties use ``stored_precision`` (the tie rule of ``identification.engine`` never splits them);
# - a threshold is compared at the *displayed precision* of the indicator's unit (``DIGITS``):
#   the value taken at 15 significant digits, rounded half away from zero to the digits the
#   page prints. The tolerance is thus half a unit of the last printed digit, and the verdict
#   always agrees with the printed figures («выросла на 10 п.п.» fires «≥ 10 п.п.»).
# ``sql_at_precision`` is the same rule in SQL: both databases convert a double to decimal at
# 15 significant digits (PostgreSQL's float8 → numeric cast, SQLite's round()).

STORED_SIGNIFICANT = 15
DIGITS = {"%": 1, "балл": 2, "чел.": 0}


def digits_of(unit: str) -> int:
    """Decimal places the pages print for a unit (1 unless listed in ``DIGITS``)."""
    return DIGITS.get(unit, 1)


def stored_precision(value: float) -> float:
    """The value at the 15 significant digits a double holds reliably (ties, ranks)."""
    return float(f"{value:.{STORED_SIGNIFICANT}g}")


def at_precision(value: float, digits: int) -> Decimal:
    """The value as printed with ``digits`` decimal places (half away from zero), exactly."""
    exact = Decimal(f"{value:.{STORED_SIGNIFICANT}g}")
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def sql_at_precision(expression: str, digits: int, vendor: str) -> str:
    """``at_precision`` in SQL for ``connection.vendor`` (same results, tested side by side)."""
    if vendor == "postgresql":
        return f"ROUND(CAST({expression} AS NUMERIC), {int(digits)})"
    return f"ROUND({expression}, {int(digits)})"


def format_value(value: float | None, unit: str) -> str:
    """Russian number format of an indicator value: «18,4%», «3,21 балла»."""
    if value is None:
        return "—"
    text = f"{at_precision(value, digits_of(unit)):f}".replace(".", ",")
    if unit == "%":
        return text + "%"
    if unit == "чел.":
        return f"{text} чел."
    return text + (f" {unit}" if unit != "балл" else "")
