"""Per-task completion, успеваемость and качество from files loaded through the import,
compared with values computed by hand here; the page and the export show the same."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from analytics.models import MarkResult, TaskResult
from analytics.stats import wilson
from monitoring.models import AssessmentStructure
from monitoring.tests.builders import TASKS, VprSheet, vpr_f1_xlsx
from tests.factories import MunicipalityFactory, SchoolFactory

pytestmark = pytest.mark.django_db

MAXIMA = [points for _, points in TASKS]  # 2, 1, 1, 1, 3
LABELS = [label for label, _ in TASKS]

# (task cells, mark, class) — primary = sum of the scores («X» counts 0).
HOME = [
    ([2, 1, 1, 1, 3], 5, "4А"),
    ([2, 1, 0, 1, 2], 4, "4А"),
    ([1, 1, "X", 1, 2], 4, "4А"),
    ([2, 0, 1, 0, 1], 3, "4А"),
    ([1, 1, 0, 0, 1], 3, "4А"),
    ([0, 1, 0, 1, 1], 3, "4А"),
    ([1, 0, "X", 0, 0], 2, "4Б"),
    ([2, 1, 1, 1, 2], 5, "4Б"),
    ([0, 0, 0, 0, 0], 2, "4Б"),
    ([1, 1, 1, 0, 2], 4, "4Б"),
]
SMALL = [([2, 1, 1, 1, 3], 5, "4А"), ([0, 0, 0, 0, 1], 2, "4А"), ([1, 1, 1, 1, 1], 4, "4А")]
ELSEWHERE = [([2, 1, 1, 1, 3], 5, "4А"), ([2, 1, 1, 1, 2], 5, "4А")]


def _score(cell) -> int:
    return 0 if cell == "X" else cell


def rows(code_prefix: str, pupils):
    return [
        (f"{code_prefix}{n}", klass, "1", cells, sum(map(_score, cells)), mark, mark)
        for n, (cells, mark, klass) in enumerate(pupils, start=1)
    ]


def completion(*groups) -> list[float]:
    """Σ scores / (participants × maximum) per task, in per cent — by hand."""
    pupils = [cells for group in groups for cells, _, _ in group]
    return [100 * sum(_score(cells[i]) for cells in pupils) / (len(pupils) * MAXIMA[i]) for i in range(len(MAXIMA))]


def one_decimal(value: float) -> float:
    return float(f"{value + 1e-9:.1f}")


@pytest.fixture
def far_school(region):
    """A school of another municipality of the same region: it counts for the region only."""
    return SchoolFactory(municipality=MunicipalityFactory(region=region, oktmo="98620000"), code="edu980301")


@pytest.fixture
def loaded(load, school, other_school, far_school):
    content = vpr_f1_xlsx(
        VprSheet(
            schools={
                school.code: rows("1", HOME),
                other_school.code: rows("2", SMALL),
                far_school.code: rows("3", ELSEWHERE),
            }
        )
    )
    return load(content)


def test_the_import_keeps_the_tests_structure(loaded):
    structure = AssessmentStructure.objects.get(procedure="vpr", grade=4, subject__code="01")
    tasks = list(structure.tasks.values_list("label", "max_score", "difficulty"))
    assert tasks == [("1", 2, "Б"), ("2", 1, "Б"), ("3", 1, "П"), ("9.1", 1, "П"), ("4К1", 3, "В")]
    assert structure.max_primary_score == 8
    # Inferred from the rows: the lowest primary score that got «3», «4», «5».
    assert (structure.boundary_3, structure.boundary_4, structure.boundary_5) == (3, 5, 7)
    assert structure.boundaries_source == "inferred"


def test_task_completion_of_school_municipality_and_region_is_computed_by_hand(loaded, school, municipality):
    stored = {
        (row.level, row.task_number): row.completion
        for row in TaskResult.objects.filter(level__in=["school", "municipality", "region"])
        if row.school_id in (None, school.pk) and row.municipality_id in (None, municipality.pk)
    }
    for number, (own, muni, region) in enumerate(
        zip(completion(HOME), completion(HOME, SMALL), completion(HOME, SMALL, ELSEWHERE), strict=True), start=1
    ):
        assert stored[("school", number)] == pytest.approx(own)
        assert stored[("municipality", number)] == pytest.approx(muni)
        assert stored[("region", number)] == pytest.approx(region)
    # Task 1: 12 of 20 points; 4К1: 14 of 30 (an «X» is 0 points, still a participant).
    assert stored[("school", 1)] == pytest.approx(60.0)
    assert stored[("school", 5)] == pytest.approx(100 * 14 / 30)
    assert stored[("municipality", 1)] == pytest.approx(100 * 15 / 26)


def test_class_rows_split_the_school(loaded, school):
    a = {r.task_number: r for r in TaskResult.objects.filter(level="class", school=school, class_name="4А")}
    assert a[1].participants == 6
    assert a[1].score_sum == 2 + 2 + 1 + 2 + 1 + 0


def test_marks_success_and_quality_by_hand(loaded, school, municipality):
    own = MarkResult.objects.get(level="school", school=school)
    marks = [mark for _, mark, _ in HOME]
    assert (own.mark_2, own.mark_3, own.mark_4, own.mark_5) == tuple(marks.count(m) for m in (2, 3, 4, 5))
    from analytics.stats import MarkFigures

    figures = MarkFigures.of(own)
    assert figures.success.value == pytest.approx(100 * 8 / 10)  # «3», «4», «5»
    assert figures.quality.value == pytest.approx(100 * 5 / 10)  # «4», «5»
    # The tabulated Wilson interval of 8 of 10 (95 %): 49.0 %–94.3 %.
    low, high = figures.success.interval
    assert (round(low, 1), round(high, 1)) == (49.0, 94.3)
    muni = MarkResult.objects.get(level="municipality", municipality=municipality)
    assert muni.participants == 13
    assert muni.mark_5 == 3


def test_wilson_stays_inside_the_scale_at_the_edges():
    assert wilson(0, 5)[0] == 0.0
    assert wilson(5, 5)[1] == 100.0
    assert wilson(0, 0) is None


def test_the_school_page_shows_the_same_figures(loaded, client, director, school):
    client.force_login(director)
    response = client.get(
        reverse("analytics:school", args=[school.pk]), {"year": 2025, "procedure": "vpr", "subject": "01", "grade": 4}
    )
    assert response.status_code == 200
    analysis = response.context["analysis"]
    by_hand = completion(HOME)
    assert [row.school for row in analysis.tasks] == pytest.approx(by_hand)
    _head, table = response.context["tables"]["Задания"]
    assert [row[4] for row in table] == [one_decimal(v) for v in by_hand]
    own = analysis.marks[0].figures
    assert (own.success.value, own.quality.value) == (80.0, 50.0)
    html = response.content.decode()
    assert 'id="task-chart"' in html and 'id="histogram-chart"' in html
    # The boundaries drawn on the histogram: «3» from 3, «4» from 5, «5» from 7.
    assert 'data-mark="3"' in html and "«4» от 5" in html
    # Task 4К1 (46.7 %) is more than 10 points under the municipality? 46.7 vs 44.9: no.
    assert not analysis.tasks[4].far_below


def test_the_export_has_exactly_the_sheets_and_columns_and_the_same_values(loaded, tmp_path, school, municipality):
    out = tmp_path / "analysis.xlsx"
    call_command("export_task_analysis", "--municipality", municipality.oktmo, "--year", "2025", str(out))
    book = load_workbook(out)
    assert book.sheetnames == ["Задания", "Отметки"]
    tasks = list(book["Задания"].iter_rows(values_only=True))
    assert list(tasks[0]) == [
        "Код ОО", "Процедура", "Предмет (код)", "Класс", "Задание", "Макс. балл", "Участников",
        "Выполнение ОО, %", "Выполнение муниципалитета, %", "Выполнение региона, %",
    ]  # fmt: skip
    home = [row for row in tasks[1:] if row[0] == school.code]
    assert [row[4] for row in home] == LABELS
    assert [row[5] for row in home] == MAXIMA
    assert all(row[6] == 10 for row in home)
    assert [row[7] for row in home] == [one_decimal(v) for v in completion(HOME)]
    assert [row[8] for row in home] == [one_decimal(v) for v in completion(HOME, SMALL)]
    assert [row[9] for row in home] == [one_decimal(v) for v in completion(HOME, SMALL, ELSEWHERE)]
    assert home[0][1:4] == ("ВПР", "01", 4)
    marks = list(book["Отметки"].iter_rows(values_only=True))
    assert list(marks[0]) == [
        "Код ОО", "Процедура", "Предмет (код)", "Класс", "Участников", "«2», %", "«3», %", "«4», %", "«5», %",
        "Успеваемость, %", "Качество, %",
    ]  # fmt: skip
    mine = next(row for row in marks[1:] if row[0] == school.code)
    assert mine == (school.code, "ВПР", "01", 4, 10, 20.0, 30.0, 30.0, 20.0, 80.0, 50.0)
    small = next(row for row in marks[1:] if row[0] != school.code)
    # 1 of 3 «2»: 33.3 %; успеваемость 2 of 3: 66.7 %.
    assert small[4:] == (3, 33.3, 0.0, 33.3, 33.3, 66.7, 66.7)


def test_f3_rows_of_russia_region_and_municipality_are_kept_and_shown(loaded, load, client, director, school):
    from monitoring.imports import import_job_rollback
    from monitoring.models import AreaMarkStat
    from monitoring.tests.builders import vpr_f3_xlsx

    f3 = vpr_f3_xlsx(
        [
            ("Вся выборка", 39512, 1425710, "4,5", "30,1", "45,2", "20,2"),
            ("Северный край", 300, 8000, "5", "30", "45", "20"),
            ("Заречный район (reg98_m001)", 20, 800, "6", "31", "44", "19"),
        ]
    )
    job = load(f3)
    assert job.total_rows == 3
    stored = {row.area: row for row in AreaMarkStat.objects.filter(replaced_by__isnull=True)}
    assert set(stored) == {"russia", "region", "municipality"}
    assert stored["municipality"].municipality_id == school.municipality_id
    assert stored["region"].region_id == school.municipality.region_id
    assert float(stored["russia"].share_4) == 45.2
    client.force_login(director)
    response = client.get(reverse("analytics:school", args=[school.pk]))
    _, table = response.context["tables"]["Отметки"]
    russia = next(row for row in table if row[0].startswith("Вся выборка"))
    # Успеваемость of the whole sample: 30.1 + 45.2 + 20.2 = 95.5; качество 45.2 + 20.2 = 65.4.
    assert russia[1:7] == [1425710, 4.5, 30.1, 45.2, 20.2, 95.5]
    assert russia[8] == 65.4
    import_job_rollback(job=job, user=None)
    assert not AreaMarkStat.objects.exists()


def test_the_task_chart_is_sorted_by_the_gap_to_the_municipality_and_the_table_keeps_the_work_order(
    loaded, client, director, school
):
    """By hand: the school's completion minus the municipality's (HOME against HOME + SMALL),
    most negative first; the table under the chart stays in the order of the work."""
    import re

    client.force_login(director)
    response = client.get(
        reverse("analytics:school", args=[school.pk]), {"year": 2025, "procedure": "vpr", "subject": "01", "grade": 4}
    )
    gaps = [own - muni for own, muni in zip(completion(HOME), completion(HOME, SMALL), strict=True)]
    # Task 1: 12/20 − 15/26 = +2.3; 2: 7/10 − 9/13 = +0.8; 3: 4/10 − 6/13 = −6.2;
    # 9.1: 5/10 − 7/13 = −3.8; 4К1: 14/30 − 19/39 = −2.1 — so 3, 9.1, 4К1, 2, 1.
    assert [round(g, 1) for g in gaps] == [2.3, 0.8, -6.2, -3.8, -2.1]
    expected = [LABELS[i] for i in sorted(range(len(gaps)), key=lambda i: gaps[i])]
    assert expected == ["3", "9.1", "4К1", "2", "1"]
    chart = str(response.context["task_chart"])
    assert re.findall(r'<text class="category"[^>]*>([^<]*)</text>', chart) == expected
    _head, table = response.context["tables"]["Задания"]
    assert [row[0] for row in table] == LABELS
    # The chart fills the card (fluid) and is drawn as wide as it.
    assert "opora-chart-fluid" in chart


def test_the_municipality_chart_is_sorted_by_the_gap_to_the_region(loaded, client, department, municipality):
    import re

    client.force_login(department)
    response = client.get(
        reverse("analytics:municipality", args=[municipality.pk]),
        {"year": 2025, "procedure": "vpr", "subject": "01", "grade": 4},
    )
    assert response.status_code == 200
    gaps = [
        muni - region for muni, region in zip(completion(HOME, SMALL), completion(HOME, SMALL, ELSEWHERE), strict=True)
    ]
    expected = [LABELS[i] for i in sorted(range(len(gaps)), key=lambda i: (gaps[i], i))]
    chart = str(response.context["task_chart"])
    assert re.findall(r'<text class="category"[^>]*>([^<]*)</text>', chart) == expected


def test_the_municipality_workbook_is_built_by_a_report_job_with_the_figures_by_hand(
    loaded, client, department, municipality, school, other_school, django_capture_on_commit_callbacks
):
    """«Все таблицы (XLSX)» orders a report job (issue #20): the file has one sheet per table of the
    page, with the municipality's completion and marks computed by hand here."""
    from reports.tests.registry import municipality_analytics_xlsx

    client.force_login(department)
    content = municipality_analytics_xlsx(
        client, django_capture_on_commit_callbacks, municipality, "year=2025&procedure=vpr&subject=01&grade=4"
    )

    book = load_workbook(BytesIO(content))
    assert book.sheetnames == ["Отметки", "Задания", "Умения", "КЭС", "Школы"]
    tasks = list(book["Задания"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in tasks] == LABELS
    assert [row[2] for row in tasks] == MAXIMA
    assert [row[3] for row in tasks] == [13] * 5
    assert [row[4] for row in tasks] == [one_decimal(v) for v in completion(HOME, SMALL)]
    assert [row[6] for row in tasks] == [one_decimal(v) for v in completion(HOME, SMALL, ELSEWHERE)]
    marks = list(book["Отметки"].iter_rows(min_row=2, values_only=True))
    # 13 pupils: «2» 3, «3» 3, «4» 4, «5» 3; успеваемость 10 of 13, качество 7 of 13.
    assert marks[0][1:7] == (13, 23.1, 23.1, 30.8, 23.1, 76.9)
    assert marks[0][8] == 53.8
    schools = {row[0]: row[2] for row in book["Школы"].iter_rows(min_row=2, values_only=True)}
    assert schools == {school.code: 10, other_school.code: 3}


def test_the_figures_keys_have_no_database_constraint_but_deleting_a_school_deletes_its_figures(loaded, other_school):
    """The keys are unchecked by the database (a commit-time check per row cost as much as the
    aggregation); Django's CASCADE still removes a deleted school's figures."""
    from django.db import connection

    from monitoring.models import ParticipantResult

    for model in (TaskResult, MarkResult):
        for name in ("year", "subject", "school", "municipality", "region"):
            assert model._meta.get_field(name).db_constraint is False
        with connection.cursor() as cursor:
            keys = connection.introspection.get_constraints(cursor, model._meta.db_table)
        assert not [c for c in keys.values() if c["foreign_key"]]
    assert TaskResult.objects.filter(school=other_school).exists()
    from identification.models import RunResult

    # What protects a school (its results, the runs that judged it) goes first, as a removal would.
    ParticipantResult.objects.filter(school=other_school).delete()
    RunResult.objects.filter(school=other_school).delete()
    pk = other_school.pk
    other_school.delete()
    assert not TaskResult.objects.filter(school_id=pk).exists()
    assert not MarkResult.objects.filter(school_id=pk).exists()
