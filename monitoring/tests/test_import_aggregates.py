"""Aggregate layouts of DESIGN.md §6: Ф3, ВПР vs journal, regional ЕГЭ reports, the canonical table.

Each is built in the test, imports with the right counts, refuses bad input with a Russian
message and nothing written, changes nothing when imported again, and rolls back exactly.
"""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from monitoring import imports
from monitoring.formats.ege_report import SKIP_MUNICIPALITY
from monitoring.formats.vpr_reports import counts_from_shares
from monitoring.models import AreaMarkStat, ImportJob, Procedure, SchoolAggregate
from monitoring.tests.builders import aggregates_csv, ege_report_xlsx, vpr_f3_xlsx, vpr_journal_xlsx


def _snapshot():
    return sorted(
        SchoolAggregate.objects.values_list(
            "pk", "school_id", "subject__code", "grade", "participants", "mark_2", "lowered", "mean_score",
            "replaced_by_id",
        )
    )  # fmt: skip


def _current(school, **filters) -> SchoolAggregate:
    return SchoolAggregate.objects.get(replaced_by__isnull=True, school=school, **filters)


def _edited(content: bytes, **cells) -> bytes:
    """The workbook with some cells of its first sheet overwritten (C5=20)."""
    book = load_workbook(io.BytesIO(content))
    for address, value in cells.items():
        book.active[address] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _messages(job: ImportJob) -> list[str]:
    return [error["message"] for error in job.errors]


def f3_rows(school, other_school):
    return [
        ("Вся выборка", 39512, 1425710, "4,5", "30,1", "45,2", "20,2"),
        ("Северный край", 300, 8000, "5", "30", "45", "20"),
        ("Заречный район (reg98_m001)", 20, 800, "6", "31", "44", "19"),
        (f"МБОУ СОШ № 1 ({school.code})", 1, 89, "5,62", "33,71", "44,94", "15,73"),
        (f"МБОУ Берёзовская ООШ ({other_school.code})", 1, 12, 0, 25, 50, 25),
    ]


# --- Ф3 «Статистика по отметкам» ---------------------------------------------------------------


@pytest.mark.parametrize("split_header", [False, True], ids=["one_header_row", "marks_under_a_merged_cell"])
def test_vpr_f3_stores_the_schools_as_counts_and_keeps_the_other_levels(
    department, school, other_school, run_import, split_header
):
    content = vpr_f3_xlsx(f3_rows(school, other_school), split_header=split_header)

    job = run_import(department, content, name="f3.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.VPR_F3
    # Two schools, and the whole sample, the region and the municipality (AreaMarkStat, issue #18).
    assert (job.total_rows, job.rows_created, job.schools_count) == (5, 5, 2)
    assert AreaMarkStat.objects.filter(import_job=job).count() == 3
    first = _current(school)
    assert (first.procedure, first.subject.code, first.grade, first.year.start_year) == (Procedure.VPR, "01", 4, 2025)
    assert first.source == SchoolAggregate.Source.IMPORTED
    # 5.62 / 33.71 / 44.94 / 15.73 % of 89 participants.
    assert (first.participants, first.mark_2, first.mark_3, first.mark_4, first.mark_5) == (89, 5, 30, 40, 14)
    assert first.mean_mark == Decimal("3.71")
    second = _current(other_school)
    assert (second.mark_2, second.mark_3, second.mark_4, second.mark_5) == (0, 3, 6, 3)


def test_shares_turn_into_counts_that_add_up_to_the_participants():
    shares = [Decimal("33.33"), Decimal("33.33"), Decimal("33.34"), Decimal(0)]

    counts = counts_from_shares(shares, 10)

    assert sum(counts) == 10 and counts[3] == 0 and max(counts) - min(counts[:3]) == 1


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ((1, "много", 5, 30, 45, 20), "C (Кол-во участников)", "не число участников"),
        ((1, 89, 5, "тридцать", 45, 20), "E (3)", "не доля в % (0–100)"),
        ((1, 89, 5, 130, 45, 20), "E (3)", "не доля в % (0–100)"),
        ((1, 89, 5, 30, 45, 10), "G (5)", "Доли отметок в сумме 90% — должно быть 100%."),
    ],
)
def test_bad_f3_row_gets_a_russian_message_and_nothing_is_written(
    department, school, run_import, cells, column, message
):
    content = vpr_f3_xlsx([("Заречный район (reg98_m001)", 20, 800, 6, 31, 44, 19), (f"СОШ ({school.code})", *cells)])

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    [error] = job.errors
    assert (error["row"], error["column"]) == (6, column)
    assert message in error["message"]
    assert SchoolAggregate.objects.count() == 0


def test_f3_without_the_title_row_is_refused(department, school, run_import):
    content = vpr_f3_xlsx([(f"СОШ ({school.code})", 1, 10, 0, 50, 50, 0)], title="Статистика")

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert "ВПР 2026 Русский язык 4 класс" in _messages(job)[0]


def test_the_same_school_twice_in_an_f3_sheet_is_an_error(department, school, run_import):
    row = (f"СОШ ({school.code})", 1, 10, 0, 50, 50, 0)

    job = run_import(department, vpr_f3_xlsx([row, row]))

    assert job.status == ImportJob.Status.FAILED
    assert "повторяются: они уже есть (строка 5)" in _messages(job)[0]
    assert SchoolAggregate.objects.count() == 0


def test_f3_of_an_unknown_school_lists_its_code(department, school, run_import):
    job = run_import(department, vpr_f3_xlsx([("СОШ (edu555555)", 1, 10, 0, 50, 50, 0)]))

    assert job.status == ImportJob.Status.FAILED
    assert job.unknown_school_codes == ["edu555555"]


# --- ВПР vs journal -----------------------------------------------------------------------------------


@pytest.mark.parametrize("in_columns", [False, True], ids=["blocks_as_fis_oko_prints", "one_row_per_group"])
def test_journal_comparison_stores_lowered_confirmed_raised_per_school(
    department, school, other_school, run_import, in_columns
):
    groups = [
        ("Северный край", 1500, 6000, 500),
        ("Заречный район (reg98_m001)", 100, 600, 100),
        (f"МБОУ СОШ № 1 ({school.code})", 10, 70, 9),
        (f"МБОУ Берёзовская ООШ ({other_school.code})", 0, 12, 0),
    ]

    job = run_import(department, vpr_journal_xlsx(groups, in_columns=in_columns), name="journal.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.VPR_JOURNAL
    assert (job.total_rows, job.rows_created) == (2, 2)
    first = _current(school)
    assert (first.subject.code, first.grade, first.year.start_year) == ("02", 5, 2025)
    assert (first.lowered, first.confirmed, first.raised, first.participants) == (10, 70, 9, 89)
    assert first.mark_2 is None
    assert (_current(other_school).confirmed, _current(other_school).lowered) == (12, 0)


def test_journal_count_left_empty_is_taken_from_its_share(department, school, run_import):
    groups = [(f"СОШ ({school.code})", "", 70, 10)]
    # The builder writes no share for a non-number: put the share, 20 of 100, by hand.
    content = _edited(vpr_journal_xlsx(groups), C5=20, B8=100)

    job = run_import(department, content)

    assert job.status == ImportJob.Status.DONE, job.errors
    assert _current(school).lowered == 20


def test_journal_figures_that_do_not_add_up_are_refused(department, school, run_import):
    content = _edited(vpr_journal_xlsx([(f"СОШ ({school.code})", 10, 70, 9)]), B8=90)  # «Всего»

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert _messages(job) == ["Понизили + подтвердили + повысили = 89, а всего участников 90."]
    assert SchoolAggregate.objects.count() == 0


def test_journal_count_that_is_not_a_number_is_refused(department, school, run_import):
    job = run_import(department, vpr_journal_xlsx([(f"СОШ ({school.code})", 10, "семьдесят", 9)]))

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["row"] == 4 and "не число участников" in job.errors[0]["message"]
    assert SchoolAggregate.objects.count() == 0


def test_f3_and_journal_of_one_slice_fill_one_row_and_roll_back_one_at_a_time(department, school, run_import):
    f3 = run_import(department, vpr_f3_xlsx([(f"СОШ ({school.code})", 1, 10, 10, 40, 40, 10)]))
    after_f3 = _snapshot()
    journal = run_import(
        department, vpr_journal_xlsx([(f"СОШ ({school.code})", 1, 8, 1)], title="ВПР 2026 Русский язык 4 класс")
    )

    assert (journal.rows_created, journal.rows_replaced) == (1, 1)
    row = _current(school)
    assert (row.mark_2, row.mark_5, row.lowered, row.confirmed, row.raised, row.participants) == (1, 1, 1, 8, 1, 10)

    imports.import_job_rollback(job=journal, user=department)
    assert _snapshot() == after_f3
    imports.import_job_rollback(job=f3, user=department)
    assert SchoolAggregate.objects.count() == 0


# --- Regional ЕГЭ report ------------------------------------------------------------------------------


def ege_report(school, other_school, **overrides):
    figures = {
        school.code: {"Русский язык": (25, 1, 4, 0, "68,5"), "Математика профильная": (12, 2, 1, 0, 55)},
        other_school.code: {"Русский язык": (6, 0, 0, 1, 71)},
    }
    for code, subjects in overrides.items():
        figures[code].update(subjects)
    return ege_report_xlsx(
        ["Русский язык", "Математика профильная"],
        {
            "Заречный муниципальный район": [
                (school.code, "МБОУ СОШ № 1", figures[school.code]),
                ("", f"МБОУ Берёзовская ООШ ({other_school.code})", figures[other_school.code]),
            ]
        },
    )


def test_ege_report_with_merged_headers_stores_each_school_and_subject(department, school, other_school, run_import):
    job = run_import(department, ege_report(school, other_school), name="ege-2025.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.EGE_REPORT
    assert (job.rows_created, job.schools_count) == (3, 2)
    # Every row read is a school's or skipped on purpose with its reason (numbering, caption, total).
    assert job.total_rows == 2 + job.rows_skipped == 2 + len(job.skipped)
    assert SKIP_MUNICIPALITY in {s["message"] for s in job.skipped}
    russian = _current(school, subject__code="01")
    assert (russian.procedure, russian.grade, russian.year.start_year) == (Procedure.EGE, 0, 2024)
    assert (russian.participants, russian.below_minimum, russian.high_scorers, russian.full_scorers) == (25, 1, 4, 0)
    assert russian.mean_score == Decimal("68.50")
    assert _current(school, subject__code="02").participants == 12
    # A subject the school did not take leaves no row.
    assert not SchoolAggregate.objects.filter(school=other_school, subject__code="02").exists()


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ((25, "один", 4, 0, 68), "«один» — не целое неотрицательное число."),
        ((25, 1, 4, 0, 168), "Средний балл «168»: от 0 до 100."),
        ((5, 6, 0, 0, 68), "Не преодолели порог (6) больше, чем участников (5)."),
        ((None, 1, 2, 0, 68), "Не указано, сколько участников сдавали."),
    ],
)
def test_bad_ege_report_cell_gets_a_russian_message_and_nothing_is_written(
    department, school, other_school, run_import, figures, message
):
    content = ege_report(school, other_school, **{school.code: {"Русский язык": figures}})

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    [error] = job.errors
    assert error["row"] == 7 and error["column"].endswith(")") and "Русский язык" in error["column"]
    assert message in error["message"]
    assert SchoolAggregate.objects.count() == 0


def test_ege_report_with_an_unknown_subject_is_refused(department, school, run_import):
    content = ege_report_xlsx(["Астрономия"], {"Район": [(school.code, "СОШ", {"Астрономия": (1, 0, 0, 0, 50)})]})

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert _messages(job) == ["Неизвестный предмет «Астрономия»: его нет в справочнике предметов."]


def test_ege_report_without_a_year_is_refused(department, school, run_import):
    content = ege_report_xlsx(
        ["Русский язык"], {"Район": [(school.code, "СОШ", {"Русский язык": (1, 0, 0, 0, 50)})]}, title="Отчёт"
    )

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert "не найден год" in _messages(job)[0]


def test_reimporting_an_ege_report_changes_nothing_and_a_correction_replaces(
    department, school, other_school, run_import
):
    first = run_import(department, ege_report(school, other_school))
    before = _snapshot()

    again = run_import(department, ege_report(school, other_school))

    assert (again.status, again.rows_created, again.rows_replaced, again.slices_unchanged) == (
        ImportJob.Status.DONE, 0, 0, 3,
    )  # fmt: skip
    assert _snapshot() == before

    corrected = run_import(
        department, ege_report(school, other_school, **{school.code: {"Русский язык": (26, 1, 4, 0, 68)}})
    )

    assert (corrected.rows_created, corrected.rows_replaced, corrected.slices_unchanged) == (1, 1, 2)
    assert _current(school, subject__code="01").participants == 26
    with pytest.raises(imports.ImportRefused):
        imports.import_job_rollback(job=first, user=department)
    imports.import_job_rollback(job=corrected, user=department)
    assert _snapshot() == before


def test_director_cannot_load_an_ege_report_with_another_school(director, school, other_school, run_import):
    job = run_import(director, ege_report(school, other_school))

    assert job.status == ImportJob.Status.FAILED
    assert "только своей школы" in _messages(job)[0]
    assert SchoolAggregate.objects.count() == 0


# --- The canonical table --------------------------------------------------------------------------------


def test_canonical_aggregates_csv_loads_ege_and_vpr_rows(department, school, other_school, run_import):
    rows = [
        {"year": "2024/2025", "subject": "Русский язык", "code": school.code, "participants": 25,
         "below_minimum": 1, "high_scorers": 4, "full_scorers": 0, "mean_score": "68,4"},
        {"year": "2024/2025", "procedure": "ЕГЭ", "subject": "02", "code": other_school.code, "participants": 3,
         "mean_score": 41},
        {"year": "2025/2026", "procedure": "ВПР", "subject": "Математика", "grade": 5, "code": school.code,
         "participants": 20, "mark_2": 2, "mark_3": 8, "mark_4": 6, "mark_5": 4, "lowered": 3, "confirmed": 15,
         "raised": 2},
    ]  # fmt: skip

    job = run_import(department, aggregates_csv(rows), name="aggregates.csv")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.AGGREGATES
    assert (job.total_rows, job.rows_created) == (3, 3)
    ege = _current(school, procedure=Procedure.EGE)
    assert (ege.subject.code, ege.grade, ege.year.start_year, ege.mean_score) == ("01", 0, 2024, Decimal("68.40"))
    vpr = _current(school, procedure=Procedure.VPR)
    assert (vpr.grade, vpr.mark_2, vpr.mark_5, vpr.mean_mark, vpr.raised) == (5, 2, 4, Decimal("3.60"), 2)
    assert _current(other_school).below_minimum is None


def test_canonical_file_with_only_some_columns_keeps_the_other_figures(department, school, run_import):
    run_import(department, vpr_f3_xlsx([(f"СОШ ({school.code})", 1, 10, 10, 40, 40, 10)]))
    rows = [{"year": "2025/2026", "procedure": "ВПР", "subject": "01", "grade": 4, "code": school.code,
             "participants": 10, "lowered": 2, "confirmed": 7, "raised": 1}]  # fmt: skip

    job = run_import(
        department,
        aggregates_csv(
            rows,
            columns=["year", "procedure", "subject", "grade", "code", "participants", "lowered", "confirmed", "raised"],
        ),
        name="a.csv",
    )

    assert job.status == ImportJob.Status.DONE, job.errors
    row = _current(school)
    assert (row.mark_3, row.lowered, row.raised) == (4, 2, 1)


@pytest.mark.parametrize(
    ("override", "column", "message"),
    [
        ({"year": "2024/2026"}, "A (Учебный год)", "второй год должен следовать за первым"),
        ({"procedure": "ЕГЭ-2"}, "B (Процедура)", "допустимы ЕГЭ, ОГЭ, ГВЭ, ВПР"),
        ({"subject": "Астрономия"}, "C (Предмет)", "Неизвестный предмет «Астрономия»"),
        ({"procedure": "ВПР"}, "D (Класс)", "Для ВПР укажите класс"),
        ({"code": "школа 1"}, "E (Код ОО)", "не похож на логин ФИС ОКО"),
        ({"participants": ""}, "F (Участников)", "Не заполнен обязательный столбец «Участников»"),
        ({"high_scorers": "-1"}, "O (Высокобалльники 80–99)", "не целое неотрицательное число"),
        ({"mean_score": "101"}, "Q (Средний балл)", "допустимо число от 0 до 100"),
        ({"full_scorers": 30}, "P (100 баллов)", "больше числа участников (25)"),
        ({"mark_2": 1, "mark_3": 1, "mark_4": 1, "mark_5": 1}, "J (Отметок «5»)", "не равна числу участников (25)"),
    ],
)
def test_bad_canonical_cell_gets_a_russian_message_and_nothing_is_written(
    department, school, run_import, override, column, message
):
    row = {"year": "2024/2025", "subject": "01", "code": school.code, "participants": 25, "mean_score": 60}
    row.update(override)

    job = run_import(department, aggregates_csv([row]), name="a.csv")

    assert job.status == ImportJob.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, column)]
    assert message in job.errors[0]["message"]
    assert SchoolAggregate.objects.count() == 0


def test_rollback_of_an_aggregate_import_restores_the_rows_it_replaced(department, school, run_import):
    row = {"year": "2024/2025", "subject": "01", "code": school.code, "participants": 25, "mean_score": 60}
    run_import(department, aggregates_csv([row]), name="a.csv")
    before = _snapshot()
    second = run_import(department, aggregates_csv([{**row, "mean_score": 61}]), name="a.csv")
    assert _snapshot() != before

    imports.import_job_rollback(job=second, user=department)

    assert _snapshot() == before
    assert ImportJob.objects.get(pk=second.pk).status == ImportJob.Status.ROLLED_BACK


def test_ege_report_row_with_a_broken_school_code_is_refused(department, school, run_import):
    content = ege_report_xlsx(["Русский язык"], {"Район": [("edu12x", "СОШ", {"Русский язык": (1, 0, 0, 0, 50)})]})

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (7, "A (Код ОО)", "Код ОО «edu12x» не распознан.")
    ]


def test_ege_report_100_scorers_that_cannot_be_right_are_left_empty_with_a_warning(
    department, school, other_school, run_import
):
    # Below the minimum 3 + 80–99 2 = 5 participants: the «100 баллов» cell (a broken formula's 1)
    # cannot be right; no indicator reads it, so it is left empty and the rest imports.
    content = ege_report(school, other_school, **{school.code: {"Русский язык": (5, 3, 2, 1, 68)}})

    job = run_import(department, content)

    assert job.status == ImportJob.Status.DONE, job.errors
    russian = _current(school, subject__code="01")
    assert (russian.participants, russian.below_minimum, russian.high_scorers, russian.full_scorers) == (5, 3, 2, None)
    [warning] = job.warnings
    assert warning["row"] == 7 and "100 баллов" in warning["column"] and "оставлена пустой" in warning["message"]


def test_ege_report_that_names_schools_without_codes_resolves_them_by_name(
    department, school, other_school, run_import
):
    content = ege_report_xlsx(
        ["Русский язык"],
        {"Заречный муниципальный район": [("", "МБОУ «СОШ №1»", {"Русский язык": (3, 0, 1, 0, 61)})]},
    )
    book = load_workbook(io.BytesIO(content))
    book.active["A3"] = "№"  # no «Код ОО» column at all
    buffer = io.BytesIO()
    book.save(buffer)

    job = run_import(department, buffer.getvalue())

    assert job.status == ImportJob.Status.DONE, (job.errors, job.pending_names)
    assert _current(school, subject__code="01").participants == 3


def _reimport_cases(school, other_school):
    return {
        "vpr_f3": vpr_f3_xlsx(f3_rows(school, other_school)),
        "vpr_journal": vpr_journal_xlsx([(f"СОШ ({school.code})", 10, 70, 9), (f"ООШ ({other_school.code})", 0, 5, 1)]),
        "ege_report": ege_report(school, other_school),
        "aggregates": aggregates_csv(
            [{"year": "2024/2025", "subject": "01", "code": code, "participants": 20, "mean_score": "60,5"}
             for code in (school.code, other_school.code)]
        ),
    }  # fmt: skip


@pytest.mark.parametrize("layout", ["vpr_f3", "vpr_journal", "ege_report", "aggregates"])
def test_reimporting_any_aggregate_file_changes_nothing(department, school, other_school, run_import, layout):
    content = _reimport_cases(school, other_school)[layout]
    first = run_import(department, content, name="report.csv" if layout == "aggregates" else "report.xlsx")
    assert (first.status, first.layout) == (ImportJob.Status.DONE, layout), first.errors
    before = _snapshot()

    again = run_import(department, content, name="report.csv" if layout == "aggregates" else "report.xlsx")

    assert (again.status, again.rows_created, again.rows_replaced) == (ImportJob.Status.DONE, 0, 0)
    assert again.slices_unchanged == first.rows_created > 0
    assert _snapshot() == before


def test_canonical_file_with_the_ege_report_titles_is_still_the_canonical_layout(department, school, run_import):
    content = f"Учебный год;Код ОО;Предмет;Приняли участие;Средний балл\n2024/2025;{school.code};01;20;60\n"

    job = run_import(department, content.encode("cp1251"), name="a.csv")

    assert (job.status, job.layout) == (ImportJob.Status.DONE, ImportJob.Layout.AGGREGATES), job.errors
    assert _current(school).participants == 20


def test_ege_report_with_a_three_row_header_reads_the_same(department, school, run_import):
    figures = {"Русский язык": (25, 1, 4, 0, 68), "Математика базовая": (9, 0, 0, 0, 4)}
    content = ege_report_xlsx(
        ["Русский язык", "Математика базовая"], {"Район": [(school.code, "СОШ", figures)]}, three_row_header=True
    )

    job = run_import(department, content)

    assert job.status == ImportJob.Status.DONE, job.errors
    assert sorted(SchoolAggregate.objects.values_list("subject__code", "participants")) == [("01", 25), ("22", 9)]
    # Base mathematics is marked 2–5: its «средний балл» is a mean mark, never a 0–100 score.
    base = SchoolAggregate.objects.get(subject__code="22")
    assert (base.mean_mark, base.mean_score) == (Decimal("4.00"), None)


def test_f3_workbook_with_a_sheet_per_subject_and_grade_stores_each_slice(department, school, run_import):
    book = Workbook()
    book.remove(book.active)
    for title, figures in (
        ("ВПР 2026 Русский язык 4 класс", (10, 40, 40, 10)),
        ("ВПР 2026 История 6 класс", (0, 50, 50, 0)),
    ):
        sheet = book.create_sheet(title[9:])
        source = load_workbook(io.BytesIO(vpr_f3_xlsx([(f"СОШ ({school.code})", 1, 10, *figures)], title=title)))
        for row in source.active.iter_rows(values_only=True):
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    job = run_import(department, buffer.getvalue())

    assert job.status == ImportJob.Status.DONE, job.errors
    assert sorted(SchoolAggregate.objects.values_list("subject__code", "grade", "mark_2", "mark_3")) == [
        ("01", 4, 1, 4),
        ("07", 6, 0, 5),
    ]


def _named_report(*schools: tuple[str, tuple]) -> bytes:
    content = ege_report_xlsx(
        ["Русский язык"],
        {"Заречный муниципальный район": [("", name, {"Русский язык": figures}) for name, figures in schools]},
    )
    book = load_workbook(io.BytesIO(content))
    book.active["A3"] = "№"  # names only, as regional reports give them
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_matching_step_parks_the_job_and_the_page_settles_it(
    client, department, school, other_school, run_import, django_capture_on_commit_callbacks
):
    content = _named_report(("МБОУ СОШ № 1", (3, 0, 1, 0, 61)), ("Берёзовская школа", (2, 0, 0, 0, 50)),
                            ("Вечерняя школа № 9", (1, 0, 0, 0, 40)))  # fmt: skip

    job = run_import(department, content)

    # The unsure and the unknown name wait for a person; nothing is written, the claim is released.
    assert job.status == ImportJob.Status.MATCHING, job.errors
    assert SchoolAggregate.objects.count() == 0
    assert not job.is_running and not job.is_finished
    pending = {entry["name"]: entry for entry in job.pending_names}
    assert set(pending) == {"Берёзовская школа", "Вечерняя школа № 9"}
    assert pending["Вечерняя школа № 9"]["candidates"] == []
    client.force_login(department)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Нужно сопоставить названия" in page and "МБОУ Берёзовская ООШ" in page
    form = {}
    for index, entry in enumerate(job.pending_names):
        form[f"name_{index}"] = other_school.pk if entry["name"] == "Берёзовская школа" else "skip"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:import_matching", args=[job.pk]), form)

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.errors, job.pending_names)
    assert _current(school, subject__code="01").participants == 3
    assert _current(other_school, subject__code="01").participants == 2
    assert SchoolAggregate.objects.count() == 2
    # The skipped name is counted with its reason; every row read adds up.
    assert any("Вечерняя школа № 9" in entry["message"] for entry in job.skipped)
    assert job.total_rows == 2 + job.rows_skipped
    # Remembered: the same names ask nothing next time.
    again = run_import(department, content)
    assert again.status == ImportJob.Status.DONE, (again.errors, again.pending_names)
    assert again.slices_unchanged == 2


def test_matching_step_refuses_a_school_of_another_municipality(
    department, school, other_school, foreign_school, run_import
):
    from monitoring.imports.settle import Choice, import_names_settle

    job = run_import(department, _named_report(("Берёзовская школа", (2, 0, 0, 0, 50))))
    assert job.status == ImportJob.Status.MATCHING

    with pytest.raises(imports.ImportRefused):
        import_names_settle(job=job, user=department, choices=[Choice(0, foreign_school.pk)])

    job.refresh_from_db()
    assert job.status == ImportJob.Status.MATCHING and SchoolAggregate.objects.count() == 0


def test_a_regional_report_naming_education_authorities_resolves_them_to_municipalities(
    region, region_user, run_import
):
    from tests.factories import MunicipalityFactory, SchoolFactory

    chita = MunicipalityFactory(region=region, name="Городской округ «Город Чита»", oktmo="76701000")
    lyceum = SchoolFactory(
        municipality=chita, code="edu750001", organisation__short_name="",
        organisation__name="Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная "
                           "школа № 5 имени М.Е. Евгеньева»",
    )  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.append(["Результаты ЕГЭ 2025 года по общеобразовательным организациям"])
    sheet.append(["Орган управления образованием", "Наименование ОО", "Математика (база), чел.", "", "",
                  "ИКТ, чел.", "", "", "", ""])  # fmt: skip
    measures = ["Приняли участие", "Не преодолели минимальный порог"]
    sheet.append(["", "", *measures, "Средний балл", *measures, "80-99 баллов", "100 баллов", "Средний балл"])
    authority = "Комитет образования администрации городского округа «Город Чита»"
    sheet.append([authority, "МБОУ «СОШ № 5 им. М.Е. Евгеньева»", 20, 1, "4,1", 6, 0, 2, "#ЗНАЧ!", "71,5"])
    sheet.append(["Итого по региону", "", 20, 1, "4,1", 6, 0, 2, 0, "71,5"])
    buffer = io.BytesIO()
    book.save(buffer)

    job = run_import(region_user, buffer.getvalue())

    assert job.status == ImportJob.Status.DONE, (job.errors, job.pending_names)
    base = _current(lyceum, subject__code="22")
    assert (base.participants, base.below_minimum, base.mean_mark, base.mean_score) == (20, 1, Decimal("4.10"), None)
    informatics = _current(lyceum, subject__code="05")
    assert (informatics.participants, informatics.high_scorers, informatics.mean_score) == (6, 2, Decimal("71.50"))
    # The broken 100-scorers cell is left empty with a warning; the rest of the row imports.
    assert informatics.full_scorers is None
    assert [w["row"] for w in job.warnings] == [4]
    assert job.total_rows == 1 + job.rows_skipped
