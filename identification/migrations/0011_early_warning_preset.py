"""Draft runs remember the recompute that set them off; the «FALL» operator; and the shipped
early-warning preset on all the data (issue #19): negative dynamics of ВПР and ОГЭ results,
attendance, discipline, contingent and teacher vacancies. Any one criterion puts the school on
the list, which is a proposal for a person to look at, never a status by itself.

Thresholds are starting values a department edits (a new version): +10 p.p. of «2» in ВПР or
ОГЭ, the ВПР mean mark down by 0,3, +10 missed lessons per pupil, +5 incidents per 100 pupils,
a contingent down by 10 % or more in a year, 10 % or more of the teaching posts vacant.
"""

import django.db.models.deletion
from django.db import migrations, models


NAME = "Зона риска: отрицательная динамика по всем данным"
DESCRIPTION = (
    "Раннее предупреждение: за год выросла доля «2» в ВПР или ОГЭ, снизилась средняя отметка ВПР, "
    "выросли пропуски уроков или дисциплинарные нарушения, сократился контингент или велика доля "
    "вакантных ставок педагогов. Достаточно одного признака; список — повод посмотреть на школу."
)
SOURCE = "Модели муниципальной поддержки ШНОР (2020–2024): мониторинг отрицательной динамики"
CRITERIA = [
    # indicator, operator, value, minimum participants
    ("vpr_share_2", "rise", 10, 10),
    ("oge_share_2", "rise", 10, 10),
    ("vpr_mean_mark", "fall", 0.3, 10),
    ("missed_per_student", "rise", 10, 1),
    ("discipline_per_100", "rise", 5, 1),
    ("contingent_change", "le", -10, 1),
    ("vacancy_share", "ge", 10, 1),
]


def seed(apps, schema_editor):
    Methodology = apps.get_model("identification", "Methodology")
    Version = apps.get_model("identification", "MethodologyVersion")
    Criterion = apps.get_model("identification", "Criterion")
    methodology, created = Methodology.objects.get_or_create(
        name=NAME, region=None, defaults={"kind": "risk_zone", "description": DESCRIPTION}
    )
    if not created:
        return
    version = Version.objects.create(methodology=methodology, number=1, source_document=SOURCE, required_count=1)
    for order, (indicator, operator, value, minimum) in enumerate(CRITERIA):
        Criterion.objects.create(
            version=version,
            indicator=indicator,
            pool="municipality",
            operator=operator,
            value=value,
            min_participants=minimum,
            consecutive_years=1,
            order=order,
        )


def unseed(apps, schema_editor):
    apps.get_model("identification", "Methodology").objects.filter(name=NAME, region=None).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('identification', '0010_run_draft_held_status'),
    ]

    operations = [
        migrations.AddField(
            model_name='identificationrun',
            name='recompute',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='draft_runs', to='identification.indicatorrecompute'),
        ),
        migrations.AlterField(
            model_name='criterion',
            name='operator',
            field=models.CharField(choices=[('bottom', 'в нижних N% (худшие)'), ('top', 'в верхних N% (лучшие)'), ('lt', 'меньше порога (<)'), ('le', 'не больше порога (≤)'), ('gt', 'больше порога (>)'), ('ge', 'не меньше порога (≥)'), ('rise', 'вырос за год не меньше чем на (п.п.)'), ('fall', 'снизился за год не меньше чем на'), ('enter_bottom', 'вошёл в нижние N% (год назад не был)')], max_length=12, verbose_name='условие'),
        ),
        migrations.RunPython(seed, unseed),
    ]
