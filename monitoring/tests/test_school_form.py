"""A school's ВПР «форма сбора результатов» (sheet «Протокол») is accepted when the uploader chooses
the school, subject and grade in the form (issue #16); every row counted, totals checked."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import Workbook

from monitoring import imports
from monitoring.models import AssessmentStructure, ImportJob, ParticipantResult, Procedure, Subject
from schools.years import start_year_of

HEADER = ["Код участника", "Вариант", "Порядковый номер класса", "1 (5б)", "2 (1б)", "4К1 (3б)",
          "Отметка за предыдущий триместр (четверть, полугодие)", "Итого баллов"]  # fmt: skip
ROWS = [
    ["10001", "1", 1, 5, 1, 3, 5, 9],
    ["10002", "2", 1, 2, "X", 1, "нет отметки", 3],
    ["10003", "1", 2, 0, 0, 0, 3, None],  # an empty total is the sum of the tasks
]


def form_xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Протокол"
    sheet.append(["Форма сбора результатов ВПР"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append(["Всего участников: 3"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_form_of_a_school_imports_with_the_school_subject_and_grade_chosen(
    client, director, school, django_capture_on_commit_callbacks
):
    client.force_login(director)
    subject = Subject.objects.get(name="Литературное чтение")
    upload = io.BytesIO(form_xlsx(ROWS))
    upload.name = "forma.xlsx"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("monitoring:import_upload"),
            {"file": upload, "form_school": school.pk, "form_subject": subject.pk, "form_grade": 4},
        )

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.layout, job.total_rows, job.rows_created, job.rows_skipped) == (ImportJob.Layout.SCHOOL_FORM, 4, 3, 1)
    stored = sorted(
        ParticipantResult.objects.values_list(
            "procedure", "subject__name", "grade", "class_name", "primary_score", "mark", "journal_mark", "task_scores"
        )
    )
    assert stored == [
        (Procedure.VPR, "Литературное чтение", 4, "4-1", 3, None, None, "2,X,1"),
        (Procedure.VPR, "Литературное чтение", 4, "4-1", 9, None, 5, "5,1,3"),
        (Procedure.VPR, "Литературное чтение", 4, "4-2", 0, None, 3, "0,0,0"),
    ]
    assert {r.year.start_year for r in ParticipantResult.objects.select_related("year")} == {
        start_year_of(job.created_at.date())
    }
    structure = AssessmentStructure.objects.get(procedure=Procedure.VPR, subject=subject, grade=4)
    assert list(structure.tasks.values_list("label", "max_score")) == [("1", 5), ("2", 1), ("4К1", 3)]


def test_without_a_subject_and_grade_the_form_is_refused_with_what_to_choose(department, school, run_import):
    job = run_import(department, form_xlsx(ROWS))

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"].startswith("Это форма сбора результатов ВПР школы")


def test_a_total_that_is_not_the_sum_of_the_tasks_is_an_error(department, school, django_capture_on_commit_callbacks):
    rows = [["10001", "1", 1, 5, 1, 3, 5, 10]]
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.results_import_create(
            user=department, uploaded_file=io.BytesIO(form_xlsx(rows)), original_name="forma.xlsx",
            form_school=school, form_subject=Subject.objects.get(code="01"), form_grade=4,
        )  # fmt: skip
    job.refresh_from_db()

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "Итого баллов 10, а сумма баллов за задания 9."
    assert ParticipantResult.objects.count() == 0


def test_a_school_outside_the_uploaders_scope_is_refused(director, other_school):
    import pytest

    with pytest.raises(imports.ImportRefused):
        imports.results_import_create(
            user=director, uploaded_file=io.BytesIO(form_xlsx(ROWS)), original_name="forma.xlsx",
            form_school=other_school, form_subject=Subject.objects.get(code="01"), form_grade=4,
        )  # fmt: skip
