"""Shipped methodology presets (DESIGN.md §7) and the default ИСБШ weights.

Thresholds follow the municipal models in the seeds (bottom 10% for low results, bottom
20% for social conditions and for the risk zone, +10 p.p. of «2» year on year). «No
objectivity signals» of the high-results preset is approximated by the ВПР-vs-journal
indicators (raised share and gaps of ≥ 2 marks under a threshold) until the risks app's
signals exist. The department edits them in the portal; editing a used version makes a new one.
"""

from django.db import migrations

SOURCE = "Модель выявления ШНОР/ШССУ муниципалитета (2020–2024), рекомендации ФИОКО"

PRESETS = [
    (
        "Низкие образовательные результаты (ШНОР)",
        "low_results",
        "Школа в нижних 10% муниципалитета по доле «2» в ВПР два года подряд или по доле «2» в ОГЭ.",
        1,
        [
            ("vpr_share_2", None, None, "municipality", "bottom", 10, 10, 2),
            ("oge_share_2", "01", 9, "municipality", "bottom", 10, 10, 1),
            ("oge_share_2", "02", 9, "municipality", "bottom", 10, 10, 1),
        ],
    ),
    (
        "Сложные социальные условия (ШССУ)",
        "difficult_conditions",
        "ИСБШ (взвешенные доли малоимущих, ОВЗ, неродного языка, неполных семей, учёта, образования "
        "родителей, сельской местности и малочисленности) в нижних 20% муниципалитета.",
        1,
        [("isbsh", None, None, "municipality", "bottom", 20, 1, 1)],
    ),
    (
        "Высокие результаты (школы-партнёры)",
        "high_results",
        "Доля «2» в ВПР в верхних 20% муниципалитета (самая низкая) и нет признаков необъективности. "
        "Признаки пока приближены показателями «ВПР выше журнала» (< 15%) и «расхождение на 2 отметки» (< 3%).",
        0,
        [
            ("vpr_share_2", None, None, "municipality", "top", 20, 10, 1),
            ("vpr_raised", None, None, "municipality", "lt", 15, 10, 1),
            ("vpr_gap_2", None, None, "municipality", "lt", 3, 10, 1),
        ],
    ),
    (
        "Зона риска",
        "risk_zone",
        "Доля «2» в ВПР выросла за год на 10 п.п. и более или школа впервые вошла в нижние 20% муниципалитета.",
        1,
        [
            ("vpr_share_2", None, None, "municipality", "rise", 10, 10, 1),
            ("vpr_share_2", None, None, "municipality", "enter_bottom", 20, 10, 1),
        ],
    ),
    (
        "Выход в эффективный режим",
        "effective",
        "Для школ со статусом ШНОР/ШССУ: нет «2» в ОГЭ по русскому языку, отметки ВПР подтверждаются "
        "журналом (не менее 70%), все выпускники 9 класса получили аттестат.",
        0,
        [
            ("oge_share_2", "01", 9, "municipality", "le", 0, 10, 1),
            ("vpr_confirmed", None, None, "municipality", "ge", 70, 10, 1),
            ("certified_9", None, None, "municipality", "ge", 100, 1, 1),
        ],
    ),
]

WEIGHTS = {
    "low_income_share": 3,
    "ovz_share": 1,
    "non_native_share": 2,
    "single_parent_share": 1,
    "preventive_share": 2,
    "parents_higher_ed": 2,
    "rural": 1,
    "small_school": 1,
}


def seed(apps, schema_editor):
    Methodology = apps.get_model("identification", "Methodology")
    Version = apps.get_model("identification", "MethodologyVersion")
    Criterion = apps.get_model("identification", "Criterion")
    Subject = apps.get_model("monitoring", "Subject")
    subjects = dict(Subject.objects.values_list("code", "pk"))
    for name, kind, description, required, criteria in PRESETS:
        methodology, created = Methodology.objects.get_or_create(
            name=name, defaults={"kind": kind, "description": description}
        )
        if not created:
            continue
        version = Version.objects.create(
            methodology=methodology, number=1, source_document=SOURCE, required_count=required
        )
        for order, (indicator, subject, grade, pool, operator, value, minimum, years) in enumerate(criteria):
            Criterion.objects.create(
                version=version,
                indicator=indicator,
                subject_id=subjects.get(subject) if subject else None,
                grade=grade,
                pool=pool,
                operator=operator,
                value=value,
                min_participants=minimum,
                consecutive_years=years,
                order=order,
            )
    # The tests re-seed with the current app registry (their flushes remove the presets): the
    # weights live in the versions there (migration 0012), so the catalogue model may be gone.
    try:
        Weight = apps.get_model("identification", "SocialIndexWeight")
    except LookupError:
        return
    for factor, weight in WEIGHTS.items():
        Weight.objects.get_or_create(factor=factor, defaults={"weight": weight})


def unseed(apps, schema_editor):
    apps.get_model("identification", "Methodology").objects.filter(name__in=[p[0] for p in PRESETS]).delete()
    try:
        apps.get_model("identification", "SocialIndexWeight").objects.all().delete()
    except LookupError:
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("identification", "0002_indicators_methodology_runs"),
        ("monitoring", "0002_seed_subjects"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
