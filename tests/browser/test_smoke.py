"""Smoke journey in a real browser: log in, filter the registry with htmx, open a card."""

import re

import pytest

from accounts.models import Role
from schools.models import School
from tests.factories import PASSWORD, MunicipalityFactory, RegionFactory, SchoolFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URBAN, RURAL = School.Settlement.URBAN, School.Settlement.RURAL
T = School.Type
# A district as the department sees it: twelve schools, five of them rural.
DISTRICT = [
    ("edu981001", "МБОУ СОШ № 1 г. Заречный", T.SOSH, URBAN),
    ("edu981002", "МБОУ СОШ № 2 г. Заречный", T.SOSH, URBAN),
    ("edu981003", "МБОУ «Гимназия № 3»", T.GYMNASIUM, URBAN),
    ("edu981004", "МБОУ «Лицей № 4»", T.LYCEUM, URBAN),
    ("edu981005", "МБОУ СОШ № 5 с углублённым изучением предметов", T.SOSH, URBAN),
    ("edu981006", "МБОУ «Кадетская школа-интернат»", T.CADET, URBAN),
    ("edu981007", "МБОУ «Коррекционная школа № 7»", T.CORRECTIONAL, URBAN),
    ("edu981008", "МБОУ Берёзовская СОШ", T.SOSH, RURAL),
    ("edu981009", "МБОУ Ключевская ООШ", T.OOSH, RURAL),
    ("edu981010", "МБОУ Ёлкинская НОШ", T.NOSH, RURAL),
    ("edu981011", "МБОУ Подгорненская СОШ", T.SOSH, RURAL),
    ("edu981012", "МБОУ Щучьинская ООШ", T.OOSH, RURAL),
]
RURAL_NAMES = {name for _, name, _, settlement in DISTRICT if settlement == RURAL}


@pytest.fixture
def district():
    municipality = MunicipalityFactory(
        region=RegionFactory(name="Северный край", code="98"), name="Заречный район", oktmo="98610000"
    )
    for code, short_name, school_type, settlement in DISTRICT:
        SchoolFactory(
            municipality=municipality,
            code=code,
            school_type=school_type,
            settlement=settlement,
            organisation__short_name=short_name,
        )
    return UserFactory(username="uo_zarechny", role=Role.DEPARTMENT, municipality=municipality, last_name="Соколова")


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))


def _assert_styled(page) -> None:
    """Bootstrap's CSS and the shipped PT Sans font are applied, not the browser's defaults."""
    page.evaluate("document.fonts.ready.then(() => true)")
    navbar_display = page.evaluate("getComputedStyle(document.querySelector('.navbar')).display")
    assert navbar_display == "flex", "bootstrap.min.css did not apply"
    assert page.evaluate("document.fonts.check('16px \"PT Sans\"', 'Реестр')"), "PT Sans (Cyrillic) did not load"
    assert "PT Sans" in page.evaluate("getComputedStyle(document.body).fontFamily")


def _column_texts(page, header: str) -> list[str]:
    """Cells of the registry table's column titled ``header`` (columns move; titles stay)."""
    return page.evaluate(
        """header => {
            const table = document.querySelector('#registry-table table');
            const titles = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
            const index = titles.indexOf(header);
            if (index < 0) throw new Error(`no column «${header}» in ${titles}`);
            return [...table.querySelectorAll('tbody tr')].map(tr => tr.cells[index].innerText.trim());
        }""",
        header,
    )


def _open_registry_and_filter_rural(page) -> None:
    from playwright.sync_api import expect

    _log_in(page, "uo_zarechny")
    page.click("nav >> text=Реестр школ")
    page.wait_for_url(re.compile(r"/schools/$"))
    expect(page.locator("#registry-count")).to_have_text("12")

    page.select_option("select#id_settlement", "rural")

    # htmx swaps #registry-table in place; the count is the sign the swap happened.
    expect(page.locator("#registry-count")).to_have_text(str(len(RURAL_NAMES)))


def test_department_filters_the_registry_down_to_rural_schools(page, district, screenshot_dir):
    from playwright.sync_api import expect

    _open_registry_and_filter_rural(page)

    assert "settlement=rural" in page.url  # hx-push-url keeps the filter in the address
    rows = page.locator("#registry-table tbody tr")
    expect(rows).to_have_count(len(RURAL_NAMES))
    assert set(rows.locator("td:first-child a").all_inner_texts()) == RURAL_NAMES
    assert set(_column_texts(page, "Местность")) == {"Сельская"}
    _assert_styled(page)
    page.screenshot(path=str(screenshot_dir / "registry.png"), full_page=True)
    assert page.failed_requests == []


def test_school_card_shows_the_school_code(page, district, screenshot_dir):
    from playwright.sync_api import expect

    _open_registry_and_filter_rural(page)
    href = page.locator("#registry-table a", has_text="МБОУ Ключевская ООШ").get_attribute("href")

    page.goto(href)

    expect(page.locator("h1")).to_have_text("МБОУ Ключевская ООШ")
    expect(page.locator("dd code")).to_have_text("edu981009")
    expect(page.locator("main")).to_contain_text("Сельская")
    _assert_styled(page)
    page.screenshot(path=str(screenshot_dir / "school_card.png"), full_page=True)
    assert page.failed_requests == []


def test_clicking_a_school_in_the_registry_opens_its_card_as_a_page(page, district):
    from playwright.sync_api import expect

    _open_registry_and_filter_rural(page)

    page.click("#registry-table >> text=МБОУ Ключевская ООШ")

    page.wait_for_url(re.compile(r"/schools/\d+/$"))
    page.locator("h1", has_text="МБОУ Ключевская ООШ").wait_for()
    assert page.locator("nav.navbar").count() == 1, "the card is nested inside the registry page"
    expect(page.locator("h1")).to_have_text("МБОУ Ключевская ООШ")


def test_anonymous_visitor_is_sent_to_the_login_page(page, district):
    page.goto("/schools/")

    page.wait_for_url(re.compile(r"/accounts/login/\?next=/schools/$"))
    assert page.locator("h1").inner_text() == "Вход в портал"
    assert page.failed_requests == []
