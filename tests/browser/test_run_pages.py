"""A run proposing 60 schools in a real browser (issue #20): the proposals are pages of 50 and
the approval ticks outlive the page. The department unticks a school on page 1 (htmx keeps it at
once), goes to page 2 with the page button, unticks one there, comes back, and approves: the
confirmation adds the 58 still ticked. Screenshots: run_pages_proposals.png (page 1 with the
ticks), run_pages_buttons.png (the decision and the page buttons), run_pages_confirm.png."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from identification import services as identification
from identification.models import MethodologyVersion, StatusKind
from identification.tests.helpers import value
from schools.models import AcademicYear
from tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def big_run(municipality, department):
    """ИСБШ 30 for 60 schools, 85–94 for ten more: a ШССУ run proposes the 60."""
    importlib.import_module("identification.migrations.0003_methodology_presets").seed(apps, None)
    year, _ = AcademicYear.objects.get_or_create(start_year=2025)
    for i in range(70):
        school = SchoolFactory(
            municipality=municipality, code=f"edu9640{i:02d}", organisation__short_name=f"МБОУ СОШ № {i + 1}"
        )
        value(school=school, year=year, indicator="isbsh", amount=30 if i < 60 else 25 + i)
    version = MethodologyVersion.objects.get(
        methodology__kind=StatusKind.DIFFICULT_CONDITIONS, methodology__region=None
    )
    run = identification.identification_run_create(
        user=department, version=version, year=year, municipality=department.municipality
    )
    identification.identification_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_ticks_made_on_one_page_of_the_proposals_reach_the_decision(
    page, live_server, department, big_run, screenshot_dir
):
    from django.test import Client
    from playwright.sync_api import expect

    client = Client()
    client.force_login(department)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    run_url = reverse("identification:run_detail", args=[big_run.pk])
    page.goto(f"{run_url}?psort=code")
    boxes = page.locator("#approve-form input[name=schools]")
    expect(boxes).to_have_count(50)
    expect(page.locator("#proposed-pages")).to_contain_text("1 из 2")

    # Page 1: untick СОШ № 1; htmx keeps it before anything else happens.
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 204):
        page.get_by_label("Утвердить МБОУ СОШ № 1", exact=True).uncheck()
    page.evaluate("document.querySelector('#proposed-filter').scrollIntoView({behavior: 'instant'})")
    page.screenshot(path=str(screenshot_dir / "run_pages_proposals.png"), full_page=False)
    page.evaluate("document.querySelector('#proposed-pages').scrollIntoView({block: 'end', behavior: 'instant'})")
    page.screenshot(path=str(screenshot_dir / "run_pages_buttons.png"), full_page=False)

    # Page 2 (the page button submits the form; the sort stays): untick СОШ № 60.
    page.locator("#proposed-pages button", has_text="Дальше").click()
    expect(page.locator("#proposed-pages")).to_contain_text("2 из 2")
    assert "psort=code" in page.url and "ppage=2" in page.url
    expect(boxes).to_have_count(10)
    page.get_by_label("Утвердить МБОУ СОШ № 60", exact=True).uncheck()
    page.locator("#proposed-pages button", has_text="Назад").click()
    expect(page.locator("#proposed-pages")).to_contain_text("1 из 2")
    expect(page.get_by_label("Утвердить МБОУ СОШ № 1", exact=True)).not_to_be_checked()
    expect(page.locator("#unticked-note")).to_contain_text("Снято отметок: 2")

    page.fill("#id_decision_number", "12-од")
    page.fill("#id_decision_date", "2025-09-01")
    page.click("#approve-form button[type=submit]")
    expect(page.locator("#plan-add li")).to_have_count(58)
    expect(page.locator("#plan-add")).not_to_contain_text("МБОУ СОШ № 60")
    expect(page.locator("#plan-add")).to_contain_text("МБОУ СОШ № 59")
    page.screenshot(path=str(screenshot_dir / "run_pages_confirm.png"), full_page=False)
    page.click("#confirm-approve")
    expect(page.locator("main")).to_contain_text("добавлено 58, оставлено 0, отменено 0")
    assert not page.failed_requests
