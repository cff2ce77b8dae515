"""``manage.py import_results`` does what the upload page does, from a shell."""

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import ImportJob, ParticipantResult
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row


def test_command_imports_a_file_and_prints_a_summary(tmp_path, school, capsys):
    path = tmp_path / "f1.xlsx"
    path.write_bytes(vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1"), vpr_row("2")]})))

    call_command("import_results", str(path))

    assert "строк 2, школ 1; записано 2" in capsys.readouterr().out
    assert ParticipantResult.objects.count() == 2
    assert ImportJob.objects.get().uploaded_by is None


def test_command_exits_non_zero_and_lists_errors(tmp_path, school, capsys):
    path = tmp_path / "f1.xlsx"
    path.write_bytes(vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1", mark=8)]})))

    with pytest.raises(CommandError, match="Ничего не записано"):
        call_command("import_results", str(path))

    assert "строка 8, столбец M (Отметка): Отметка «8»" in capsys.readouterr().err
    assert not ParticipantResult.objects.exists()


def test_command_applies_the_scope_of_the_given_user(tmp_path, director, other_school):
    path = tmp_path / "f1.xlsx"
    path.write_bytes(vpr_f1_xlsx(VprSheet(schools={other_school.code: [vpr_row("1")]})))

    with pytest.raises(CommandError):
        call_command("import_results", str(path), user=director.username)

    assert not ParticipantResult.objects.exists()


def test_command_imports_an_aggregate_report_too(tmp_path, school, capsys):
    from monitoring.models import SchoolAggregate
    from monitoring.tests.builders import ege_report_xlsx

    path = tmp_path / "ege.xlsx"
    figures = {"Русский язык": (25, 1, 4, 0, 68), "Физика": (7, 1, 0, 0, 52)}
    path.write_bytes(ege_report_xlsx(["Русский язык", "Физика"], {"Район": [(school.code, "СОШ", figures)]}))

    call_command("import_results", str(path))

    assert "строк 1, школ 1; записано 2" in capsys.readouterr().out
    assert SchoolAggregate.objects.filter(school=school, procedure="ege").count() == 2
