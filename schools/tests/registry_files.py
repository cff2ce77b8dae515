"""Registry files built in the tests, in the documented layout."""

import csv
import io

from openpyxl import Workbook

from schools.registry_format import COLUMNS, inn_check_digit

HEADER = [c.title for c in COLUMNS]


def valid_inn(n: int) -> str:
    first = f"16{n:07d}"
    return first + inn_check_digit(first)


def school_row(n: int, *, municipality: str = "", **overrides) -> dict:
    row = {
        "Код ОО": f"edu{700000 + n}",
        "Код РЦОИ": "",
        "Муниципалитет": municipality,
        "Полное наименование": f"Муниципальное бюджетное общеобразовательное учреждение «Школа № {n}»",
        "Краткое наименование": f"МБОУ Школа № {n}",
        "Тип": "СОШ" if n % 3 else "ООШ",
        "Местность": "Городская" if n % 2 else "Сельская",
        "Уровни образования": "НОО, ООО, СОО" if n % 3 else "НОО, ООО",
        "Руководитель": f"Иванов Иван Иванович {n}",
        "Контингент": str(100 + n),
        "ИНН": valid_inn(n),
        "ОГРН": "",
        "Адрес": f"с. Берёзовка, ул. Школьная, {n}",
        "Широта": "54.7361",
        "Долгота": "52.7979",
        "Сайт": f"https://school{n}.example.ru",
        "Эл. почта": f"school{n}@example.ru",
        "Телефон": "+7 (85594) 1-23-45",
        "Действует": "да",
    }
    row.update(overrides)
    return row


def registry_csv(rows: list[dict], *, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def registry_xlsx(rows: list[dict], *, title_rows: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Реестр"
    for _ in range(title_rows):
        sheet.append(["Реестр общеобразовательных организаций"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[h] for h in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
