"""Every kind of upload refuses a program or a web page that only wears a document's name.

The type is decided by content, never by the file name: each upload path's own checker is
called with a renamed executable and a renamed HTML page.
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from core.tabular import TabularFileError, read_tables, read_upload
from events.uploads import check_upload
from partnerships.services import scan_kind_of
from roadmaps.evidence import EvidenceRefused, read_evidence

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
HTML_WITH_BOM = b"\xef\xbb\xbf\n  <html><script>alert(1)</script></html>"
DISGUISES = [
    pytest.param(EXECUTABLE, id="renamed executable"),
    pytest.param(HTML, id="renamed html"),
    pytest.param(HTML_WITH_BOM, id="renamed html with a BOM"),
]


@pytest.mark.parametrize("content", DISGUISES)
@pytest.mark.parametrize("name", ["report.pdf", "photo.png", "plan.docx"])
def test_roadmap_evidence_refuses_a_disguised_file(content, name):
    with pytest.raises(EvidenceRefused):
        read_evidence(io.BytesIO(content), name)


@pytest.mark.parametrize("content", DISGUISES)
def test_agreement_scan_refuses_a_disguised_file(content):
    assert scan_kind_of(content[:16]) is None


@pytest.mark.parametrize("content", DISGUISES)
@pytest.mark.parametrize("images_only", [False, True], ids=["material or attachment", "photo"])
def test_event_material_photo_and_attachment_refuse_a_disguised_file(content, images_only):
    upload = SimpleUploadedFile("programme.pdf" if not images_only else "photo.png", content)
    with pytest.raises(ValidationError):
        check_upload(upload, images_only=images_only)


@pytest.mark.parametrize("content", DISGUISES)
@pytest.mark.parametrize("name", ["results.xlsx", "registry.csv", "teachers.xlsx"])
def test_spreadsheet_imports_refuse_a_disguised_file(content, name):
    """Results, registry and teachers imports all read their file through core.tabular."""
    with pytest.raises(TabularFileError, match="не похож"):
        read_upload(io.BytesIO(content), name)
    with pytest.raises(TabularFileError, match="не похож"):
        read_tables(io.BytesIO(content), name)


def test_a_plain_csv_is_still_read():
    data, kind = read_upload(io.BytesIO("Код;Школа\nedu1;Школа № 1\n".encode()), "registry.csv")
    assert kind == "csv" and data.startswith("Код".encode())


def test_no_url_pattern_serves_the_media_folder(client, db):
    """Stored files are reached only through permission-checked views, never by their path."""
    stored = "roadmap_evidence/2026/01/0123456789abcdef.pdf"
    with pytest.raises(Resolver404):
        resolve(f"{settings.MEDIA_URL}{stored}")
    assert client.get(f"{settings.MEDIA_URL}{stored}").status_code == 404
