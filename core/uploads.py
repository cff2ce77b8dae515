"""One check for every uploaded document or photo: what the file is, decided by decoding it.

Every file field of the portal (roadmap evidence, agreement scans, event materials and photos,
practice and page attachments) calls ``upload_check`` with the kinds it accepts and its size
limit. The kind is never taken from the name or the first bytes alone:

- JPEG and PNG are opened and decoded by Pillow, with a cap on pixels (a decompression bomb
  is a tiny file that unpacks to gigabytes);
- PDF is parsed by pypdf and must have at least one page (``%PDF-`` followed by a web page is
  not a PDF);
- DOCX, PPTX and XLSX are zip archives checked part by part: entries, real unpacked size and
  compression ratio (zip bombs), macros; an XLSX also goes through ``core.tabular``'s workbook
  checks (external links, macro sheets).

The stored file and its download name take the extension of the detected kind, never the
user's. Every refusal is a Russian ``ValidationError`` naming the file; a library's own (English)
message is logged, never shown.
"""

from __future__ import annotations

import io
import logging
import secrets
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError

from core.tabular import (
    XLSX_MAX_COMPRESSION_RATIO,
    XLSX_MAX_ENTRIES,
    XML_ENTITIES,
    TabularFileError,
    has_xml_entities,
    inspect_xlsx_archive,
    max_uncompressed_bytes,
)

logger = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = 40_000_000
LABELS = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "xlsx": "XLSX", "jpg": "JPEG", "png": "PNG"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
DOCUMENTS = frozenset(CONTENT_TYPES)
IMAGES = frozenset({"jpg", "png"})
# The part that tells which Office document an archive is.
_OFFICE_MAIN_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml", "pptx": "ppt/presentation.xml"}


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str
    size: int
    data: bytes = field(repr=False)
    token: str = field(default_factory=lambda: secrets.token_hex(16))

    def download_name(self, original: str) -> str:
        """The user's name with the extension of what the file really is (``polyglot.pdf``)."""
        stem = PurePath(original or "").stem.strip() or "file"
        return f"{stem[:150]}.{self.extension}"


def accepted_text(kinds) -> str:
    """«PDF, JPEG или PNG»."""
    labels = [LABELS[kind] for kind in LABELS if kind in kinds]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} или {labels[-1]}"


def upload_check(upload: IO[bytes], *, name: str, kinds=DOCUMENTS, max_bytes: int) -> CheckedUpload:
    """Read the upload and say what it is, or raise ValidationError (Russian, names the file)."""
    label = f"Файл «{PurePath(name or 'без имени').name}»"
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if len(data) > max_bytes:
        raise ValidationError(f"{label} больше допустимых {max_bytes / (1024 * 1024):.0f} МБ.")
    if not data:
        raise ValidationError(f"{label} пустой.")
    kind = _detect(data, label, kinds)
    if kind not in kinds:
        raise ValidationError(
            f"{label}: по содержимому это {LABELS[kind]}, а здесь принимаются {accepted_text(kinds)}."
        )
    return CheckedUpload(extension=kind, content_type=CONTENT_TYPES[kind], size=len(data), data=data)


def _refuse(label: str, kinds) -> ValidationError:
    return ValidationError(
        f"{label} не похож на документ {accepted_text(kinds)}: по содержимому это другой формат или файл повреждён."
    )


def _detect(data: bytes, label: str, kinds) -> str:
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image(data, label, kinds)
    if data.startswith(b"%PDF-"):
        _pdf(data, label, kinds)
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _office(data, label, kinds)
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ValidationError(
            f"{label} — документ старого формата Office (.doc, .xls, .ppt): сохраните его как {accepted_text(kinds)}."
        )
    raise _refuse(label, kinds)


def _image(data: bytes, label: str, kinds) -> str:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    f"{label}: изображение {image.width}×{image.height} слишком большое — уменьшите его "
                    f"до {MAX_IMAGE_PIXELS // 1_000_000} мегапикселей."
                )
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            # verify() checks structure, not the compressed pixels: decode them (a JPEG at 1/8 scale).
            image.draft("RGB", (max(image.width // 8, 1), max(image.height // 8, 1)))
            image.load()
    except ValidationError:
        raise
    except Exception as exc:
        logger.info("upload refused, image does not decode: %s", exc)
        raise ValidationError(f"{label} повреждён или не является изображением JPEG/PNG.") from exc
    kind = {"JPEG": "jpg", "PNG": "png"}.get(fmt or "")
    if kind is None:
        raise _refuse(label, kinds)
    return kind


def _pdf(data: bytes, label: str, kinds) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(f"{label} защищён паролем: сохраните PDF без пароля.")
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception as exc:
        logger.info("upload refused, PDF does not parse: %s", exc)
        raise ValidationError(f"{label} повреждён или не является документом PDF.") from exc
    if pages < 1:
        raise ValidationError(f"{label}: в документе PDF нет ни одной страницы.")


def _office(data: bytes, label: str, kinds) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ValidationError(f"{label} повреждён: архив не читается.") from exc
    if "[Content_Types].xml" not in names:
        raise ValidationError(f"{label} — архив, а не документ {accepted_text(kinds)}.")
    kind = next((k for k, main in _OFFICE_MAIN_PART.items() if main in names), None)
    if kind is None:
        raise ValidationError(f"{label} — архив, а не документ {accepted_text(kinds)}.")
    if kind == "xlsx":
        try:
            inspect_xlsx_archive(data)
        except TabularFileError as exc:  # Russian already
            raise ValidationError(f"{label}: {exc}") from exc
    else:
        _inspect_archive(data, label)
    return kind


def _inspect_archive(data: bytes, label: str) -> None:
    """core.tabular's archive limits for a Word or PowerPoint file: entries, real size, ratio, macros."""
    limit = max_uncompressed_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > XLSX_MAX_ENTRIES:
            raise ValidationError(f"{label}: слишком много частей в архиве документа.")
        if any(info.filename.lower().endswith("vbaproject.bin") for info in infos):
            raise ValidationError(f"{label}: документы с макросами не принимаются, сохраните его как .docx или .pptx.")
        compressed = sum(info.compress_size for info in infos)
        total = 0
        try:
            for info in infos:
                with archive.open(info) as part:
                    first = True
                    while chunk := part.read(1024 * 1024):
                        if first and has_xml_entities(chunk):
                            raise ValidationError(f"{label}: {XML_ENTITIES}")
                        first = False
                        total += len(chunk)
                        if total > limit or total > XLSX_MAX_COMPRESSION_RATIO * max(compressed, 1) + 1024 * 1024:
                            raise ValidationError(
                                f"{label} в распакованном виде слишком велик: так выглядит «zip-бомба»."
                            )
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            logger.info("upload refused, archive does not read: %s", exc)
            raise ValidationError(f"{label} повреждён: архив не читается.") from exc
