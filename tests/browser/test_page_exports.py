"""A page's large export is a report job (issue #20): the staff event page's «XLSX» opens the
report's page, which shows the job queued with the shared progress bar, follows it by htmx polling
while the worker builds the file, and offers the download once it is done."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from events.tests.factories import EventFactory, RegistrationFactory
from reports.models import ReportRequest
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_order_the_participants_list_watch_it_built_and_download_it(
    page, methodologist, municipality, school, held_tasks, screenshot_dir
):
    event = EventFactory(municipality=municipality, title="Семинар учителей математики")
    RegistrationFactory(event=event, school=school, full_name="Орлова Нина", attended=True)
    RegistrationFactory(event=event, full_name="Титов Олег", status="waitlisted")
    page.goto("/accounts/login/")
    page.fill("#id_username", methodologist.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))

    page.goto(reverse("events:staff_event", args=[event.pk]))
    page.locator("#participants-export button").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    report = ReportRequest.objects.get()
    assert page.get_by_role("heading", name="Участники: Семинар учителей математики").is_visible()
    assert page.get_by_text("Выгрузка участников поставлена в очередь").is_visible()
    assert page.locator("#report-progress[data-status=queued] .progress").is_visible()
    page.screenshot(path=str(screenshot_dir / "page_export_1_queued.png"), full_page=True)

    assert held_tasks.run("reports.tasks.render_report") == ["reports.tasks.render_report"]
    link = page.get_by_role("link", name="Скачать XLSX")
    link.wait_for(timeout=8_000)  # the htmx poll (every second) brings the finished block
    assert page.locator("#report-progress[data-status=done]").is_visible()
    page.screenshot(path=str(screenshot_dir / "page_export_2_done.png"), full_page=True)

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"№{report.pk}.xlsx")
    with open(download.path(), "rb") as file:
        rows = list(openpyxl.load_workbook(io.BytesIO(file.read())).active.iter_rows(values_only=True))
    assert rows[0][0] == "ФИО"
    assert sorted((r[0], r[2], r[6], r[7]) for r in rows[1:]) == [
        ("Орлова Нина", school.code, "Записан", "да"),
        ("Титов Олег", None, "В листе ожидания", None),
    ]
    # Chromium reports a navigation that became a download as a failed request.
    assert [failed for failed in page.failed_requests if not failed.endswith("/download/")] == []
