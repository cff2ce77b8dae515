"""A foreign register through the mapping step: columns and values mapped once, then by themselves."""

import io

import pytest
from django.urls import reverse

from schools.models import RegistryColumnMapping, RegistryImport, School
from schools.services import registry_import_create
from schools.tests.foreign_register import FOREIGN_HEADER, SETTLEMENTS, TYPES, foreign_register_csv


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    def _upload(user, content: bytes, name: str = "reestr.csv", **kwargs) -> RegistryImport:
        with django_capture_on_commit_callbacks(execute=True):
            job = registry_import_create(user=user, uploaded_file=io.BytesIO(content), original_name=name, **kwargs)
        job.refresh_from_db()
        return job

    return _upload


def _accept_suggestions(client, job, django_capture_on_commit_callbacks, *, values: dict[str, str], **extra):
    """Post the mapping page as a user who keeps every suggestion and answers only the unknown values."""
    page = client.get(reverse("schools:import_mapping", args=[job.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: field.initial or "" for name, field in form.fields.items() if name.startswith("col_")}
    for _key, value, name in form.value_rows:
        data[name] = values[value]
    data.update(extra)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:import_mapping", args=[job.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    job.refresh_from_db()
    return page, job


@pytest.mark.django_db
def test_a_thousand_school_register_with_foreign_columns_loads_in_one_pass(
    client, department, municipality, upload, django_capture_on_commit_callbacks
):
    job = upload(department, foreign_register_csv(range(1, 1001)))
    assert job.status == RegistryImport.Status.MAPPING

    client.force_login(department)
    page, job = _accept_suggestions(
        client, job, django_capture_on_commit_callbacks, values={"Вахтовый посёлок": "rural"}
    )

    suggested = {
        FOREIGN_HEADER[col]: key for col, key in ((v, k) for k, v in page.context["proposal"].suggested.items())
    }
    assert suggested == {
        "Муниципальный район": "municipality",
        "Полное наименование образовательной организации": "name",
        "Сокращенное наименование": "short_name",
        "Идентификатор в ФИС ОКО": "code",
        "Тип образовательной организации": "school_type",
        "Городская/сельская местность": "settlement",
        "ФИО руководителя": "head_name",
        "Численность обучающихся": "contingent",
        "ИНН": "inn",
        "Юридический адрес": "address",
        "Широта": "latitude",
        "Долгота": "longitude",
        "Адрес сайта": "website",
        "Адрес электронной почты": "email",
        "Контактный телефон": "phone",
    }
    assert [value for _key, value, _name in page.context["form"].value_rows] == ["Вахтовый посёлок"]
    assert job.status == RegistryImport.Status.DONE, job.errors[:5]
    assert (job.total_rows, job.created_count, job.rejected_count) == (1000, 1000, 0)
    assert School.objects.filter(municipality=municipality).count() == 1000

    for n in (1, 2, 3, 4, 5, 6, 7, 8, 10):
        school = School.objects.select_related("organisation").get(code=f"edu{790000 + n}")
        org = school.organisation
        assert school.school_type == TYPES[n % len(TYPES)][1]
        assert school.settlement == (SETTLEMENTS[n % len(SETTLEMENTS)][1] or "rural")
        assert str(org.latitude) == "48.794600" and str(org.longitude) == "132.921700"
        assert org.website == (f"http://school{n}.example.ru" if n % 2 else f"https://school{n}.example.ru")
        assert org.email == f"school{n}@example.ru"
        assert school.contingent == 200 + n % 700
    notes = {(note["row"], note["message"].split(" ")[0]) for note in job.notes}
    # Row 3 of the file is school 1 (a title row and the header above it).
    assert (3, "К") in notes  # «К адресу сайта … добавлено http://»
    assert (12, "В") in notes  # school 10: «В ячейке несколько адресов; сохранён первый …»
    assert len(job.notes) == 500 + 100


@pytest.mark.django_db
def test_a_second_file_of_the_same_shape_maps_itself(client, department, upload, django_capture_on_commit_callbacks):
    first = upload(department, foreign_register_csv(range(1, 21)))
    client.force_login(department)
    _accept_suggestions(client, first, django_capture_on_commit_callbacks, values={"Вахтовый посёлок": "rural"})
    assert RegistryColumnMapping.objects.count() == 1

    second = upload(department, foreign_register_csv(range(1, 41)), name="reestr-2.csv")

    assert second.status == RegistryImport.Status.DONE, second.errors[:5]
    assert (second.created_count, second.unchanged_count) == (20, 20)


@pytest.mark.django_db
def test_valid_rows_import_while_the_rejected_ones_are_listed(
    client, department, upload, django_capture_on_commit_callbacks
):
    content = foreign_register_csv(range(1, 11)).decode("utf-8-sig")
    content = content.replace("edu790004", "school-4")  # not a ФИС ОКО login
    job = upload(department, content.encode("utf-8-sig"))
    client.force_login(department)
    _, job = _accept_suggestions(
        client, job, django_capture_on_commit_callbacks, values={"Вахтовый посёлок": ""}, import_valid_only="on"
    )

    assert job.status == RegistryImport.Status.DONE
    # School 4 has a bad code; schools 3 and 7 are in a «Вахтовый посёлок» left unmapped.
    assert (job.created_count, job.rejected_count) == (7, 3)
    assert sorted({e["row"] for e in job.errors}) == [5, 6, 9]  # school n is on row n + 2
    assert not School.objects.filter(code__in=["edu790003", "edu790007"]).exists()
    detail = client.get(reverse("schools:import_detail", args=[job.pk]))
    assert "отклонено строк с ошибками: 3" in detail.content.decode()


@pytest.mark.django_db
def test_without_the_choice_a_bad_row_still_writes_nothing(
    client, department, upload, django_capture_on_commit_callbacks
):
    job = upload(department, foreign_register_csv(range(1, 11)))
    client.force_login(department)
    _, job = _accept_suggestions(client, job, django_capture_on_commit_callbacks, values={"Вахтовый посёлок": ""})

    assert job.status == RegistryImport.Status.FAILED
    assert School.objects.count() == 0
    assert any("Вахтовый посёлок" in e["message"] for e in job.errors)


@pytest.mark.django_db
def test_a_mapping_without_the_required_fields_is_refused(client, department, upload):
    job = upload(department, foreign_register_csv(range(1, 3)))
    client.force_login(department)

    response = client.post(reverse("schools:import_mapping", args=[job.pk]), {"col_2": "name"})

    assert response.status_code == 200
    assert "Не выбраны обязательные поля: Код ОО, Тип, Местность." in response.content.decode()
    job.refresh_from_db()
    assert job.status == RegistryImport.Status.MAPPING
