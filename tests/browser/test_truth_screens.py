"""Screenshots of the monitoring that tells the truth (issue #19): the «что изменилось» notice
after an import and the dashboard's block on the effect of the support, with data loaded
through the import services as a department would."""

from __future__ import annotations

import contextlib
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from identification.models import StatusKind
from identification.services import status_set
from identification.tests.imports import import_context, import_vpr, upload
from tests.factories import AcademicYearFactory, SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded_catalogues():
    for module in (
        "monitoring.migrations.0002_seed_subjects",
        "identification.migrations.0003_methodology_presets",
        "identification.migrations.0011_early_warning_preset",
    ):
        importlib.import_module(module).seed(apps, None)


def _no_capture(**_):
    return contextlib.nullcontext()


@pytest.fixture
def district(seeded_catalogues, municipality, school, other_school, department):
    """Sixteen schools; four supported (ШНОР 2025/26) start at 12 of 30 «2» (40 %) and fall to
    5–8; the others fall by one pupil or stay, one rises (school 6), one's missed lessons jump
    (school 9). Two imports per year (ВПР, then context)."""
    AcademicYearFactory(start_year=2024)
    current = AcademicYearFactory(start_year=2025)
    schools = [school, other_school] + [
        SchoolFactory(municipality=municipality, code=f"edu98020{i}", organisation__short_name=f"МБОУ СОШ № {i + 3}")
        for i in range(14)
    ]
    before = {s.code: (12 if i < 4 else 6 + i % 6, 30) for i, s in enumerate(schools)}
    after = {s.code: (5 + i if i < 4 else 6 + i % 6 - i % 2, 30) for i, s in enumerate(schools)}
    context = {s.code: {"low_income_share": str(8 + 2 * i)} for i, s in enumerate(schools)}
    import_vpr(department, _no_capture, year="2024/2025", shares=before)
    import_context(department, _no_capture, year="2024/2025", rows=context)
    for supported in schools[:4]:
        status_set(school=supported, year=current, kind=StatusKind.LOW_RESULTS, reason="Приказ 5-ОД", user=department)
    import_vpr(department, _no_capture, year="2025/2026", shares=after | {schools[6].code: (14, 30)})
    missed = {schools[9].code: {"low_income_share": "26", "missed_lessons": 16000}}
    import_context(department, _no_capture, year="2025/2026", rows=context | missed)
    return schools


def test_dashboard_shows_what_changed_and_the_effect_of_the_support(
    page, live_server, department, district, screenshot_dir
):
    from django.test import Client
    from playwright.sync_api import expect

    # Signed in through the session (the login page's hashing is what the journey test covers).
    client = Client()
    client.force_login(department)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(reverse("core:home"))
    notice = page.locator("#import-changes")
    expect(notice).to_contain_text("Что изменилось после загрузки «context-2025.csv»")
    notice.screenshot(path=str(screenshot_dir / "truth_what_changed_home.png"))

    page.goto(reverse("identification:dashboard"))
    effect = page.locator("#effect-card")
    expect(effect).to_contain_text("Разница — оценка эффекта поддержки")
    effect.screenshot(path=str(screenshot_dir / "truth_dashboard_effect.png"))
    page.screenshot(path=str(screenshot_dir / "truth_dashboard.png"), full_page=True)

    # ИСБШ taken apart on the school page (identification.isbsh): the rows add up to the index.
    page.goto(reverse("identification:school", args=[district[9].pk]))
    parts = page.locator("#isbsh-parts")
    expect(parts).to_contain_text("Малоимущие семьи")
    page.locator("#isbsh-explained").scroll_into_view_if_needed()
    parts.screenshot(path=str(screenshot_dir / "truth_isbsh_parts.png"))
    assert not page.failed_requests


def test_the_curator_sees_the_objective_progress_beside_base_and_target(
    page, live_server, seeded_catalogues, school, director, department, curator, screenshot_dir
):
    import datetime as dt

    from django.test import Client
    from playwright.sync_api import expect

    from monitoring.sample_files import results_csv
    from reports.tests.conftest import vpr_marks_rows
    from roadmaps.models import Objective, ReportingPeriod
    from roadmaps.tests.builders import report_of, roadmap_of

    AcademicYearFactory(start_year=2024)
    AcademicYearFactory(start_year=2025)

    upload(department, results_csv(vpr_marks_rows(school.code, "2025/2026", (12, 18, 12, 6))), "vpr.csv", _no_capture)
    roadmap = roadmap_of(school=school, created_by=director)
    direction = roadmap.objectives.get().direction
    for code, title, base, target in (
        ("vpr_share_2", "Снизить долю «2» по ВПР", 30, 10),
        ("vpr_confirmed", "Добиться объективности оценивания", 55, 75),
        ("vpr_mean_mark", "Повысить среднюю отметку ВПР", 3.5, 4.0),
    ):
        Objective.objects.create(
            roadmap=roadmap, direction=direction, title=title, indicator_code=code, baseline_value=base,
            target_value=target,
        )  # fmt: skip
    period = ReportingPeriod.objects.create(
        municipality=school.municipality,
        name="Учебный год",
        opens_on=dt.date(2026, 5, 1),
        due_on=dt.date(2026, 5, 31),
        created_by=department,
    )
    report = report_of(roadmap, period)
    client = Client()
    client.force_login(curator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(reverse("roadmaps:review", args=[report.pk]))
    block = page.locator("#objective-progress")
    expect(block).to_contain_text("есть риск")
    # The curator confirms the first objective's rating as computed (the button of its row).
    block.locator(".objective-rating-form button").first.click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("подтверждена")
    block = page.locator("#objective-progress")
    expect(block.locator("td[data-confirmed='at_risk']")).to_have_count(1)
    block.screenshot(path=str(screenshot_dir / "truth_objective_progress.png"))
