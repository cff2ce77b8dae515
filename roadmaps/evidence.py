"""Checks of evidence files: the size limit and the type decided by content, never by the name.

Accepted: PDF, DOCX, XLSX, JPEG, PNG. An Office file is a zip: an XLSX goes through
``core.tabular.inspect_xlsx_archive`` (zip bomb, macros, external links); a DOCX gets the
same archive limits here and must carry ``word/document.xml`` and no VBA project.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

from django.conf import settings

from core.tabular import (
    XLSX_MAX_COMPRESSION_RATIO,
    XLSX_MAX_ENTRIES,
    TabularFileError,
    inspect_xlsx_archive,
    max_uncompressed_bytes,
)

ACCEPTED = "PDF, DOCX, XLSX, JPG или PNG"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}


class EvidenceRefused(ValueError):
    """The file is not accepted; the message is for the user, in Russian."""


def max_bytes() -> int:
    return settings.ROADMAP_EVIDENCE_MAX_BYTES


def read_evidence(fileobj: IO[bytes], name: str) -> tuple[bytes, str]:
    """The bytes of an upload and its kind (pdf, docx, xlsx, jpg, png), or EvidenceRefused."""
    limit = max_bytes()
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise EvidenceRefused(f"Файл «{name}» больше допустимых {limit / (1024 * 1024):.0f} МБ.")
    if not data:
        raise EvidenceRefused(f"Файл «{name}» пустой.")
    return data, evidence_kind(data, name)


def evidence_kind(data: bytes, name: str) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data, name)
    raise EvidenceRefused(f"Файл «{name}» не похож на документ {ACCEPTED}: по содержимому это другой формат.")


def _office_kind(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise EvidenceRefused(f"Файл «{name}» повреждён: архив не читается.") from exc
    if "[Content_Types].xml" not in names:
        raise EvidenceRefused(f"Файл «{name}» — архив, а не документ {ACCEPTED}.")
    if "xl/workbook.xml" in names:
        try:
            inspect_xlsx_archive(data)
        except TabularFileError as exc:
            raise EvidenceRefused(f"Файл «{name}»: {exc}") from exc
        return "xlsx"
    if "word/document.xml" in names:
        _inspect_docx(data, name)
        return "docx"
    raise EvidenceRefused(f"Файл «{name}» — архив, а не документ {ACCEPTED}.")


def _inspect_docx(data: bytes, name: str) -> None:
    """The archive limits of core.tabular for a Word file: entries, real size, ratio, macros."""
    limit = max_uncompressed_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > XLSX_MAX_ENTRIES:
            raise EvidenceRefused(f"Файл «{name}»: слишком много частей в архиве документа.")
        if any(info.filename.lower().endswith("vbaproject.bin") for info in infos):
            raise EvidenceRefused(f"Файл «{name}» содержит макросы: сохраните его как обычный .docx.")
        compressed = sum(info.compress_size for info in infos)
        total = 0
        try:
            for info in infos:
                with archive.open(info) as part:
                    while chunk := part.read(1024 * 1024):
                        total += len(chunk)
                        if total > limit or total > XLSX_MAX_COMPRESSION_RATIO * max(compressed, 1) + 1024 * 1024:
                            raise EvidenceRefused(
                                f"Файл «{name}» в распакованном виде слишком велик: так выглядит «zip-бомба»."
                            )
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise EvidenceRefused(f"Файл «{name}» повреждён: архив не читается.") from exc
