"""Each objectivity signal on hand-made data: fires, does not fire, ignores groups under 10."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from risks.models import ObjectivitySignal, SignalKind
from risks.services import objectivity_recompute, signal_review
from tests.factories import AcademicYearFactory, SchoolFactory


def kinds(school, year):
    return sorted(
        ObjectivitySignal.objects.filter(school=school, year=year, is_active=True).values_list("kind", flat=True)
    )


# --- raised share --------------------------------------------------------------------------------


def test_raised_share_well_above_the_municipality_fires_with_its_numbers(school, other_school, year, add_results):
    add_results(school, [(6, 4, 3)] * 6 + [(6, 4, 4)] * 6)  # 6 of 12 raised: 50 %
    add_results(other_school, [(6, 4, 4)] * 20)  # municipality: 6 of 32 = 18,75 %

    objectivity_recompute(year=year)

    signal = ObjectivitySignal.objects.get(school=school, kind=SignalKind.RAISED_SHARE)
    assert signal.value == Decimal("50.00")
    assert signal.reference == Decimal("18.75")
    assert signal.participants == 12
    assert "6 из 12 (50,0%)" in signal.explanation
    assert "в муниципалитете 18,8%" in signal.explanation
    assert kinds(other_school, year) == []


def test_raised_share_close_to_the_municipality_does_not_fire(school, other_school, year, add_results):
    add_results(school, [(6, 4, 3)] * 2 + [(6, 4, 4)] * 10)  # 16,7 %: below the 20 % floor
    add_results(other_school, [(6, 4, 4)] * 20)

    objectivity_recompute(year=year)

    assert SignalKind.RAISED_SHARE not in kinds(school, year)


def test_raised_share_ignores_a_group_under_ten(school, other_school, year, add_results):
    add_results(school, [(6, 4, 3)] * 9)  # all raised, but only 9
    add_results(other_school, [(6, 4, 4)] * 20)

    objectivity_recompute(year=year)

    assert kinds(school, year) == []


def test_replaced_rows_do_not_count(school, other_school, year, add_results):
    add_results(school, [(6, 4, 3)] * 12, replaced=True)
    add_results(school, [(6, 4, 4)] * 12)
    add_results(other_school, [(6, 4, 4)] * 20)

    objectivity_recompute(year=year)

    assert kinds(school, year) == []


# --- gaps of two marks ------------------------------------------------------------------------------


def test_gaps_of_two_marks_fire_and_count_both_directions(school, year, add_results):
    add_results(school, [(9, 5, 3), (1, 2, 4)] + [(6, 4, 4)] * 10)

    objectivity_recompute(year=year)

    signal = ObjectivitySignal.objects.get(school=school, kind=SignalKind.MARK_GAP)
    assert signal.value == Decimal("16.67")
    assert signal.details == {"gap_up": 1, "gap_down": 1, "participants": 12}
    assert "ВПР выше — 1, ниже — 1" in signal.explanation


def test_a_single_gap_among_many_does_not_fire(school, year, add_results):
    add_results(school, [(9, 5, 3)] + [(6, 4, 4)] * 29)

    objectivity_recompute(year=year)

    assert SignalKind.MARK_GAP not in kinds(school, year)


def test_gaps_in_a_group_under_ten_are_ignored(school, year, add_results):
    add_results(school, [(9, 5, 3)] * 3 + [(6, 4, 4)] * 6)

    objectivity_recompute(year=year)

    assert kinds(school, year) == []


# --- peaks at mark boundaries ----------------------------------------------------------------------


def spread(scores_by_mark):
    """[(primary, mark, journal)] from {mark: [scores]}; journal equals the mark (no other signal)."""
    return [(score, mark, mark) for mark, scores in scores_by_mark.items() for score in scores]


# The district's data fix the boundaries: «3» from 4, «4» from 8, «5» from 11 primary points.
DISTRICT = spread({2: [0, 1, 2, 3] * 3, 3: [4, 5, 6, 7] * 3, 4: [8, 9, 10] * 3, 5: [11, 12] * 3})


def test_a_peak_at_a_boundary_derived_from_the_data_fires(school, other_school, year, add_results):
    add_results(other_school, DISTRICT * 3)
    # 8 participants exactly at the «3» boundary (4 points), one on each side of it.
    add_results(school, spread({2: [3], 3: [4] * 8 + [5], 4: [9, 9]}))

    objectivity_recompute(year=year)

    signal = ObjectivitySignal.objects.get(school=school, kind=SignalKind.BOUNDARY_PEAK)
    # neighbours 2…6 without 4: 0, 1, 1, 0 → expected 0,5; 4 points over the year: 17 of 129 = 13,2 %
    assert signal.details["peaks"] == [
        {"mark": 3, "score": 4, "count": 8, "below": 1, "above": 1, "expected": 0.5, "year_share": 13.2, "ratio": 16.0}
    ]
    assert "на границе «3» (4 б.) — 8 чел., на баллах рядом 1 и 1" in signal.explanation
    assert SignalKind.BOUNDARY_PEAK not in kinds(other_school, year)


def test_a_smooth_distribution_has_no_peak(school, other_school, year, add_results):
    add_results(other_school, DISTRICT)
    add_results(school, spread({2: [2, 3, 3], 3: [4, 4, 5, 5, 6], 4: [8, 8, 9]}))

    objectivity_recompute(year=year)

    assert SignalKind.BOUNDARY_PEAK not in kinds(school, year)


def test_a_peak_in_a_group_under_ten_is_ignored(school, other_school, year, add_results):
    add_results(other_school, DISTRICT)
    add_results(school, spread({3: [4] * 9}))

    objectivity_recompute(year=year)

    assert kinds(school, year) == []


# --- ВПР far above ОГЭ --------------------------------------------------------------------------------


@pytest.fixture
def year_before(db):
    return AcademicYearFactory(start_year=2024)


def test_vpr_far_above_the_schools_oge_fires(school, year, year_before, add_results):
    # The cohort: ВПР in grade 8 a year before, ОГЭ in grade 9 now.
    add_results(school, [(10, 5, 5)] * 10, grade=8, in_year=year_before)
    add_results(school, [(20, 3, None)] * 10, procedure="oge", grade=9)

    objectivity_recompute(year=year)

    signal = ObjectivitySignal.objects.get(school=school, kind=SignalKind.VPR_ABOVE_OGE)
    assert (signal.value, signal.reference) == (Decimal("5.00"), Decimal("3.00"))
    assert "а ОГЭ сдал со средней 3,00 (10 уч.): ниже на 2,00" in signal.explanation


def test_vpr_close_to_oge_does_not_fire(school, year, year_before, add_results):
    add_results(school, [(10, 4, 4)] * 10, grade=8, in_year=year_before)
    add_results(school, [(20, 4, None)] * 5 + [(20, 3, None)] * 5, procedure="oge", grade=9)

    objectivity_recompute(year=year)

    assert kinds(school, year) == []


def test_vpr_against_an_oge_group_under_ten_is_ignored(school, year, year_before, add_results):
    add_results(school, [(10, 5, 5)] * 10, grade=8, in_year=year_before)
    add_results(school, [(20, 3, None)] * 9, procedure="oge", grade=9)

    objectivity_recompute(year=year)

    assert kinds(school, year) == []


# --- recompute ------------------------------------------------------------------------------------------


def test_recompute_is_idempotent_and_keeps_a_persons_review(school, year, add_results, department):
    add_results(school, [(9, 5, 3)] * 3 + [(6, 4, 4)] * 9)
    assert objectivity_recompute(year=year) == objectivity_recompute(year=year) == 1
    signal = ObjectivitySignal.objects.get(school=school)
    signal_review(signal=signal, user=department, review="explained", comment="Перевод из другой школы.")

    # The data change: the signal stops firing, then fires again — the review survives both.
    from monitoring.models import ParticipantResult

    ParticipantResult.objects.filter(school=school, mark=5).update(mark=4, journal_mark=4)
    objectivity_recompute(year=year)
    signal.refresh_from_db()
    assert not signal.is_active and signal.review == "explained"
    ParticipantResult.objects.filter(school=school).update(journal_mark=2)
    objectivity_recompute(year=year)
    signal.refresh_from_db()
    assert signal.is_active and signal.review_comment == "Перевод из другой школы."
    assert ObjectivitySignal.objects.filter(school=school).count() == 1


def test_recompute_for_some_schools_leaves_the_others_alone(school, other_school, year, add_results):
    add_results(school, [(9, 5, 3)] * 3 + [(6, 4, 4)] * 9)
    add_results(other_school, [(9, 5, 3)] * 3 + [(6, 4, 4)] * 9)

    objectivity_recompute(year=year, school_ids=[school.pk])

    assert kinds(school, year) == [SignalKind.MARK_GAP]
    assert kinds(other_school, year) == []


def test_a_review_other_than_open_needs_a_comment(school, year, add_results, department):
    from risks.services import COMMENT_MISSING, RiskActionRefused

    add_results(school, [(9, 5, 3)] * 3 + [(6, 4, 4)] * 9)
    objectivity_recompute(year=year)
    signal = ObjectivitySignal.objects.get(school=school)

    with pytest.raises(RiskActionRefused) as refused:
        signal_review(signal=signal, user=department, review="confirmed", comment="  ")
    assert refused.value.message == COMMENT_MISSING
    signal.refresh_from_db()
    assert signal.review == "open"


def test_recompute_runs_the_same_number_of_queries_for_more_schools(school, year, add_results, municipality):
    def measure():
        with CaptureQueriesContext(connection) as ctx:
            objectivity_recompute(year=year)
        return len(ctx.captured_queries)

    add_results(school, DISTRICT)
    small = measure()
    for _ in range(5):
        add_results(SchoolFactory(municipality=municipality), DISTRICT + [(9, 5, 3)] * 3)
    assert measure() <= small + 3  # the writes are batched; the reads do not grow


def test_raised_share_also_reads_imported_journal_comparison_reports(school, other_school, year, russian, job):
    from monitoring.models import SchoolAggregate

    def report(s, lowered, confirmed, raised):
        SchoolAggregate.objects.create(
            year=year, procedure="vpr", subject=russian, grade=5, school=s, source="imported",
            participants=lowered + confirmed + raised, lowered=lowered, confirmed=confirmed, raised=raised,
            import_job=job,
        )  # fmt: skip

    report(school, 1, 10, 9)  # 45 %
    report(other_school, 5, 35, 0)

    objectivity_recompute(year=year)

    signal = ObjectivitySignal.objects.get(school=school, kind=SignalKind.RAISED_SHARE)
    assert (signal.value, signal.reference, signal.grade) == (Decimal("45.00"), Decimal("15.00"), 5)


def test_a_small_bump_that_chance_explains_is_not_a_peak(school, other_school, year, add_results):
    add_results(other_school, DISTRICT)
    # 5 of 18 at the boundary against 1, 2 | 2, 2 around it: 2,9 times their mean, but with the
    # district's share of that score such a bump is not rare enough — noise in a small class.
    add_results(school, spread({2: [3, 3, 2, 1], 3: [4] * 5 + [5, 5, 6, 6, 7], 4: [8, 9, 9, 10, 10, 8]}))

    objectivity_recompute(year=year)

    assert SignalKind.BOUNDARY_PEAK not in kinds(school, year)


def test_binomial_tail_matches_known_values():
    from risks.signals import binomial_tail

    assert binomial_tail(0, 10, 0.3) == pytest.approx(1.0)
    assert binomial_tail(7, 13, 0.2) == pytest.approx(0.00701, abs=1e-4)
    assert binomial_tail(3, 3, 0.5) == pytest.approx(0.125)
