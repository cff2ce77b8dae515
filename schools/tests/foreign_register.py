"""A school register the way a regional open-data portal publishes it (issue 16), built in tests.

Its own column names, `;` with a BOM, decimal-comma coordinates, types spelled out
(«Средняя общеобразовательная школа»), sites without a scheme, several e-mails in a cell,
a title row above the header and a numbering column.
"""

import csv
import io

from schools.registry_format import inn_check_digit

FOREIGN_HEADER = [
    "№ п/п",
    "Муниципальный район",
    "Полное наименование образовательной организации",
    "Сокращенное наименование",
    "Идентификатор в ФИС ОКО",
    "Тип образовательной организации",
    "Городская/сельская местность",
    "ФИО руководителя",
    "Численность обучающихся",
    "ИНН",
    "Юридический адрес",
    "Широта",
    "Долгота",
    "Адрес сайта",
    "Адрес электронной почты",
    "Контактный телефон",
]
TYPES = (
    ("Средняя общеобразовательная школа", "sosh"),
    ("Основная общеобразовательная школа", "oosh"),
    ("Вечерняя (сменная) общеобразовательная школа", "evening"),
    ("Центр образования", "centre"),
    ("Школа-интернат", "boarding"),
    ("Санаторная школа-интернат", "sanatorium"),
    ("Филиал", "branch"),
    ("Гимназия", "gymnasium"),
)
SETTLEMENTS = (("город", "urban"), ("Сельская местность", "rural"), ("село", "rural"), ("Вахтовый посёлок", None))


def foreign_inn(n: int) -> str:
    first = f"79{n:07d}"
    return first + inn_check_digit(first)


def foreign_row(n: int, *, municipality: str = "Заречный муниципальный район") -> list[str]:
    type_label, _ = TYPES[n % len(TYPES)]
    settlement, _ = SETTLEMENTS[n % len(SETTLEMENTS)]
    emails = f"school{n}@example.ru" + (f", director{n}@example.ru" if n % 10 == 0 else "")
    return [
        str(n),
        municipality,
        f"Муниципальное бюджетное общеобразовательное учреждение «{type_label} № {n}»",
        f"МБОУ № {n}",
        f"edu{790000 + n}",
        type_label,
        settlement,
        f"Петрова Анна Ивановна {n}",
        f"{200 + n % 700}",
        foreign_inn(n),
        f"679000, ЕАО, с. Берёзовка, ул. Школьная, {n}",
        "48,7946",
        "132,9217",
        f"school{n}.example.ru" if n % 2 else f"https://school{n}.example.ru",
        emails,
        "8 (42622) 2-22-22",
    ]


def foreign_register_csv(numbers, **kwargs) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Реестр общеобразовательных организаций (по состоянию на 01.09.2025)"])
    writer.writerow(FOREIGN_HEADER)
    for n in numbers:
        writer.writerow(foreign_row(n, **kwargs))
    return buffer.getvalue().encode("utf-8-sig")
