"""The analytical report on an identification run (kind 1); offered once identification runs exist."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports import documents, services
from reports.models import ReportRequest
from reports.tests.conftest import pdf_text, save_first_page

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not documents.identification_available(), reason="identification runs are not on this branch"),
]


@pytest.fixture
def run(municipality, school, other_school, years, department, russian):
    from identification.models import (
        Criterion,
        IdentificationRun,
        Methodology,
        MethodologyVersion,
        RunResult,
        StatusKind,
    )

    methodology = Methodology.objects.create(name="Низкие результаты (тест)", kind=StatusKind.LOW_RESULTS)
    version = MethodologyVersion.objects.create(
        methodology=methodology, number=2, required_count=1, source_document="Приказ УО № 45 от 01.09.2025"
    )
    Criterion.objects.create(version=version, indicator="vpr_share_2", subject=russian, operator="bottom", value=10)
    run = IdentificationRun.objects.create(
        version=version, year=years[2025], municipality=municipality, status="done", created_by=department
    )
    label = "доля «2» по ВПР (русский язык)"
    RunResult.objects.create(
        run=run,
        school=school,
        proposed=True,
        fired_count=1,
        details=[{"criterion": 1, "label": label, "fired": True, "value": 25.0, "percentile": 4.0, "threshold": 20.0}],
        explanation="Доля «2» по ВПР 25,0 % — в нижних 10 % муниципалитета.",
    )
    RunResult.objects.create(
        run=run,
        school=other_school,
        proposed=False,
        fired_count=0,
        details=[{"criterion": 1, "label": label, "fired": False, "value": 3.8, "percentile": 80.0, "threshold": 20.0}],
    )
    return run


def _render(run_on_commit, user, params, fmt="pdf"):
    request = run_on_commit(
        services.report_request_create, user=user, kind="identification", fmt=fmt, params=params, title="Выявление"
    )
    request.refresh_from_db()
    assert request.status == ReportRequest.Status.DONE, request.error
    return request.file.read()


def test_identification_report_shows_methodology_lists_indicators_and_all_schools(run_on_commit, department, run):
    content = _render(run_on_commit, department, {"run": run.pk})
    text = pdf_text(content)
    save_first_page(content, "identification")
    assert "Аналитический отчёт по результатам выявления" in text
    assert "Низкие результаты (тест), версия 2" in text
    assert "Приказ УО № 45 от 01.09.2025" in text
    assert "Доля «2» по ВПР" in text
    assert "МБОУ СОШ № 1 (edu980001), выполнено критериев: 1" in text
    assert "25 4 20 да" in text  # value, percentile, threshold, fired
    assert "МБОУ Берёзовская ООШ" in text  # in the table of all schools


def test_identification_results_xlsx_lists_every_school(run_on_commit, department, run):
    sheet = openpyxl.load_workbook(io.BytesIO(_render(run_on_commit, department, {"run": run.pk}, "xlsx"))).active
    assert [c.value for c in sheet[1]] == documents_headers()
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:4] == ("edu980001", "МБОУ СОШ № 1", 1, "да")
    assert rows[1][:4] == ("edu980002", "МБОУ Берёзовская ООШ", 0, None)


def documents_headers():
    from reports.identification_report import RESULT_HEADERS

    return RESULT_HEADERS


def test_a_director_or_the_outsider_cannot_have_the_identification_report(director, outsider, run):
    with pytest.raises((PermissionDenied, Http404)):
        services.report_request_create(user=director, kind="identification", params={"run": run.pk}, title="x")
    with pytest.raises((PermissionDenied, Http404)):
        services.report_request_create(user=outsider, kind="identification", params={"run": run.pk}, title="x")


def test_the_run_page_links_to_a_prefilled_identification_report(client, department, run):
    from django.urls import reverse

    client.force_login(department)
    page = client.get(reverse("identification:run_detail", args=[run.pk])).content.decode()
    assert f"{reverse('reports:new')}?kind=identification&amp;run={run.pk}" in page
    form = client.get(f"{reverse('reports:new')}?kind=identification&run={run.pk}").content.decode()
    assert f'<option value="{run.pk}" selected>' in form
