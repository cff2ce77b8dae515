"""export_municipality: every model with a path to a municipality goes out, nothing of another's."""

import io
import json
import zipfile
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.models import User
from core.municipal_export import ANCHORS, SKIPPED_APPS, exported_models, sheet_title
from schools.models import School

# Models reaching a municipality only through a longer chain, each with the reason it stays home.
NOT_EXPORTED: dict[str, str] = {}


def reaches_an_anchor(model, seen=()) -> bool:
    """Unbounded walk over forward FKs: the exporter's depth limit must not hide a model."""
    if model in ANCHORS:
        return True
    for field in model._meta.get_fields():
        if (field.many_to_one or field.one_to_one) and field.concrete:
            target = field.related_model
            if target not in seen and reaches_an_anchor(target, (*seen, model)):
                return True
    return False


def test_every_model_with_a_path_to_a_municipality_is_exported():
    exported = {model._meta.label for model in exported_models()}
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label not in SKIPPED_APPS
        and reaches_an_anchor(model)
        and model._meta.label not in exported
        and model._meta.label not in NOT_EXPORTED
    ]
    assert missing == []
    assert {"schools.School", "schools.Municipality", "accounts.User"} <= exported


@pytest.mark.django_db
def test_the_export_holds_the_municipalitys_rows_and_never_the_outsiders(
    tmp_path, school, foreign_school, director, outsider
):
    school.head_name = "=HYPERLINK(1)"
    school.save()
    out = tmp_path / "m.zip"
    call_command("export_municipality", school.municipality.oktmo, "--out", str(out), stdout=StringIO())
    with zipfile.ZipFile(out) as archive:
        schools = json.loads(archive.read("schools.school.json"))
        users = json.loads(archive.read("accounts.user.json"))
        workbook = load_workbook(io.BytesIO(archive.read("export.xlsx")), read_only=True)
    codes = {row["fields"]["code"] for row in schools}
    assert school.code in codes
    assert foreign_school.code not in codes
    usernames = {row["fields"]["username"] for row in users}
    assert director.username in usernames
    assert outsider.username not in usernames
    assert all("password" not in row["fields"] for row in users)
    sheet = workbook[sheet_title(School)]
    rows = list(sheet.values)
    assert rows[0][0] == str(School._meta.get_field("id").verbose_name)
    assert "'=HYPERLINK(1)" in {cell for row in rows for cell in row}
    user_headers = next(workbook[sheet_title(User)].iter_rows(max_row=1, values_only=True))
    assert str(User._meta.get_field("username").verbose_name) in user_headers
    assert str(User._meta.get_field("password").verbose_name) not in user_headers
