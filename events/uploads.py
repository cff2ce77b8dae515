"""Checks of uploaded materials, photos and documents: core.uploads, the portal's one validator."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from core.uploads import DOCUMENTS, IMAGES, upload_check

MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    token: str


def check_upload(upload, *, images_only: bool = False) -> CheckedFile:
    """What the file really is (PDF, JPEG, PNG, DOCX, PPTX, XLSX), or a Russian ValidationError."""
    checked = upload_check(
        upload,
        name=getattr(upload, "name", "") or "",
        kinds=IMAGES if images_only else DOCUMENTS,
        max_bytes=min(MAX_FILE_BYTES, settings.UPLOAD_MAX_BYTES),
    )
    return CheckedFile(
        extension=checked.extension, content_type=checked.content_type, size=checked.size, token=checked.token
    )
