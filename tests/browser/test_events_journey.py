"""The centre's journey in a real browser: publish → an anonymous visitor registers →
attendance is marked → the report is published and seen on the public page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.models import Role
from events.models import Event, Registration
from tests.factories import PASSWORD, MunicipalityFactory, RegionFactory, SchoolFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Семинар «Смысловое чтение на уроках»"
REPORT = "Пришли учителя трёх школ, разобрали приёмы работы с текстом."


@pytest.fixture
def centre():
    municipality = MunicipalityFactory(
        region=RegionFactory(name="Северный край", code="98"), name="Заречный район", oktmo="98610000"
    )
    school = SchoolFactory(municipality=municipality, code="edu981008", organisation__short_name="МБОУ Берёзовская СОШ")
    methodologist = UserFactory(
        username="imc_zarechny", role=Role.METHODOLOGIST, municipality=municipality, last_name="Кузьмина"
    )
    now = timezone.now()
    # Under way already (attendance may be marked) and still taking late registrations.
    event = Event.objects.create(
        municipality=municipality,
        title=TITLE,
        description="Практикум для учителей **основной школы**.",
        location="ИМЦ, ул. Советская, 14",
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
        registration_closes=now + dt.timedelta(hours=1),
        capacity=20,
        created_by=methodologist,
    )
    return {"event": event, "school": school, "methodologist": methodologist}


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))


def test_methodologist_publishes_visitor_registers_attendance_and_report_go_public(
    page, browser, live_server, centre, screenshot_dir
):
    from playwright.sync_api import expect

    event = centre["event"]
    staff_url = f"/events/staff/events/{event.pk}/"
    public_url = f"/events/{event.pk}/"

    # 1. The methodologist publishes the draft.
    _log_in(page, "imc_zarechny")
    page.click("nav >> text=Поддержка")
    page.click("nav >> text=Методический центр")
    page.click(f"text={TITLE}")
    page.wait_for_url(re.compile(staff_url + "$"))
    page.click("button:has-text('Опубликовать')")
    expect(page.locator("#event-status")).to_have_text("Опубликовано, идёт запись")
    page.screenshot(path=str(screenshot_dir / "events_1_published.png"), full_page=True)

    # 2. An anonymous visitor finds it in the announcements and registers.
    visitor_context = browser.new_context(
        base_url=live_server.url, locale="ru-RU", viewport={"width": 1280, "height": 900}
    )
    visitor = visitor_context.new_page()
    visitor.goto("/events/")
    visitor.click(f"text={TITLE}")
    visitor.click("a:has-text('Записаться')")
    visitor.fill("#id_full_name", "Воробьёва Юлия Андреевна")
    visitor.select_option("#id_school", label="МБОУ Берёзовская СОШ (Заречный район)")
    visitor.fill("#id_position", "учитель русского языка")
    visitor.fill("#id_email", "vorobyova@example.ru")
    visitor.screenshot(path=str(screenshot_dir / "events_2_registration_form.png"), full_page=True)
    visitor.check("#id_consent")
    visitor.click("button:has-text('Записаться')")
    expect(visitor.locator("h1")).to_have_text("Заявка принята")
    registration = Registration.objects.get(event=event)
    assert registration.school == centre["school"]

    # 3. The methodologist marks attendance, closes the event and publishes the report.
    page.goto(staff_url)
    page.check(f"input[name=attended][value='{registration.pk}']")
    page.click("button:has-text('Сохранить посещаемость')")
    expect(page.locator(".alert-success")).to_contain_text("Посещаемость сохранена")
    page.click("button:has-text('Проведено')")
    expect(page.locator("#event-status")).to_have_text("Проведено")
    page.click("a:has-text('Опубликовать отчёт')")
    page.fill("#id_summary", REPORT)
    page.click("button:has-text('Опубликовать отчёт')")
    expect(page.locator("#event-status")).to_have_text("Опубликован отчёт")
    page.screenshot(path=str(screenshot_dir / "events_3_staff_after_report.png"), full_page=True)
    registration.refresh_from_db()
    assert registration.attended

    # 4. The visitor sees the report on the public page.
    visitor.goto(public_url)
    expect(visitor.locator("#report")).to_contain_text(REPORT)
    visitor.screenshot(path=str(screenshot_dir / "events_4_public_report.png"), full_page=True)
    assert page.failed_requests == []
    visitor_context.close()
