"""ВПР files as published (issue #16): «Литературное чтение» of grade 4 is a known subject, a journal
mark «нет отметки» is no mark, and a Ф1 group row «Кол-во участников: 89» is checked against the
rows read, so a cut file is never imported in silence."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from monitoring.formats.vpr_f1 import GROUP_CUT
from monitoring.models import ImportJob, ParticipantResult
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row


def _with_group_count(content: bytes, count: int) -> bytes:
    """The same file whose first group row states another number of participants."""
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("Кол-во участников"):
                    cell.value = f"Кол-во участников: {count}"
                    buffer = io.BytesIO()
                    workbook.save(buffer)
                    return buffer.getvalue()
    raise AssertionError("no group row")


def test_literary_reading_of_grade_4_is_a_known_subject(department, school, run_import):
    sheet = VprSheet(subject="Литературное чтение", abbr="ЛЧ", schools={school.code: [vpr_row("1"), vpr_row("2")]})

    job = run_import(department, vpr_f1_xlsx(sheet))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert set(ParticipantResult.objects.values_list("subject__name", "grade")) == {("Литературное чтение", 4)}


def test_a_journal_mark_written_net_otmetki_is_no_mark(department, school, run_import):
    rows = [vpr_row("1", journal="нет отметки"), vpr_row("2", journal="Нет отметки"), vpr_row("3", journal=5)]

    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: rows})))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert sorted(ParticipantResult.objects.values_list("journal_mark", flat=True), key=str) == [5, None, None]


def test_a_journal_mark_that_is_neither_a_mark_nor_no_mark_is_still_an_error(department, school, run_import):
    job = run_import(department, vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", journal="отл")]})))

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "Отметка по журналу «отл»: допустимы 2, 3, 4, 5 или пусто."


def test_a_file_cut_below_the_group_count_is_an_error_and_writes_nothing(department, school, run_import):
    content = _with_group_count(vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]})), 89)

    job = run_import(department, content)

    assert job.status == ImportJob.Status.FAILED
    [error] = job.errors
    assert error["row"] == 7  # the group row, under the title, meta rows and the header
    assert error["message"] == GROUP_CUT.format(group=f"МБОУ СОШ ({school.code})", stated=89, counted=2)
    assert ParticipantResult.objects.count() == 0


def test_more_rows_than_the_group_count_import_with_a_warning(department, school, run_import):
    content = _with_group_count(vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]})), 1)

    job = run_import(department, content)

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.rows_created == 2
    assert "указано участников: 1, а строк участников в файле: 2" in job.warnings[0]["message"]


def test_group_counts_that_match_say_nothing(department, school, other_school, run_import):
    sheet = VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")], other_school.code: [vpr_row("3")]})

    job = run_import(department, vpr_f1_xlsx(sheet))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.rows_created, job.warnings) == (3, [])
