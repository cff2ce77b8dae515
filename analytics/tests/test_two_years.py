"""Two-year pooling (issue #18 item 5): where a small school's grades of one level stay under
10 pupils even together, the level is pooled with the year before, marked «объединено за 2
года» on the page, in the municipality's list, in the identification run's explanation (a
methodology option) and in the passport. Files go through the import; figures by hand."""

from __future__ import annotations

import pytest
from django.urls import reverse

from analytics.models import MarkResult
from analytics.stats import wilson
from analytics.tests.builders import run_for, small_school_version
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx

pytestmark = pytest.mark.django_db

# (file year, grade) → marks of the small school's pupils
MARKS = {(2025, 5): [2, 3, 4, 5, 4, 3], (2026, 5): [2, 2, 3], (2026, 6): [4, 5]}


def sheet(school, year: int, grade: int, marks: list[int]) -> VprSheet:
    rows = [
        (f"{year}{grade}{n}", f"{grade}А", "1", [1, 1, 0, 1, 1], 4, mark, mark) for n, mark in enumerate(marks, start=1)
    ]
    return VprSheet(year=year, grade=grade, schools={school.code: rows})


@pytest.fixture
def small(load, other_school):
    # The later year first: loading the earlier one must refresh the later year's two-year row.
    load(vpr_f1_xlsx(*(sheet(other_school, y, g, m) for (y, g), m in MARKS.items() if y == 2026)))
    assert not MarkResult.objects.filter(school=other_school, two_years=True).exists()
    load(vpr_f1_xlsx(*(sheet(other_school, y, g, m) for (y, g), m in MARKS.items() if y == 2025)), name="old.xlsx")
    return other_school


def test_the_level_is_pooled_with_the_year_before_when_still_under_ten(small):
    row = MarkResult.objects.select_related("year").get(school=small, two_years=True)
    marks = [mark for marks in MARKS.values() for mark in marks]  # 6 + 3 + 2 = 11 pupils
    assert row.year.start_year == 2025 and (row.grade, row.grade_to) == (5, 6)
    assert row.participants == len(marks) == 11
    assert [row.mark_2, row.mark_3, row.mark_4, row.mark_5] == [marks.count(m) for m in (2, 3, 4, 5)]
    # The year's own level pool (5 pupils) stays as it is, unmarked.
    level = MarkResult.objects.get(school=small, grade_to__isnull=False, two_years=False, year=row.year)
    assert level.participants == 5
    # 2024/25 had one grade only, under ten: nothing before it to pool with.
    assert MarkResult.objects.filter(school=small, two_years=True).count() == 1


def test_the_page_marks_the_two_year_figure(small, client, department):
    client.force_login(department)
    response = client.get(
        reverse("analytics:school", args=[small.pk]), {"year": 2025, "procedure": "vpr", "subject": "01", "grade": 5}
    )
    analysis = response.context["analysis"]
    marks = [mark for marks in MARKS.values() for mark in marks]
    success = sum(1 for m in marks if m >= 3)  # 8 of 11
    assert analysis.two_years.n == 11 and analysis.two_years.success.value == pytest.approx(100 * success / 11)
    html = response.content.decode()
    note = html.split('id="two-years-note"')[1].split("</span>")[0]
    low, high = wilson(success, 11)
    assert "объединено за 2 года" in note and f"{low:.1f}–{high:.1f}".replace(".", ",") in note
    assert "2024/25 и 2025/26" in note
    _, table = response.context["tables"]["Отметки"]
    assert table[-1][0].startswith("Объединено за 2 года") and table[-1][1] == 11


def _run(department, capture, *, two_years: bool):
    version = small_school_version(pool_two_years=two_years, name=f"Малые школы {two_years}")
    return run_for(version, department, capture)


def test_a_methodology_may_pool_two_years_and_the_explanation_says_so(
    small, department, django_capture_on_commit_callbacks
):
    without = _run(department, django_capture_on_commit_callbacks, two_years=False).results.get(school=small)
    assert not without.proposed and without.insufficient
    result = _run(department, django_capture_on_commit_callbacks, two_years=True).results.get(school=small)
    marks = [mark for marks in MARKS.values() for mark in marks]
    assert result.proposed and not result.insufficient
    assert result.details[0]["value"] == pytest.approx(100 * marks.count(2) / len(marks), abs=1e-6)
    assert result.details[0]["pooled"] is True
    assert "объединено за 2 года: 2024/25 и 2025/26, 11 уч." in result.explanation


def test_the_passport_shows_the_pooled_figures_as_the_page_does(small, department, django_capture_on_commit_callbacks):
    from reports import services
    from reports.models import ReportRequest
    from reports.tests.conftest import pdf_text
    from schools.models import AcademicYear

    year = AcademicYear.objects.get(start_year=2025)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.report_request_create(
            user=department, kind="passport", fmt="pdf", params={"school": small.pk, "year": year.pk}, title="Паспорт"
        )
    request.refresh_from_db()
    assert request.status == ReportRequest.Status.DONE, request.error
    with request.file.open("rb") as fh:
        text = pdf_text(fh.read())
    marks = [mark for marks in MARKS.values() for mark in marks]
    success = sum(1 for m in marks if m >= 3)
    low, high = wilson(success, 11)
    assert "Малые группы: объединённые значения" in text
    assert "объединено за 2 года" in text
    # The two-year row's успеваемость with its interval, as the page prints it.
    expected = f"{100 * success / 11:.1f} [{low:.1f}–{high:.1f}]".replace(".", ",")
    assert expected in text
    # The year's own level pool (5 pupils: 2, 2, 3, 4, 5) is there too, marked as pooled.
    assert "объединено: 5–6 кл." in text


def test_the_identification_report_marks_the_pooled_value_of_the_small_school(
    small, department, django_capture_on_commit_callbacks
):
    """Every report that prints a school's figure marks it pooled as the page does: the run's
    analytical report prints the two-year share (7 «2»-free of 11 — 3 «2» of 11) marked."""
    from django.template.loader import render_to_string

    from reports.identification_report import identification_report

    run = _run(department, django_capture_on_commit_callbacks, two_years=True)
    document = identification_report(user=department, params={"run": run.pk})
    html = render_to_string(document.template, document.context)
    marks = [mark for marks in MARKS.values() for mark in marks]
    share = f"{100 * marks.count(2) / len(marks):.1f}".replace(".", ",")  # 3 of 11: 27,3
    assert share == "27,3"
    row = html.split(small.short_name)[1].split("</table>")[0]
    assert f'{share} <span class="muted small pooled-mark">объединено</span>' in row
    assert "объединено за 2 года: 2024/25 и 2025/26, 11 уч." in row
