import pytest

from identification.indicators import indicators_recompute
from identification.models import IndicatorValue
from identification.tests.helpers import context, results, stored
from tests.factories import AcademicYearFactory


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2025)


def test_share_of_2_and_mean_mark_are_computed_per_subject_grade_and_overall(school, year):
    # 12 participants: three «2», three «3», three «4», three «5» → 25 % and 3.5.
    results(school=school, year=year, marks=[2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5])
    # Mathematics, 20 participants: one «2» → 5 %, mean (2 + 19·4) / 20 = 3.9.
    results(school=school, year=year, marks=[2] + [4] * 19, subject_code="02")

    indicators_recompute()

    assert stored(school, year, "vpr_share_2", "01", 4) == 25.0
    assert stored(school, year, "vpr_mean_mark", "01", 4) == 3.5
    assert stored(school, year, "vpr_share_2", "02", 4) == 5.0
    # Overall: 4 «2» of 32 participants; marks sum 42 + 78 = 120 → 3.75.
    assert stored(school, year, "vpr_share_2") == 12.5
    assert stored(school, year, "vpr_mean_mark") == 3.75


def test_a_group_under_ten_participants_counts_neither_alone_nor_in_the_school_total(school, year):
    results(school=school, year=year, marks=[2] * 9, subject_code="02")  # 9 participants, all «2»
    results(school=school, year=year, marks=[4] * 10)

    indicators_recompute()

    assert stored(school, year, "vpr_share_2", "02", 4) is None
    assert stored(school, year, "vpr_share_2", "01", 4) == 0.0
    assert stored(school, year, "vpr_share_2") == 0.0
    overall = IndicatorValue.objects.get(school=school, year=year, indicator="vpr_share_2", subject=None)
    assert overall.participants == 10


def test_vpr_against_the_journal_gives_lowered_confirmed_raised_and_gap_shares(school, year):
    marks = [3, 3, 3, 3, 4, 4, 4, 5, 5, 2]
    journal = [4, 5, 3, 3, 4, 4, 3, 3, 5, 4]
    # lowered (mark < journal): 3<4, 3<5, 2<4 → 3; confirmed: 3,3,4,4,5 → 5; raised: 4>3, 5>3 → 2.
    # gaps ≥ 2: 3 vs 5, 5 vs 3, 2 vs 4 → 3.
    results(school=school, year=year, marks=marks, journal=journal)

    indicators_recompute()

    assert stored(school, year, "vpr_lowered") == 30.0
    assert stored(school, year, "vpr_confirmed") == 50.0
    assert stored(school, year, "vpr_raised") == 20.0
    assert stored(school, year, "vpr_gap_2") == 30.0


def test_oge_share_of_2_is_stored_per_subject(school, year):
    results(school=school, year=year, marks=[2, 2] + [3] * 8, procedure="oge", grade=9)

    indicators_recompute()

    assert stored(school, year, "oge_share_2", "01", 9) == 20.0
    assert stored(school, year, "oge_mean_mark", "01", 9) == 2.8


def test_context_gives_rates_per_student_and_the_social_index(school, year):
    previous = AcademicYearFactory(start_year=2024)
    context(school=school, year=previous, contingent=400)
    context(
        school=school,
        year=year,
        contingent=500,
        low_income_share=20,
        ovz_share=10,
        non_native_share=0,
        single_parent_share=30,
        preventive_register_share=5,
        parents_higher_ed_share=40,
        missed_lessons=6000,
        discipline_incidents=15,
        teacher_posts=40,
        teacher_vacancies=4,
        graduates_9=50,
        certificates_9=49,
    )

    indicators_recompute()

    assert stored(school, year, "missed_per_student") == 12.0
    assert stored(school, year, "discipline_per_100") == 3.0
    assert stored(school, year, "contingent_change") == 25.0
    assert stored(school, year, "vacancy_share") == 10.0
    assert stored(school, year, "certified_9") == 98.0
    assert stored(school, year, "rural") == 0.0
    # Difficulty, default weights (3,1,2,1,2,2,1,1 — sum 13): 3·20 + 10 + 0 + 30 + 2·5 + 2·(100−40) + 0 + 0
    # = 230 → 230 / 13 = 17.6923; ИСБШ = 100 − 17.6923.
    assert stored(school, year, "isbsh") == round(100 - 230 / 13, 4)


def test_recompute_of_some_schools_leaves_the_others_alone(school, other_school, year):
    results(school=school, year=year, marks=[2] * 10)
    results(school=other_school, year=year, marks=[3] * 10)
    indicators_recompute()
    IndicatorValue.objects.filter(school=other_school).update(value=99)

    indicators_recompute(school_ids=[school.pk], year_ids=[year.pk])

    assert stored(school, year, "vpr_share_2") == 100.0
    assert stored(other_school, year, "vpr_share_2") == 99.0


def test_recompute_twice_gives_the_same_rows(school, year):
    results(school=school, year=year, marks=[2, 3, 4, 5, 5, 4, 3, 2, 3, 4])
    indicators_recompute()
    first = sorted(map(str, IndicatorValue.objects.values_list("indicator", "subject_id", "grade", "value")))

    indicators_recompute()

    assert sorted(map(str, IndicatorValue.objects.values_list("indicator", "subject_id", "grade", "value"))) == first
    assert len(first) == 4  # share and mean, per subject and overall


def test_an_imported_aggregate_counts_where_the_school_has_no_participant_rows(school, other_school, year):
    from monitoring.models import Procedure, SchoolAggregate, Subject

    russian = Subject.objects.get(code="01")
    # Ф3 and the journal comparison for a school that sent no Ф1: 20 participants, 4 «2».
    SchoolAggregate.objects.create(
        year=year, procedure=Procedure.VPR, subject=russian, grade=4, school=school,
        source=SchoolAggregate.Source.IMPORTED, participants=20, mark_2=4, mark_3=6, mark_4=6, mark_5=4,
        lowered=2, confirmed=14, raised=4,
    )  # fmt: skip
    # The same for a school with participant rows: the rows win, the aggregate is not added.
    results(school=other_school, year=year, marks=[3] * 10)
    SchoolAggregate.objects.create(
        year=year, procedure=Procedure.VPR, subject=russian, grade=4, school=other_school,
        source=SchoolAggregate.Source.IMPORTED, participants=10, mark_2=10, mark_3=0, mark_4=0, mark_5=0,
    )  # fmt: skip

    indicators_recompute()

    assert stored(school, year, "vpr_share_2", "01", 4) == 20.0
    assert stored(school, year, "vpr_mean_mark") == 3.5  # (8 + 18 + 24 + 20) / 20
    assert stored(school, year, "vpr_raised") == 20.0
    assert stored(school, year, "vpr_gap_2") is None  # needs participant rows
    assert stored(other_school, year, "vpr_share_2", "01", 4) == 0.0


def test_deleting_a_school_year_or_subject_still_deletes_its_indicator_values(school, year):
    """IndicatorValue's foreign keys have no database constraint (see the model): CASCADE holds in Django."""
    from monitoring.models import ParticipantResult, Subject

    Subject.objects.create(code="T1", name="Предмет без критериев")  # the presets' criteria PROTECT theirs
    results(school=school, year=year, marks=[2] * 5 + [4] * 10, subject_code="T1")
    indicators_recompute()
    assert stored(school, year, "vpr_share_2", "T1", 4) == pytest.approx(33.3333)
    # The result rows PROTECT the school, year and subject; the derived values must not.
    ParticipantResult.objects.all().delete()

    Subject.objects.get(code="T1").delete()
    assert not IndicatorValue.objects.filter(subject__isnull=False).exists()
    assert IndicatorValue.objects.filter(school=school).exists()  # the school-wide values stay

    school.delete()
    assert not IndicatorValue.objects.exists()


def test_the_recompute_stores_municipal_and_regional_means_of_school_wide_values(
    school, other_school, foreign_school, year
):
    # school: 12 of 12 «2» → 100 %; other_school: 3 of 12 → 25 %; same municipality → mean 62.5 %.
    results(school=school, year=year, marks=[2] * 12)
    results(school=other_school, year=year, marks=[2] * 3 + [4] * 9)
    results(school=foreign_school, year=year, marks=[5] * 10)  # another region: 0 %

    indicators_recompute()

    from identification.models import IndicatorMean

    def mean(**scope):
        return IndicatorMean.objects.get(year=year, indicator="vpr_share_2", **scope)

    municipal = mean(municipality=school.municipality)
    assert (municipal.value, municipal.schools) == (62.5, 2)
    assert mean(region=school.municipality.region).value == 62.5
    assert mean(municipality=foreign_school.municipality).value == 0.0

    # A recompute of one school replaces its municipality's and region's means, not others'.
    results(school=other_school, year=year, marks=[2] * 12, subject_code="02")  # 15 of 24 «2» → 62.5 %
    indicators_recompute(school_ids=[other_school.pk])
    assert mean(municipality=school.municipality).value == 81.25
    assert mean(region=school.municipality.region).value == 81.25
    assert mean(municipality=foreign_school.municipality).value == 0.0
    assert IndicatorMean.objects.filter(indicator="vpr_share_2", year=year).count() == 4


def test_the_school_page_shows_the_stored_municipal_mean(client, department, school, other_school, year):
    results(school=school, year=year, marks=[2] * 12)
    results(school=other_school, year=year, marks=[2] * 3 + [4] * 9)
    indicators_recompute()
    client.force_login(department)

    body = client.get(f"/identification/schools/{school.pk}/").content.decode()

    assert "62,5" in body


def test_a_recompute_over_stored_values_rewrites_what_changed_and_keeps_the_rest(school, other_school, year):
    from django.db import connection

    from monitoring.models import ParticipantResult

    results(school=school, year=year, marks=[2] * 5 + [4] * 5)
    results(school=school, year=year, marks=[3] * 10, subject_code="02")
    results(school=other_school, year=year, marks=[3] * 10)
    indicators_recompute()
    kept = sorted(IndicatorValue.objects.filter(school=other_school).values_list("pk", flat=True))

    # Mathematics of the first school is gone, Russian gets ten more «5»: 5 «2» of 20, marks 10 + 20 + 50.
    ParticipantResult.objects.filter(school=school, subject__code="02").delete()
    results(school=school, year=year, marks=[5] * 10, grade=5)
    indicators_recompute()

    assert stored(school, year, "vpr_share_2", "02", 4) is None
    assert stored(school, year, "vpr_share_2", "01", 5) == 0.0
    assert stored(school, year, "vpr_share_2") == 25.0
    assert stored(school, year, "vpr_mean_mark") == 4.0
    assert IndicatorValue.objects.filter(school=school).count() == 6  # share and mean: grade 4, grade 5, overall
    assert stored(other_school, year, "vpr_mean_mark", "01", 4) == 3.0
    if connection.vendor == "postgresql":
        # Only the school-year that differs is written again.
        assert sorted(IndicatorValue.objects.filter(school=other_school).values_list("pk", flat=True)) == kept


def test_a_recompute_over_stored_values_counts_equal_pooled_rows_one_by_one(school, year):
    # Two pooled levels of Russian with equal figures (10 pupils of «3» each) give equal rows.
    for grade in (2, 3, 5, 6):
        results(school=school, year=year, marks=[3] * 5, grade=grade)
    indicators_recompute()
    pooled = IndicatorValue.objects.filter(school=school, indicator="vpr_share_2", subject__code="01", pooled=True)
    assert sorted(pooled.values_list("value", "participants")) == [(0.0, 10), (0.0, 10)]

    # The upper level grows by five «2»: 15 pupils, a third of them «2»; the lower one stays.
    results(school=school, year=year, marks=[2] * 5, grade=7)
    indicators_recompute()

    assert sorted(pooled.values_list("value", "participants")) == [(0.0, 10), (100 / 3, 15)]
    assert stored(school, year, "vpr_share_2") == 20.0  # 5 «2» of 25
