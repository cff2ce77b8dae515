"""The methodological centre edits the task catalogue (issue #18 item 2) without changing what
other territories read: its first change copies the shipped catalogue into its municipality,
its pages read the copy, everyone else still reads the shipped rows (schools.catalogues)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from accounts.models import Role
from analytics import catalogue
from analytics.models import TaskCatalogue, TaskCatalogueItem
from analytics.selectors import SliceKey, catalogue_items
from analytics.tests.builders import import_catalogue
from core.tabular import xlsx_bytes
from tests.factories import MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

SHIPPED = {"1": "Умение списывать текст", "2": "Умение распознавать однородные члены"}


@pytest.fixture
def shipped(db):
    return import_catalogue([[label, skill, "1.1", "", "Орфография", "Б"] for label, skill in SHIPPED.items()])


@pytest.fixture
def methodologist(municipality):
    return UserFactory(username="metod", role=Role.METHODOLOGIST, municipality=municipality)


def _key(found: TaskCatalogue) -> SliceKey:
    return SliceKey(found.year, found.procedure, found.subject, found.grade)


def test_the_first_change_copies_the_catalogue_and_only_the_municipality_reads_the_copy(
    shipped, methodologist, municipality, client
):
    item = shipped.items.get(task_label="1")
    client.force_login(methodologist)
    response = client.post(
        reverse("analytics:catalogue_item_edit", args=[item.pk]),
        {"skill": "Списывание с пропусками", "kes": "1.2", "kt": "", "section": "Орфография", "difficulty": "П"},
    )
    copy = TaskCatalogue.objects.get(municipality=municipality)
    assert response.status_code == 302 and response["Location"] == reverse("analytics:catalogue_detail", args=[copy.pk])
    # The copy holds every row; the changed one changed. The shipped rows are as they were.
    assert {i.task_label: i.skill for i in copy.items.all()} == {**SHIPPED, "1": "Списывание с пропусками"}
    assert {i.task_label: i.skill for i in shipped.items.all()} == SHIPPED
    # The municipality's pages read the copy; another municipality still reads the shipped one.
    elsewhere = MunicipalityFactory(region=municipality.region, oktmo="98620000")
    assert catalogue_items(_key(shipped), municipality.pk)["1"].skill == "Списывание с пропусками"
    assert catalogue_items(_key(shipped), elsewhere.pk)["1"].skill == SHIPPED["1"]
    # A second change edits the copy in place: still one copy.
    second = copy.items.get(task_label="2")
    client.post(
        reverse("analytics:catalogue_item_edit", args=[second.pk]),
        {"skill": "Однородные члены", "kes": "", "kt": "", "section": "", "difficulty": ""},
    )
    assert TaskCatalogue.objects.filter(municipality=municipality).count() == 1
    assert copy.items.get(task_label="2").skill == "Однородные члены"


def test_another_municipality_neither_sees_nor_edits_the_copy(shipped, methodologist, municipality, client):
    catalogue.catalogue_item_save(
        item=shipped.items.get(task_label="1"), user=methodologist, skill="Своя формулировка", kes="", kt=""
    )
    copy = TaskCatalogue.objects.get(municipality=municipality)
    stranger = UserFactory(
        username="metod2", role=Role.METHODOLOGIST, municipality=MunicipalityFactory(oktmo="11111000")
    )
    client.force_login(stranger)
    assert client.get(reverse("analytics:catalogue_detail", args=[copy.pk])).status_code == 404
    item = copy.items.get(task_label="1")
    assert client.post(reverse("analytics:catalogue_item_edit", args=[item.pk]), {"skill": "x"}).status_code == 404
    assert "Своя формулировка" not in client.get(reverse("analytics:catalogue_list")).content.decode()
    assert TaskCatalogueItem.objects.get(pk=item.pk).skill == "Своя формулировка"


def test_a_methodologists_upload_writes_the_municipalitys_copy(shipped, methodologist, municipality):
    content = xlsx_bytes(
        "Кодификатор", ["Задание", "Проверяемое умение"], [["1", "Своё умение 1"], ["2", "Своё умение 2"]]
    )
    saved = catalogue.task_catalogue_import(
        user=methodologist,
        year=shipped.year,
        procedure="vpr",
        subject=shipped.subject,
        grade=4,
        fileobj=io.BytesIO(content),
        name="svoy.xlsx",
        municipality_id=catalogue.owner_municipality(methodologist),
    )
    assert saved.pk != shipped.pk and saved.municipality_id == municipality.pk
    assert {i.task_label: i.skill for i in shipped.items.all()} == SHIPPED
