"""Imports of a school's list of teachers and of diagnostics: row errors, all or nothing, upsert."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from teachers import services
from teachers.formats import ROSTER_COLUMNS
from teachers.models import Deficit, Diagnosis, Teacher
from teachers.tests.factories import CompetenceFactory, TeacherFactory

pytestmark = pytest.mark.django_db

HEADER = ";".join(column.title for column in ROSTER_COLUMNS)
ROWS = [
    "Орлова;Наталья;Геннадьевна;Учитель русского языка;русский язык, литература;17;Первая;нет;Orlova@Example.ru;да",
    "Ким;Алексей;;Учитель математики;математика;1;;да;;",
]


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO("\n".join(lines).encode("utf-8"))


def import_roster(school, *lines):
    return services.teachers_import(school=school, fileobj=csv_file(*lines), name="pedagogi.csv", user=None)


def test_a_roster_file_creates_the_schools_teachers(school):
    result = import_roster(school, HEADER, *ROWS)

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    orlova = Teacher.objects.get(school=school, last_name="Орлова")
    assert orlova.full_name == "Орлова Наталья Геннадьевна"
    assert (orlova.experience_years, orlova.category, orlova.email) == (17, Teacher.Category.FIRST, "orlova@example.ru")
    kim = Teacher.objects.get(school=school, last_name="Ким")
    assert kim.is_young_specialist and kim.is_active and kim.category == Teacher.Category.NONE


def test_importing_the_same_file_again_changes_nothing(school):
    import_roster(school, HEADER, *ROWS)
    before = list(Teacher.objects.values())

    result = import_roster(school, HEADER, *ROWS)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(Teacher.objects.values()) == before


def test_a_reimport_updates_teachers_by_name_ignoring_case_and_yo(school):
    TeacherFactory(school=school, last_name="Орлова", first_name="Наталья", middle_name="Геннадьевна", category="none")

    result = import_roster(school, HEADER, ROWS[0].replace("Орлова", "ОРЛОВА"))

    assert (result.created, result.updated) == (0, 1)
    assert Teacher.objects.get(school=school).category == Teacher.Category.FIRST


def test_the_same_names_at_another_school_are_other_people(school, other_school):
    import_roster(other_school, HEADER, ROWS[0])

    import_roster(school, HEADER, ROWS[0])

    assert Teacher.objects.filter(last_name="Орлова").count() == 2


def test_a_file_with_a_bad_row_writes_nothing_and_names_row_and_column(school):
    bad = ROWS[1].replace(";1;;да;", ";сто;Вторая;может быть;")

    with pytest.raises(services.ImportRejected) as caught:
        import_roster(school, HEADER, ROWS[0], bad, ";Пётр;;;;;;;not-an-email;")

    assert not Teacher.objects.exists()
    found = {(e.row, e.column.split(" ")[0]) for e in caught.value.errors}
    assert found == {(3, "F"), (3, "G"), (3, "H"), (4, "A"), (4, "I")}
    assert all(e.message for e in caught.value.errors)


def test_a_teacher_twice_in_the_file_is_an_error(school):
    with pytest.raises(services.ImportRejected) as caught:
        import_roster(school, HEADER, ROWS[0], ROWS[0])

    assert [(e.row, "строке 2" in e.message) for e in caught.value.errors] == [(3, True)]


def test_a_file_without_the_header_is_refused_with_the_needed_columns(school):
    with pytest.raises(services.ImportRejected) as caught:
        import_roster(school, "ФИО;Должность", "Орлова Н. Г.;учитель")

    assert "«Фамилия»" in caught.value.errors[0].message


def test_an_xlsx_roster_with_columns_in_another_order_is_read(school):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Список педагогов МБОУ СОШ № 1"])
    sheet.append(["Имя", "Фамилия", "Стаж (лет)", "Лишний столбец"])
    sheet.append(["Ольга", "Петрова", 3.0, "что угодно"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    services.teachers_import(school=school, fileobj=buffer, name="spisok.xlsx", user=None)

    assert Teacher.objects.get(school=school).experience_years == 3


def test_the_director_uploads_the_list_of_their_school_on_the_page(client, director, school):
    client.force_login(director)
    upload = SimpleUploadedFile("p.csv", "\n".join([HEADER, *ROWS]).encode())

    response = client.post(reverse("teachers:roster_import", args=[school.pk]), {"file": upload})

    assert response.status_code == 200
    assert "добавлено 2" in response.content.decode()
    assert Teacher.objects.filter(school=school).count() == 2
    event = AuditEvent.objects.get(action="teachers.imported")
    assert (event.actor, event.municipality_id, event.details["created"]) == (director, school.municipality_id, 2)


def test_the_page_lists_row_errors_in_russian(client, director, school):
    client.force_login(director)
    upload = SimpleUploadedFile("p.csv", "\n".join([HEADER, ROWS[0].replace(";17;", ";-3;")]).encode())

    body = client.post(reverse("teachers:roster_import", args=[school.pk]), {"file": upload}).content.decode()

    assert "ничего не записано" in body.lower()
    assert "строка 2, столбец F (Стаж (лет))" in body
    assert not Teacher.objects.exists()


def test_the_director_cannot_upload_to_another_school(client, director, other_school):
    client.force_login(director)
    upload = SimpleUploadedFile("p.csv", "\n".join([HEADER, *ROWS]).encode())

    response = client.post(reverse("teachers:roster_import", args=[other_school.pk]), {"file": upload})

    assert response.status_code == 404
    assert not Teacher.objects.exists()


def test_the_roster_template_has_the_columns_and_a_description_sheet(client, director):
    client.force_login(director)

    response = client.get(reverse("teachers:roster_template"))

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Педагоги", "Описание"]
    assert [c.value for c in workbook["Педагоги"][1]][:3] == ["Фамилия", "Имя", "Отчество"]


# --- Diagnostics ----------------------------------------------------------------------------------

DIAG_HEADER = "Фамилия;Имя;Отчество;Компетенция;Результат (%);Дата;Источник"


@pytest.fixture
def orlova(school):
    return TeacherFactory(school=school, last_name="Орлова", first_name="Наталья", middle_name="Геннадьевна")


@pytest.fixture
def literacy():
    return CompetenceFactory(name="Функциональная грамотность", threshold=Decimal("60"))


def import_diagnostics(school, user, *lines):
    return services.diagnostics_import(school=school, fileobj=csv_file(*lines), name="diag.csv", user=user)


def test_imported_diagnostics_open_and_close_deficits(school, director, orlova, literacy):
    import_diagnostics(
        school,
        director,
        DIAG_HEADER,
        "Орлова;Наталья;Геннадьевна;функциональная грамотность;48,5;15.10.2025;ЦНППМ",
        "Орлова;Наталья;Геннадьевна;Функциональная грамотность;72;2026-03-20;ИМЦ, итоговая",
    )

    deficit = Deficit.objects.get(teacher=orlova)
    assert (deficit.opened_by.score, deficit.opened_by.date) == (Decimal("48.50"), dt.date(2025, 10, 15))
    assert deficit.closed_by.date == dt.date(2026, 3, 20)
    assert set(Diagnosis.objects.values_list("method", flat=True)) == {Diagnosis.Method.IMPORT}


def test_reimporting_diagnostics_changes_nothing(school, director, orlova, literacy):
    lines = (DIAG_HEADER, "Орлова;Наталья;Геннадьевна;Функциональная грамотность;48;15.10.2025;ЦНППМ")
    import_diagnostics(school, director, *lines)

    result = import_diagnostics(school, director, *lines)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Diagnosis.objects.count() == 1 and Deficit.objects.count() == 1
    assert AuditEvent.objects.filter(action="diagnostics.imported").count() == 1  # the second run wrote nothing


def test_diagnostics_of_unknown_teachers_or_competences_write_nothing(school, director, orlova, literacy):
    with pytest.raises(services.ImportRejected) as caught:
        import_diagnostics(
            school,
            director,
            DIAG_HEADER,
            "Орлова;Наталья;Геннадьевна;Функциональная грамотность;48;15.10.2025;ЦНППМ",
            "Иванов;Иван;;Функциональная грамотность;48;15.10.2025;ЦНППМ",
            "Орлова;Наталья;Геннадьевна;Астрология;48;15.10.2025;ЦНППМ",
            "Орлова;Наталья;Геннадьевна;Функциональная грамотность;148;32.10.2025;ЦНППМ",
        )

    assert not Diagnosis.objects.exists()
    messages = [(e.row, e.message) for e in caught.value.errors]
    assert [row for row, _ in messages] == [5, 5, 3, 4]
    assert "нет в списке педагогов школы" in messages[2][1]
    assert "нет в каталоге" in messages[3][1]


def test_a_teacher_of_another_school_is_not_found_by_the_diagnostics_import(school, other_school, director, literacy):
    TeacherFactory(school=other_school, last_name="Орлова", first_name="Наталья", middle_name="Геннадьевна")

    with pytest.raises(services.ImportRejected):
        import_diagnostics(
            school, director, DIAG_HEADER, "Орлова;Наталья;Геннадьевна;Функциональная грамотность;48;15.10.2025;ЦНППМ"
        )
