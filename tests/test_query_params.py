"""Query parameters anyone can edit in a link never make a server error (run on PostgreSQL too:
it refuses NUL in a literal and integers past 64 bits where SQLite is lenient)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.tests.factories import AssociationFactory, PracticeFactory

BAD_YEARS = ["-1", "0", "10000", "99999999999999999999", "abc", "1e5", "2025.5"]
BAD_SEARCHES = ["\x00", "урок\x00", "\x01\x02", "a" * 5000]


@pytest.fixture
def signed_in(client, department):
    client.force_login(department)
    return client


@pytest.mark.parametrize("year", BAD_YEARS)
def test_a_bad_agreement_year_is_ignored(signed_in, year):
    response = signed_in.get(reverse("partnerships:agreement_list"), {"year": year})

    assert response.status_code == 200


@pytest.mark.parametrize("year", BAD_YEARS)
def test_a_bad_agreement_year_is_ignored_by_the_export_job(signed_in, year, django_capture_on_commit_callbacks):
    from reports.tests.registry import agreements_xlsx

    assert agreements_xlsx(signed_in, django_capture_on_commit_callbacks, year=year)  # the job is done


@pytest.mark.parametrize("year", BAD_YEARS)
@pytest.mark.parametrize("name", ["risks:signals", "risks:overview"])
def test_a_bad_risk_year_is_ignored(signed_in, name, year):
    assert signed_in.get(reverse(name), {"year": year}).status_code == 200


@pytest.mark.parametrize("query", BAD_SEARCHES)
def test_the_public_practice_search_refuses_control_characters(client, municipality, query):
    PracticeFactory(municipality=municipality, title="Урок в музее")

    response = client.get(reverse("events:practice_list"), {"q": query})

    # The search is dropped (the page lists what it lists without one), never echoed or sent to the database.
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize("query", BAD_SEARCHES)
@pytest.mark.parametrize("name", ["events:staff_practices", "partnerships:agreement_list", "core:audit_log"])
def test_staff_searches_refuse_control_characters(client, methodologist, department, name, query):
    client.force_login(methodologist if name.startswith("events:") else department)

    assert client.get(reverse(name), {"q": query}).status_code == 200


@pytest.mark.parametrize("month", ["99999999999999999999-1", "1-1", "9999-12", "2026-13", "-5-3", "x"])
def test_a_bad_calendar_month_shows_the_current_one(client, db, month):
    assert client.get(reverse("events:calendar"), {"month": month}).status_code == 200


@pytest.mark.parametrize("year", BAD_YEARS)
def test_a_bad_association_plan_year_shows_the_current_one(client, municipality, year):
    association = AssociationFactory(municipality=municipality)

    assert client.get(reverse("events:association_detail", args=[association.pk]), {"year": year}).status_code == 200
