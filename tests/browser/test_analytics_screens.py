"""Screenshots of the results analytics (issue #18): the school's page — marks, the primary
score histogram with the mark boundaries, the per-task chart against the municipality and the
region, the skills table — the weak-skills suggestion list with a partner school strong on the
school's weak skill and «помогло ли» (the next year), and a small school's two-year pool.
Results and the task catalogue go through their import services, as a department's upload."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from analytics.tests.builders import import_catalogue
from identification.models import SchoolStatus, StatusKind
from monitoring import imports as services
from monitoring.models import ImportJob
from monitoring.tests.builders import TASKS, VprSheet, vpr_f1_xlsx
from schools.models import AcademicYear
from tests.factories import AcademicYearFactory, MunicipalityFactory, SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKILLS = {
    "1": ("Списывать текст с пропущенными буквами", "1.1; 1.2", "Орфография"),
    "2": ("Распознавать однородные члены предложения", "3.1", "Синтаксис"),
    "3": ("Распознавать части речи", "2.2", "Морфология"),
    "9.1": ("Определять основную мысль текста", "4.1", "Текст"),
    "4К1": ("Писать под диктовку с соблюдением норм", "1.1; 1.3", "Орфография"),
}
MAXIMA = [points for _, points in TASKS]


def _pupils(prefix: str, n: int, strength: int, klass: str = "4А"):
    """Deterministic pupils: task cells from a pupil's number and the school's strength (0–9)."""
    rows = []
    for i in range(n):
        # Full marks on a task for about strength/10 of the pupils, a part of it for the others.
        cells = [m if (i * 7 + k * 3) % 10 < strength else ((i + k) % (m + 1)) // 2 for k, m in enumerate(MAXIMA)]
        primary = sum(cells)
        mark = 2 if primary <= 2 else 3 if primary <= 4 else 4 if primary <= 6 else 5
        rows.append((f"{prefix}{i:02d}", klass if i % 2 else "4Б", "1", cells, primary, mark, mark))
    return rows


def _load(content: bytes, name: str) -> None:
    job = services.results_import_create(user=None, uploaded_file=io.BytesIO(content), original_name=name)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors


def _catalogue(start_year: int) -> None:
    import_catalogue(
        [[label, skill, kes, "", section, ""] for label, (skill, kes, section) in SKILLS.items()], start_year=start_year
    )


@pytest.fixture
def loaded(seeded_subjects, municipality, school, other_school):
    AcademicYearFactory(start_year=2025)
    AcademicYearFactory(start_year=2026)
    strong = SchoolFactory(municipality=municipality, code="edu980011", organisation__short_name="Гимназия № 5")
    others = [
        SchoolFactory(municipality=municipality, code=f"edu98002{i}", organisation__short_name=f"МБОУ СОШ № {i + 6}")
        for i in range(3)
    ]
    far = SchoolFactory(
        municipality=MunicipalityFactory(region=municipality.region, oktmo="98620000"), code="edu980301"
    )
    schools = {school.code: _pupils("1", 26, 1), strong.code: _pupils("2", 30, 9), far.code: _pupils("9", 40, 6)}
    schools |= {s.code: _pupils(f"{3 + i}", 22, 4 + i) for i, s in enumerate(others)}
    schools[other_school.code] = _pupils("8", 4, 5)
    _load(vpr_f1_xlsx(VprSheet(year=2026, schools=schools)), "vpr-2025.xlsx")
    _load(
        vpr_f1_xlsx(
            VprSheet(year=2027, schools={school.code: _pupils("7", 24, 5), other_school.code: _pupils("6", 6, 3)})
        ),
        "vpr-2026.xlsx",
    )
    _catalogue(2025)
    _catalogue(2026)
    year = AcademicYear.objects.get(start_year=2025)
    SchoolStatus.objects.create(school=school, year=year, kind=StatusKind.LOW_RESULTS)
    SchoolStatus.objects.create(school=strong, year=year, kind=StatusKind.HIGH_RESULTS)
    return {"strong": strong}


@pytest.fixture
def seeded_subjects():
    import importlib

    from django.apps import apps

    importlib.import_module("monitoring.migrations.0002_seed_subjects").seed(apps, None)


def _sign_in(page, live_server, user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_school_analytics_page_and_weak_skill_suggestions(
    page, live_server, department, school, other_school, loaded, screenshot_dir
):
    from playwright.sync_api import expect

    _sign_in(page, live_server, department)
    query = "?year=2025&procedure=vpr&subject=01&grade=4"
    page.goto(reverse("analytics:school", args=[school.pk]) + query)
    expect(page.locator("#task-chart svg")).to_be_visible()
    expect(page.locator("#histogram-chart svg")).to_be_visible()
    expect(page.locator("#skills-table")).to_contain_text("Списывать текст")
    page.screenshot(path=str(screenshot_dir / "analytics_school_page.png"), full_page=True)
    page.locator("#task-chart").screenshot(path=str(screenshot_dir / "analytics_task_chart.png"))
    page.locator("#histogram-chart").screenshot(path=str(screenshot_dir / "analytics_histogram.png"))
    page.locator("#skills-table").screenshot(path=str(screenshot_dir / "analytics_skills_table.png"))
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_contain_text("Школа-партнёр: Гимназия № 5")
    expect(suggestions).to_contain_text("Помогло ли")
    suggestions.screenshot(path=str(screenshot_dir / "analytics_weak_skill_suggestions.png"))

    page.goto(reverse("analytics:school", args=[other_school.pk]) + "?year=2026&procedure=vpr&subject=01&grade=4")
    note = page.locator("#small-group-note")
    expect(note).to_contain_text("объединено за 2 года")
    page.locator("#marks-chart").locator("xpath=..").screenshot(
        path=str(screenshot_dir / "analytics_small_school_two_years.png")
    )
    assert not page.failed_requests


def test_the_municipality_tables_are_ordered_as_a_report_job_and_downloaded(
    page, live_server, department, municipality, school, loaded, screenshot_dir
):
    """«Все таблицы (XLSX)» is no file built in the request any more (issue #20): the button orders
    a report job for the slice the page shows, and the report's page offers the workbook."""
    import re

    import openpyxl
    from playwright.sync_api import expect

    _sign_in(page, live_server, department)
    page.goto(reverse("analytics:municipality", args=[municipality.pk]) + "?year=2025&procedure=vpr&subject=01&grade=4")
    slice_title = page.locator("p.text-secondary.small").first.inner_text()
    page.screenshot(path=str(screenshot_dir / "analytics_municipality_page.png"))
    page.get_by_role("button", name="Все таблицы (XLSX)").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))  # the task ran on commit (eager in tests)
    expect(page.get_by_role("heading", name=f"{municipality.name}: анализ результатов, {slice_title}")).to_be_visible()
    link = page.get_by_role("link", name="Скачать XLSX")
    link.wait_for()
    page.screenshot(path=str(screenshot_dir / "analytics_municipality_tables_done.png"), full_page=True)
    with page.expect_download() as download_info:
        link.click()
    with open(download_info.value.path(), "rb") as file:
        book = openpyxl.load_workbook(io.BytesIO(file.read()))
    assert book.sheetnames == ["Отметки", "Задания", "Умения", "КЭС", "Школы"]
    codes = {row[0] for row in book["Школы"].iter_rows(min_row=2, values_only=True)}
    assert school.code in codes and "edu980301" not in codes  # the region's other municipality is not listed
    assert [failed for failed in page.failed_requests if not failed.endswith("/download/")] == []
