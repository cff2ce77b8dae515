"""core.tabular refuses dangerous workbooks before any XML of them is parsed (issue 3)."""

import io
import zipfile

import pytest

from core.tabular import TabularFileError, read_tables
from monitoring.models import ImportJob, ParticipantResult
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row


def _workbook_with(extra: dict[str, bytes], base: bytes | None = None) -> bytes:
    """A real workbook plus extra archive members."""
    source = zipfile.ZipFile(io.BytesIO(base or vpr_f1_xlsx(VprSheet())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _read(content: bytes, name: str = "f.xlsx"):
    return read_tables(io.BytesIO(content), name)


def test_zip_bomb_is_refused_by_its_compression_ratio():
    bomb = _workbook_with({"xl/worksheets/sheet9.xml": b"0" * (20 * 1024 * 1024)})

    with pytest.raises(TabularFileError, match="zip-бомба"):
        _read(bomb)


def test_zip_bomb_upload_ends_failed_and_writes_nothing(department, school, run_import):
    bomb = _workbook_with({"xl/worksheets/sheet9.xml": b"0" * (20 * 1024 * 1024)})

    job = run_import(department, bomb)

    assert job.status == ImportJob.Status.FAILED
    assert "zip-бомба" in job.errors[0]["message"]
    assert not ParticipantResult.objects.exists()


def test_workbook_over_the_uncompressed_limit_is_refused(settings):
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = 64 * 1024
    big = _workbook_with({"xl/media/image1.bin": bytes(range(256)) * 512})  # 128 KB, barely compressible

    with pytest.raises(TabularFileError, match="в распакованном виде"):
        _read(big)


def test_a_real_shaped_workbook_within_the_upload_limit_is_not_refused_for_its_unpacked_size(settings):
    """A numeric results table compresses 11–12 times: a file under the upload limit must unpack
    within the default cap (ten times the upload limit refused a 46 MB Ф1 of 700,000 rows)."""
    import random

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Код ОО", "Класс", "Код участника", *(str(task) for task in range(1, 21)), "Балл", "Отметка"])
    rows = random.Random(1)
    for number in range(4000):
        scores = [rows.randint(0, 2) for _ in range(20)]
        sheet.append([f"edu{number // 50:06d}", "5А", f"{number:05d}", *scores, sum(scores), rows.randint(2, 5)])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert unpacked > 10 * len(content)  # the premise: more than the old cap of ten times
    settings.UPLOAD_MAX_BYTES = len(content) + 1
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = None  # the default

    tables = _read(content)

    assert sum(len(table.rows) for table in tables) >= 4000


def test_oversized_file_is_refused_before_it_is_parsed(settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024

    with pytest.raises(TabularFileError, match="Файл больше допустимых"):
        _read(b"a;b\n" * 10_000, "f.csv")


def test_oversized_upload_is_refused_when_the_job_is_created(department, settings):
    from monitoring import imports

    settings.UPLOAD_MAX_BYTES = 10 * 1024

    with pytest.raises(TabularFileError, match="Файл больше допустимых"):
        imports.results_import_create(user=department, uploaded_file=io.BytesIO(b"0" * 20_000), original_name="a.csv")
    assert not ImportJob.objects.exists()


def test_archive_with_too_many_entries_is_refused():
    crowded = _workbook_with({f"xl/parts/p{i}.xml": b"" for i in range(10_001)})

    with pytest.raises(TabularFileError, match="частей"):
        _read(crowded)


def test_workbook_with_a_vba_project_is_refused():
    with pytest.raises(TabularFileError, match="макросы"):
        _read(_workbook_with({"xl/vbaProject.bin": b"\x00" * 100}))


def test_workbook_with_external_links_is_refused():
    with pytest.raises(TabularFileError, match="внешние ссылки"):
        _read(_workbook_with({"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}))


def test_xlsm_is_refused_by_name_even_when_clean():
    with pytest.raises(TabularFileError, match=r"\.xlsm"):
        _read(vpr_f1_xlsx(VprSheet()), "f.xlsm")


def test_an_ordinary_workbook_still_reads(school):
    sheets = _read(vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row("1")]})))

    assert sheets[0].rows[0][0] == "ВПР 2026 Русский язык 4 класс"


def test_an_unsniffable_csv_does_not_change_the_global_excel_dialect():
    import csv

    _read("одна колонка;\n".encode() + b"x" * 30, "f.csv")

    assert csv.excel.delimiter == ","
