"""ВПР 2026 subjects the first seed lacked: «Литературное чтение» (grade 4, ФИС ОКО «ЛЧ»).

ВПР-only subjects take their ФИС ОКО abbreviation as code (see 0002_seed_subjects).
"""

from django.db import migrations

SUBJECTS = [("ЛЧ", "Литературное чтение", "ЛЧ")]


def seed(apps, schema_editor):
    Subject = apps.get_model("monitoring", "Subject")
    for code, name, abbr in SUBJECTS:
        Subject.objects.update_or_create(code=code, defaults={"name": name, "fis_oko_abbr": abbr})


def unseed(apps, schema_editor):
    Subject = apps.get_model("monitoring", "Subject")
    Subject.objects.filter(code__in=[code for code, _, _ in SUBJECTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0008_import_job_skipped_and_warnings")]

    operations = [migrations.RunPython(seed, unseed)]
