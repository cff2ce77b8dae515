"""РЦОИ files as they mostly come — Excel 97–2003 (.xls) and OpenDocument (.ods) — read through
python-calamine under the limits of an .xlsx; .xlsm is still refused in Russian (issue #16)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

import pytest

from core.tabular import TabularFileError, read_tables, read_upload
from monitoring.models import ImportJob, ParticipantResult, Procedure
from monitoring.tests.files.make_rcoi_xls import PATH, PROTOCOL, ROWS

_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods(rows: list[list], *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice writes one (mimetype first, stored)."""

    def cell(value) -> str:
        if value in ("", None):
            return "<table:table-cell/>"
        if isinstance(value, int | float):
            number = f'office:value-type="float" office:value="{value}"'
            return f"<table:table-cell {number}><text:p>{value}</text:p></table:table-cell>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Протокол">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _check_stored(job: ImportJob) -> None:
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.layout, job.total_rows, job.rows_created, job.rows_skipped) == (
        ImportJob.Layout.RCOI_PROTOCOL, 3, 2, 1,
    )  # fmt: skip
    stored = sorted(ParticipantResult.objects.values_list("class_name", "procedure", "primary_score", "mark"))
    assert stored == [(row[2], Procedure.OGE, row[11], row[12]) for row in ROWS]


def test_an_xls_protocol_imports_as_published(department, school, run_import):
    job = run_import(department, PATH.read_bytes(), name="protokol.xls")

    assert job.file_kind == "xls"
    _check_stored(job)


def test_an_ods_protocol_imports_as_published(department, school, run_import):
    job = run_import(department, ods(PROTOCOL), name="protokol.ods")

    assert job.file_kind == "ods"
    _check_stored(job)


def test_an_ods_with_basic_macros_is_refused_in_russian():
    content = ods(PROTOCOL, extra={"Basic/Standard/Module1.xml": b"<x/>"})

    with pytest.raises(TabularFileError, match="Книга содержит макросы"):
        read_tables(io.BytesIO(content), "upload.ods")


def test_an_ods_zip_bomb_is_refused_like_an_xlsx(settings):
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = 200_000
    content = ods(PROTOCOL, extra={"Thumbnails/big.xml": b"<a>" + b" " * 1_000_000 + b"</a>"})

    with pytest.raises(TabularFileError, match="распакованном виде"):
        read_tables(io.BytesIO(content), "upload.ods")


def test_an_xls_sheet_over_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_SHEET_ROWS = 3

    with pytest.raises(TabularFileError, match="строк больше, чем допустимо"):
        read_tables(io.BytesIO(PATH.read_bytes()), "upload.xls")


def test_a_broken_xls_is_refused_in_russian_and_xlsm_still_is():
    with pytest.raises(TabularFileError, match="Не удалось прочитать книгу Excel"):
        read_tables(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512), "upload.xls")
    with pytest.raises(TabularFileError, match=r"\.xlsm"):
        read_upload(io.BytesIO(PATH.read_bytes()), "protokol.xlsm")
