"""The starting catalogue of professional deficits (editable in the admin afterwards).

Areas and topics follow the seeds' diagnostics of teachers (ЦНППМ, ИМЦ): subject,
methodological, psychological-pedagogical, assessment and objectivity, digital.
"""

from decimal import Decimal

from django.db import migrations

CATALOGUE = [
    ("subject", "Предметные знания: русский язык", 60),
    ("subject", "Предметные знания: математика", 60),
    ("subject", "Решение заданий повышенного уровня ОГЭ/ЕГЭ", 50),
    ("methodological", "Формирование функциональной грамотности", 60),
    ("methodological", "Проектирование урока по обновлённым ФГОС", 60),
    ("methodological", "Работа с обучающимися с низкой мотивацией", 60),
    ("psychological", "Работа с обучающимися с ОВЗ (инклюзия)", 60),
    ("psychological", "Профилактика трудностей в обучении и поведении", 60),
    ("assessment", "Объективное оценивание образовательных результатов", 70),
    ("assessment", "Анализ результатов ВПР и ГИА", 60),
    ("digital", "Цифровые образовательные ресурсы (ФГИС «Моя школа», ЦОК)", 60),
    ("communication", "Взаимодействие с родителями", 60),
]


def add_catalogue(apps, schema_editor):
    Competence = apps.get_model("teachers", "Competence")
    for area, name, threshold in CATALOGUE:
        Competence.objects.get_or_create(name=name, defaults={"area": area, "threshold": Decimal(threshold)})


class Migration(migrations.Migration):
    dependencies = [("teachers", "0001_initial")]

    operations = [migrations.RunPython(add_catalogue, migrations.RunPython.noop)]
