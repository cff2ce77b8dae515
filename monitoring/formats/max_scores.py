"""Maximum primary scores of the ОГЭ and ЕГЭ, by РЦОИ exam code — the one table of them.

Source: the ФИПИ specifications of the control measuring materials (КИМ) for 2024 and
2025 («Спецификация контрольных измерительных материалов для проведения … основного /
единого государственного экзамена по …», section «Распределение заданий… по уровням
сложности», the total of «Максимальный первичный балл»). The values did not change
between the two years. Foreign languages: the written and the oral part together.

A primary score above the maximum is a typing error and refuses the row; a subject not
listed (Chinese, ГВЭ) is checked only for being ≥ 0. Check the table each autumn, when
ФИПИ publishes the next year's specifications.
"""

from __future__ import annotations

from monitoring.models import Procedure

_FOREIGN_LANGUAGE_CODES = ("09", "10", "11", "13")

MAX_PRIMARY: dict[tuple[str, str], int] = {
    # ОГЭ (9th grade)
    (Procedure.OGE, "01"): 33,  # русский язык
    (Procedure.OGE, "02"): 31,  # математика
    (Procedure.OGE, "03"): 45,  # физика
    (Procedure.OGE, "04"): 40,  # химия
    (Procedure.OGE, "05"): 19,  # информатика
    (Procedure.OGE, "06"): 48,  # биология
    (Procedure.OGE, "07"): 37,  # история
    (Procedure.OGE, "08"): 31,  # география
    (Procedure.OGE, "12"): 37,  # обществознание
    (Procedure.OGE, "18"): 37,  # литература
    **{(Procedure.OGE, code): 68 for code in _FOREIGN_LANGUAGE_CODES},
    # ЕГЭ (11th grade)
    (Procedure.EGE, "01"): 50,  # русский язык
    (Procedure.EGE, "02"): 32,  # математика, профильный уровень
    (Procedure.EGE, "22"): 21,  # математика, базовый уровень
    (Procedure.EGE, "03"): 45,  # физика
    (Procedure.EGE, "04"): 56,  # химия
    (Procedure.EGE, "05"): 29,  # информатика (КЕГЭ)
    (Procedure.EGE, "06"): 59,  # биология
    (Procedure.EGE, "07"): 42,  # история
    (Procedure.EGE, "08"): 37,  # география
    (Procedure.EGE, "12"): 58,  # обществознание
    (Procedure.EGE, "18"): 48,  # литература
    **{(Procedure.EGE, code): 82 for code in _FOREIGN_LANGUAGE_CODES},
}


def max_primary_score(procedure: str, subject_code: str) -> int | None:
    return MAX_PRIMARY.get((procedure, subject_code))
