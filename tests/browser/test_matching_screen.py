"""The matching step as the region's specialist sees it (issue #16): the real regional ЕГЭ report
(names without codes) uploaded by the region role stops before writing anything and asks about
the names it could not resolve for sure; the specialist picks each school in the page and the
import finishes. Screenshots of both states go to var/screenshots/."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from monitoring import imports
from monitoring.models import ImportJob, SchoolAggregate
from monitoring.tests.test_real_ege_report import FILE, REGISTRY, eao_registry
from schools.models import School
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_region_settles_the_unsure_names_of_the_real_report_in_the_page(page, live_server, screenshot_dir):
    from playwright.sync_api import expect

    region, codes_by_name = eao_registry()
    user = UserFactory(username="region-eao", role=Role.REGION, region=region)
    with FILE.open("rb") as handle:
        job = imports.results_import_create(user=user, uploaded_file=handle, original_name=FILE.name)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MATCHING, (job.errors, job.error)

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(job.get_absolute_url())
    form = page.locator("#import-matching")
    expect(page.locator("[data-status=matching]")).to_contain_text("Нужно сопоставить названия")
    page.screenshot(path=str(screenshot_dir / "matching_step.png"), full_page=True)

    # The person picks the right school of each name (the page offers it among the candidates).
    for index, entry in enumerate(job.pending_names):
        municipality = next(name for name in REGISTRY if name == entry["municipality"])
        school = School.objects.get(code=codes_by_name[(municipality, entry["name"].strip())])
        form.locator(f"select[name=name_{index}]").select_option(str(school.pk))
    form.locator("button[type=submit]").click()

    expect(page.locator("[data-status=done]")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "matching_step_done.png"), full_page=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.errors, job.pending_names)
    assert SchoolAggregate.objects.filter(replaced_by=None).count() == job.rows_created > 0
