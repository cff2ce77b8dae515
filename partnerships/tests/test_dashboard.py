"""The dashboard figures: new agreements of the academic year against the target, supported schools with a partner."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from partnerships.models import Agreement, PartnershipSettings
from partnerships.selectors import dashboard_figures
from partnerships.tests.conftest import agreement_with, give_status, strong_school
from tests.factories import SchoolFactory

S = Agreement.Status


def test_new_agreements_count_signed_ones_dated_within_the_academic_year(
    municipality, year, school, other_school, foreign_school
):
    partner = strong_school(municipality, year)
    for status, signed_on in (
        (S.SIGNED, date(2025, 9, 1)),  # first day of 2025/2026
        (S.ACTIVE, date(2026, 3, 10)),
        (S.TERMINATED, date(2026, 8, 31)),  # last day; terminated later, still new this year
        (S.ACTIVE, date(2025, 8, 31)),  # previous year
        (S.DRAFT, date(2025, 10, 1)),  # not signed yet
    ):
        agreement_with(supported=school, partners=[partner], status=status, signed_on=signed_on)
    agreement_with(supported=foreign_school, partners=[foreign_school], status=S.ACTIVE, signed_on=date(2025, 10, 1))

    figures = dashboard_figures(municipality=municipality, year=year)

    assert (figures.new_agreements, figures.target) == (3, 5)
    assert figures.target_percent == 60


def test_the_target_is_the_municipalitys_setting(municipality, year):
    PartnershipSettings.objects.create(municipality=municipality, yearly_target=8)

    assert dashboard_figures(municipality=municipality, year=year).target == 8


def test_share_of_supported_schools_with_an_active_partner(municipality, year, school, other_school):
    third = SchoolFactory(municipality=municipality)
    fourth = SchoolFactory(municipality=municipality)
    for supported in (school, other_school, third, fourth):
        give_status(supported, year)
    partner = strong_school(municipality, year)
    agreement_with(supported=school, partners=[partner], status=S.ACTIVE)
    agreement_with(supported=other_school, partners=[partner], status=S.SIGNED)  # not active yet
    agreement_with(supported=third, partners=[partner], status=S.COMPLETED)  # over
    SchoolFactory(municipality=municipality)  # not supported: outside the share
    agreement_with(supported=partner, partners=[school], status=S.ACTIVE)  # partner is not a supported school

    figures = dashboard_figures(municipality=municipality, year=year)

    assert (figures.supported, figures.supported_with_partner) == (4, 1)
    assert figures.partner_share == 25.0


def test_the_department_home_shows_the_card_with_the_figures(client, department, municipality, year, school):
    give_status(school, year)
    partner = strong_school(municipality, year)
    agreement_with(supported=school, partners=[partner], status=S.ACTIVE, signed_on=date(2025, 12, 1))
    client.force_login(department)

    body = client.get(reverse("core:home")).content.decode()

    assert 'data-stat="new-agreements">1 / 5<' in body
    assert 'data-stat="partner-share">100%<' in body
