"""Files in the layouts of DESIGN.md §6 built in memory: for the tests and for the demo's samples.

They live outside tests/ because ``manage.py seed_demo`` writes its sample files with them.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

EGE_HEADER = [
    "№", "Код ОО", "Класс", "Код ППЭ", "Аудитория", "Код участника", "Фамилия", "Имя", "Отчество", "Вариант",
    "Профиль", "Ответы в краткой форме", "Ответы в развернутой форме", "Первичный балл", "Тестовый балл", "Оценка",
]  # fmt: skip


def ege_row(n: int, school: str, surname: str, primary: int = 40, test: int = 70):
    return [n, school, "11А", "0102", "5", f"1{n:05d}", surname, "Анна", "Сергеевна", "301", "",
            "++-+", "2(3)1(2)", primary, test, ""]  # fmt: skip


def rcoi_xlsx(*blocks: tuple[str, list, list[list]]) -> bytes:
    """Blocks of (title row text, header, rows) one under another on one sheet."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Протокол"
    for title, header, rows in blocks:
        ws.append([title])
        ws.append(header)
        for row in rows:
            ws.append(row)
        ws.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- ВПР «форма сбора результатов» of a school ------------------------------------------------

SCHOOL_FORM_TASKS = (("1", 5), ("2", 1), ("4К1", 3))


def school_form_xlsx(rows: list[tuple]) -> bytes:
    """Sheet «Протокол»: rows of (participant code, variant, class number, task scores, previous mark)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Протокол"
    sheet.append(["Форма сбора результатов ВПР"])
    sheet.append(
        ["Код участника", "Вариант", "Порядковый номер класса"]
        + [f"{label} ({top}б)" for label, top in SCHOOL_FORM_TASKS]
        + ["Отметка за предыдущий триместр (четверть, полугодие)", "Итого баллов"]
    )
    for code, variant, number, scores, previous in rows:
        sheet.append([code, variant, number, *scores, previous, sum(s for s in scores if s != "X")])
    return _xlsx(workbook)


# --- ВПР aggregate reports --------------------------------------------------------------------


def vpr_f3_xlsx(
    rows: list[tuple], *, title: str = "ВПР 2026 Русский язык 4 класс", split_header: bool = False
) -> bytes:
    """Ф3 «Статистика по отметкам»: rows of (group, ОО count, participants, %2, %3, %4, %5)."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Статистика по отметкам"
    ws.append([title])
    ws.append(["Статистика по отметкам"])
    ws.append(["Дата:", "15.04.2026"])
    if split_header:
        # «Распределение групп баллов в %» merged over four cells, the marks in the row below.
        ws.append(["Группы участников", "Кол-во ОО", "Кол-во участников", "Распределение групп баллов в %"])
        ws.merge_cells(start_row=4, start_column=4, end_row=4, end_column=7)
        ws.append([None, None, None, 2, 3, 4, 5])
    else:
        ws.append(["Группы участников", "Кол-во ОО", "Кол-во участников", "2", "3", "4", "5"])
    for row in rows:
        ws.append(list(row))
    return _xlsx(workbook)


def vpr_journal_xlsx(
    groups: list[tuple], *, title: str = "ВПР 2026 Математика 5 класс", in_columns: bool = False
) -> bytes:
    """«Сравнение отметок с отметками по журналу»: groups of (name, lowered, confirmed, raised).

    As ФИС ОКО prints it (a caption row, then Понизили / Подтвердили / Повысили / Всего rows
    with counts and %), or ``in_columns``: one row per group.
    """
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Сравнение отметок"
    ws.append([title])
    ws.append(["Сравнение отметок с отметками по журналу"])
    if in_columns:
        ws.append(["Группы участников", "Кол-во участников",
                   "Понизили (Отметка < Отметка по журналу)", "%",
                   "Подтвердили (Отметка = Отметке по журналу)", "%",
                   "Повысили (Отметка > Отметка по журналу)", "%"])  # fmt: skip
        for name, lowered, confirmed, raised in groups:
            total = lowered + confirmed + raised
            ws.append([name, total, lowered, _pct(lowered, total), confirmed, _pct(confirmed, total), raised,
                       _pct(raised, total)])  # fmt: skip
        return _xlsx(workbook)
    ws.append(["Группы участников", "Кол-во участников", "%"])
    for name, lowered, confirmed, raised in groups:
        total = sum(count for count in (lowered, confirmed, raised) if isinstance(count, int))
        ws.append([name])
        ws.append(["Понизили (Отметка < Отметка по журналу) %", lowered, _pct(lowered, total)])
        ws.append(["Подтвердили (Отметка = Отметке по журналу) %", confirmed, _pct(confirmed, total)])
        ws.append(["Повысили (Отметка > Отметка по журналу) %", raised, _pct(raised, total)])
        ws.append(["Всего", total, 100])
    return _xlsx(workbook)


def _pct(count, total: int):
    return round(100 * count / total, 2) if isinstance(count, int) and total else None


# --- ЕГЭ regional report and the canonical aggregates ---------------------------------------------

EGE_MEASURES = ["Приняло участие", "Не преодолен min порог", "Высокобалльники 80–99", "100 баллов", "Средний балл"]


def ege_report_xlsx(
    subjects: list[str],
    municipalities: dict[str, list[tuple[str, str, dict[str, tuple]]]],
    *,
    title: str = "Результаты ЕГЭ 2025 года по общеобразовательным организациям",
    three_row_header: bool = False,
) -> bytes:
    """Merged two-row header (subject over five measures), a caption row per municipality.

    municipalities: caption → [(school code, school name, {subject: (participants, below,
    80–99, 100, mean)})]; a subject missing from the dict is left empty for that school.
    ``three_row_header`` puts «Код ОО», the name and a merged «Предметы» in a row above the
    subjects.
    """
    workbook = Workbook()
    ws = workbook.active
    ws.title = "ЕГЭ по ОО"
    ws.append([title])
    ws.append([])
    width = 5 * len(subjects)
    top = 3
    if three_row_header:
        ws.append(["Код ОО", "Наименование ОО", "Предметы"])
        ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=2 + width)
        ws.append([None, None, *[cell for s in subjects for cell in [s, None, None, None, None]]])
        top = 4
    else:
        ws.append(["Код ОО", "Наименование ОО", *[cell for s in subjects for cell in [s, None, None, None, None]]])
    ws.append([None, None, *(EGE_MEASURES * len(subjects))])
    ws.merge_cells(start_row=3, start_column=1, end_row=top + 1, end_column=1)
    ws.merge_cells(start_row=3, start_column=2, end_row=top + 1, end_column=2)
    for index in range(len(subjects)):
        first = 3 + 5 * index
        ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=first + 4)
    ws.append([None, None, *range(1, 5 * len(subjects) + 1)])  # column numbers, as printed reports have
    for caption, schools in municipalities.items():
        ws.append([caption])
        for code, name, figures in schools:
            cells: list = []
            for subject in subjects:
                cells += list(figures.get(subject, (None,) * 5))
            ws.append([code, name, *cells])
        ws.append(["", f"Итого по {caption}", *([1] * 5 * len(subjects))])
    return _xlsx(workbook)


def aggregates_csv(rows: list[dict], *, columns: list[str] | None = None, delimiter: str = ";") -> bytes:
    from monitoring.formats.aggregates import COLUMNS as AGGREGATE_COLUMNS

    chosen = [c for c in AGGREGATE_COLUMNS if columns is None or c.key in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([column.title for column in chosen])
    for row in rows:
        writer.writerow([row.get(column.key, "") for column in chosen])
    return buffer.getvalue().encode("utf-8-sig")


RESULTS_CSV_HEADER = [
    "Учебный год", "Процедура", "Код предмета", "Класс", "Код ОО", "Класс (буква)", "Вариант", "Код участника",
    "Первичный балл", "Максимальный первичный балл", "Отметка", "Отметка по журналу", "Тестовый балл",
    "Баллы за задания",
]  # fmt: skip


def results_csv_row(school_code: str, participant: str, /, **changes) -> list:
    """A ВПР result by default; ``changes`` are keyed by the column titles' first words (see below)."""
    row = {
        "year": "2025/2026", "procedure": "ВПР", "subject": "01", "grade": 4, "code": school_code, "klass": "4А",
        "variant": 1, "participant": participant, "primary": 6, "max": 8, "mark": 4, "journal": 4, "test": "",
        "tasks": "2,1,X,1,2",
    }  # fmt: skip
    row.update(changes)
    return list(row.values())


def results_csv(rows: list[list], *, header: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header or RESULTS_CSV_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
