"""Catalogues have owners: every model belongs to a territory or to a decided owner, and no
department changes what another municipality or region uses (schools.catalogues)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from analytics.catalogue import template_xlsx
from analytics.models import TaskCatalogue, TaskCatalogueItem
from core.extensions import LOCAL_APPS
from identification.catalogue import ISBSH_FACTORS
from identification.models import Criterion, MethodologyVersion
from identification.services import methodology_version_save
from monitoring.models import Subject
from risks.models import RiskFactor, RiskQuestion
from schools.catalogues import CATALOGUES, Owner, may_edit_catalogue
from schools.models import AcademicYear
from tests.factories import MunicipalityFactory, UserFactory

# A row belongs to a territory when a chain of required links reaches one of these.
ANCHORS = {"schools.Municipality", "schools.School", "accounts.User"}


def _territory_path(model, depth: int = 0, seen: tuple[str, ...] = ()) -> list[str] | None:
    if model._meta.label in ANCHORS:
        return [model._meta.label]
    if depth >= 4:
        return None
    for field in model._meta.fields:
        related = field.related_model
        if field.many_to_one and not field.null and related._meta.label not in seen:
            rest = _territory_path(related, depth + 1, (*seen, model._meta.label))
            if rest:
                return [f"{model.__name__}.{field.name}", *rest]
    return None


def _local_models():
    local = set(LOCAL_APPS) | {"people"}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in local and not model.__name__.startswith("Historical")
    ]


def test_every_model_belongs_to_a_territory_or_has_a_decided_owner():
    undecided = [
        model._meta.label
        for model in _local_models()
        if _territory_path(model) is None and model._meta.label not in CATALOGUES
    ]
    assert not undecided, f"decide who owns these catalogues in schools/catalogues.py: {sorted(undecided)}"


def test_the_ownership_list_names_only_models_that_exist():
    labels = {model._meta.label for model in _local_models()}
    assert sorted(set(CATALOGUES) - labels) == []


# --- The fence: another district's department edits every catalogue and is refused --------------


def _criteria_post(version) -> dict:
    data = {
        "source_document": "Свой приказ",
        "first_year": "",
        "last_year": "",
        "required_count": version.required_count,
        "isbsh_small_school": 300,
        **{f"w_{code}": "9" for code, *_ in ISBSH_FACTORS},
        "criteria-TOTAL_FORMS": version.criteria.count(),
        "criteria-INITIAL_FORMS": 0,
        "criteria-MIN_NUM_FORMS": 0,
        "criteria-MAX_NUM_FORMS": 1000,
    }
    for n, criterion in enumerate(version.criteria.all()):
        data.update(
            {
                f"criteria-{n}-indicator": criterion.indicator,
                f"criteria-{n}-subject": criterion.subject_id or "",
                f"criteria-{n}-grade": criterion.grade or "",
                f"criteria-{n}-pool": criterion.pool,
                f"criteria-{n}-operator": criterion.operator,
                f"criteria-{n}-value": 1,
                f"criteria-{n}-min_participants": 1,
                f"criteria-{n}-consecutive_years": 1,
            }
        )
    return data


def _snapshot() -> dict:
    """Everything the catalogue edits could change."""
    return {
        "factors": sorted(
            RiskFactor.objects.values_list("code", "version", "name", "medium_from", "high_from", "is_current")
        ),
        "questions": sorted(RiskQuestion.objects.values_list("factor_id", "text")),
        "weights": sorted(
            map(str, MethodologyVersion.objects.values_list("pk", "isbsh_weights", "isbsh_small_school"))
        ),
        "versions": sorted(MethodologyVersion.objects.values_list("methodology_id", "number", "source_document")),
        "criteria": sorted(Criterion.objects.values_list("version_id", "indicator", "value")),
        "task_catalogues": sorted(TaskCatalogue.objects.values_list("pk", "year_id", "subject_id", "grade")),
        "task_items": sorted(TaskCatalogueItem.objects.values_list("catalogue_id", "task_label", "skill", "kes")),
    }


def _task_catalogue_edits() -> list[tuple[str, str, dict]]:
    """The description of a ВПР test (one for every region): an item edited, a new one uploaded."""
    year = AcademicYear.objects.get_or_create(start_year=2025)[0]
    subject = Subject.objects.get(code="01")
    catalogue = TaskCatalogue.objects.get_or_create(year=year, procedure="vpr", subject=subject, grade=4)[0]
    item = TaskCatalogueItem.objects.get_or_create(catalogue=catalogue, task_label="1", defaults={"skill": "Умение"})[0]
    upload = SimpleUploadedFile(
        "kodifikator.xlsx",
        template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return [
        (
            "задание описания ВПР",
            reverse("analytics:catalogue_item_edit", args=[item.pk]),
            {"skill": "Чужое умение", "kes": "9.9", "kt": "", "section": "", "difficulty": ""},
        ),
        (
            "новое описание ВПР",
            reverse("analytics:catalogue_upload"),
            {"year": year.pk, "procedure": "vpr", "subject": subject.pk, "grade": 5, "file": upload},
        ),
    ]


def _edits(region_copy: MethodologyVersion) -> list[tuple[str, str, dict]]:
    """Every catalogue edit a page offers: (what, url, form data)."""
    edits = [
        (
            f"фактор риска «{factor.code}»",
            reverse("risks:factor_edit", args=[factor.pk]),
            {
                "name": "Чужой",
                "description": "",
                "data_source": factor.data_source,
                "medium_from": "1",
                "high_from": "2",
                "questions": "Чужой вопрос",
            },
        )
        for factor in RiskFactor.objects.filter(is_current=True).order_by("code")
    ]
    versions = MethodologyVersion.objects.filter(methodology__region__isnull=True) | MethodologyVersion.objects.filter(
        pk=region_copy.pk
    )
    edits += [
        (
            f"методика «{v.methodology.name}», в. {v.number}",
            reverse("identification:version_edit", args=[v.pk]),
            _criteria_post(v),
        )
        for v in versions.select_related("methodology").order_by("pk")
    ]
    return edits + _task_catalogue_edits()


@pytest.fixture
def home_region_copy(region_user):
    """The home region's own copy of a preset, made by the region's staff."""
    preset = MethodologyVersion.objects.filter(methodology__region__isnull=True).order_by("pk").first()
    return methodology_version_save(
        version=preset,
        fields={
            "source_document": "Приказ министерства края",
            "first_year": None,
            "last_year": None,
            "required_count": 1,
        },
        criteria=[
            {
                "indicator": c.indicator,
                "subject": c.subject,
                "grade": c.grade,
                "pool": c.pool,
                "operator": c.operator,
                "value": c.value,
                "min_participants": c.min_participants,
                "consecutive_years": c.consecutive_years,
            }
            for c in preset.criteria.all()
        ],
        user=region_user,
    )


@pytest.fixture
def neighbour_department(municipality):
    """A department of another district of the same region."""
    neighbour = MunicipalityFactory(region=municipality.region, name="Соседний район", oktmo="98620000")
    return UserFactory(username="neighbour", role=Role.DEPARTMENT, municipality=neighbour)


@pytest.mark.parametrize("who", ["neighbour_department", "outsider", "department"])
def test_a_department_tries_every_catalogue_edit_and_every_one_is_refused(client, request, who, home_region_copy):
    user = request.getfixturevalue(who)
    edits = _edits(home_region_copy)
    before = _snapshot()
    client.force_login(user)

    accepted = []
    for what, url, data in edits:
        response = client.post(url, data)
        if response.status_code not in (403, 404):
            accepted.append(f"{what}: {response.status_code}")

    assert accepted == []
    assert _snapshot() == before
    # 11 factors of «500+», every preset and the home region's copy (the ИСБШ weights are the versions'),
    # the ВПР description's item and upload.
    assert (
        len(edits)
        == RiskFactor.objects.filter(is_current=True).count()
        + MethodologyVersion.objects.filter(methodology__region__isnull=True).count()
        + 1
        + 2
    )


def test_the_regions_staff_edit_their_own_copy_and_not_another_regions(client, region_user, home_region_copy):
    foreign_staff = UserFactory(username="south", role=Role.REGION, region=MunicipalityFactory().region)

    assert may_edit_catalogue(
        region_user, "identification.MethodologyVersion", region_id=home_region_copy.methodology.region_id
    )
    assert not may_edit_catalogue(
        foreign_staff, "identification.MethodologyVersion", region_id=home_region_copy.methodology.region_id
    )
    client.force_login(foreign_staff)
    response = client.post(
        reverse("identification:version_edit", args=[home_region_copy.pk]), _criteria_post(home_region_copy)
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("label", "role", "allowed"),
    [
        ("risks.RiskFactor", Role.DEPARTMENT, False),
        ("risks.RiskFactor", Role.REGION, False),
        ("teachers.Competence", Role.DEPARTMENT, False),
        # The methodological centre edits its municipality's copy (made on the first change).
        ("analytics.TaskCatalogue", Role.METHODOLOGIST, True),
        ("analytics.TaskCatalogue", Role.DEPARTMENT, False),
        ("analytics.TaskCatalogue", Role.REGION, False),
        ("monitoring.Subject", Role.REGION, False),
        ("identification.Criterion", Role.DEPARTMENT, False),
        ("identification.Criterion", Role.REGION, True),
        ("schools.AcademicYear", Role.DEPARTMENT, True),
        ("core.AuditEvent", Role.REGION, False),
    ],
)
def test_each_owner_decides_who_may_edit(label, role, allowed, municipality, region):
    user = UserFactory(
        role=role,
        municipality=municipality if role != Role.REGION else None,
        region=region if role == Role.REGION else None,
    )

    assert may_edit_catalogue(user, label) is allowed
    assert CATALOGUES[label][0] in set(Owner)
