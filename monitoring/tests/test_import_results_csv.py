"""The canonical participant-results CSV/XLSX: counts, every bad input, re-import, rollback."""

import importlib.util

import pytest
from django.conf import settings
from django.urls import reverse

from monitoring import imports
from monitoring.formats.parsing import participant_key
from monitoring.models import ImportJob, ParticipantResult, Procedure
from monitoring.tests.builders import (
    RESULTS_CSV_HEADER,
    VprSheet,
    results_csv,
    results_csv_row,
    vpr_f1_xlsx,
    vpr_row,
)


def _snapshot():
    return sorted(
        ParticipantResult.objects.values_list("pk", "school_id", "participant_key", "primary_score", "replaced_by_id")
    )


def test_canonical_csv_imports_one_result_per_row_of_every_procedure(department, school, other_school, run_import):
    content = results_csv(
        [
            results_csv_row(school.code, "10001"),
            results_csv_row(school.code, "10002", primary=8, mark=5, journal=""),
            results_csv_row(other_school.code, "20001", procedure="впр", year="2025"),
            results_csv_row(
                school.code,
                "777",
                procedure="ЕГЭ",
                subject="02",
                grade=11,
                klass="11А",
                primary=14,
                max=31,
                mark="",
                journal="",
                test=70,
                tasks="",
            ),
        ]
    )

    job = run_import(department, content, name="vpr-2026.xlsx")  # the name says xlsx, the header decides

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.RESULTS_CSV
    assert (job.total_rows, job.rows_created, job.slices_written, job.schools_count) == (4, 4, 3, 2)
    rows = ParticipantResult.objects.filter(import_job=job)
    assert rows.filter(procedure=Procedure.VPR, subject__code="01", grade=4, year__start_year=2025).count() == 3
    best = rows.get(primary_score=8)
    assert (best.mark, best.journal_mark, best.max_primary_score, best.task_scores) == (5, None, 8, "2,1,X,1,2")
    ege = rows.get(procedure=Procedure.EGE)
    assert (ege.test_score, ege.mark, ege.class_name, ege.subject.code) == (70, None, "11А", "02")
    assert ege.participant_key == participant_key("rcoi", "2025", "777")


def test_the_same_vpr_results_from_f1_and_from_the_canonical_csv_are_the_same_rows(department, school, run_import):
    run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("10001"), vpr_row("10002")]})))
    before = _snapshot()
    same = [results_csv_row(school.code, "10001", primary=6, mark=4, journal=4, variant=1, tasks="2,1,X,1,2")]
    same.append(results_csv_row(school.code, "10002", primary=6, mark=4, journal=4, variant=1, tasks="2,1,X,1,2"))

    job = run_import(department, results_csv(same), name="r.csv")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.rows_created, job.slices_unchanged) == (0, 1)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"year": "2025/2027"}, "Учебный год", "второй год должен следовать за первым"),
        ({"year": "прошлый"}, "Учебный год", "укажите его как 2025/2026"),
        ({"procedure": "НИКО"}, "Процедура", "Процедура «НИКО»: допустимы ВПР, ОГЭ, ЕГЭ, ГВЭ."),
        ({"subject": "99"}, "Код предмета", "Неизвестный предмет «99»"),
        ({"grade": 12}, "Класс", "Класс «12»: укажите номер от 1 до 11."),
        ({"code": "школа 5"}, "Код ОО", "не похож на логин ФИС ОКО"),
        ({"participant": ""}, "Код участника", "Не заполнен обязательный столбец «Код участника»."),
        ({"primary": 9}, "Первичный балл", "Первичный балл 9 больше максимального (8)."),
        ({"primary": "много"}, "Первичный балл", "не целое неотрицательное число"),
        ({"mark": 6}, "Отметка", "Отметка «6»: допустимы 2, 3, 4, 5."),
        ({"mark": ""}, "Отметка", "Отметка «пусто»: допустимы 2, 3, 4, 5."),
        ({"journal": 1}, "Отметка по журналу", "Отметка по журналу «1»"),
        ({"test": 101}, "Тестовый балл", "допустимо целое число от 0 до 100"),
        ({"tasks": "2,?,1"}, "Баллы за задания", "«?» — не балл"),
        ({"klass": "4А-углублённый"}, "Класс (буква)", "длиннее 10 знаков"),
    ],
)
def test_each_bad_cell_gets_its_russian_message_and_nothing_is_written(
    department, school, run_import, changes, column, message
):
    content = results_csv([results_csv_row(school.code, "1"), results_csv_row(school.code, "2", **changes)])

    job = run_import(department, content, name="r.csv")

    assert job.status == ImportJob.Status.FAILED
    assert len(job.errors) == 1, job.errors
    (error,) = job.errors
    assert error["row"] == 3 and column in error["column"] and message in error["message"]
    assert not ParticipantResult.objects.exists()


def test_unknown_school_and_duplicate_participant_are_errors_and_nothing_is_written(department, school, run_import):
    content = results_csv(
        [results_csv_row(school.code, "1"), results_csv_row(school.code, "1"), results_csv_row("edu999999", "2")]
    )

    job = run_import(department, content, name="r.csv")

    assert job.status == ImportJob.Status.FAILED
    messages = " ".join(error["message"] for error in job.errors)
    assert "edu999999 не найдена в реестре" in messages
    assert "строк" in messages and len(job.errors) == 2
    assert not ParticipantResult.objects.exists()


def test_bench_header_with_short_titles_is_recognised(department, school, run_import):
    header = [
        "Год", "Процедура", "Код предмета", "Класс", "Код ОО", "Класс (буква)", "Вариант", "Код участника",
        "Первичный балл", "Максимальный балл", "Отметка", "Отметка по журналу", "Баллы за задания",
    ]  # fmt: skip
    row = [2025, "vpr", "01", 4, school.code, "4А", 1, "10001", 6, 8, 4, 5, "2,1,X,1,2"]

    job = run_import(department, results_csv([row], header=header), name="bench.csv")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert ParticipantResult.objects.get().max_primary_score == 8


def test_reimport_changes_nothing_and_rollback_restores_the_state_before(department, school, run_import):
    content = results_csv([results_csv_row(school.code, "1"), results_csv_row(school.code, "2")])
    first = run_import(department, content, name="r.csv")
    before = _snapshot()

    again = run_import(department, content, name="r.csv")
    assert (again.status, again.rows_created, again.rows_replaced, again.slices_unchanged) == (
        ImportJob.Status.DONE,
        0,
        0,
        1,
    )
    assert _snapshot() == before
    corrected = run_import(
        department, results_csv([results_csv_row(school.code, "1", primary=2, mark=2)]), name="c.csv"
    )
    assert (corrected.rows_created, corrected.rows_replaced) == (1, 2)
    assert _snapshot() != before

    imports.import_job_rollback(job=corrected, user=department)

    assert _snapshot() == before
    assert first.rows_created == 2


def test_the_results_template_filled_with_the_directors_school_imports_as_is(client, director, run_import):
    client.force_login(director)
    content = client.get(reverse("monitoring:import_template_of", args=["results"])).content

    job = run_import(director, content, name="shablon.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert ParticipantResult.objects.filter(school=director.school).count() == 2


def test_header_columns_match_the_documented_ones():
    from monitoring.formats.results_csv import COLUMNS

    assert [column.title for column in COLUMNS] == RESULTS_CSV_HEADER


def test_the_csv_the_import_bench_writes_for_django_import_export_imports_through_ours(
    department, school, run_import, tmp_path
):
    spec = importlib.util.spec_from_file_location("import_bench", settings.BASE_DIR / "bench" / "import_bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.build_files(150, [school.code], tmp_path / "f1.xlsx", tmp_path / "results.csv")

    job = run_import(department, (tmp_path / "results.csv").read_bytes(), name="results.csv")

    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    assert (job.layout, job.rows_created) == (ImportJob.Layout.RESULTS_CSV, 150)
