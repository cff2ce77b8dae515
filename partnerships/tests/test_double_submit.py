"""An agreement number is the department's per year; the «new agreement» form creates once."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError
from django.urls import reverse

from partnerships import services
from partnerships.models import Agreement
from partnerships.tests.conftest import agreement_with, give_status
from tests.factories import SchoolFactory


@pytest.fixture
def supported(school, year):
    give_status(school, year)
    return school


@pytest.fixture
def partner(municipality):
    return SchoolFactory(municipality=municipality, code="edu990001")


def _form(supported, partner, token: str, number: str = "12-П") -> dict:
    return {
        "supported_school": supported.pk,
        "partners": [partner.organisation_id],
        "number": number,
        "signed_on": "2026-09-01",
        "submit_token": token,
    }


def test_a_double_submitted_new_agreement_creates_one(client, department, supported, partner):
    client.force_login(department)
    token = client.get(reverse("partnerships:agreement_create")).context["form"].initial["submit_token"]

    first = client.post(reverse("partnerships:agreement_create"), _form(supported, partner, token))
    second = client.post(reverse("partnerships:agreement_create"), _form(supported, partner, token))

    agreement = Agreement.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == agreement.get_absolute_url()


def test_a_double_submitted_draft_without_a_number_creates_one(client, department, supported, partner):
    client.force_login(department)
    token = client.get(reverse("partnerships:agreement_create")).context["form"].initial["submit_token"]
    data = _form(supported, partner, token, number="") | {"signed_on": ""}

    for _ in range(3):
        client.post(reverse("partnerships:agreement_create"), data)

    assert Agreement.objects.count() == 1


def test_a_number_already_used_this_year_is_refused_in_russian(client, department, supported, partner):
    agreement_with(supported=supported, partners=[partner], number="12-П", signed_on=date(2026, 3, 1))
    client.force_login(department)
    token = client.get(reverse("partnerships:agreement_create")).context["form"].initial["submit_token"]

    response = client.post(reverse("partnerships:agreement_create"), _form(supported, partner, token))

    assert response.status_code == 200
    assert services.NUMBER_TAKEN.format(number="12-П", year="за 2026 год") in response.content.decode()
    assert Agreement.objects.count() == 1


def test_the_same_number_in_another_year_or_municipality_is_fine(
    department, supported, partner, foreign_school, outsider
):
    agreement_with(supported=supported, partners=[partner], number="12-П", signed_on=date(2025, 3, 1))

    services.agreement_create(
        by=department, supported_school=supported, partners=[partner.organisation], number="12-П",
        signed_on=date(2026, 3, 1),
    )  # fmt: skip

    assert Agreement.objects.filter(number="12-П").count() == 2


def test_the_database_refuses_a_second_number_in_one_year(supported, partner):
    agreement_with(supported=supported, partners=[partner], number="7", signed_on=date(2026, 1, 10))

    with pytest.raises(IntegrityError):
        agreement_with(supported=supported, partners=[partner], number="7", signed_on=date(2026, 12, 1))
