"""The department exports its municipality's data from the page: progress polled by htmx, then the file."""

import io
import re
import zipfile

import pytest

from reports import tasks
from reports.models import MunicipalExport
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_department_orders_an_export_watches_it_finish_and_downloads_the_zip(
    page, department, school, other_school, foreign_school, screenshot_dir
):
    page.goto("/accounts/login/")
    page.fill("#id_username", department.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))

    page.get_by_role("link", name="Выгрузка данных").click()
    page.wait_for_url(re.compile(rf"/reports/municipal-export/{school.municipality_id}/$"))
    assert page.get_by_role("heading", name="Выгрузка данных муниципалитета").is_visible()
    page.screenshot(path=str(screenshot_dir / "municipal_export_1_empty.png"), full_page=True)

    # A worker busy elsewhere: the export waits in the queue and the page polls it.
    export = MunicipalExport.objects.create(municipality=school.municipality, requested_by=department)
    page.reload()
    assert page.locator("#export-progress").is_visible()
    assert page.get_by_role("button", name="Сформировать выгрузку").is_disabled()
    page.screenshot(path=str(screenshot_dir / "municipal_export_2_queued.png"), full_page=True)

    tasks.render_municipal_export(export.pk)
    link = page.get_by_role("link", name="Скачать ZIP")
    link.wait_for(timeout=8_000)  # the htmx poll (every 2 s) brings the finished row
    assert page.locator("#export-progress").count() == 0
    assert page.get_by_role("button", name="Сформировать выгрузку").is_enabled()
    page.screenshot(path=str(screenshot_dir / "municipal_export_3_done.png"), full_page=True)

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        assert {"export.xlsx", "schools.school.json"} <= set(archive.namelist())
        assert foreign_school.code.encode() not in archive.read("schools.school.json")

    # The button orders the next one (the test runs tasks at once, so it is done on return).
    page.get_by_role("button", name="Сформировать выгрузку").click()
    page.wait_for_selector("text=Выгрузка поставлена в очередь")
    assert page.get_by_role("link", name="Скачать ZIP").count() == 2
    assert page.get_by_role("link", name="Выгрузка данных").is_visible()
    # Chromium reports a navigation that became a download as a failed request.
    assert [failed for failed in page.failed_requests if not failed.endswith("/download/")] == []
