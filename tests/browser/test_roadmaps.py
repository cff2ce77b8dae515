"""A report's round trip in a real browser: the director files progress with a file, the curator
returns it with a comment, the director resubmits, the department accepts. Screenshots of each
step go to var/screenshots/roadmap_*.png."""

import re

import pytest

from accounts.models import Role
from roadmaps.models import ProgressReport
from roadmaps.tests.builders import PDF_BYTES, period_of, roadmap_of, year
from tests.factories import PASSWORD, MunicipalityFactory, RegionFactory, SchoolFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme():
    municipality = MunicipalityFactory(
        region=RegionFactory(name="Северный край", code="98"), name="Заречный район", oktmo="98610000"
    )
    school = SchoolFactory(municipality=municipality, code="edu981019", organisation__short_name="МБОУ Ключевская СОШ")
    department = UserFactory(username="uo", role=Role.DEPARTMENT, municipality=municipality, last_name="Соколова")
    curator = UserFactory(username="cur", role=Role.CURATOR, municipality=municipality, last_name="Захарова")
    curator.curated_schools.add(school)
    director = UserFactory(username="dir", role=Role.DIRECTOR, school=school, last_name="Иванова")
    year(2025)
    roadmap = roadmap_of(school=school, created_by=director, measures=2, title="Программа повышения качества")
    period = period_of(municipality, created_by=department, name="I полугодие")
    return roadmap, period


def _as(browser, live_server, username: str):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)  # a loaded CI machine answers slowly, not wrongly
    page = context.new_page()
    # Anything the page asked for and did not get (a stylesheet, the htmx script, a 500).
    page.failed_requests = []
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and page.failed_requests.append(f"{r.status} {r.url}")
        ),
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))
    return page


def _row(page, measure):
    return page.locator(f'#progress-table tr[data-measure="{measure.pk}"]')


def test_director_files_curator_returns_director_resubmits_department_accepts(
    browser, live_server, programme, screenshot_dir
):
    from playwright.sync_api import expect

    roadmap, period = programme
    first, second = roadmap.measures.order_by("pk")

    # 1. The director opens the programme from the menu and files progress with a file.
    director = _as(browser, live_server, "dir")
    director.click("nav >> text=Поддержка")
    director.click("nav >> text=Программа школы")
    director.click(f"text={roadmap.title}")
    director.click("#report-periods >> text=Заполнить")
    director.wait_for_url(re.compile(r"/progress/$"))
    _row(director, first).locator("select").select_option("done")
    _row(director, first).locator("input[type=number]").fill("100")
    _row(director, first).locator("textarea").fill("Семинар проведён, протокол приложен")
    _row(director, first).locator("input[type=file]").set_input_files(
        files=[{"name": "протокол.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    _row(director, second).locator("input[type=number]").fill("40")
    director.fill("textarea[name=self_assessment]", "Идём по плану, кадровые риски сохраняются.")
    director.screenshot(path=str(screenshot_dir / "roadmap_1_director_form.png"), full_page=True)
    director.click("button[name=submit]")
    director.wait_for_url(re.compile(r"/reports/\d+/$"))
    expect(director.locator("#report-status")).to_contain_text("Отправлен на проверку")
    expect(director.locator("#review-table")).to_contain_text("протокол.pdf")
    review_url = director.url

    # 2. The curator returns it with a comment on the second measure.
    curator = _as(browser, live_server, "cur")
    curator.goto(review_url)
    curator.fill(f"textarea[name=note_{second.pk}]", "Укажите, сколько учителей прошли курсы")
    curator.screenshot(path=str(screenshot_dir / "roadmap_2_curator_review.png"), full_page=True)
    curator.click("button[value=return]")
    expect(curator.locator("#report-status")).to_contain_text("Возвращён на доработку")

    # 3. The director sees the comment in the form, answers it and sends again.
    director.goto(review_url)
    director.click("#edit-report")
    expect(_row(director, second).locator(".comment-thread")).to_contain_text("Укажите, сколько учителей")
    _row(director, second).locator("textarea").fill("Курсы прошли 4 из 6 учителей")
    _row(director, second).locator("input[type=number]").fill("70")
    director.screenshot(path=str(screenshot_dir / "roadmap_3_director_resubmits.png"), full_page=True)
    director.click("button[name=submit]")
    expect(director.locator("#report-status")).to_contain_text("Отправлен на проверку")

    # 4. The department accepts.
    department = _as(browser, live_server, "uo")
    department.goto(review_url)
    department.click("button[value=accept]")
    expect(department.locator("#report-status")).to_contain_text("Принят")
    expect(department.locator("#review-table")).to_contain_text("Курсы прошли 4 из 6 учителей")
    department.screenshot(path=str(screenshot_dir / "roadmap_4_department_accepted.png"), full_page=True)

    report = ProgressReport.objects.get(roadmap=roadmap, period=period)
    assert report.status == ProgressReport.Status.ACCEPTED
    assert report.items.get(measure=first).evidence.get().original_name == "протокол.pdf"
    for page in (director, curator, department):
        assert page.failed_requests == []
