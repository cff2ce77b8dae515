"""Early warning on all the data: after every import the indicators, risk profiles and a draft
run of each active methodology are refreshed, and the department sees «что изменилось»."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from identification.models import IdentificationRun, Methodology, SchoolStatus, TaskStatus
from identification.selectors import import_changes
from identification.services import RUN_DRAFT_NOT_APPROVABLE, IdentificationRefused, run_approve
from identification.tests.imports import import_context, import_vpr
from schools.models import Municipality

ALL_DATA = "Зона риска: отрицательная динамика по всем данным"


@pytest.fixture
def two_years(ten_schools, years, department, django_capture_on_commit_callbacks):
    """2024/25: every school 3 of 30 «2» (10 %) and 10 432 missed lessons for 400 pupils
    (26,1 per pupil). 2025/26, in two imports: school 0 has 7 of 30 «2» (23,3 %: +13,3 p.p.),
    then school 3's missed lessons are 16 000 (40,0 per pupil: +13,9 ≥ 10)."""
    capture = django_capture_on_commit_callbacks
    import_vpr(department, capture, year="2024/2025", shares={s.code: (3, 30) for s in ten_schools})
    import_context(department, capture, year="2024/2025", rows={s.code: {} for s in ten_schools})
    shares = {s.code: (3, 30) for s in ten_schools} | {ten_schools[0].code: (7, 30)}
    import_vpr(department, capture, year="2025/2026", shares=shares)
    rows = {s.code: {} for s in ten_schools} | {ten_schools[3].code: {"missed_lessons": 16000}}
    import_context(department, capture, year="2025/2026", rows=rows)
    return ten_schools


def _list(notice, name):
    return next(item for item in notice["lists"] if item["run"].version.methodology.name == name)


def test_every_import_refreshes_a_draft_of_each_active_methodology(two_years, years, department):
    presets = Methodology.objects.filter(region=None).count()
    drafts = IdentificationRun.objects.filter(is_draft=True)

    # Four imports, each one draft per preset in the current year, all finished.
    assert drafts.count() == 4 * presets
    assert set(drafts.values_list("status", flat=True)) == {TaskStatus.DONE}
    assert set(drafts.values_list("year_id", flat=True)) == {years[2025].pk}
    assert not SchoolStatus.objects.exists()  # proposals only, never statuses


def test_what_changed_names_the_schools_entering_each_list(two_years, department):
    latest, before = import_changes(municipalities=Municipality.objects.filter(pk=department.municipality_id), limit=2)

    # The context import: school 3's missed lessons rose by 13,9 per pupil (≥ 10).
    assert latest["job"].original_name == "context-2025.csv"
    risk = _list(latest, ALL_DATA)
    assert [r.school_id for r in risk["entered"]] == [two_years[3].pk]
    assert risk["left"] == []
    assert "пропущено уроков на одного обучающегося 40,0 ур./уч. — изменение за год +13,9 ур./уч." in (
        risk["entered"][0].explanation.lower()
    )
    # The ВПР import before it: school 0's share of «2» rose by 13,3 p.p.
    assert before["job"].original_name == "vpr-2025.csv"
    assert [r.school_id for r in _list(before, ALL_DATA)["entered"]] == [two_years[0].pk]


def test_a_draft_run_cannot_be_approved(two_years, department):
    draft = IdentificationRun.objects.filter(is_draft=True, proposed_count__gt=0).first()

    with pytest.raises(IdentificationRefused) as refused:
        run_approve(
            run=draft,
            school_ids=list(draft.results.filter(proposed=True).values_list("school_id", flat=True)),
            decision_number="1",
            decision_date=dt.date(2026, 1, 1),
            user=department,
        )
    assert refused.value.message == RUN_DRAFT_NOT_APPROVABLE


def test_the_dashboard_and_home_page_show_what_changed(client, two_years, department):
    client.force_login(department)

    for url in (reverse("identification:dashboard"), reverse("core:home")):
        html = client.get(url).content.decode()
        assert "Что изменилось после загрузки «context-2025.csv»" in html
        assert "Это только предложения" in html
