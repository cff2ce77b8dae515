"""All or nothing, replace instead of duplicate, rollback, scope — DESIGN.md §6 «Every import»."""

import pytest

from monitoring import imports
from monitoring.imports.permissions import ROLLBACK_REPLACED, UPLOAD_NOT_ALLOWED
from monitoring.models import ContextData, ImportJob, ParticipantResult
from monitoring.tests.builders import (
    OGE_HEADER,
    VprSheet,
    context_csv,
    context_row,
    oge_row,
    rcoi_xlsx,
    vpr_f1_xlsx,
    vpr_row,
)


def _snapshot():
    return sorted(
        ParticipantResult.objects.values_list("pk", "school_id", "participant_key", "primary_score", "replaced_by_id")
    ), sorted(ContextData.objects.values_list("pk", "school_id", "contingent", "replaced_by_id"))


def _messages(job: ImportJob) -> list[str]:
    return [error["message"] for error in job.errors]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (vpr_row("10001", mark=6), "Отметка", "Отметка «6»: допустимы 2, 3, 4, 5."),
        (vpr_row("10001", journal=1), "Отметка по журналу", "Отметка по журналу «1»"),
        (vpr_row("10001", primary=9), "Первичный балл", "Первичный балл 9 больше максимального (8)."),
        (vpr_row("10001", primary="много"), "Первичный балл", "не целое неотрицательное число"),
        (vpr_row("10001", tasks=[3, 1, "X", 1, 2]), "1 (2б)", "Балл 3 больше максимального за это задание (2)."),
        (vpr_row("10001", tasks=["?", 1, "X", 1, 2]), "1 (2б)", "не балл"),
    ],
)
def test_bad_vpr_cell_gets_russian_message_naming_sheet_row_and_column_and_writes_nothing(
    department, school, run_import, row, column, message
):
    content = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("10000"), row]}))

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert ParticipantResult.objects.count() == 0
    [error] = job.errors
    assert error["sheet"] == "РУ 4 Индивидуальные результаты"
    assert error["row"] == 9  # 6 header rows, the group row, the good row, then this one
    assert column in error["column"]
    assert message in error["message"]


def test_unknown_school_code_is_listed_once_and_nothing_is_written(department, school, run_import):
    content = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")], "edu555555": [vpr_row("2"), vpr_row("3")]}))

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert job.unknown_school_codes == ["edu555555"]
    assert _messages(job) == [
        "Школа с кодом edu555555 не найдена в реестре (строк: 2, первая — 10). "
        "Добавьте её в реестр и загрузите файл снова."
    ]
    assert ParticipantResult.objects.count() == 0


def test_duplicate_participant_inside_the_file_is_an_error(department, school, run_import):
    content = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("10001"), vpr_row("10001", primary=3)]}))

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert _messages(job) == ["Участник повторяется: та же запись уже есть (строка 8)."]
    assert ParticipantResult.objects.count() == 0


def test_file_of_no_known_layout_is_refused_with_explanation(department, run_import):
    job = run_import(department, "Столбец А;Столбец Б\n1;2\n".encode(), name="results.csv")

    assert job.status == ImportJob.Status.FAILED
    assert "Не удалось определить формат файла по заголовку" in _messages(job)[0]


def test_bad_context_values_are_reported_per_column(department, school, run_import):
    content = context_csv(
        [context_row(school.code, low_income_share="120", year="2025/2027", certificates_9=50, contingent="")]
    )

    job = run_import(department, content, name="context.csv")

    assert job.status == ImportJob.Status.FAILED
    assert {error["column"] for error in job.errors} == {
        "A (Учебный год)",
        "C (Контингент)",
        "D (Доля малоимущих, %)",
        "O (Получили аттестат (9 класс))",
    }
    assert ContextData.objects.count() == 0


def test_rcoi_mark_outside_two_to_five_is_an_error(department, school, run_import):
    content = rcoi_xlsx(("01 - Русский язык 2025.06.09", OGE_HEADER, [oge_row(1, school.code, "Иванов", mark=1)]))

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["column"] == "P (Оценка)"
    assert ParticipantResult.objects.count() == 0


def test_reimporting_the_same_file_leaves_the_database_unchanged(department, school, other_school, run_import):
    content = vpr_f1_xlsx(
        VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")], other_school.code: [vpr_row("3")]})
    )
    first = run_import(department, content)
    before = _snapshot()

    again = run_import(department, content)

    assert again.status == ImportJob.Status.DONE
    assert (again.rows_created, again.rows_replaced, again.slices_unchanged) == (0, 0, 2)
    assert _snapshot() == before
    assert first.rows_created == 3


def test_new_data_for_a_slice_replace_the_old_instead_of_duplicating(department, school, other_school, run_import):
    run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]})))
    corrected = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", primary=7, mark=5)]}))

    job = run_import(department, corrected)

    assert (job.rows_created, job.rows_replaced, job.slices_written) == (1, 2, 1)
    current = ParticipantResult.objects.filter(replaced_by__isnull=True)
    assert list(current.values_list("primary_score", flat=True)) == [7]
    assert ParticipantResult.objects.filter(replaced_by=job).count() == 2


def test_rollback_restores_exactly_the_state_before_the_job(department, school, run_import):
    run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]})))
    run_import(department, context_csv([context_row(school.code)]), name="c.csv")
    before = _snapshot()
    vpr = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", primary=3, mark=3)]})))
    context = run_import(department, context_csv([context_row(school.code, contingent=999)]), name="c.csv")
    assert _snapshot() != before

    imports.import_job_rollback(job=context, user=department)
    imports.import_job_rollback(job=vpr, user=department)

    assert _snapshot() == before
    vpr.refresh_from_db()
    assert (vpr.status, vpr.rolled_back_by) == (ImportJob.Status.ROLLED_BACK, department)


def test_rollback_is_refused_while_a_later_job_replaced_its_rows(department, school, run_import):
    first = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")]})))
    second = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", primary=2, mark=2)]})))

    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_job_rollback(job=first, user=department)

    assert refused.value.message == ROLLBACK_REPLACED.format(numbers=f"№{second.pk}")
    assert refused.value.extra == {"later_jobs": [second.pk]}

    assert ImportJob.objects.get(pk=first.pk).status == ImportJob.Status.DONE


def test_director_cannot_upload_rows_of_another_school(director, school, other_school, run_import):
    content = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")], other_school.code: [vpr_row("2")]}))

    job = run_import(director, content)

    assert job.status == ImportJob.Status.FAILED
    assert job.school == school
    assert _messages(job) == [
        f"Строки школы {other_school.code} (строк: 1, первая — 10): "
        "руководитель может загружать данные только своей школы."
    ]
    assert ParticipantResult.objects.count() == 0


def test_director_may_upload_own_school(director, school, run_import):
    job = run_import(director, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")]})))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.municipality_id == school.municipality_id


def test_department_cannot_load_schools_of_another_municipality(department, foreign_school, run_import):
    job = run_import(department, context_csv([context_row(foreign_school.code)]), name="c.csv")

    assert job.status == ImportJob.Status.FAILED
    assert "относится к другому муниципалитету" in _messages(job)[0]


def test_running_the_task_twice_does_nothing_the_second_time(department, school, run_import):
    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")]})))

    assert imports.results_import_run(job_id=job.pk) is None
    assert ParticipantResult.objects.count() == 1


def test_teacher_cannot_create_an_import(teacher):
    import io

    with pytest.raises(imports.ImportRefused) as refused:
        imports.results_import_create(user=teacher, uploaded_file=io.BytesIO(b"a;b\n"), original_name="x.csv")
    assert refused.value.message == UPLOAD_NOT_ALLOWED


def test_a_written_import_and_its_rollback_go_to_the_audit_log(department, school, run_import):
    from core.models import AuditEvent

    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]})))
    imports.import_job_rollback(job=job, user=department)

    events = list(AuditEvent.objects.order_by("pk").values_list("action", "actor", "municipality"))
    assert events == [
        ("results_import.done", department.pk, school.municipality_id),
        ("results_import.rolled_back", department.pk, school.municipality_id),
    ]
