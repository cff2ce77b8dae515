"""РЦОИ protocols come «compact» (named columns side by side) and «sparse» (empty spacer
columns and rows between the named ones); both read the same, DESIGN.md §6."""

import pytest

from monitoring.formats.max_scores import MAX_PRIMARY, max_primary_score
from monitoring.models import ImportJob, ParticipantResult, Procedure
from monitoring.tests.builders import EGE_HEADER, OGE_HEADER, ege_row, oge_row, rcoi_sparse_xlsx, rcoi_xlsx

BUILDERS = {"compact": rcoi_xlsx, "sparse": rcoi_sparse_xlsx}


def _blocks(school):
    return (
        ("01 - Русский язык 2025.06.09", OGE_HEADER, [oge_row(1, school.code, "Иванов"),
                                                      oge_row(2, school.code, "Петров")]),
        ("03 - Физика 2025.06.02", OGE_HEADER, [oge_row(1, school.code, "Иванов", primary=40, mark=5)]),
        ("01 - Русский язык 2025.05.27", EGE_HEADER, [ege_row(1, school.code, "Сидорова", primary=44, test=81)]),
    )  # fmt: skip


@pytest.mark.parametrize("shape", BUILDERS)
def test_protocol_imports_every_block_whatever_its_spacing(department, school, run_import, shape):
    job = run_import(department, BUILDERS[shape](*_blocks(school)))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.RCOI_PROTOCOL
    assert (job.total_rows, job.rows_created) == (4, 4)
    physics = ParticipantResult.objects.get(subject__code="03")
    assert (physics.procedure, physics.primary_score, physics.max_primary_score, physics.mark) == (
        Procedure.OGE, 40, 45, 5,
    )  # fmt: skip
    ege = ParticipantResult.objects.get(procedure=Procedure.EGE)
    assert (ege.test_score, ege.task_scores) == (81, "1,1,0,1,2,1")


@pytest.mark.parametrize("shape", BUILDERS)
def test_bad_cell_of_a_protocol_names_its_real_column_whatever_its_spacing(department, school, run_import, shape):
    rows = [oge_row(1, school.code, "Иванов", primary=46, mark=5)]

    job = run_import(department, BUILDERS[shape](("03 - Физика 2025.06.02", OGE_HEADER, rows)))

    assert job.status == ImportJob.Status.FAILED
    [error] = job.errors
    assert error["message"] == "Первичный балл 46 больше максимального (45)."
    assert error["column"] == ("O (Первичный балл)" if shape == "compact" else "AC (Первичный балл)")
    assert ParticipantResult.objects.count() == 0


@pytest.mark.parametrize("shape", BUILDERS)
def test_compact_and_sparse_protocols_of_the_same_data_are_the_same_import(department, school, run_import, shape):
    other = "sparse" if shape == "compact" else "compact"
    run_import(department, BUILDERS[shape](*_blocks(school)))

    again = run_import(department, BUILDERS[other](*_blocks(school)))

    assert (again.status, again.rows_created, again.slices_unchanged) == (ImportJob.Status.DONE, 0, 3)


def test_every_oge_and_ege_subject_of_the_catalogue_but_chinese_has_a_maximum(db):
    from monitoring.models import Subject

    exam_codes = set(Subject.objects.filter(code__regex=r"^\d\d$").exclude(code__in=["51", "52", "25"])
                     .values_list("code", flat=True))  # fmt: skip
    assert {code for (procedure, code) in MAX_PRIMARY if procedure == Procedure.EGE} == exam_codes
    assert {code for (procedure, code) in MAX_PRIMARY if procedure == Procedure.OGE} == exam_codes - {"22"}
    assert (max_primary_score(Procedure.EGE, "02"), max_primary_score(Procedure.OGE, "09")) == (32, 68)
    assert max_primary_score(Procedure.GVE, "52") is None
