"""Every upload field against the hostile corpus (tests/hostile_uploads.py, built at test time).

Each field is driven through the service its form calls. A hostile file is refused with a
Russian message (no library English), nothing is stored; a real document of a kind the field
accepts is stored under the extension of what it really is.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.tabular import TabularFileError, read_tables, read_upload
from core.uploads import upload_check
from events import services as event_services
from events.models import EventMaterial
from events.tests.factories import EventFactory, PageFactory, PracticeFactory
from partnerships.models import Agreement
from partnerships.services import agreement_scan_attach
from partnerships.tests.conftest import agreement_with
from roadmaps.evidence import EvidenceRefused, download_name, read_evidence
from tests.hostile_uploads import CORPUS, GOOD, Hostile

# Words a Russian message may hold in Latin letters: formats and product names.
ALLOWED_LATIN = {"pdf", "jpeg", "png", "docx", "xlsx", "pptx", "csv", "utf", "excel", "word", "xlsm", "xls", "doc",
                 "ppt", "zip", "office", "jpg", "xml", "doctype"}  # fmt: skip


def _russian_only(message: str) -> bool:
    text = re.sub(r"«[^»]*»", "", message)  # the file's own name may be anything
    latin = {word.lower() for word in re.findall(r"[A-Za-z]{3,}", text)}
    return bool(re.search("[А-Яа-яЁё]", text)) and latin <= ALLOWED_LATIN


@pytest.fixture
def fields(db, municipality, school, other_school, department, methodologist):
    """name → (accepted kinds, store(name, data) -> stored extension; raises with the user's message)."""
    event = EventFactory(municipality=municipality)
    practice = PracticeFactory(municipality=municipality)
    page = PageFactory(municipality=municipality)
    agreement = agreement_with(supported=school, partners=[other_school], status=Agreement.Status.SIGNED)

    def upload(name: str, data: bytes) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, data)

    def evidence(name, data):
        return read_evidence(io.BytesIO(data), name)[1]

    def scan(name, data):
        return agreement_scan_attach(agreement=agreement, upload=upload(name, data), by=department).scan_kind

    def material(name, data):
        return event_services.event_material_add(
            event=event, upload=upload(name, data), title="", kind="material"
        ).extension

    def photo(name, data):
        return event_services.event_material_add(
            event=event, upload=upload(name, data), title="", kind=EventMaterial.Kind.PHOTO
        ).extension

    def practice_file(name, data):
        return event_services.practice_file_add(practice=practice, upload=upload(name, data), title="").extension

    def page_file(name, data):
        return event_services.page_attachment_add(page=page, upload=upload(name, data), title="").extension

    documents = {"pdf", "docx", "pptx", "xlsx", "jpg", "png"}
    return {
        "roadmap evidence": ({"pdf", "docx", "xlsx", "jpg", "png"}, evidence),
        "agreement scan": ({"pdf", "jpg", "png"}, scan),
        "event material": (documents, material),
        "event photo": ({"jpg", "png"}, photo),
        "practice file": (documents, practice_file),
        "page attachment": (documents, page_file),
    }


FIELD_NAMES = [
    "roadmap evidence",
    "agreement scan",
    "event material",
    "event photo",
    "practice file",
    "page attachment",
]


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("field", FIELD_NAMES)
@pytest.mark.parametrize("hostile", CORPUS, ids=lambda h: h.slug)
def test_every_upload_field_refuses_every_hostile_file_in_russian(fields, field: str, hostile: Hostile):
    _kinds, store = fields[field]

    with pytest.raises((ValidationError, EvidenceRefused)) as refused:
        store(hostile.name, hostile.build())

    error = refused.value
    message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    assert _russian_only(message), message
    assert _stored_files() == []


@pytest.mark.parametrize("field", FIELD_NAMES)
@pytest.mark.parametrize("kind", sorted(GOOD))
def test_every_upload_field_takes_a_real_document_of_its_kinds(fields, field: str, kind: str):
    kinds, store = fields[field]
    if kind not in kinds:
        with pytest.raises((ValidationError, EvidenceRefused)):
            store(f"file.{kind}", GOOD[kind]())
        return

    # Named .html on purpose: the stored kind comes from the content.
    assert store("polyglot.html", GOOD[kind]()) == kind


@pytest.mark.parametrize("hostile", [h for h in CORPUS if h.spreadsheet], ids=lambda h: h.slug)
def test_the_spreadsheet_imports_refuse_every_hostile_file_in_russian(hostile: Hostile):
    """Results, registry and teachers imports read their file through core.tabular."""
    data = hostile.build()

    with pytest.raises(TabularFileError) as refused:
        _, kind = read_upload(io.BytesIO(data), hostile.name.replace(".pdf", ".xlsx").replace(".docx", ".xlsx"))
        read_tables(io.BytesIO(data), f"upload.{kind}")

    assert _russian_only(str(refused.value)), str(refused.value)


def test_a_utf16_csv_is_told_to_be_saved_as_utf8():
    data = next(h for h in CORPUS if h.slug == "utf16-csv").build()

    with pytest.raises(TabularFileError, match="сохраните его как UTF-8"):
        read_upload(io.BytesIO(data), "table.csv")


def test_the_download_name_takes_the_extension_of_the_detected_kind():
    checked = upload_check(io.BytesIO(GOOD["pdf"]()), name="polyglot.html", max_bytes=10 * 1024 * 1024)

    assert (checked.extension, checked.download_name("polyglot.html")) == ("pdf", "polyglot.pdf")
    assert download_name("Отчёт за май.html", "pdf") == "Отчёт за май.pdf"
