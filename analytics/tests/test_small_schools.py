"""Small schools: slices under 10 pupils pooled by level of education, with counts and Wilson
intervals, marked as pooled in the indicators, the run's explanation and the analytics page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from analytics.models import MarkResult
from analytics.stats import MarkFigures, wilson
from analytics.tests.builders import run_for, small_school_version
from identification.models import IndicatorValue
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx

pytestmark = pytest.mark.django_db

# grade → marks of the pupils (task cells do not matter here)
GRADES = {5: [2, 3, 3, 4], 6: [2, 3, 4, 4, 5, 5, 3]}


def sheet(school, grade: int, marks: list[int]) -> VprSheet:
    rows = [(f"{grade}{n}", f"{grade}А", "1", [1, 1, 0, 1, 1], 4, mark, mark) for n, mark in enumerate(marks, start=1)]
    return VprSheet(grade=grade, schools={school.code: rows})


@pytest.fixture
def small(load, other_school):
    load(vpr_f1_xlsx(*(sheet(other_school, grade, marks) for grade, marks in GRADES.items())))
    return other_school


def test_grades_of_one_level_are_pooled_when_each_is_under_ten(small):
    pooled = MarkResult.objects.get(level="school", school=small, grade_to__isnull=False)
    assert (pooled.grade, pooled.grade_to, pooled.participants) == (5, 6, 11)
    marks = GRADES[5] + GRADES[6]
    assert (pooled.mark_2, pooled.mark_5) == (marks.count(2), marks.count(5))


def test_the_pooled_indicator_counts_and_is_marked(small):
    by_subject = IndicatorValue.objects.get(school=small, indicator="vpr_share_2", subject__code="01", grade=None)
    assert by_subject.pooled and by_subject.participants == 11
    assert by_subject.value == pytest.approx(100 * 2 / 11)
    overall = IndicatorValue.objects.get(school=small, indicator="vpr_share_2", subject=None)
    assert overall.pooled and overall.participants == 11
    # No per-grade value: each grade alone is under ten.
    assert not IndicatorValue.objects.filter(school=small, grade__in=[5, 6]).exists()


def test_the_page_shows_the_small_slice_with_its_interval_and_the_pooled_group(small, client, department):
    client.force_login(department)
    response = client.get(
        reverse("analytics:school", args=[small.pk]), {"year": 2025, "procedure": "vpr", "subject": "01", "grade": 5}
    )
    analysis = response.context["analysis"]
    assert analysis.own.n == 4
    assert analysis.pooled.n == 11 and analysis.pooled.pooled_label == "5–6 кл."
    html = response.content.decode()
    assert 'id="small-group-note"' in html and "объединено" in html
    # успеваемость of the pool: 9 of 11 with «3» or better; its Wilson interval as printed.
    figures: MarkFigures = analysis.pooled
    assert figures.success.value == pytest.approx(100 * 9 / 11)
    low, high = wilson(9, 11)
    assert f"{low:.1f}–{high:.1f}".replace(".", ",") in html
    _, table = response.context["tables"]["Отметки"]
    assert table[-1][-1] == "объединено: 5–6 кл."


def _version(max_interval_width=None):
    return small_school_version(max_interval_width=max_interval_width)


def _run(version, department, capture):
    return run_for(version, department, capture)


def test_the_run_judges_the_pooled_school_and_says_it_is_pooled(
    small, school, department, django_capture_on_commit_callbacks, client
):
    run = _run(_version(), department, django_capture_on_commit_callbacks)
    result = run.results.get(school=small)
    assert result.proposed
    assert "объединённая группа параллелей, 11 уч." in result.explanation
    assert result.details[0]["pooled"] is True
    # ``school`` has no results at all: looked at, but nothing to judge it by.
    client.force_login(department)
    html = client.get(reverse("identification:run_detail", args=[run.pk])).content.decode()
    assert 'id="insufficient-count">1<' in html
    assert school.short_name in html.split('id="insufficient-schools"')[1]


def test_a_methodology_may_require_a_minimum_reliability(small, department, django_capture_on_commit_callbacks):
    # 2 «2» of 11: the Wilson interval is about 5–48 %, wider than 30 points.
    low, high = wilson(2, 11)
    assert high - low > 30
    run = _run(_version(max_interval_width=30), department, django_capture_on_commit_callbacks)
    result = run.results.get(school=small)
    assert not result.proposed
    assert result.details[0]["value"] is None
    assert "интервал шире 30 п.п." in result.explanation or "интервал шире 30 п.п." in result.details[0]["text"]


def test_the_programme_table_says_how_many_schools_count_by_pooled_grades(small, school):
    from django.template.loader import render_to_string

    from identification.selectors import pooled_by_year, programme_results
    from schools.models import AcademicYear, School

    year = AcademicYear.objects.get(start_year=2025)
    figure = pooled_by_year(indicator="vpr_share_2", school_ids=[small.pk, school.pk], years=[year])[year.pk]
    # Only the small school has results; its value pools grades 5 and 6 (2 «2» of 11).
    assert (figure.schools, figure.participants, figure.pooled_schools) == (1, 11, 1)
    assert figure.value == pytest.approx(100 * 2 / 11)
    rows = programme_results(schools=School.objects.filter(pk__in=[small.pk, school.pk]), year=year, years=[year])
    html = render_to_string("identification/_programme_results.html", {"rows": rows, "year": year})
    assert "1 шк., 11 уч.; объединено по параллелям у 1 шк." in html


def test_the_school_page_and_the_passport_mark_the_pooled_overall_share(small, client, department):
    """The school's overall share of «2» (2 of 11, grades 5 and 6 pooled) is printed marked
    «объединено» by the one selector both read (identification.selectors.school_indicator_table)."""
    from django.template.loader import render_to_string

    from identification.selectors import school_indicator_table
    from reports.documents import passport
    from schools.models import AcademicYear

    table = school_indicator_table(school=small)
    share = next(row for row in table["rows"] if row["spec"].code == "vpr_share_2")
    own, _muni, pooled = share["cells"][0]
    assert pooled is True
    assert own.startswith("18,2")  # 100 · 2 / 11 = 18.18…
    marked = f'{own} <span class="small pooled-mark"'

    client.force_login(department)
    page = client.get(reverse("identification:school", args=[small.pk])).content.decode()
    assert marked in page
    document = passport(user=department, params={"school": small.pk, "year": AcademicYear.objects.get().pk})
    assert marked in render_to_string(document.template, document.context)
