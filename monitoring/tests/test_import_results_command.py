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

    assert "школ 1; записано 2" in capsys.readouterr().out
    assert SchoolAggregate.objects.filter(school=school, procedure="ege").count() == 2


def _named_ege_report(path, *names: str):
    import io

    from openpyxl import load_workbook

    from monitoring.tests.builders import ege_report_xlsx

    content = ege_report_xlsx(
        ["Русский язык"],
        {"Заречный муниципальный район": [("", name, {"Русский язык": (4, 0, 1, 0, 60)}) for name in names]},
    )
    book = load_workbook(io.BytesIO(content))
    book.active["A3"] = "№"  # names only, no «Код ОО» column
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_command_resolves_names_and_runs_the_same_follow_ups_as_the_page(tmp_path, school, capsys):
    from identification.models import IndicatorRecompute
    from monitoring.models import SchoolAggregate

    path = _named_ege_report(tmp_path / "ege.xlsx", "МБОУ «СОШ №1»")

    call_command("import_results", str(path), municipality=school.municipality.oktmo)

    assert "записано 1" in capsys.readouterr().out
    assert SchoolAggregate.objects.get().school == school
    # The recompute the web import starts, started here too (monitoring.imports.follow_ups).
    assert IndicatorRecompute.objects.filter(import_job=ImportJob.objects.get()).exists()


def test_command_exits_1_listing_the_names_to_settle_then_takes_them_from_aliases(
    tmp_path, school, other_school, capsys
):
    from monitoring.models import SchoolAggregate

    path = _named_ege_report(tmp_path / "ege.xlsx", "МБОУ «СОШ №1»", "Берёзовская школа", "Вечерняя школа № 9")

    with pytest.raises(CommandError, match="не сопоставлено названий 2") as raised:
        call_command("import_results", str(path), municipality=school.municipality.oktmo)

    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    assert "«Берёзовская школа»" in err and "МБОУ Берёзовская ООШ" in err and "«Вечерняя школа № 9»" in err
    assert not SchoolAggregate.objects.exists()
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(
        "Муниципалитет;Название в файле;Код ОО\n"
        f"{school.municipality.name};Берёзовская школа;{other_school.code}\n"
        f"{school.municipality.oktmo};Вечерняя школа № 9;пропустить\n",
        encoding="utf-8",
    )

    call_command("import_results", str(path), municipality=school.municipality.oktmo, aliases=aliases)

    out = capsys.readouterr().out
    assert "Сопоставлений названий сохранено: 2" in out and "записано 2" in out
    assert sorted(SchoolAggregate.objects.values_list("school__code", flat=True)) == [school.code, other_school.code]
