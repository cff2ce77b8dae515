"""Writes rcoi_protocol.xls, the tiny Excel 97–2003 protocol the .xls import test reads.

Run once with xlwt available (it is not a dependency of Opora: ``pip install --target /tmp/xlwt
xlwt`` and ``PYTHONPATH=/tmp/xlwt python monitoring/tests/files/make_rcoi_xls.py``); the test
imports PROTOCOL from here to know what the file holds.
"""

from __future__ import annotations

from pathlib import Path

TITLE = "01 - Русский язык 2025.06.09"
HEADER = [
    "№", "Код ОО", "Класс", "Код ППЭ", "Аудитория", "Код участника", "Фамилия", "Имя", "Отчество",
    "Ответы в краткой форме", "Ответы в развернутой форме", "Первичный балл", "Оценка",
]  # fmt: skip
ROWS = [
    [1, "edu980001", "9А", "0101", "12", "900001", "Иванов", "Иван", "Петрович", "++-+", "1(2)2(3)", 6, 3],
    [2, "edu980001", "9Б", "0101", "12", "900002", "Петров", "Пётр", "Ильич", "+++-", "2(2)3(3)", 8, 4],
]
SUMMARY = ["Средние", "", "", "", "", "", "", "", "", "", "", 7, 3.5]
PROTOCOL = [[TITLE], HEADER, *ROWS, SUMMARY]
PATH = Path(__file__).with_name("rcoi_protocol.xls")


def main() -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Протокол")
    for r, row in enumerate(PROTOCOL):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(PATH))


if __name__ == "__main__":
    main()
