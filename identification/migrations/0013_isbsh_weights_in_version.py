from django.db import migrations, models

# The catalogue's defaults at the time of the move (identification.catalogue.ISBSH_FACTORS),
# frozen here so the migration does not change if the catalogue does.
DEFAULTS = {
    "low_income_share": 3.0,
    "ovz_share": 1.0,
    "non_native_share": 2.0,
    "single_parent_share": 1.0,
    "preventive_share": 2.0,
    "parents_higher_ed": 2.0,
    "rural": 1.0,
    "small_school": 1.0,
}


def copy_weights(apps, schema_editor):
    """Every existing version gets the weights in force until now (the global ones, defaults
    for factors never edited): each version computes ИСБШ as its runs did."""
    SocialIndexWeight = apps.get_model("identification", "SocialIndexWeight")
    MethodologyVersion = apps.get_model("identification", "MethodologyVersion")
    weights = dict(DEFAULTS)
    weights.update({row.factor: float(row.weight) for row in SocialIndexWeight.objects.all() if row.factor in DEFAULTS})
    MethodologyVersion.objects.update(isbsh_weights=weights)


class Migration(migrations.Migration):
    dependencies = [
        ("identification", "0012_version_pool_two_years"),
    ]

    operations = [
        migrations.AddField(
            model_name="methodologyversion",
            name="isbsh_small_school",
            field=models.PositiveIntegerField(
                default=500,
                help_text="Трудность малочисленности = 100 · (1 − контингент / это число); не меньше — 0.",
                verbose_name="ИСБШ: малочисленная школа — меньше стольких обучающихся",
            ),
        ),
        migrations.AddField(
            model_name="methodologyversion",
            name="isbsh_weights",
            field=models.JSONField(blank=True, default=dict, verbose_name="веса факторов ИСБШ"),
        ),
        migrations.RunPython(copy_weights, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="SocialIndexWeight",
        ),
    ]
