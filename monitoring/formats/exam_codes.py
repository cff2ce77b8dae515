"""Exam codes of the РЦОИ protocols, per procedure and year — data, not one global list.

The same two digits mean different exams in different procedures and years: in the ЕГЭ «22»
is base mathematics (there is no ОГЭ 22) and «25» is «Информатика и ИКТ (КЕГЭ)» since the
computer exam of 2021 (before it, paper informatics had «05»); Chinese is «14» (written) and
«34» (oral). Foreign languages have a written and an oral part with codes of their own.

Source: the code lists of the ФЦТ specifications of the РЦОИ software («Коды учебных
предметов») used in the regions' protocols, ЕГЭ and ОГЭ; ГВЭ: 51 Russian, 52 mathematics.
Check the table each autumn with the next year's lists. A row maps a code to the subject of
Opora's catalogue by its *name* (monitoring.Subject.name), so the catalogue's own codes never
decide what an exam code means.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.models import Procedure

WRITTEN, ORAL = "written", "oral"


@dataclass(frozen=True)
class ExamCode:
    code: str
    title: str  # as the protocols print it
    subject: str  # monitoring.Subject.name
    part: str = ""  # "", WRITTEN or ORAL (foreign languages)
    since: int = 0  # first exam year (calendar) the code has this meaning
    until: int = 9999  # last exam year


_LANGUAGES = (
    ("09", "29", "Английский язык"),
    ("10", "30", "Немецкий язык"),
    ("11", "31", "Французский язык"),
    ("13", "33", "Испанский язык"),
)

EXAM_CODES: dict[str, tuple[ExamCode, ...]] = {
    Procedure.EGE: (
        ExamCode("01", "Русский язык", "Русский язык"),
        ExamCode("02", "Математика профильная", "Математика"),
        ExamCode("03", "Физика", "Физика"),
        ExamCode("04", "Химия", "Химия"),
        ExamCode("05", "Информатика и ИКТ", "Информатика", until=2020),
        ExamCode("06", "Биология", "Биология"),
        ExamCode("07", "История", "История"),
        ExamCode("08", "География", "География"),
        *(ExamCode(w, f"{name} (письменная часть)", name, WRITTEN) for w, _o, name in _LANGUAGES),
        ExamCode("12", "Обществознание", "Обществознание"),
        ExamCode("14", "Китайский язык (письменная часть)", "Китайский язык", WRITTEN, since=2019),
        ExamCode("18", "Литература", "Литература"),
        ExamCode("22", "Математика базовая", "Математика (базовый уровень)"),
        ExamCode("25", "Информатика и ИКТ (КЕГЭ)", "Информатика", since=2021),
        *(ExamCode(o, f"{name} (устная часть)", name, ORAL) for _w, o, name in _LANGUAGES),
        ExamCode("34", "Китайский язык (устная часть)", "Китайский язык", ORAL, since=2019),
    ),
    Procedure.OGE: (
        ExamCode("01", "Русский язык", "Русский язык"),
        ExamCode("02", "Математика", "Математика"),
        ExamCode("03", "Физика", "Физика"),
        ExamCode("04", "Химия", "Химия"),
        ExamCode("05", "Информатика", "Информатика"),
        ExamCode("06", "Биология", "Биология"),
        ExamCode("07", "История", "История"),
        ExamCode("08", "География", "География"),
        *(ExamCode(w, f"{name} (письменная часть)", name, WRITTEN) for w, _o, name in _LANGUAGES),
        ExamCode("12", "Обществознание", "Обществознание"),
        ExamCode("18", "Литература", "Литература"),
        *(ExamCode(o, f"{name} (устная часть)", name, ORAL) for _w, o, name in _LANGUAGES),
    ),
    Procedure.GVE: (
        ExamCode("51", "Русский язык (ГВЭ)", "Русский язык (ГВЭ)"),
        ExamCode("52", "Математика (ГВЭ)", "Математика (ГВЭ)"),
    ),
}

# Codes only the ЕГЭ has: a protocol with one of them is an ЕГЭ protocol whatever its columns.
EGE_ONLY = frozenset(c.code for c in EXAM_CODES[Procedure.EGE]) - frozenset(c.code for c in EXAM_CODES[Procedure.OGE])
GVE_CODES = frozenset(c.code for c in EXAM_CODES[Procedure.GVE])


def exam_code(procedure: str, code: str, exam_year: int) -> ExamCode | None:
    """What ``code`` means in the protocols of ``procedure`` in ``exam_year``; None when nothing."""
    for entry in EXAM_CODES.get(procedure, ()):
        if entry.code == code and entry.since <= exam_year <= entry.until:
            return entry
    return None


def procedure_of_code(code: str, exam_year: int) -> str | None:
    """The procedure a code alone tells (ГВЭ codes, codes only the ЕГЭ has); None when it is shared."""
    if code in GVE_CODES:
        return Procedure.GVE
    if code in EGE_ONLY and exam_code(Procedure.EGE, code, exam_year) is not None:
        return Procedure.EGE
    return None
