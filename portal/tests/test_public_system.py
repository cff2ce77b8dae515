"""The public site you can find: the home page links what is published, and «Система работы
со ШНОР» is assembled from what the portal holds (criteria, decisions, years), without ranking."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from identification import services
from identification.models import Decision, StatusKind
from tests.factories import AcademicYearFactory


def test_the_public_home_links_roadmaps_reports_documents_events_and_the_system(client, db):
    body = client.get(reverse("core:public_home")).content.decode()

    for name in ("core:public_system", "roadmaps:public_index", "events:page_list", "events:list"):
        assert f'href="{reverse(name)}"' in body


def test_the_system_page_shows_criteria_decisions_and_counts_by_year(client, department, school, other_school):
    year = AcademicYearFactory(start_year=2025)
    for each in (school, other_school):
        services.status_set(school=each, year=year, kind=StatusKind.LOW_RESULTS, reason="ВПР", user=department)
    decision = Decision.objects.create(
        municipality=school.municipality, year=year, kind=StatusKind.LOW_RESULTS, number="42-од",
        date=dt.date(2025, 9, 1), created_by=department,
    )  # fmt: skip
    decision.added.add(*school.statuses.all())

    body = client.get(reverse("core:public_system")).content.decode()

    assert "№ 42-од от 01.09.2025" in body and school.organisation.short_name in body
    assert '<td>2025/2026</td><td class="text-end">2</td>' in body  # two ШНОР that year, a count only
    assert "Доля «2»" in body or "ИСБШ" in body  # the criteria of the shipped methodologies
    assert "рейтинг" not in body.lower().replace("не составляет рейтингов", "")
