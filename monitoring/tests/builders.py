"""Files in the real layouts of DESIGN.md §6, built in memory for the tests."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from openpyxl import Workbook

from monitoring.formats.context import COLUMNS as CONTEXT_COLUMNS
from monitoring.sample_files import (  # noqa: F401 - the tests import them from here
    EGE_HEADER,
    EGE_MEASURES,
    RESULTS_CSV_HEADER,
    _xlsx,
    aggregates_csv,
    ege_report_xlsx,
    ege_row,
    rcoi_xlsx,
    results_csv,
    results_csv_row,
    vpr_f3_xlsx,
    vpr_journal_xlsx,
)

TASKS = [("1", 2), ("2", 1), ("3", 1), ("9.1", 1), ("4К1", 3)]  # max primary 8


@dataclass
class VprSheet:
    subject: str = "Русский язык"
    grade: int = 4
    year: int = 2026
    max_primary: int = 8
    abbr: str = "РУ"
    # school code → rows (participant code, class, variant, task cells, primary, mark, journal)
    schools: dict[str, list[tuple]] = field(default_factory=dict)


def vpr_row(code: str, primary: int = 6, mark: int = 4, journal: int | str = 4, tasks=None, klass: str = "4А"):
    return (code, klass, "1", tasks if tasks is not None else [2, 1, "X", 1, 2], primary, mark, journal)


def vpr_f1_xlsx(*sheets: VprSheet) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        ws = workbook.create_sheet(f"{spec.abbr} {spec.grade} Индивидуальные результаты")
        ws.append([f"ВПР {spec.year} {spec.subject} {spec.grade} класс"])
        ws.append(["Предмет:", spec.subject])
        ws.append(["Максимальный первичный балл:", spec.max_primary])
        ws.append(["Дата:", f"15.04.{spec.year}"])
        ws.append(["Уровень сложности задания", "", "", "", "", "", "Б", "Б", "П", "П", "В"])
        ws.append(
            ["ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант"]
            + [f"{number} ({points}б)" for number, points in TASKS]
            + ["Первичный балл", "Отметка", "Отметка по журналу"]
        )
        for school_code, rows in spec.schools.items():
            ws.append([f"МБОУ СОШ ({school_code})", f"Кол-во участников: {len(rows)}"])
            for code, klass, variant, tasks, primary, mark, journal in rows:
                ws.append(
                    [school_code, "Заречный район", "МБОУ СОШ", code, klass, variant, *tasks, primary, mark, journal]
                )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


OGE_HEADER = [
    "№", "Код ОО", "Класс", "Код ППЭ", "Аудитория", "Код МСУ", "Код участника", "Фамилия", "Имя", "Отчество",
    "Серия", "Номер", "Ответы в краткой форме", "Ответы в развернутой форме", "Первичный балл", "Оценка",
]  # fmt: skip


def oge_row(n: int, school: str, surname: str, primary: int = 25, mark: int = 4, klass: str = "9А"):
    return [n, school, klass, "0101", "12", "01", f"9{n:05d}", surname, "Иван", "Петрович", "1234", f"56{n:04d}",
            "++-+2+", "1(2)2(2)", primary, mark]  # fmt: skip


def context_row(code: str, year: str = "2025/2026", **overrides) -> dict:
    row = {
        "year": year, "code": code, "contingent": 400, "low_income_share": "12,5", "ovz_share": "4.1",
        "non_native_share": "0", "single_parent_share": "18.2", "preventive_register_share": "1.4",
        "parents_higher_ed_share": "46", "missed_lessons": 10432, "discipline_incidents": 7, "teacher_posts": "38.5",
        "teacher_vacancies": "2", "graduates_9": 48, "certificates_9": 48, "graduates_11": 21, "certificates_11": 20,
    }  # fmt: skip
    row.update(overrides)
    return row


def context_csv(rows: list[dict], *, encoding: str = "cp1251", delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([column.title for column in CONTEXT_COLUMNS])
    for row in rows:
        writer.writerow([row.get(column.key, "") for column in CONTEXT_COLUMNS])
    return buffer.getvalue().encode(encoding)


def sparse(row: list) -> list:
    """A row of a «sparse» protocol: an empty spacer column after every named one."""
    spaced: list = []
    for cell in row:
        spaced += [cell, None]
    return spaced


def rcoi_sparse_xlsx(*blocks: tuple[str, list, list[list]]) -> bytes:
    """Like rcoi_xlsx, with empty spacer columns between the named ones and empty rows between rows."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Протокол"
    for title, header, rows in blocks:
        ws.append([None, title])
        ws.append([])
        ws.append(sparse(header))
        for row in rows:
            ws.append([])
            ws.append(sparse(row))
        ws.append([])
        ws.append([])
    return _xlsx(workbook)
