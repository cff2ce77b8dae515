"""The demo shows the analytics for every school with results, small schools included: pooled
figures marked as pooled, the region's two-year option on, the district's copy of a catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from analytics import demo as analytics_demo
from analytics.models import MarkResult, TaskCatalogue
from analytics.selectors import MIN_GROUP
from core.extensions import DEMO_OPTIONS
from identification import demo as identification_demo
from identification.models import MethodologyVersion, StatusKind
from monitoring import demo as monitoring_demo
from schools.demo import demo_district_seed

SEEDED_ON = dt.date(2026, 12, 6)  # two years of results: 2024/25 and 2025/26

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(DEMO_OPTIONS, "years", 2)  # two years: the least that has two-year pools
    moment = timezone.make_aware(dt.datetime.combine(SEEDED_ON, dt.time(12)))
    with time_machine.travel(moment, tick=True), django_capture_on_commit_callbacks(execute=True):
        demo_district_seed()
        monitoring_demo.demo_seed()
        identification_demo.demo_seed()
        line = analytics_demo.demo_seed()
    return line


def test_the_demo_has_pooled_figures_for_its_small_schools_marked_on_their_pages(seeded, client):
    from accounts.models import User

    small = MarkResult.objects.filter(level="school", grade_to__isnull=True, participants__lt=MIN_GROUP)
    small_schools = set(small.values_list("school_id", flat=True))
    assert small_schools, "the demo's ООШ/НОШ have slices under 10"
    pooled = MarkResult.objects.filter(level="school", grade_to__isnull=False)
    assert pooled.filter(two_years=False).exists()
    assert pooled.filter(two_years=True).exists()
    # Every small school has a pooled figure of some slice (grades of a level, or two years).
    assert small_schools <= set(pooled.values_list("school_id", flat=True))

    row = pooled.filter(two_years=True).select_related("year", "subject").first()
    slice_row = small.filter(
        school_id=row.school_id, year=row.year, procedure=row.procedure, subject=row.subject, grade=row.grade
    ).first()
    assert slice_row is not None
    client.force_login(User.objects.get(username="uo"))
    response = client.get(
        reverse("analytics:school", args=[row.school_id]),
        {"year": row.year.start_year, "procedure": row.procedure, "subject": row.subject.code, "grade": row.grade},
    )
    html = response.content.decode()
    assert 'id="small-group-note"' in html
    assert "объединено за 2 года" in html
    # The pooled figure on the page is the stored row's: its participants.
    assert f"{row.participants} уч." in html


def test_the_demo_region_judges_small_schools_over_two_years_and_the_district_has_its_catalogue_copy(seeded):
    own = MethodologyVersion.objects.filter(
        methodology__kind=StatusKind.LOW_RESULTS, methodology__region__isnull=False
    ).get()
    assert own.pool_two_years
    assert own.runs.exists()
    copy = TaskCatalogue.objects.get(municipality__isnull=False)
    assert copy.items.get(task_label="6").skill == analytics_demo.LOCAL_EDIT[3]
    shipped = TaskCatalogue.objects.get(
        municipality__isnull=True, year=copy.year, subject=copy.subject, grade=copy.grade, procedure=copy.procedure
    )
    assert shipped.items.get(task_label="6").skill != analytics_demo.LOCAL_EDIT[3]
    assert "копий кодификатора у района 1" in seeded
    # Run again: nothing new.
    assert "копий кодификатора у района 0" in analytics_demo.demo_seed()
