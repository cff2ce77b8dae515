"""The pages: the department's path from a supported school to a signed agreement, and who may do what."""

from __future__ import annotations

import io
from datetime import date
from datetime import datetime as dt

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.sample_documents import tiny_pdf
from partnerships.models import Agreement
from partnerships.services import TRANSITION_NOT_ALLOWED
from partnerships.tests.conftest import add_results, agreement_with, give_status, strong_school
from tests.factories import SchoolFactory

S = Agreement.Status


@pytest.fixture
def supported(school, year):
    give_status(school, year)
    return school


@pytest.fixture
def partner(municipality, year):
    return strong_school(municipality, year, organisation__short_name="Гимназия № 2")


def test_department_picks_a_suggested_partner_signs_uploads_the_scan_and_finds_it_in_the_register(
    client, department, supported, partner, year, job, maths
):
    add_results(school=supported, year=year, subject=maths, job=job, marks={2: 10, 3: 10})
    add_results(school=partner, year=year, subject=maths, job=job, marks={4: 10, 5: 10})
    client.force_login(department)

    page = client.get(reverse("partnerships:matching", args=[supported.pk])).content.decode()
    assert "сильнее по математике (ОГЭ): доля «2» 0,0% против 50,0%" in page

    response = client.post(reverse("partnerships:suggestion_accept", args=[supported.pk, partner.organisation_id]))
    agreement = Agreement.objects.get(supported_school=supported)
    assert response.url == reverse("partnerships:agreement_edit", args=[agreement.pk])

    response = client.post(
        reverse("partnerships:agreement_edit", args=[agreement.pk]),
        {
            "partners": [partner.organisation_id],
            "number": "12-П",
            "signed_on": "2025-10-15",
            "starts_on": "2025-10-15",
            "ends_on": "2026-06-30",
            "support_forms": ["methodical", "consulting"],
            "subjects": [maths.pk],
            "activities": "Взаимопосещение уроков математики",
        },
    )
    assert response.status_code == 302
    client.post(reverse("partnerships:agreement_transition", args=[agreement.pk]), {"to": S.SIGNED})
    client.post(
        reverse("partnerships:agreement_scan_upload", args=[agreement.pk]),
        {"scan": SimpleUploadedFile("Договор 12-П.pdf", tiny_pdf())},
    )

    agreement.refresh_from_db()
    assert (agreement.status, agreement.number, agreement.signed_on) == (S.SIGNED, "12-П", date(2025, 10, 15))
    assert agreement.scan_kind == "pdf"
    register = client.get(reverse("partnerships:agreement_list")).content.decode()
    assert "Договор № 12-П" in register
    download = client.get(reverse("partnerships:agreement_scan", args=[agreement.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_an_illegal_move_posted_by_hand_is_refused_with_a_russian_message(client, department, supported, partner):
    agreement = agreement_with(supported=supported, partners=[partner])
    client.force_login(department)

    response = client.post(
        reverse("partnerships:agreement_transition", args=[agreement.pk]), {"to": S.COMPLETED}, follow=True
    )

    agreement.refresh_from_db()
    assert agreement.status == S.DRAFT
    assert TRANSITION_NOT_ALLOWED.format(current="Проект", to="Исполнен") in response.content.decode()


@pytest.mark.parametrize(("actor", "status"), [("director", 403), ("curator", 403), ("outsider", 404)])
def test_only_the_home_department_changes_an_agreement(client, cast, supported, partner, actor, status):
    agreement = agreement_with(supported=supported, partners=[partner], number="1", signed_on=date(2025, 10, 1))
    client.force_login(cast[actor])

    response = client.post(reverse("partnerships:agreement_transition", args=[agreement.pk]), {"to": S.SIGNED})

    assert response.status_code == status
    agreement.refresh_from_db()
    assert agreement.status == S.DRAFT


def test_a_transition_without_the_csrf_token_is_refused(department, supported, partner):
    agreement = agreement_with(supported=supported, partners=[partner], number="1", signed_on=date(2025, 10, 1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(department)

    response = client.post(reverse("partnerships:agreement_transition", args=[agreement.pk]), {"to": S.SIGNED})

    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == S.DRAFT


def test_the_partner_schools_director_sees_the_agreement_and_the_teacher_does_not(
    client, cast, other_school, municipality, year, school
):
    agreement = agreement_with(supported=other_school, partners=[school], number="9")
    client.force_login(cast["director"])
    assert "Договор № 9" in client.get(reverse("partnerships:agreement_list")).content.decode()
    client.force_login(cast["teacher"])
    assert "Договор № 9" not in client.get(reverse("partnerships:agreement_list")).content.decode()
    assert client.get(reverse("partnerships:agreement_detail", args=[agreement.pk])).status_code == 404


def test_export_has_russian_headers_a_frozen_row_and_escapes_formulas(
    client, department, supported, partner, django_capture_on_commit_callbacks
):
    from reports.tests.registry import agreements_xlsx

    agreement = agreement_with(supported=supported, partners=[partner], number='=HYPERLINK("http://x")')
    agreement.activities = "+7 cmd|' /C calc'!A0"
    agreement.save()
    client.force_login(department)

    content = agreements_xlsx(client, django_capture_on_commit_callbacks)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["Номер", "Дата", "Статус", "Школа"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 40
    row = [cell.value for cell in sheet[2]]
    assert row[0] == '\'=HYPERLINK("http://x")'
    assert row[10] == "'+7 cmd|' /C calc'!A0"
    assert sheet["A2"].data_type == "s"


def test_the_register_filters_by_status(client, department, supported, partner):
    agreement_with(supported=supported, partners=[partner], number="A-1", status=S.ACTIVE)
    agreement_with(supported=supported, partners=[partner], number="D-2", status=S.DRAFT)
    client.force_login(department)

    body = client.get(reverse("partnerships:agreement_list"), {"status": S.ACTIVE}).content.decode()

    assert "Договор № A-1" in body
    assert "Договор № D-2" not in body


def test_the_register_costs_a_bounded_number_of_queries(
    client, department, supported, partner, municipality, django_assert_max_num_queries
):
    client.force_login(department)
    for n in range(3):
        agreement_with(supported=supported, partners=[partner], number=str(n))
    with django_assert_max_num_queries(14):
        client.get(reverse("partnerships:agreement_list"))
    for n in range(30):
        agreement_with(
            supported=supported, partners=[partner, SchoolFactory(municipality=municipality)], number=f"x{n}"
        )
    with django_assert_max_num_queries(14):
        client.get(reverse("partnerships:agreement_list"))


def test_matching_and_candidates_pages_cost_a_bounded_number_of_queries(
    client, department, supported, municipality, year, django_assert_max_num_queries
):
    client.force_login(department)
    for _ in range(20):
        strong_school(municipality, year)
    with django_assert_max_num_queries(20):
        client.get(reverse("partnerships:matching", args=[supported.pk]))
    with django_assert_max_num_queries(20):
        client.get(reverse("partnerships:candidates"))


def test_department_adds_an_organisation_to_the_candidates(client, department, municipality):
    from partnerships.models import PartnerCandidate
    from tests.factories import OrganisationFactory

    imc = OrganisationFactory(municipality=municipality, kind="imc", short_name="ИМЦ Заречного района")
    client.force_login(department)

    client.post(reverse("partnerships:candidates"), {"organisation": imc.pk, "strengths": "методическое сопровождение"})

    assert PartnerCandidate.objects.filter(organisation=imc, municipality=municipality).exists()


def test_settings_refuse_a_zero_cap_with_a_message(client, department, municipality):
    from partnerships.models import PartnershipSettings

    client.force_login(department)

    response = client.post(reverse("partnerships:settings"), {"agreement_cap": 0, "yearly_target": 5})

    assert response.status_code == 200
    assert "больше либо равно 1" in response.content.decode()
    assert not PartnershipSettings.objects.exists()


def test_the_school_card_shows_its_agreements_and_the_department_a_matching_link(
    client, cast, supported, partner, other_school
):
    agreement_with(supported=supported, partners=[partner], number="21-П")
    client.force_login(cast["department"])
    body = client.get(reverse("schools:detail", args=[supported.pk])).content.decode()
    assert "Договор № 21-П" in body
    assert reverse("partnerships:matching", args=[supported.pk]) in body

    client.force_login(cast["director"])
    body = client.get(reverse("schools:detail", args=[supported.pk])).content.decode()
    assert "Договор № 21-П" in body
    assert reverse("partnerships:matching", args=[supported.pk]) not in body


def test_the_register_pages_through_many_agreements_keeping_the_filter(client, department, supported, partner):
    for n in range(55):
        agreement_with(supported=supported, partners=[partner], number=f"N{n:02d}", status=S.ACTIVE)
    client.force_login(department)

    body = client.get(reverse("partnerships:agreement_list"), {"status": S.ACTIVE, "page": 2}).content.decode()

    assert "Найдено: 55" in body
    assert "2 из 2" in body
    assert body.count("Договор № N") == 5
    assert "?status=active&amp;page=1" in body


def test_the_register_filters_by_school_and_by_year(client, department, supported, partner, other_school):
    agreement_with(supported=supported, partners=[partner], number="S-1", signed_on=date(2025, 10, 1))
    agreement_with(supported=other_school, partners=[partner], number="O-2", signed_on=date(2026, 2, 1))
    client.force_login(department)

    by_school = client.get(reverse("partnerships:agreement_list"), {"supported_school": supported.pk}).content.decode()
    by_year = client.get(reverse("partnerships:agreement_list"), {"year": 2026}).content.decode()

    assert "Договор № S-1" in by_school and "Договор № O-2" not in by_school
    assert "Договор № O-2" in by_year and "Договор № S-1" not in by_year


def _supported_page(client, **query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("partnerships:supported_list"), query)
    assert response.status_code == 200
    body = response.content.decode()
    return len(captured), body, body.split('id="supported"')[1].count("Подобрать партнёра</a>")


def test_supported_list_is_paginated_with_the_same_queries_for_3_and_60_schools(client, department, municipality, year):
    from partnerships.tests.conftest import give_status
    from tests.factories import SchoolFactory

    def grow(to: int) -> None:
        for _ in range(to - municipality.schools.count()):
            give_status(SchoolFactory(municipality=municipality), year)

    client.force_login(department)
    grow(3)
    client.get(reverse("partnerships:supported_list"))  # warm the session
    small_queries, _, small_rows = _supported_page(client)
    grow(60)
    large_queries, large, large_rows = _supported_page(client)

    assert (small_rows, large_rows) == (3, 50)
    assert "Школ: 60; показаны 1–50" in large
    assert large_queries == small_queries
    queries, second, rows = _supported_page(client, sort="without_partner", page=2)
    assert (queries, rows) == (small_queries, 10)
    assert 'href="?sort=without_partner&amp;page=1"' in second


def test_supported_list_puts_schools_without_a_partner_first_and_finds_by_code(client, department, municipality, year):
    from partnerships.models import Agreement
    from partnerships.tests.conftest import agreement_with, give_status
    from tests.factories import SchoolFactory

    partnered = SchoolFactory(municipality=municipality, code="edu6660001", organisation__name="А-школа")
    alone = SchoolFactory(municipality=municipality, code="edu6660002", organisation__name="Я-школа")
    for school in (partnered, alone):
        give_status(school, year)
    agreement_with(
        supported=partnered,
        partners=[SchoolFactory(municipality=municipality).organisation],
        status=Agreement.Status.ACTIVE,
    )
    client.force_login(department)

    _, by_name, _ = _supported_page(client)
    _, without_first, _ = _supported_page(client, sort="without_partner")
    _, found, rows = _supported_page(client, q="edu6660002")

    assert by_name.index("edu6660001") < by_name.index("edu6660002")
    assert without_first.index("edu6660002") < without_first.index("edu6660001")
    assert rows == 1 and "edu6660002" in found


def _agreement_page(client, **query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("partnerships:agreement_list"), query)
    assert response.status_code == 200
    body = response.content.decode()
    table = body.split('id="agreements"')[1].split("</table>")[0]
    return len(captured), body, table.count("<tr>") - 1  # less the header row


def test_agreement_list_is_paginated_sorted_and_filtered_with_the_same_queries_for_3_and_60(
    client, department, municipality, year
):
    from datetime import timedelta

    def grow(to: int) -> None:
        for _ in range(to - Agreement.objects.count()):
            n = Agreement.objects.count()
            agreement_with(
                supported=SchoolFactory(municipality=municipality),
                partners=[SchoolFactory(municipality=municipality).organisation],
                status=Agreement.Status.ACTIVE,
                signed_on=date(2025, 9, 1) + timedelta(days=n),
            )

    client.force_login(department)
    grow(3)
    client.get(reverse("partnerships:agreement_list"))  # warm the session
    small_queries, _, small_rows = _agreement_page(client)
    grow(60)
    large_queries, large, large_rows = _agreement_page(client)

    assert (small_rows, large_rows) == (3, 50)
    assert "Найдено: 60" in large
    # The school filter offers the 60 supported schools, not their 60 partners too.
    school_select = large.split('id="id_supported_school"')[1].split("</select>")[0]
    assert school_select.count("<option") == 1 + 60
    assert large_queries == small_queries
    # Page 2 of the newest first, filtered by status: the ten oldest, newest of them first,
    # and the link back keeps the filter and the order.
    queries, second, rows = _agreement_page(client, status="active", sort="-date", page=2)
    assert (queries, rows) == (small_queries, 10)
    assert "от 10.09.2025" in second and "от 11.09.2025" not in second
    assert second.index("от 10.09.2025") < second.index("от 01.09.2025")
    assert 'href="?status=active&amp;sort=-date&amp;page=1"' in second


def test_the_export_job_writes_the_filtered_agreements_row_by_row(
    client, department, supported, partner, maths, django_capture_on_commit_callbacks
):
    """The page's «Выгрузить в XLSX» orders a report job (issue #20); the file has the agreements the
    page's filters select, each column as the department entered it."""
    from partnerships import services
    from reports.tests.registry import agreements_xlsx

    signed = services.agreement_create(
        by=department,
        supported_school=supported,
        partners=[partner.organisation],
        number="7-П",
        signed_on=date(2025, 9, 1),
        starts_on=date(2025, 9, 1),
        ends_on=date(2026, 5, 31),
        support_forms=["consulting", "staffing"],
        subjects=[maths],
        activities="Открытые уроки",
    )
    services.agreement_transition(agreement=signed, to=S.SIGNED, by=department)
    services.agreement_create(by=department, supported_school=supported, partners=[partner.organisation], number="8")
    client.force_login(department)

    content = agreements_xlsx(client, django_capture_on_commit_callbacks, status=S.SIGNED)

    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "Номер", "Дата", "Статус", "Школа", "Код ОО", "Организации-партнёры", "Начало", "Окончание",
        "Формы поддержки", "Предметы", "Совместные мероприятия", "Причина расторжения", "Итоги", "Оценка",
    )  # fmt: skip
    school_name = supported.organisation.display_name
    assert rows[1:] == [
        (
            "7-П", dt(2025, 9, 1), "Подписан", school_name, supported.code, partner.organisation.display_name,
            dt(2025, 9, 1), dt(2026, 5, 31), "Консультационная, Кадровая", maths.name, "Открытые уроки",
            None, None, None,
        )
    ]  # fmt: skip
    # Without filters: both, by date (the draft has none: openpyxl sorts nothing, the query does).
    everything = agreements_xlsx(client, django_capture_on_commit_callbacks)
    numbers = [
        r[0] for r in openpyxl.load_workbook(io.BytesIO(everything)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert sorted(numbers) == ["7-П", "8"]


def test_ordering_the_export_costs_the_same_queries_for_few_and_many_agreements(
    client, department, supported, partner, municipality
):
    """The request only checks and queues (issue #20): its queries do not grow with the agreements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(department)
    client.get(reverse("partnerships:agreement_list"))  # the session and the user loaded once

    def order() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.post(reverse("reports:agreement_export"), {"filters": ""}).status_code == 302
        return len(queries)

    agreement_with(supported=supported, partners=[partner])
    few = order()
    for _ in range(30):
        agreement_with(supported=SchoolFactory(municipality=municipality), partners=[partner])
    assert order() == few
