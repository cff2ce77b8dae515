"""The matched difference-in-differences, on constructed data with a known planted effect."""

from __future__ import annotations

import random
import statistics

import pytest

from identification.effect import Unit, did_estimate, t975

PLANTED = -5.0  # p.p. of «2»: the support lowers the share by five points


def _district(*, planted: float, seed: int = 7, treated_n: int = 8, pool_n: int = 40):
    """Schools whose share of «2» drifts back towards 20 % (−0,3 of the distance a year), with a
    common trend of −1 p.p. and noise; supported schools start high (25–35 %), the others
    anywhere (10–35 %). Supported schools get ``planted`` on top."""
    rng = random.Random(seed)

    def school(pk: int, before: float, supported: bool) -> Unit:
        change = -0.3 * (before - 20) - 1.0 + rng.gauss(0, 1.0) + (planted if supported else 0.0)
        features = (rng.uniform(5, 25), rng.uniform(0, 8), 400 + rng.uniform(-150, 150), before)
        return Unit(school_id=pk, before=before, after=before + change, kind="sosh", features=features)

    treated = [school(pk, rng.uniform(25, 35), True) for pk in range(treated_n)]
    pool = [school(100 + pk, rng.uniform(10, 35), False) for pk in range(pool_n)]
    return treated, pool


def test_the_planted_effect_is_recovered_with_an_interval_that_excludes_zero():
    treated, pool = _district(planted=PLANTED)

    estimate = did_estimate(treated, pool)

    assert estimate.n_treated == 8
    assert abs(estimate.effect - PLANTED) < 1.0
    assert estimate.low < PLANTED < estimate.high
    assert estimate.high < 0 and estimate.significant


def test_matching_on_the_starting_level_removes_the_pull_towards_the_mean():
    # Without matching, supported schools (high start) look better by the drift alone: the
    # naive difference of mean changes overstates the effect by several points.
    treated, pool = _district(planted=PLANTED)
    naive = statistics.fmean(u.change for u in treated) - statistics.fmean(u.change for u in pool)

    matched = did_estimate(treated, pool).effect

    assert naive < PLANTED - 1.5
    assert abs(matched - PLANTED) < abs(naive - PLANTED)


def test_no_planted_effect_gives_an_interval_around_zero():
    treated, pool = _district(planted=0.0, seed=11)

    estimate = did_estimate(treated, pool)

    assert estimate.low < 0 < estimate.high
    assert not estimate.significant


def test_the_interval_is_the_t_interval_of_the_matched_differences_computed_by_hand():
    # Three supported schools, each matched to its two nearest: changes −6, −4, −5 against
    # matched means −1, −1, −2 → differences −5, −3, −3; mean −11/3, sd √(4/3),
    # half-width t(2) · sd / √3 = 4,303 · 1,1547 / 1,7321 = 2,8687.
    treated = [
        Unit(1, 30.0, 24.0, "sosh", (30.0,)),
        Unit(2, 20.0, 16.0, "sosh", (20.0,)),
        Unit(3, 10.0, 5.0, "sosh", (10.0,)),
    ]
    pool = [
        Unit(11, 31.0, 30.0, "sosh", (31.0,)),
        Unit(12, 29.0, 28.0, "sosh", (29.0,)),
        Unit(13, 21.0, 20.0, "sosh", (21.0,)),
        Unit(14, 19.0, 18.0, "sosh", (19.0,)),
        Unit(15, 11.0, 9.0, "sosh", (11.0,)),
        Unit(16, 9.0, 7.0, "sosh", (9.0,)),
    ]

    estimate = did_estimate(treated, pool)

    assert estimate.pairs == {1: [11, 12], 2: [13, 14], 3: [15, 16]}  # equidistant: by id
    assert estimate.effect == pytest.approx(-11 / 3)
    assert estimate.high - estimate.effect == pytest.approx(t975(2) * (4 / 3) ** 0.5 / 3**0.5)
    assert (estimate.n_treated, estimate.n_control) == (3, 6)


def test_fewer_than_three_supported_schools_get_no_interval():
    treated, pool = _district(planted=PLANTED, treated_n=2)

    estimate = did_estimate(treated, pool)

    assert estimate.effect is not None and not estimate.has_interval


def test_the_dashboard_selector_matches_on_last_years_features_and_recovers_the_planted_effect(
    ten_schools, years, department
):
    """Three supported schools (ШНОР in 2025) fall by 5 p.p. in share of «2», the seven others
    stay flat; every school has the same features the year before, so any match gives a
    control change of 0 and the effect is −5 exactly. This year's features differ wildly and
    must not be read (matching is on the year before the support)."""
    from identification import services
    from identification.models import StatusKind
    from identification.selectors import EFFECT_FEATURES, support_effect
    from identification.tests.helpers import value
    from schools.models import School

    supported = ten_schools[:3]
    for school in ten_schools:
        value(school=school, year=years[2024], amount=20.0)
        value(school=school, year=years[2025], amount=15.0 if school in supported else 20.0)
        for name in EFFECT_FEATURES:
            value(school=school, year=years[2024], indicator=name, amount=10.0)
            value(school=school, year=years[2025], indicator=name, amount=float(school.pk * 37 % 11))
    for school in supported:
        services.status_set(
            school=school, year=years[2025], kind=StatusKind.LOW_RESULTS, reason="приказ", user=department
        )

    estimate = support_effect(schools=School.objects.filter(pk__in=[s.pk for s in ten_schools]), year=years[2025])

    figures = (estimate.n_treated, estimate.effect, estimate.treated_change, estimate.control_change)
    assert figures == (3, -5.0, -5.0, 0.0)


# --- Stored with the recompute and the decisions (issue #20) ------------------------------------


@pytest.fixture
def effect_by_import(ten_schools, years, department, django_capture_on_commit_callbacks):
    """Built through the import services: 2024/25 every school 3 of 30 «2» (10 %) with its
    context; three schools become ШНОР in 2025/26 (the department's decision by hand); in
    2025/26 those three have 1 of 30 «2» (3,3 %), the seven others stay at 3 of 30. Every
    school has the same features the year before, so the effect is −6,67 p.p. exactly."""
    from identification import services
    from identification.models import StatusKind
    from identification.tests.imports import import_context, import_vpr

    capture = django_capture_on_commit_callbacks
    import_vpr(department, capture, year="2024/2025", shares={s.code: (3, 30) for s in ten_schools})
    import_context(department, capture, year="2024/2025", rows={s.code: {} for s in ten_schools})
    supported = ten_schools[:3]
    for school in supported:
        services.status_set(
            school=school, year=years[2025], kind=StatusKind.LOW_RESULTS, reason="приказ", user=department
        )
    shares = {s.code: (1, 30) if s in supported else (3, 30) for s in ten_schools}
    import_vpr(department, capture, year="2025/2026", shares=shares)
    return supported


def _stored(municipality, year):
    from identification.models import SupportEffect

    return SupportEffect.objects.get(municipality=municipality, year=year)


def test_the_stored_effect_equals_the_computation_on_imported_data(effect_by_import, ten_schools, years, municipality):
    from identification.selectors import support_effect, support_effect_for
    from schools.models import Municipality, School

    stored = _stored(municipality, years[2025])
    computed = support_effect(schools=School.objects.filter(municipality=municipality), year=years[2025])
    read = support_effect_for(municipalities=Municipality.objects.filter(pk=municipality.pk), year=years[2025])

    by_hand = 100 * (1 / 30 - 3 / 30)  # the supported schools' change; the others' is 0
    assert (stored.n_treated, stored.n_control) == (computed.n_treated, computed.n_control) == (3, 2)
    assert stored.effect == computed.effect == read.effect == pytest.approx(by_hand, abs=0.01)
    assert (stored.low, stored.high, stored.treated_change, stored.control_change) == (
        computed.low,
        computed.high,
        computed.treated_change,
        computed.control_change,
    )
    assert stored.control_change == 0.0
    # The region's row: the region has only this municipality with schools.
    from identification.models import SupportEffect

    regional = SupportEffect.objects.get(region=municipality.region, year=years[2025])
    assert regional.effect == stored.effect


def test_a_new_import_recomputes_the_stored_effect(
    effect_by_import, ten_schools, years, department, municipality, django_capture_on_commit_callbacks
):
    from identification.tests.imports import import_vpr

    before = _stored(municipality, years[2025]).effect
    # A corrected file for 2025/26: the three supported schools have 2 of 30 «2» (6,7 %).
    shares = {s.code: (2, 30) if s in effect_by_import else (3, 30) for s in ten_schools}
    import_vpr(department, django_capture_on_commit_callbacks, year="2025/2026", shares=shares)

    after = _stored(municipality, years[2025]).effect
    assert before == pytest.approx(-6.67, abs=0.01)
    assert after == pytest.approx(100 * (2 / 30 - 3 / 30), abs=0.01)


def test_a_revoked_status_recomputes_the_stored_effect(effect_by_import, years, department, municipality):
    from identification import services
    from identification.models import SchoolStatus

    status = SchoolStatus.objects.get(school=effect_by_import[0])
    services.status_revoke(status=status, reason="ошибка", user=department)

    assert _stored(municipality, years[2025]).n_treated == 2


def test_the_dashboard_reads_the_stored_effect(effect_by_import, years, department, municipality, client):
    """The page shows the stored row (planted here), not a computation of its own."""
    from django.urls import reverse

    from identification.models import SupportEffect

    SupportEffect.objects.filter(municipality=municipality, year=years[2025]).update(effect=-1.234)
    client.force_login(department)

    page = client.get(reverse("identification:dashboard")).content.decode()

    assert 'data-effect="-1,23"' in page or 'data-effect="-1.23"' in page
