"""The department's year in a real browser: it uploads a ВПР Ф1 file, watches the import finish,
starts an identification run for the file's year, reads the explained proposals, approves the list
by a decision, finds the status in the registry and on the school card, and downloads the run's
PDF report. Screenshots of each step go to var/screenshots/journey_N_*.png.

Celery is not eager here (``held_tasks``): each job is first seen «В очереди», the page polls it,
and the test plays the worker while the page stays open, so the htmx polling of the import, the
identification run and the report is what brings their results to the screen.
"""

import importlib
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.urls import reverse

import core.jobs.services
from identification.models import Methodology, MethodologyVersion, SchoolStatus, StatusKind
from identification.tests.helpers import value
from monitoring.models import ImportJob
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row
from tests.factories import PASSWORD, AcademicYearFactory, SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE_YEAR = 2026  # ВПР of spring 2026 belongs to the 2025/26 academic year


@pytest.fixture
def seeded_catalogues():
    """The subjects and methodology presets the migrations seed: a transactional test run
    earlier in the session flushes them away. Both seeds are idempotent."""
    for module in ("monitoring.migrations.0002_seed_subjects", "identification.migrations.0003_methodology_presets"):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture
def district(seeded_catalogues, municipality, school, other_school):
    """Ten schools of the department's municipality; ``school`` has by far the most «2».

    The current year's results come from the uploaded file; the previous year's share of «2»
    is stored directly, as an earlier import would have left it, so that «two years running»
    can hold for ``school`` alone.
    """
    current = AcademicYearFactory(start_year=FILE_YEAR - 1)
    previous = AcademicYearFactory(start_year=FILE_YEAR - 2)
    schools = [school, other_school] + [
        SchoolFactory(municipality=municipality, code=f"edu98010{i}", organisation__short_name=f"МБОУ СОШ № {i + 3}")
        for i in range(8)
    ]
    for position, each in enumerate(schools):
        value(school=each, year=previous, amount=40.0 if each == school else 2.0 + position, participants=20)
    twos = {school.code: 8}  # 8 of 12 participants; every other school has at most one «2»
    sheet = VprSheet(
        year=FILE_YEAR,
        schools={
            each.code: [
                vpr_row(f"{each.code[-3:]}{i:02d}", mark=2 if i < twos.get(each.code, position % 2) else 4)
                for i in range(12)
            ]
            for position, each in enumerate(schools)
        },
    )
    return schools, current, vpr_f1_xlsx(sheet)


def _htmx_requests(page) -> list[str]:
    """The paths the page's htmx asked for, in order (each poll of a progress block is one)."""
    paths = []
    page.on("request", lambda request: paths.append(urlsplit(request.url).path) if _is_htmx(request) else None)
    return paths


def _is_htmx(request) -> bool:
    return request.headers.get("hx-request") == "true"


def _polled(page, path: str):
    """Wait until the page's htmx asks for ``path`` again: the block is still polling."""
    return page.expect_request(lambda request: _is_htmx(request) and urlsplit(request.url).path == path)


def _signed_in(page, username: str):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))


def test_department_uploads_vpr_identifies_approves_and_downloads_the_report(
    page, department, district, screenshot_dir, held_tasks, monkeypatch
):
    from playwright.sync_api import expect

    schools, year, workbook = district
    school = schools[0]
    shot = lambda n, name: page.screenshot(path=str(screenshot_dir / f"journey_{n}_{name}.png"), full_page=True)  # noqa: E731
    _signed_in(page, department.username)
    htmx_paths = _htmx_requests(page)

    # 1. The results import page: the department uploads the ВПР Ф1 file.
    page.goto(reverse("monitoring:import_upload"))
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "ВПР_РУ_4_Ф1.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": workbook,
            }
        ]
    )
    shot(1, "upload")
    page.click("button[type=submit] >> text=Загрузить и проверить")

    # 2. The job page while no worker has taken the file yet: «В очереди», and it keeps polling.
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    job_path = urlsplit(page.url).path
    assert held_tasks.names() == ["monitoring.tasks.import_results"]
    block = page.locator("#import-progress")
    expect(block).to_contain_text("В очереди")
    with _polled(page, job_path):
        pass
    expect(block).to_contain_text("В очереди")
    shot("2", "import_queued")

    # 2a. The worker takes the job. Its rows are written and not yet committed when the page
    #     looks in: the poll shows the job at work with its counts. Then it commits.
    watched = []

    def page_follows_the_writing(what: str) -> None:
        watched.append(what)
        if not what.startswith("monitoring.ImportJob"):
            return  # the recompute the import queued finishes here too
        with held_tasks.server_turn():
            expect(block).to_contain_text(
                "Запись (ВПР: Ф1 Индивидуальные результаты): 120 из 120 строк", timeout=30_000
            )
            shot("2a", "progress")

    monkeypatch.setattr(core.jobs.services, "pause_before_commit", page_follows_the_writing)
    assert held_tasks.run("monitoring.tasks.import_results") == [
        "monitoring.tasks.import_results",
        "identification.tasks.recompute_indicators",  # the recompute the import saved (see core.queue)
        "risks.tasks.run_recompute_job",  # then the signals and risk profiles (identification.followups)
        # and a draft run of each active methodology (the presets present in this database)
        *["identification.tasks.run_identification"] * Methodology.objects.count(),
    ]
    assert watched[0] == f"monitoring.ImportJob {job_path.split('/')[-2]}"

    # 2b. Without a reload, the next poll brings the finished state with the counts.
    progress = page.locator("#import-progress [data-status]")
    expect(progress).to_have_attribute("data-status", re.compile("done|failed"), timeout=30_000)
    assert htmx_paths.count(job_path) >= 3, htmx_paths  # one poll at least in each of the three states
    job = ImportJob.objects.get()
    assert job.status == "done", job.errors
    assert (job.status, job.total_rows, job.schools_count, job.rows_created) == ("done", 120, 10, 120)
    expect(progress).to_contain_text("Строк в файле: 120; школ: 10; записано строк: 120")
    shot("2b", "import_done")

    # 3. An identification run of the «low results» preset for the file's year.
    low_results = MethodologyVersion.objects.get(methodology=Methodology.objects.get(kind="low_results"), number=1)
    page.goto(reverse("identification:run_create"))
    page.select_option("#id_version", str(low_results.pk))
    page.select_option("#id_year", str(year.pk))
    page.select_option("#id_municipality", str(department.municipality_id))
    shot(3, "run_form")
    page.click("button[type=submit] >> text=Запустить")
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    run_path = urlsplit(page.url).path
    expect(page.locator("#run-progress")).to_contain_text("В очереди")
    with _polled(page, run_path):
        pass
    shot("3a", "run_queued")
    assert held_tasks.run("identification.tasks.run_identification") == ["identification.tasks.run_identification"]

    # 4. Without a reload the run's polling brings the proposals with their Russian explanations;
    #    only ``school`` is proposed.
    form = page.locator("#approve-form")
    expect(form).to_be_visible(timeout=30_000)
    assert htmx_paths.count(run_path) >= 2, htmx_paths
    # The status line and the report link came with the results, not only after a reload.
    expect(page.locator("#run-body")).to_contain_text("· готово.")
    expect(page.locator("#identification-report-link")).to_be_visible()
    proposals = form.locator("input[name=schools]")
    expect(proposals).to_have_count(1)
    expect(proposals).to_have_attribute("value", str(school.pk))
    proposed_row = form.locator("tr", has=page.locator(f"input[value='{school.pk}']"))
    expect(proposed_row).to_contain_text(school.code)
    # 8 of 12 participants got «2»; last year it had 40 % against the others' 2–11 %.
    expect(proposed_row).to_contain_text("Доля «2» по ВПР 66,7% — в нижних 10% муниципалитета")
    expect(proposed_row).to_contain_text("второй год подряд")
    shot(4, "run_proposals")

    # 5. The department approves the list with its decision.
    page.fill("#id_decision_number", "42-од")
    page.fill("#id_decision_date", "2026-05-20")
    page.click("#approve-form button[type=submit]")
    # Before anything is written the department sees what the order changes.
    expect(page.locator("#plan-add")).to_contain_text(school.short_name)
    shot("5a", "approve_confirm")
    page.click("#confirm-approve")
    expect(page.locator("#decision-added")).to_contain_text(school.short_name)
    shot(5, "run_approved")
    status = SchoolStatus.objects.get()
    assert (status.school, status.kind, status.year, status.decision_number) == (
        school,
        StatusKind.LOW_RESULTS,
        year,
        "42-од",
    )

    # 6. The registry filter and the school card show the status.
    page.goto(reverse("schools:list") + f"?status={StatusKind.LOW_RESULTS}")
    registry = page.locator("main")
    expect(registry).to_contain_text(school.code)
    expect(registry).to_contain_text("Найдено школ: 1")
    expect(registry).not_to_contain_text(schools[1].code)
    shot(6, "registry_filtered")
    page.goto(reverse("schools:detail", args=[school.pk]))
    expect(page.locator("main")).to_contain_text(StatusKind.LOW_RESULTS.label)
    expect(page.locator("main")).to_contain_text("№ 42-од от 20.05.2026")
    shot(7, "school_card")

    # 7. The run's PDF report: requested from the run page's link, built, downloaded.
    page.goto(reverse("identification:run_detail", args=[status.run_id]))
    page.click("#identification-report-link")
    page.wait_for_url(re.compile(r"/reports/new/"))
    expect(page.locator("#id_kind")).to_have_value("identification")
    shot(8, "report_form")
    page.click("button[type=submit] >> text=Сформировать")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    report_path = urlsplit(page.url).path
    expect(page.locator("#report-progress")).to_have_attribute("data-status", "queued")
    with _polled(page, report_path):
        pass
    shot("8a", "report_queued")
    assert held_tasks.run("reports.tasks.render_report") == ["reports.tasks.render_report"]
    download_link = page.locator("#report-progress a[href$='/download/']")
    expect(download_link).to_be_visible(timeout=60_000)
    shot(9, "report_ready")
    response = page.request.get(download_link.get_attribute("href"))
    assert response.ok
    assert response.body().startswith(b"%PDF")
    assert htmx_paths.count(report_path) >= 2, htmx_paths

    assert page.failed_requests == []
    assert held_tasks.names() == []  # no job was left unrun
