"""The upload page lists every layout; each canonical one has a template that imports as is."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from monitoring.formats.layouts import LAYOUTS, TEMPLATES
from monitoring.models import ImportJob, SchoolAggregate


def test_the_catalogue_names_every_layout_the_import_detects():
    assert {item.layout for item in LAYOUTS} == set(ImportJob.Layout.values)


def test_upload_page_lists_every_layout_with_its_description_and_template_link(client, department):
    client.force_login(department)

    page = client.get(reverse("monitoring:import_upload")).content.decode()

    for item in LAYOUTS:
        assert f'id="layout-{item.layout}"' in page and str(item.title) in page
    for kind in TEMPLATES:
        assert reverse("monitoring:import_template_of", args=[kind]) in page
    assert "<script>" not in page and "onclick=" not in page


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_template_has_every_documented_column_and_a_description_sheet(client, department, kind):
    client.force_login(department)

    response = client.get(reverse("monitoring:import_template_of", args=[kind]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{TEMPLATES[kind].filename}"'
    book = load_workbook(io.BytesIO(response.content))
    data, notes = book.worksheets
    assert [cell.value for cell in data[1]] == [column.title for column in TEMPLATES[kind].columns]
    assert notes.title == "Описание"
    assert notes.max_row == len(TEMPLATES[kind].columns) + 1


def test_the_aggregates_template_filled_with_the_directors_school_imports_as_is(client, director, run_import):
    client.force_login(director)
    content = client.get(reverse("monitoring:import_template_of", args=["aggregates"])).content

    job = run_import(director, content, name="shablon.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.layout == ImportJob.Layout.AGGREGATES
    assert SchoolAggregate.objects.filter(school=director.school).count() == len(TEMPLATES["aggregates"].example)


def test_unknown_template_kind_is_not_found(client, department):
    client.force_login(department)

    assert client.get(reverse("monitoring:import_template_of", args=["passport"])).status_code == 404
