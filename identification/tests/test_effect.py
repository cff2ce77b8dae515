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
