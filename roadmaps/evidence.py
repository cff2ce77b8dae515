"""Checks of evidence files: the size limit and the type decided by decoding, never by the name.

Accepted: PDF, DOCX, XLSX, JPEG, PNG, checked by the portal's one validator (core.uploads).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError

from core.errors import ApplicationError
from core.uploads import upload_check

ACCEPTED = "PDF, DOCX, XLSX, JPG или PNG"
KINDS = frozenset({"pdf", "docx", "xlsx", "jpg", "png"})
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}


class EvidenceRefused(ApplicationError, ValueError):
    """The file is not accepted; the message is for the user, in Russian."""


def max_bytes() -> int:
    return settings.ROADMAP_EVIDENCE_MAX_BYTES


def read_evidence(fileobj: IO[bytes], name: str) -> tuple[bytes, str]:
    """The bytes of an upload and its kind (pdf, docx, xlsx, jpg, png), or EvidenceRefused."""
    try:
        checked = upload_check(fileobj, name=name, kinds=KINDS, max_bytes=max_bytes())
    except ValidationError as exc:
        raise EvidenceRefused(" ".join(exc.messages)) from exc
    return checked.data, checked.extension


def download_name(original_name: str, kind: str) -> str:
    """The user's name with the extension of the checked kind: never «report.html» for a PDF."""
    stem = PurePath(original_name or "").stem.strip() or "file"
    return f"{stem[:150]}.{kind}"
