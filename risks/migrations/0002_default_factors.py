from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from risks.defaults import DEFAULT_FACTORS

    RiskFactor = apps.get_model("risks", "RiskFactor")
    RiskQuestion = apps.get_model("risks", "RiskQuestion")
    for order, (code, name, source, medium, high, questions) in enumerate(DEFAULT_FACTORS, 1):
        if RiskFactor.objects.filter(code=code).exists():
            continue
        factor = RiskFactor.objects.create(
            code=code,
            version=1,
            order=order,
            name=name,
            data_source=source,
            medium_from=Decimal(medium) if medium else None,
            high_from=Decimal(high) if high else None,
        )
        for i, text in enumerate(questions, 1):
            RiskQuestion.objects.create(factor=factor, order=i, text=text)


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
