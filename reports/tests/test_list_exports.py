"""Every list page's XLSX export goes through core.tabular.xlsx_bytes: Russian headers, a frozen
header row, widths that fit, and formula-like text made inert (issue #9)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from events.tests.factories import EventFactory, RegistrationFactory
from monitoring.models import ImportJob
from reports.tests.registry import agreements_xlsx, participants_xlsx, registry_xlsx

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example","Нажмите")'


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _book(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _cells(sheet) -> list:
    return [cell for row in sheet.iter_rows(min_row=2, values_only=True) for cell in row]


def _assert_sensible(sheet, first_header: str) -> None:
    assert sheet["A1"].value == first_header
    assert sheet.freeze_panes == "A2"
    assert all((sheet.column_dimensions[c].width or 0) >= 8 for c in "ABC")


def test_registry_export_escapes_a_school_name_typed_as_a_formula(
    client, department, school, django_capture_on_commit_callbacks
):
    school.organisation.name = EVIL
    school.organisation.save()
    client.force_login(department)
    content = registry_xlsx(client, django_capture_on_commit_callbacks)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = _cells(sheet)
    assert "'" + EVIL in cells and EVIL not in cells
    # The full name is long: its column is widened from the content, not left at 12.
    name_col = next(c for c in sheet[1] if c.value and "наименование" in c.value.lower())
    assert sheet.column_dimensions[name_col.column_letter].width >= len(EVIL)


def test_agreements_export_escapes_activities_typed_as_a_formula(
    client, department, agreement, django_capture_on_commit_callbacks
):
    agreement.number = "+7-П"
    agreement.save()
    client.force_login(department)
    sheet = _book(agreements_xlsx(client, django_capture_on_commit_callbacks))
    _assert_sensible(sheet, sheet["A1"].value)
    cells = _cells(sheet)
    assert "'+7-П" in cells and "+7-П" not in cells


def test_participants_export_escapes_names_typed_by_the_public(
    client, methodologist, municipality, school, django_capture_on_commit_callbacks
):
    event = EventFactory(municipality=municipality)
    RegistrationFactory(event=event, school=school, full_name="@SUM(1+1)*cmd|' /C calc'!A0", position="\t=1+2")
    client.force_login(methodologist)
    sheet = _book(participants_xlsx(client, django_capture_on_commit_callbacks, event))
    _assert_sensible(sheet, "ФИО")
    cells = [c for c in _cells(sheet) if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells


def test_import_errors_export_escapes_cell_text_quoted_in_messages(client, department, municipality):
    job = ImportJob.objects.create(
        original_name="f.xlsx",
        sha256="d" * 64,
        status=ImportJob.Status.FAILED,
        uploaded_by=department,
        municipality=municipality,
        errors=[{"sheet": "-Лист", "row": 3, "column": "=B", "message": "Неизвестный код ОО"}],
        error_count=1,
    )
    client.force_login(department)
    sheet = _sheet(client.get(reverse("monitoring:import_errors", args=[job.pk])))
    _assert_sensible(sheet, "Лист")
    assert [c.value for c in sheet[2]] == ["'-Лист", 3, "'=B", "Неизвестный код ОО"]
