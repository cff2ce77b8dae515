"""Subjects of ВПР and of the РЦОИ exam protocols.

Codes are the РЦОИ exam codes (01 русский язык, 02 математика, 22 базовая математика ЕГЭ,
51/52 ГВЭ); subjects that only ВПР has get their ФИС ОКО abbreviation as code.
"""

from django.db import migrations

SUBJECTS = [
    ("01", "Русский язык", "РУ"),
    ("02", "Математика", "МА"),
    ("03", "Физика", "ФИ"),
    ("04", "Химия", "ХИ"),
    ("05", "Информатика", "ИН"),
    ("06", "Биология", "БИ"),
    ("07", "История", "ИС"),
    ("08", "География", "ГЕ"),
    ("09", "Английский язык", "АЯ"),
    ("10", "Немецкий язык", "НЯ"),
    ("11", "Французский язык", "ФЯ"),
    ("12", "Обществознание", "ОБ"),
    ("13", "Испанский язык", "ИЯ"),
    ("18", "Литература", "ЛИ"),
    ("22", "Математика (базовый уровень)", ""),
    ("25", "Китайский язык", "КЯ"),
    ("51", "Русский язык (ГВЭ)", ""),
    ("52", "Математика (ГВЭ)", ""),
    ("ОМ", "Окружающий мир", "ОМ"),
]


def seed(apps, schema_editor):
    Subject = apps.get_model("monitoring", "Subject")
    for code, name, abbr in SUBJECTS:
        Subject.objects.update_or_create(code=code, defaults={"name": name, "fis_oko_abbr": abbr})


def unseed(apps, schema_editor):
    Subject = apps.get_model("monitoring", "Subject")
    Subject.objects.filter(code__in=[code for code, _, _ in SUBJECTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
