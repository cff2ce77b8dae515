"""In a real browser: the department opens a supported school, picks a suggested partner,
records a signed agreement with its scan and finds it in the register (issue #6).

Screenshots go to var/screenshots/partnerships-*.png.
"""

from __future__ import annotations

import re

import pytest

from accounts.models import Role
from core.sample_documents import tiny_pdf
from monitoring.models import ImportJob, Subject
from partnerships.models import Agreement
from partnerships.tests.conftest import add_results, give_status, place, strong_school
from schools.models import School
from tests.browser.conftest import (  # noqa: F401 - fixtures of the browser suite
    _async_unsafe_allowed,
    _plain_static_files,
    browser,
    page,
    screenshot_dir,
)
from tests.factories import (
    PASSWORD,
    AcademicYearFactory,
    MunicipalityFactory,
    RegionFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district():
    municipality = MunicipalityFactory(
        region=RegionFactory(name="Северный край", code="98"), name="Заречный район", oktmo="98610000"
    )
    year = AcademicYearFactory(start_year=2025)
    department = UserFactory(username="uo_zarechny", role=Role.DEPARTMENT, municipality=municipality)
    job = ImportJob.objects.create(uploaded_by=department, original_name="oge.xlsx", sha256="b" * 64)
    maths = Subject.objects.get_or_create(code="02", defaults={"name": "Математика"})[0]
    weak = SchoolFactory(
        municipality=municipality,
        code="edu981011",
        settlement=School.Settlement.RURAL,
        contingent=180,
        organisation__short_name="МБОУ Подгорненская СОШ",
    )
    give_status(weak, year)
    place(weak, 54.70, 52.80)
    add_results(school=weak, year=year, subject=maths, job=job, marks={2: 9, 3: 21, 4: 12})
    gymnasium = strong_school(municipality, year, code="edu981003", organisation__short_name="МБОУ «Гимназия № 3»")
    place(gymnasium, 54.72, 52.95)
    add_results(school=gymnasium, year=year, subject=maths, job=job, marks={2: 1, 3: 10, 4: 30, 5: 20})
    rural = strong_school(
        municipality,
        year,
        code="edu981008",
        settlement=School.Settlement.RURAL,
        contingent=200,
        organisation__short_name="МБОУ Берёзовская СОШ",
    )
    place(rural, 54.90, 52.40)
    add_results(school=rural, year=year, subject=maths, job=job, marks={2: 8, 3: 20, 4: 10})
    return department, weak, gymnasium


def test_department_picks_a_suggested_partner_and_records_the_signed_agreement_with_its_scan(
    page,  # noqa: F811 - the browser suite's fixture, imported above
    district,
    screenshot_dir,  # noqa: F811
    tmp_path,
):
    department, weak, gymnasium = district
    page.goto("/accounts/login/")
    page.fill("#id_username", department.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))
    page.screenshot(path=screenshot_dir / "partnerships-1-home.png", full_page=True)

    page.goto(f"/schools/{weak.pk}/")
    page.click("text=Подобрать партнёра")
    page.wait_for_url(re.compile(r"/matching/$"))
    first = page.locator("#suggestions > li").first
    assert "МБОУ «Гимназия № 3»" in first.inner_text()
    assert "сильнее по математике (ОГЭ): доля «2» 1,6% против 21,4%" in first.inner_text()
    page.screenshot(path=screenshot_dir / "partnerships-2-matching.png", full_page=True)

    first.locator("button", has_text="Выбрать").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    page.fill("#id_number", "12-П")
    page.fill("#id_signed_on", "2025-10-15")
    page.fill("#id_starts_on", "2025-10-15")
    page.fill("#id_ends_on", "2026-06-30")
    page.check("input[name=support_forms][value=methodical]")
    page.check("input[name=support_forms][value=consulting]")
    page.fill("#id_activities", "Взаимопосещение уроков математики, совместный семинар по подготовке к ОГЭ")
    page.click("button[type=submit]:has-text('Сохранить')")
    page.wait_for_url(re.compile(r"/partnerships/\d+/$"))

    page.click("button[data-move=signed]")
    page.wait_for_selector("text=Статус договора: «Подписан».")
    scan = tmp_path / "Договор 12-П.pdf"
    scan.write_bytes(tiny_pdf())
    page.set_input_files("#id_scan", str(scan))
    page.click("button:has-text('Загрузить скан')")
    page.wait_for_selector("#scan-link")
    page.screenshot(path=screenshot_dir / "partnerships-3-agreement.png", full_page=True)

    page.click("text=К реестру")
    page.wait_for_url(re.compile(r"/partnerships/$"))
    row = page.locator("#agreements tbody tr", has_text="Договор № 12-П")
    assert "Подписан" in row.inner_text()
    assert "МБОУ «Гимназия № 3»" in row.inner_text()
    page.screenshot(path=screenshot_dir / "partnerships-4-register.png", full_page=True)
    agreement = Agreement.objects.get(number="12-П")
    assert (agreement.status, agreement.scan_kind) == (Agreement.Status.SIGNED, "pdf")
    assert list(agreement.partners.all()) == [gymnasium.organisation]
    assert page.failed_requests == []
