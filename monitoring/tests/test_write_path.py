"""The write path (COPY and set-based merge on PostgreSQL, batches elsewhere) keeps the guarantees.

Run on both databases: `pytest monitoring` (SQLite) and with DATABASE_URL=postgres://… .
"""

import pytest
from django.db.models import ProtectedError

from monitoring import imports
from monitoring.imports import pipeline
from monitoring.models import CURRENT, ImportJob, ParticipantResult, Subject
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row
from schools.models import AcademicYear


def _current(school):
    return sorted(
        ParticipantResult.objects.filter(CURRENT, school=school).values_list(
            "class_name", "primary_score", "mark", "journal_mark", "task_scores"
        )
    )


def test_a_participant_dropped_from_a_slice_makes_the_slice_change(department, school, run_import):
    run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]})))

    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")]})))

    assert (job.rows_created, job.rows_replaced, job.slices_written, job.slices_unchanged) == (1, 2, 1, 0)
    assert ParticipantResult.objects.filter(CURRENT, school=school).count() == 1


def test_empty_journal_marks_compare_equal_on_reimport(department, school, run_import):
    content = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", journal=""), vpr_row("2", journal="")]}))
    run_import(department, content)

    again = run_import(department, content)

    assert (again.rows_created, again.rows_replaced, again.slices_unchanged) == (0, 0, 1)
    assert [row[3] for row in _current(school)] == [None, None]


def test_only_the_changed_school_of_a_file_is_replaced(department, school, other_school, run_import):
    first = vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")], other_school.code: [vpr_row("2")]}))
    run_import(department, first)
    kept = list(ParticipantResult.objects.filter(school=other_school).values_list("pk", flat=True))
    second = vpr_f1_xlsx(
        VprSheet(schools={school.code: [vpr_row("1", primary=2, mark=2)], other_school.code: [vpr_row("2")]})
    )

    job = run_import(department, second)

    assert (job.slices_written, job.slices_unchanged, job.rows_replaced) == (1, 1, 1)
    assert list(ParticipantResult.objects.filter(CURRENT, school=other_school).values_list("pk", flat=True)) == kept
    assert _current(school) == [("4А", 2, 2, 4, "2,1,X,1,2")]


def test_cells_with_backslashes_and_tabs_are_stored_as_they_are(department, school, run_import):
    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", klass="4\\Б\tx")]})))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert _current(school)[0][0] == "4\\Б\tx"


def test_a_failure_inside_the_write_leaves_nothing_behind(department, school, run_import, monkeypatch):
    run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")]})))
    before = sorted(ParticipantResult.objects.values_list("pk", "primary_score", "replaced_by_id"))
    write = pipeline.write_results

    def write_then_die(*args, **kwargs):
        write(*args, **kwargs)  # rows copied, slices replaced, new rows inserted …
        raise RuntimeError("worker killed")  # … and the transaction never commits

    monkeypatch.setattr(pipeline, "write_results", write_then_die)

    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", primary=1, mark=2)]})))

    assert job.status == ImportJob.Status.FAILED
    assert sorted(ParticipantResult.objects.values_list("pk", "primary_score", "replaced_by_id")) == before


def test_rollback_after_a_partial_replacement_restores_every_row(department, school, other_school, run_import):
    run_import(
        department,
        vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")], other_school.code: [vpr_row("3")]})),
    )
    before = sorted(ParticipantResult.objects.filter(CURRENT).values_list("pk", flat=True))
    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", primary=0, mark=2)]})))

    imports.import_job_rollback(job=job, user=department)

    assert sorted(ParticipantResult.objects.filter(CURRENT).values_list("pk", flat=True)) == before
    assert not ParticipantResult.objects.filter(import_job=job).exists()


def test_the_rows_of_a_result_are_protected_without_database_constraints(department, school, run_import):
    """ParticipantResult's foreign keys have no database constraint (see the model): PROTECT holds in Django."""
    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")]})))
    result = ParticipantResult.objects.get(import_job=job)

    for owner in (school, job, Subject.objects.get(pk=result.subject_id), AcademicYear.objects.get(pk=result.year_id)):
        with pytest.raises(ProtectedError):
            owner.delete()
    assert ParticipantResult.objects.filter(pk=result.pk).exists()


def test_a_file_with_a_known_and_a_new_school_replaces_one_and_adds_the_other(
    department, school, other_school, run_import
):
    run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")]})))
    second = vpr_f1_xlsx(
        VprSheet(
            schools={
                school.code: [vpr_row("1", primary=2, mark=2)],
                other_school.code: [vpr_row("2"), vpr_row("3", journal="")],
            }
        )
    )

    job = run_import(department, second)

    assert (job.rows_created, job.rows_replaced, job.slices_written, job.slices_unchanged) == (3, 1, 2, 0)
    assert _current(school) == [("4А", 2, 2, 4, "2,1,X,1,2")]
    assert ParticipantResult.objects.filter(CURRENT, school=other_school).count() == 2
    assert sorted(
        ParticipantResult.objects.filter(CURRENT, school=other_school).values_list("journal_mark", flat=True), key=str
    ) == [4, None]
    assert ParticipantResult.objects.filter(import_job=job).count() == 3
