"""Pages of the results import: upload, job page, history, errors XLSX, rollback, scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from monitoring.models import ImportJob, ParticipantResult
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row


def _f1(school, **row):
    return vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", **row)]}))


def test_department_uploads_a_file_and_lands_on_the_finished_job_page(
    client, department, school, django_capture_on_commit_callbacks
):
    client.force_login(department)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("monitoring:import_upload"), {"file": SimpleUploadedFile("f1.xlsx", _f1(school))}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert 'data-status="done"' in client.get(response.url).content.decode()
    # The upload is deleted once the job ends (monitoring.imports.retention; its stored name: test_personal_data).
    assert job.file.name == ""


def test_job_page_polls_with_htmx_while_the_job_runs(client, department, school):
    job = ImportJob.objects.create(uploaded_by=department, municipality=school.municipality, sha256="0" * 64)
    client.force_login(department)

    response = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and "<html" not in body


def test_failed_job_shows_the_error_table_and_offers_it_as_xlsx(client, department, school, run_import):
    job = run_import(department, _f1(school, mark=7))
    client.force_login(department)

    page = client.get(job.get_absolute_url()).content.decode()
    download = client.get(reverse("monitoring:import_errors", args=[job.pk]))

    assert "Отметка «7»: допустимы 2, 3, 4, 5." in page
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert [cell.value for cell in sheet[2]] == [
        "РУ 4 Индивидуальные результаты",
        8,
        "M (Отметка)",
        "Отметка «7»: допустимы 2, 3, 4, 5.",
    ]


def test_macro_workbook_is_refused_on_the_upload_form(client, department):
    client.force_login(department)

    response = client.post(reverse("monitoring:import_upload"), {"file": SimpleUploadedFile("f.xlsm", b"PK\x03\x04x")})

    assert "Файлы с макросами (.xlsm) не принимаются" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_oversized_upload_is_refused_on_the_form(client, department, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(department)

    response = client.post(reverse("monitoring:import_upload"), {"file": SimpleUploadedFile("f.csv", b"a;b\n" * 1000)})

    assert "Файл больше допустимых" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_department_rolls_back_a_job_after_confirmation(client, department, school, run_import):
    job = run_import(department, _f1(school))
    client.force_login(department)
    url = reverse("monitoring:import_rollback", args=[job.pk])

    assert "Да, отменить загрузку" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 302
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.ROLLED_BACK
    assert not ParticipantResult.objects.exists()


def test_director_cannot_roll_back_even_their_own_job(client, director, school, run_import):
    job = run_import(director, _f1(school))
    client.force_login(director)

    assert client.post(reverse("monitoring:import_rollback", args=[job.pk])).status_code == 404
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE


@pytest.mark.parametrize("name", ["import_detail", "import_errors", "import_rollback"])
def test_outsider_sees_no_job_of_another_municipality(client, outsider, department, school, run_import, name):
    job = run_import(department, _f1(school), name="zarechny-vpr.xlsx")
    client.force_login(outsider)

    assert client.get(reverse(f"monitoring:{name}", args=[job.pk])).status_code == 404
    assert "zarechny-vpr.xlsx" not in client.get(reverse("monitoring:import_list")).content.decode()


def test_history_lists_jobs_of_the_municipality_and_filters_by_status(
    client, department, methodologist, school, run_import
):
    done = run_import(department, _f1(school), name="good.xlsx")
    run_import(department, _f1(school, mark=9), name="bad.xlsx")
    client.force_login(methodologist)

    everything = client.get(reverse("monitoring:import_list")).content.decode()
    only_done = client.get(reverse("monitoring:import_list"), {"status": "done"}).content.decode()

    assert "good.xlsx" in everything and "bad.xlsx" in everything
    assert "good.xlsx" in only_done and "bad.xlsx" not in only_done
    assert done.get_absolute_url() in only_done


@pytest.mark.parametrize("role", ["teacher", "curator", "methodologist"])
def test_only_region_department_and_director_may_open_the_upload_page(client, cast, role):
    client.force_login(cast[role])

    assert client.get(reverse("monitoring:import_upload")).status_code == 403


@pytest.mark.parametrize(("role", "offered"), [("department", True), ("region", False), ("director", False)])
def test_only_a_department_is_offered_its_own_rows_of_a_regional_file(client, cast, role, offered):
    client.force_login(cast[role])

    page = client.get(reverse("monitoring:import_upload")).content.decode()

    assert ("только строки моего муниципалитета" in page.lower()) is offered


def test_context_template_downloads_with_every_documented_column(client, director):
    client.force_login(director)

    response = client.get(reverse("monitoring:import_template"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["Учебный год", "Код ОО", "Контингент"]
    assert sheet["B2"].value == director.school.code


def test_history_renders_with_a_bounded_number_of_queries(
    client, department, school, run_import, django_assert_max_num_queries
):
    for _ in range(5):
        run_import(department, _f1(school, mark=9))
    client.force_login(department)

    with django_assert_max_num_queries(8):
        assert client.get(reverse("monitoring:import_list")).status_code == 200
