"""The registry pages: list with filters, card, export, create and edit."""

import io

import pytest
from django.urls import reverse

from core.tabular import read_tables
from reports.tests.registry import registry_xlsx
from schools.models import School
from tests.factories import SchoolFactory


@pytest.mark.django_db
def test_registry_lists_only_schools_of_the_department_municipality(client, department, school, foreign_school):
    client.force_login(department)

    response = client.get(reverse("schools:list"))

    assert "МБОУ СОШ № 1" in response.text
    assert "МБОУ Дальняя СОШ" not in response.text


@pytest.mark.django_db
def test_registry_filters_by_settlement_and_type(client, department, school, other_school):
    client.force_login(department)

    rural = client.get(reverse("schools:list"), {"settlement": "rural"})
    oosh = client.get(reverse("schools:list"), {"school_type": "sosh"})

    assert "МБОУ Берёзовская ООШ" in rural.text and "МБОУ СОШ № 1" not in rural.text
    assert "МБОУ СОШ № 1" in oosh.text and "МБОУ Берёзовская ООШ" not in oosh.text


@pytest.mark.django_db
def test_registry_search_finds_by_code_and_name(client, department, school, other_school):
    client.force_login(department)

    by_code = client.get(reverse("schools:list"), {"q": "edu980002"})
    by_name = client.get(reverse("schools:list"), {"q": "БЕРЕЗОВСКАЯ"})

    assert "МБОУ Берёзовская ООШ" in by_code.text and "МБОУ СОШ № 1" not in by_code.text
    assert "edu980002" in by_name.text


@pytest.mark.django_db
def test_htmx_request_gets_only_the_table_fragment(client, department, school):
    client.force_login(department)

    response = client.get(reverse("schools:list"), {"settlement": "urban"}, headers={"HX-Request": "true"})

    assert "<html" not in response.text
    assert 'id="registry-count"' in response.text


@pytest.mark.django_db
def test_registry_page_queries_do_not_grow_with_the_number_of_schools(
    client, department, municipality, django_assert_max_num_queries
):
    SchoolFactory.create_batch(120, municipality=municipality)
    client.force_login(department)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("schools:list"), {"sort": "contingent"})

    assert response.status_code == 200
    assert 'Найдено школ: <strong id="registry-count">120</strong>' in response.text


@pytest.mark.django_db
def test_registry_reads_one_page_of_schools_not_all_of_them(client, department, municipality):
    """The page number comes from a COUNT: no query reads every school of the municipality (a
    2,000-school municipality's page loaded them all before it was paginated, issue #20)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    SchoolFactory.create_batch(60, municipality=municipality)
    client.force_login(department)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("schools:list"), {"page": 2, "sort": "-contingent"})

    reads = [q["sql"] for q in captured if q["sql"].startswith('SELECT "schools_school"."id"')]
    assert reads and all(" LIMIT " in sql for sql in reads), reads
    assert 'Найдено школ: <strong id="registry-count">60</strong>' in response.text


@pytest.mark.django_db
def test_registry_is_paginated_by_fifty(client, department, municipality):
    SchoolFactory.create_batch(55, municipality=municipality)
    client.force_login(department)

    second = client.get(reverse("schools:list"), {"page": 2})

    assert second.text.count('href="/schools/') - second.text.count('href="/schools/import') >= 5
    assert 'Найдено школ: <strong id="registry-count">55</strong>' in second.text


@pytest.mark.django_db
def test_export_writes_the_filtered_schools_in_the_import_layout(
    client, department, school, other_school, foreign_school, django_capture_on_commit_callbacks
):
    client.force_login(department)

    content = registry_xlsx(client, django_capture_on_commit_callbacks, settlement="rural")

    rows = read_tables(io.BytesIO(content), "e.xlsx")[0].rows
    assert rows[0][0] == "Код ОО"
    assert [r[0] for r in rows[1:]] == ["edu980002"]


@pytest.mark.django_db
def test_an_export_loads_back_without_changes(
    client, department, school, other_school, django_capture_on_commit_callbacks
):
    from schools.services import registry_import_create

    client.force_login(department)
    content = registry_xlsx(client, django_capture_on_commit_callbacks)
    before = list(School.objects.order_by("code").values())

    with django_capture_on_commit_callbacks(execute=True):
        job = registry_import_create(user=department, uploaded_file=io.BytesIO(content), original_name="e.xlsx")
    job.refresh_from_db()

    assert job.status == "done", job.errors
    assert job.unchanged_count == 2
    assert list(School.objects.order_by("code").values()) == before


@pytest.mark.django_db
def test_school_card_shows_the_school(client, director, school):
    client.force_login(director)

    response = client.get(reverse("schools:detail", args=[school.pk]))

    assert "edu980001" in response.text
    assert "Редактировать" not in response.text


@pytest.mark.django_db
def test_department_adds_a_school_through_the_form(client, department, municipality):
    client.force_login(department)
    data = {
        "code": "EDU990123",
        "municipality": municipality.pk,
        "school_type": "lyceum",
        "settlement": "urban",
        "has_primary": "",
        "has_basic": "on",
        "has_secondary": "on",
        "head_name": "Смирнов Олег Петрович",
        "contingent": "640",
        "is_active": "on",
        "name": "Муниципальное автономное общеобразовательное учреждение «Лицей № 2»",
        "short_name": "МАОУ Лицей № 2",
        "inn": "",
        "ogrn": "",
        "address": "г. Заречный",
        "latitude": "",
        "longitude": "",
        "website": "",
        "email": "",
        "phone": "",
    }

    response = client.post(reverse("schools:create"), data)

    school = School.objects.get(code="edu990123")
    assert response.status_code == 302
    assert response["Location"] == school.get_absolute_url()
    assert school.organisation.municipality == municipality
    assert not school.has_primary


@pytest.mark.django_db
def test_form_errors_are_shown_in_russian_and_nothing_is_saved(client, department, municipality):
    client.force_login(department)

    response = client.post(
        reverse("schools:create"),
        {"code": "school-7", "municipality": municipality.pk, "name": "", "latitude": "54.1"},
    )

    assert response.status_code == 200
    assert "Код ОО в ФИС ОКО имеет вид edu203389" in response.text
    assert "Обязательное поле" in response.text
    assert "Координаты задаются парой" in response.text
    assert not School.objects.exists()


@pytest.mark.django_db
def test_department_edits_a_school_card_but_not_its_code(client, department, school):
    client.force_login(department)
    url = reverse("schools:edit", args=[school.pk])
    page = client.get(url)
    assert 'name="code"' in page.text and "disabled" in page.text

    response = client.post(
        url,
        {
            "code": "edu111111",
            "municipality": school.municipality_id,
            "school_type": "gymnasium",
            "settlement": "urban",
            "has_primary": "on",
            "has_basic": "on",
            "has_secondary": "on",
            "contingent": "700",
            "is_active": "on",
            "name": school.organisation.name,
            "short_name": "МБОУ Гимназия № 1",
        },
    )

    school.refresh_from_db()
    assert response.status_code == 302
    assert school.code == "edu980001"
    assert school.school_type == "gymnasium"
    assert school.organisation.short_name == "МБОУ Гимназия № 1"


@pytest.mark.django_db
def test_department_cannot_move_a_school_to_a_foreign_municipality(client, department, school, foreign_municipality):
    client.force_login(department)

    response = client.post(
        reverse("schools:edit", args=[school.pk]),
        {"municipality": foreign_municipality.pk, "school_type": "sosh", "settlement": "urban", "name": "X"},
    )

    assert response.status_code == 200
    school.refresh_from_db()
    assert school.municipality != foreign_municipality


@pytest.mark.django_db
def test_card_form_checks_the_inn_check_digit(client, department, school):
    client.force_login(department)

    response = client.post(
        reverse("schools:edit", args=[school.pk]),
        {
            "municipality": school.municipality_id,
            "school_type": "sosh",
            "settlement": "urban",
            "name": school.organisation.name,
            "inn": "1234567890",
        },
    )

    assert response.status_code == 200
    assert "неверное контрольное число" in response.text


def test_editing_a_school_card_is_written_to_the_audit_log(client, department, school):
    from core.models import AuditEvent

    client.force_login(department)

    response = client.post(
        reverse("schools:edit", args=[school.pk]),
        {
            "municipality": school.municipality_id,
            "school_type": "sosh",
            "settlement": "urban",
            "has_primary": "on",
            "contingent": "410",
            "is_active": "on",
            "name": school.organisation.name,
            "short_name": school.organisation.short_name,
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="school.changed")
    assert event.actor == department
    assert event.municipality_id == school.municipality_id
