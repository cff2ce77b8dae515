"""Checks of uploaded materials, photos and documents by their content, not their name."""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000

OOXML = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    token: str


def _image_kind(head: bytes) -> tuple[str, str] | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    return None


def _verify_image(data: bytes) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError("Изображение слишком большое: уменьшите его до 40 мегапикселей.")
            image.verify()
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError("Файл повреждён или не является изображением.") from exc


def _ooxml_kind(data: bytes) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
                return None
            # A zip bomb inflates far beyond what an office document needs.
            if sum(info.file_size for info in archive.infolist()) > 10 * MAX_FILE_BYTES:
                return None
    except zipfile.BadZipFile:
        return None
    for prefix, kind in OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def check_upload(upload, *, images_only: bool = False) -> CheckedFile:
    """What the file really is (PDF, JPEG, PNG, DOCX, PPTX, XLSX), or a Russian ValidationError."""
    limit = min(MAX_FILE_BYTES, settings.UPLOAD_MAX_BYTES)
    if upload.size > limit:
        raise ValidationError(f"Файл больше {limit // (1024 * 1024)} МБ.")
    if upload.size == 0:
        raise ValidationError("Файл пустой.")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = _image_kind(data[:16])
    if kind:
        _verify_image(data)
    elif images_only:
        raise ValidationError("Загрузите фотографию в формате JPEG или PNG.")
    elif data.startswith(b"%PDF-"):
        kind = ("pdf", "application/pdf")
    elif data.startswith(b"PK\x03\x04"):
        kind = _ooxml_kind(data)
    if kind is None:
        raise ValidationError(
            "Допустимые форматы: PDF, DOCX, PPTX, XLSX, JPEG, PNG (файлы с макросами не принимаются)."
        )
    return CheckedFile(extension=kind[0], content_type=kind[1], size=upload.size, token=secrets.token_hex(16))
