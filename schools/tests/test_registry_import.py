"""Loading the school registry from a file: validation, all-or-nothing, idempotence."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.tabular import TabularFileError
from schools.models import Organisation, RegistryImport, School
from schools.services import registry_import_create, registry_import_run
from schools.tests.registry_files import registry_csv, registry_xlsx, school_row


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload as the page does; the test's transaction never commits, so run the task's
    on_commit callback (an eager Celery task in tests) right away."""

    def _upload(user, content: bytes, name: str = "reestr.csv") -> RegistryImport:
        with django_capture_on_commit_callbacks(execute=True):
            job = registry_import_create(user=user, uploaded_file=io.BytesIO(content), original_name=name)
        job.refresh_from_db()
        return job

    return _upload


@pytest.mark.django_db
def test_department_imports_a_csv_of_new_schools_into_its_municipality(upload, department, municipality):
    job = upload(department, registry_csv([school_row(n) for n in range(1, 6)]))

    assert job.status == RegistryImport.Status.DONE, job.errors
    assert (job.total_rows, job.created_count, job.updated_count) == (5, 5, 0)
    school = School.objects.select_related("organisation").get(code="edu700003")
    assert school.municipality == municipality
    assert school.organisation.municipality == municipality
    assert school.organisation.kind == Organisation.Kind.SCHOOL
    assert school.school_type == School.Type.OOSH
    assert (school.has_primary, school.has_basic, school.has_secondary) == (True, True, False)
    assert school.contingent == 103


@pytest.mark.django_db
def test_xlsx_with_a_title_above_the_header_imports_the_same(upload, department):
    job = upload(department, registry_xlsx([school_row(1), school_row(2)], title_rows=2), name="reestr.xlsx")

    assert job.status == RegistryImport.Status.DONE, job.errors
    assert job.created_count == 2


@pytest.mark.django_db
def test_cp1251_csv_with_commas_is_read(upload, department):
    job = upload(department, registry_csv([school_row(1)], delimiter=",", encoding="cp1251"))

    assert job.status == RegistryImport.Status.DONE, job.errors
    assert School.objects.get(code="edu700001").organisation.address.startswith("с. Берёзовка")


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(upload, department):
    content = registry_csv([school_row(n) for n in range(1, 4)])
    upload(department, content)
    before = list(School.objects.order_by("code").values())

    again = upload(department, content)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert list(School.objects.order_by("code").values()) == before


@pytest.mark.django_db
def test_changed_rows_update_existing_schools_by_code(upload, department):
    upload(department, registry_csv([school_row(1), school_row(2)]))

    job = upload(department, registry_csv([school_row(1, **{"Контингент": "999"}), school_row(2)]))

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    assert School.objects.get(code="edu700001").contingent == 999


@pytest.mark.django_db
def test_a_file_with_bad_rows_lists_every_error_and_writes_nothing(upload, department):
    rows = [
        school_row(1),
        school_row(2, **{"Код ОО": "school-2"}),
        school_row(3, **{"Тип": "Колледж"}),
        school_row(4, **{"Контингент": "много"}),
        school_row(5, **{"ИНН": "1234567890"}),
        school_row(6, **{"Код ОО": "edu700001"}),
        school_row(7, **{"Местность": ""}),
        school_row(8, **{"Широта": "200"}),
    ]

    job = upload(department, registry_csv(rows))

    assert job.status == RegistryImport.Status.FAILED
    assert School.objects.count() == 0
    assert Organisation.objects.count() == 0
    by_row = {(e["row"], e["column"].split(" ")[0]): e["message"] for e in job.errors}
    assert "не код ОО ФИС ОКО" in by_row[(3, "A")]
    assert "Неизвестный тип «Колледж»" in by_row[(4, "E")]
    assert "не целое неотрицательное число" in by_row[(5, "I")]
    assert "неверное контрольное число" in by_row[(6, "J")]
    assert "уже встречался в строке 2" in by_row[(7, "A")]
    assert "Городская" in by_row[(8, "F")]
    assert "вне диапазона" in by_row[(9, "M")]
    assert all(e["sheet"] == "CSV" for e in job.errors)


@pytest.mark.django_db
def test_missing_required_columns_are_named(upload, department):
    content = "Код ОО;Полное наименование\nedu700001;Школа\n".encode()

    job = upload(department, content)

    assert job.status == RegistryImport.Status.FAILED
    assert "Нет обязательных столбцов: Тип, Местность" in job.errors[0]["message"]


@pytest.mark.django_db
def test_department_cannot_touch_a_school_of_another_municipality(upload, department, foreign_school):
    job = upload(department, registry_csv([school_row(1, **{"Код ОО": foreign_school.code})]))

    assert job.status == RegistryImport.Status.FAILED
    assert "другом муниципалитете" in job.errors[0]["message"]
    foreign_school.refresh_from_db()
    assert foreign_school.organisation.short_name == "МБОУ Дальняя СОШ"


@pytest.mark.django_db
def test_department_cannot_add_schools_to_another_municipality(upload, department, foreign_municipality):
    job = upload(department, registry_csv([school_row(1, municipality=foreign_municipality.oktmo)]))

    assert job.status == RegistryImport.Status.FAILED
    assert "не найден или вам недоступен" in job.errors[0]["message"]
    assert not School.objects.exists()


@pytest.mark.django_db
def test_a_broken_xlsx_is_refused_in_russian_and_nothing_is_kept(upload, department):
    """Refused while the page waits (core.tabular's message on the form): no job, no stored file."""
    with pytest.raises(TabularFileError, match="повреждён"):
        upload(department, b"PK\x03\x04 this is not really a zip", name="reestr.xlsx")

    assert not RegistryImport.objects.exists()


@pytest.mark.django_db
def test_a_workbook_with_macros_is_refused(upload, department):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)

    with pytest.raises(TabularFileError, match="макрос"):
        upload(department, buffer.getvalue(), name="reestr.xlsx")

    assert not RegistryImport.objects.exists()


@pytest.mark.django_db
def test_running_the_task_twice_does_not_import_twice(upload, department):
    job = upload(department, registry_csv([school_row(1)]))

    registry_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == RegistryImport.Status.DONE
    assert job.created_count == 1
    assert School.objects.count() == 1


# --- pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_page_stores_the_file_and_redirects_to_the_job(client, department):
    client.force_login(department)
    upload = SimpleUploadedFile("Реестр 2026.csv", registry_csv([school_row(1)]), content_type="text/csv")

    response = client.post(reverse("schools:import"), {"file": upload})

    job = RegistryImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert job.original_name == "Реестр 2026.csv"
    assert "Реестр" not in job.file.name  # the stored name is ours, not the user's


@pytest.mark.django_db
def test_job_page_shows_counts_when_done_and_errors_when_failed(upload, client, department):
    client.force_login(department)
    done = upload(department, registry_csv([school_row(1)]))
    failed = upload(department, registry_csv([school_row(2, **{"Тип": "Колледж"})]))

    done_page = client.get(done.get_absolute_url())
    failed_page = client.get(failed.get_absolute_url(), headers={"HX-Request": "true"})

    assert "Реестр загружен" in done_page.text
    assert "добавлено школ: 1" in done_page.text
    assert "Ничего не записано" in failed_page.text
    assert "Неизвестный тип «Колледж»" in failed_page.text
    assert "<html" not in failed_page.text  # the htmx fragment, not the whole page


@pytest.mark.django_db
def test_a_queued_job_page_polls_for_progress(client, department):
    client.force_login(department)
    job = RegistryImport.objects.create(
        uploaded_by=department, municipality=department.municipality, original_name="x.csv", sha256="0" * 64
    )

    response = client.get(job.get_absolute_url())

    assert 'hx-trigger="every 1s"' in response.text
    assert "В очереди" in response.text


@pytest.mark.django_db
def test_a_broken_xls_file_is_refused_in_russian_and_nothing_is_written(upload, department):
    # .xls is read (python-calamine, issue #16); a file that only looks like one is told so.
    # Refused by the upload itself (the form shows the message): no job, no stored file.
    with pytest.raises(TabularFileError, match="Не удалось прочитать книгу Excel"):
        upload(department, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, name="old.xls")

    assert not RegistryImport.objects.exists()
    assert not School.objects.exists()


@pytest.mark.django_db
def test_template_download_is_a_workbook_with_every_column(client, department):
    client.force_login(department)

    response = client.get(reverse("schools:import_template"))

    from core.tabular import read_tables

    sheets = read_tables(io.BytesIO(response.content), "t.xlsx")
    assert sheets[0].rows[0][:3] == ["Код ОО", "Муниципалитет", "Полное наименование"]
    assert sheets[1].name == "Описание"


@pytest.mark.django_db
def test_template_row_itself_imports_cleanly(upload, client, department):
    client.force_login(department)
    content = client.get(reverse("schools:import_template")).content

    job = upload(department, content, name="t.xlsx")

    assert job.status == RegistryImport.Status.DONE, job.errors


# --- command ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_schools_command_loads_rows_naming_their_municipality(tmp_path, municipality, foreign_municipality):
    path = tmp_path / "region.csv"
    path.write_bytes(
        registry_csv([school_row(1, municipality=municipality.oktmo), school_row(2, municipality="Дальний район")])
    )
    out = io.StringIO()

    call_command("import_schools", str(path), stdout=out)

    assert "добавлено школ: 2" in out.getvalue()
    assert School.objects.get(code="edu700002").municipality == foreign_municipality


@pytest.mark.django_db
def test_import_schools_command_fails_on_errors_and_writes_nothing(tmp_path, municipality):
    path = tmp_path / "bad.csv"
    path.write_bytes(registry_csv([school_row(1, municipality=municipality.oktmo), school_row(2)]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Ничего не записано"):
        call_command("import_schools", str(path), stderr=err)

    assert "строка 3" in err.getvalue()
    assert "Не указан муниципалитет" in err.getvalue()
    assert not School.objects.exists()


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_is_queued_again_and_completes(
    department, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from schools.services import registry_imports_requeue_stale

    with django_capture_on_commit_callbacks(execute=False):
        job = registry_import_create(
            user=department, uploaded_file=io.BytesIO(registry_csv([school_row(1)])), original_name="r.csv"
        )
    RegistryImport.objects.filter(pk=job.pk).update(
        status=RegistryImport.Status.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        requeued = registry_imports_requeue_stale()

    job.refresh_from_db()
    assert requeued == [job.pk]
    assert job.status == RegistryImport.Status.DONE
    assert School.objects.count() == 1


@pytest.mark.django_db
def test_a_recently_started_job_is_not_taken_from_its_worker(department):
    from django.utils import timezone

    from schools.services import registry_imports_requeue_stale

    job = RegistryImport.objects.create(
        uploaded_by=department,
        municipality=department.municipality,
        original_name="x.csv",
        sha256="0" * 64,
        status=RegistryImport.Status.RUNNING,
        started_at=timezone.now(),
    )

    assert registry_imports_requeue_stale() == []
    job.refresh_from_db()
    assert job.status == RegistryImport.Status.RUNNING
