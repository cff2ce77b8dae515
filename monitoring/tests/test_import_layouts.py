"""Every layout of DESIGN.md §6, built in the test, imports with the right counts."""

from monitoring.models import ContextData, ImportJob, ParticipantResult, Procedure
from monitoring.tests.builders import (
    EGE_HEADER,
    OGE_HEADER,
    VprSheet,
    context_csv,
    context_row,
    ege_row,
    oge_row,
    rcoi_xlsx,
    vpr_f1_xlsx,
    vpr_row,
)


def test_vpr_f1_with_two_sheets_and_two_schools_imports_every_participant(department, school, other_school, run_import):
    russian = VprSheet(
        schools={
            school.code: [vpr_row("10001"), vpr_row("10002", primary=8, mark=5, journal=4)],
            other_school.code: [vpr_row("20001", primary=2, mark=2, journal="")],
        }
    )
    maths = VprSheet(subject="Математика", abbr="МА", grade=5, schools={school.code: [vpr_row("10001", klass="5Б")]})

    job = run_import(department, vpr_f1_xlsx(russian, maths), name="fis-oko-export.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.VPR_F1
    assert (job.total_rows, job.rows_created, job.slices_written, job.schools_count) == (4, 4, 3, 2)
    rows = ParticipantResult.objects.filter(import_job=job)
    assert rows.filter(procedure=Procedure.VPR, subject__code="01", grade=4).count() == 3
    assert rows.filter(subject__code="02", grade=5, class_name="5Б").count() == 1
    best = rows.get(primary_score=8)
    assert (best.mark, best.journal_mark, best.max_primary_score, best.year.start_year) == (5, 4, 8, 2025)
    assert best.task_scores == "2,1,X,1,2"
    assert rows.get(primary_score=2).journal_mark is None
    assert len(best.participant_key) == 32 and "10002" not in best.participant_key


def test_layout_is_read_from_the_header_not_from_the_file_name(department, school, run_import):
    content = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("10001")]}))

    job = run_import(department, content, name="kontekst-shablon.xlsx")

    assert job.layout == ImportJob.Layout.VPR_F1
    assert job.status == ImportJob.Status.DONE


def test_rcoi_protocol_with_oge_and_ege_blocks_imports_both_and_keeps_no_names(department, school, run_import):
    content = rcoi_xlsx(
        (
            "01 - Русский язык 2025.06.09",
            OGE_HEADER,
            [oge_row(1, school.code, "Иванов"), oge_row(2, "980001", "Петров")],
        ),
        ("02 - Математика 2025.06.02", OGE_HEADER, [oge_row(1, school.code, "Иванов", primary=12, mark=3)]),
        ("01 - Русский язык 2025.05.27", EGE_HEADER, [ege_row(1, school.code, "Сидорова", primary=44, test=81)]),
    )

    job = run_import(department, content, name="protocol.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.RCOI_PROTOCOL
    assert (job.total_rows, job.rows_created) == (4, 4)
    oge = ParticipantResult.objects.filter(procedure=Procedure.OGE)
    assert oge.filter(subject__code="01", grade=9).count() == 2
    assert oge.get(subject__code="02").mark == 3
    ege = ParticipantResult.objects.get(procedure=Procedure.EGE)
    assert (ege.grade, ege.test_score, ege.primary_score, ege.variant, ege.mark) == (11, 81, 44, "301", None)
    assert ege.task_scores == "1,1,0,1,2,1"
    # The same person keeps one key across the ОГЭ subjects; no name reaches the database.
    ivanov_russian = oge.get(subject__code="01", class_name="9А", task_scores__isnull=False, primary_score=25,
                             participant_key=oge.get(subject__code="02").participant_key)  # fmt: skip
    assert ivanov_russian.school == school
    stored = " ".join(str(v) for v in ParticipantResult.objects.values_list("class_name", "variant", "task_scores"))
    assert "Иванов" not in stored and "Сидорова" not in stored


def test_gve_block_is_recorded_as_gve(department, school, run_import):
    content = rcoi_xlsx(("52 - Математика ГВЭ 2025.06.05", OGE_HEADER, [oge_row(1, school.code, "Иванов", primary=7)]))

    job = run_import(department, content)

    assert job.status == ImportJob.Status.DONE, job.errors
    assert ParticipantResult.objects.get().procedure == Procedure.GVE


def test_context_csv_in_cp1251_with_semicolons_imports_one_row_per_school(department, school, other_school, run_import):
    content = context_csv([context_row(school.code), context_row(other_school.code, contingent=120)])

    job = run_import(department, content, name="context.csv")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.CONTEXT
    assert (job.total_rows, job.rows_created) == (2, 2)
    data = ContextData.objects.get(school=school)
    assert (data.year.start_year, data.contingent, str(data.low_income_share), data.certificates_11) == (
        2025,
        400,
        "12.50",
        20,
    )


def test_context_csv_in_utf8_with_bom_and_commas_imports_too(department, school, run_import):
    content = context_csv([context_row(school.code, low_income_share="12.5")], encoding="utf-8-sig", delimiter=",")

    job = run_import(department, content, name="context.csv")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert ContextData.objects.count() == 1
