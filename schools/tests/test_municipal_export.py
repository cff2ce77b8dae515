"""export_municipality: every model a municipality owns goes out, nothing of another's."""

import io
import json
import zipfile
from io import StringIO

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.models import User
from identification.models import Criterion, Methodology, MethodologyVersion, StatusKind
from reports.models import ReportRequest
from risks.models import RiskFactor
from roadmaps.models import Roadmap
from roadmaps.tests.builders import roadmap_of
from schools import municipal_export
from schools.models import RegistryImport, School
from schools.municipal_export import (
    ANCHORS,
    SKIPPED_APPS,
    exported_models,
    municipality_export_write,
    owners,
    ownership,
    ownership_candidates,
    sheet_title,
)

# Models reaching a municipality only through a user (who typed them) or a longer chain, each
# with the reason it stays home.
NOT_EXPORTED: dict[str, str] = {
    "identification.MethodologyVersion": "methodologies are presets or a region's copies; a department only edits them",
    "identification.Criterion": "criteria of a methodology version (region-level, as the version)",
    "risks.RiskFactor": "the catalogue of risk factors is the region's, whoever edited it",
    "risks.RiskQuestion": "questions of a catalogue factor (region-level, as the factor)",
    "schools.RegistryColumnMapping": "how a register's columns map, keyed by its uploader's scope: settings, not data",
    "monitoring.AssessmentStructure": "the structure of a test (tasks, maxima) is the same for every school",
    "monitoring.AssessmentTask": "a task of a test's structure (as the structure)",
    "core.SubmitToken": "a form's double-submit guard (one click, kept for minutes): not the municipality's data",
}


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
    assert not set(NOT_EXPORTED) & exported


def test_a_model_with_several_possible_owners_has_one_declared():
    undecided = [
        model._meta.label
        for model in apps.get_models()
        if len(set(ownership_candidates(model))) > 1 and model._meta.label not in owners()
    ]
    assert undecided == [], "say whose these rows are in the app's exports.OWNERS"
    labels = {model._meta.label for model in apps.get_models()}
    assert set(owners()) <= labels
    # Each app declares only its own models.
    from core.extensions import app_modules

    for module in app_modules("exports"):
        assert {label.split(".")[0] for label in module.OWNERS} == {module.__name__.split(".")[0]}


def test_no_owner_runs_through_a_user_except_the_users_own_report_orders():
    through_user = {
        label for label, paths in owners().items() for path in paths if path.split("__")[0] in {"requested_by"}
    }
    assert through_user == {"reports.ReportRequest"}
    for model in exported_models():
        for path in ownership(model):
            assert not path.startswith(("created_by", "uploaded_by", "approved_by", "author")), model


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


def _export(municipality) -> dict[str, list]:
    buffer = io.BytesIO()
    municipality_export_write(municipality=municipality, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {
            name.removesuffix(".json"): json.loads(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".json")
        }


@pytest.mark.django_db
def test_region_level_rows_a_department_typed_are_not_the_municipalitys(region, school, department):
    """The defect of issue #10: a region's methodology copy and catalogue factor went out with
    the municipality whose department created them (the chain ran through ``created_by``)."""
    methodology = Methodology.objects.create(name="Копия региона", kind=StatusKind.LOW_RESULTS, region=region)
    version = MethodologyVersion.objects.create(methodology=methodology, created_by=department)
    Criterion.objects.create(version=version, indicator="fail_share", operator="bottom", value=10)
    RiskFactor.objects.create(code="vacancies", name="Вакансии", created_by=department)

    exported = _export(school.municipality)

    assert not {"identification.methodologyversion", "identification.criterion", "risks.riskfactor"} & set(exported)
    assert "Копия региона" not in json.dumps(exported, ensure_ascii=False)


@pytest.mark.django_db
def test_rows_follow_their_municipality_not_the_user_who_wrote_them_or_what_they_cite(
    school, foreign_school, department, outsider
):
    # The outsider once worked here (or an operator acted as them): the upload stays home's.
    upload = RegistryImport.objects.create(
        uploaded_by=outsider, municipality=school.municipality, original_name="r.xlsx", sha256="2" * 64
    )
    foreign_programme = roadmap_of(school=foreign_school, created_by=outsider)
    home_programme = roadmap_of(school=school, created_by=department)
    Roadmap.objects.filter(pk=home_programme.pk).update(based_on=foreign_programme)

    home, foreign = _export(school.municipality), _export(foreign_school.municipality)

    assert upload.pk in {row["pk"] for row in home["schools.registryimport"]}
    assert upload.pk not in {row["pk"] for row in foreign["schools.registryimport"]}
    assert {row["pk"] for row in home["roadmaps.roadmap"]} == {home_programme.pk}
    assert {row["pk"] for row in foreign["roadmaps.roadmap"]} == {foreign_programme.pk}
    for label, rows in home.items():
        overlap = {row["pk"] for row in rows} & {row["pk"] for row in foreign.get(label, [])}
        assert not overlap, f"{label}: rows {overlap} are in both municipalities' exports"


@pytest.mark.django_db
def test_stored_file_names_and_tokens_do_not_leave(school, department):
    report = ReportRequest.objects.create(kind="agreements", title="Реестр", requested_by=department, status="done")
    report.file.save(f"{report.token}.pdf", ContentFile(b"%PDF-1.4\n"))

    exported = _export(school.municipality)

    rows = exported["reports.reportrequest"]
    assert [row["pk"] for row in rows] == [report.pk]
    assert "file" not in rows[0]["fields"] and "token" not in rows[0]["fields"]
    assert report.token not in json.dumps(exported)


@pytest.mark.django_db
def test_a_table_longer_than_a_sheet_continues_on_the_next(monkeypatch, school, other_school):
    monkeypatch.setattr(municipal_export, "MAX_SHEET_ROWS", 1)
    buffer = io.BytesIO()
    seen: list[int] = []

    summary = municipality_export_write(
        municipality=school.municipality, out=buffer, progress=lambda percent, stage: seen.append(percent)
    )

    with zipfile.ZipFile(buffer) as archive:
        workbook = load_workbook(io.BytesIO(archive.read("export.xlsx")), read_only=True)
    header = str(School._meta.get_field("code").verbose_name)
    codes = []
    for title in (sheet_title(School), f"{sheet_title(School)} 2"):
        header_row, *rows = workbook[title].values
        assert len(rows) == 1, title
        codes.append(rows[0][header_row.index(header)])
    assert sorted(codes) == sorted([school.code, other_school.code])
    assert summary.rows >= 4  # municipality, two schools and their organisations
    assert seen == sorted(seen) and seen[-1] == 99
