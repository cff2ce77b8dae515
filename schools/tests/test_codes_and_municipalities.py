"""Several codes per school on the card and in the registry; municipalities kept by the region role."""

import io

import pytest
from django.urls import reverse

from schools.models import Municipality, RegistryImport, School
from schools.services import MUNICIPALITY_EXISTS, registry_import_create
from schools.tests.registry_files import registry_csv, school_row
from tests.factories import SchoolFactory


def _card(school, **changes) -> dict:
    data = {
        "municipality": school.municipality_id,
        "school_type": school.school_type,
        "settlement": school.settlement,
        "has_primary": "on",
        "has_basic": "on",
        "has_secondary": "on",
        "is_active": "on",
        "name": school.organisation.name,
        "short_name": school.organisation.short_name,
        "inn": school.organisation.inn,
        "ogrn": school.organisation.ogrn,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_department_sets_the_rcoi_code_inn_and_ogrn_on_the_school_card(client, department, school):
    client.force_login(department)

    response = client.post(reverse("schools:edit", args=[school.pk]), _card(school, rcoi_code="9306"))

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.rcoi_code == "9306"
    page = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert "Код РЦОИ" in page and "<code>9306</code>" in page
    assert school.organisation.inn in page


@pytest.mark.django_db
def test_an_rcoi_code_is_unique_within_the_region_only(client, department, school, other_school, foreign_school):
    other_school.rcoi_code = "9306"
    other_school.save()
    foreign_school.rcoi_code = "4401"
    foreign_school.save()
    client.force_login(department)

    taken = client.post(reverse("schools:edit", args=[school.pk]), _card(school, rcoi_code="9306"))
    elsewhere = client.post(reverse("schools:edit", args=[school.pk]), _card(school, rcoi_code="4401"))

    assert taken.status_code == 200 and "Код РЦОИ 9306 уже у школы" in taken.content.decode()
    assert elsewhere.status_code == 302
    school.refresh_from_db()
    assert school.rcoi_code == "4401"


@pytest.mark.django_db
def test_the_registry_file_carries_the_rcoi_code(department, django_capture_on_commit_callbacks):
    rows = [school_row(1, **{"Код РЦОИ": "9306"}), school_row(2, **{"Код РЦОИ": "9306"}), school_row(3)]
    with django_capture_on_commit_callbacks(execute=True):
        job = registry_import_create(
            user=department, uploaded_file=io.BytesIO(registry_csv(rows)), original_name="r.csv"
        )
    job.refresh_from_db()
    assert job.status == RegistryImport.Status.FAILED
    assert [e["message"] for e in job.errors] == ["Код РЦОИ 9306 уже встречался в строке 2."]

    rows[1]["Код РЦОИ"] = "9307"
    with django_capture_on_commit_callbacks(execute=True):
        job = registry_import_create(
            user=department, uploaded_file=io.BytesIO(registry_csv(rows)), original_name="r.csv"
        )
    job.refresh_from_db()
    assert job.status == RegistryImport.Status.DONE, job.errors
    assert dict(School.objects.filter(code__startswith="edu70000").values_list("code", "rcoi_code")) == {
        "edu700001": "9306",
        "edu700002": "9307",
        "edu700003": "",
    }


@pytest.mark.django_db
def test_an_rcoi_code_taken_by_another_school_of_the_region_is_refused(
    department, municipality, django_capture_on_commit_callbacks
):
    SchoolFactory(municipality=municipality, code="edu980009", rcoi_code="9306")
    with django_capture_on_commit_callbacks(execute=True):
        job = registry_import_create(
            user=department,
            uploaded_file=io.BytesIO(registry_csv([school_row(1, **{"Код РЦОИ": "9306"})])),
            original_name="r.csv",
        )
    job.refresh_from_db()
    assert [e["message"] for e in job.errors] == ["Код РЦОИ 9306 уже у школы edu980009 этого региона."]


@pytest.mark.django_db
def test_the_region_role_adds_a_municipality_and_the_regional_group(client, region_user, region):
    client.force_login(region_user)
    url = reverse("schools:municipalities")

    added = client.post(url, {"name": "Смидовичский муниципальный район", "oktmo": "99630000", "fis_oko_code": ""})
    group = client.post(url, {"regional_group": "1"})
    again = client.post(url, {"regional_group": "1"})
    twice = client.post(url, {"name": "Смидовичский муниципальный район", "oktmo": "99630001", "fis_oko_code": ""})

    assert added.status_code == group.status_code == again.status_code == 302
    assert Municipality.objects.get(oktmo="99630000").region == region
    regional = Municipality.objects.get(region=region, is_regional_group=True)
    assert (regional.name, regional.oktmo) == ("Региональное подчинение", None)
    assert twice.status_code == 200
    assert MUNICIPALITY_EXISTS.format(name="Смидовичский муниципальный район") in twice.content.decode()
    page = client.get(url).content.decode()
    assert "региональное подчинение" in page and "Смидовичский муниципальный район" in page


@pytest.mark.django_db
def test_a_school_of_regional_subordination_lives_in_the_group(region, region_user, client):
    from schools.services import regional_group_ensure

    group = regional_group_ensure(region=region, actor=region_user)
    school = SchoolFactory(municipality=group, code="edu980777", school_type="boarding")
    client.force_login(region_user)

    page = client.get(reverse("schools:detail", args=[school.pk]))

    assert page.status_code == 200 and "Региональное подчинение" in page.content.decode()


@pytest.mark.django_db
def test_a_department_cannot_add_municipalities(client, department):
    client.force_login(department)

    response = client.post(reverse("schools:municipalities"), {"name": "X", "oktmo": "99630000"})

    assert response.status_code == 403
    assert not Municipality.objects.filter(oktmo="99630000").exists()
