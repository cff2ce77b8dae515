"""Matching ranks candidates as its reasons say (issue #6, «Done when»)."""

from __future__ import annotations

import pytest

from partnerships.models import Agreement, PartnershipSettings
from partnerships.selectors import haversine_km, match_candidates, subject_figures
from partnerships.tests.conftest import add_context, add_results, agreement_with, give_status, place, strong_school
from schools.models import School
from tests.factories import OrganisationFactory


@pytest.fixture
def weak_school(school, year, job, maths, russian):
    """The supported school: 20 of 50 fail maths (40 %), Russian is fine (2 of 50)."""
    give_status(school, year)
    add_results(school=school, year=year, subject=maths, job=job, marks={2: 20, 3: 20, 4: 10})
    add_results(school=school, year=year, subject=russian, job=job, marks={2: 2, 3: 28, 4: 20})
    return school


def test_a_candidate_strong_where_the_school_is_weak_ranks_first_with_the_figures_as_reason(
    weak_school, municipality, year, job, maths, russian
):
    maths_strong = strong_school(municipality, year, organisation__short_name="Гимназия № 2")
    add_results(school=maths_strong, year=year, subject=maths, job=job, marks={2: 1, 3: 9, 4: 20, 5: 10})
    russian_strong = strong_school(municipality, year, organisation__short_name="Лицей № 3")
    add_results(school=russian_strong, year=year, subject=maths, job=job, marks={2: 18, 3: 22, 4: 10})
    add_results(school=russian_strong, year=year, subject=russian, job=job, marks={3: 10, 4: 20, 5: 20})

    suggestions = match_candidates(school=weak_school)

    assert [s.organisation.display_name for s in suggestions] == ["Гимназия № 2", "Лицей № 3"]
    first = suggestions[0]
    assert "сильнее по математике (ОГЭ): доля «2» 2,5% против 40,0%" in first.reasons
    # Russian: 0 % against 4 % is under the 5 p.p. worth naming, so the lyceum has no strength reason.
    assert not any(reason.startswith("сильнее") for reason in suggestions[1].reasons)
    assert first.score > suggestions[1].score


def test_groups_under_ten_participants_do_not_make_a_school_look_strong(weak_school, municipality, year, job, maths):
    tiny = strong_school(municipality, year, organisation__short_name="Малокомплектная ООШ")
    add_results(school=tiny, year=year, subject=maths, job=job, marks={5: 9})

    figures = subject_figures(school_ids=[tiny.pk, weak_school.pk], year=year)
    suggestions = match_candidates(school=weak_school)

    assert tiny.pk not in figures
    assert weak_school.pk in figures
    assert not any(reason.startswith("сильнее") for reason in suggestions[0].reasons)


def test_similar_context_is_named_and_lifts_an_otherwise_equal_candidate(weak_school, municipality, year, job):
    weak_school.settlement = School.Settlement.RURAL
    weak_school.save()
    add_context(school=weak_school, year=year, job=job, contingent=200, low_income=30)
    like = strong_school(
        municipality, year, organisation__short_name="Сельская СОШ", settlement=School.Settlement.RURAL
    )
    add_context(school=like, year=year, job=job, contingent=180, low_income=28)
    unlike = strong_school(
        municipality, year, organisation__short_name="Городская гимназия", settlement=School.Settlement.URBAN
    )
    add_context(school=unlike, year=year, job=job, contingent=1000, low_income=5)

    suggestions = match_candidates(school=weak_school)

    assert [s.organisation.display_name for s in suggestions] == ["Сельская СОШ", "Городская гимназия"]
    assert (
        "похожие условия: сельская, 180 учеников, близкий социальный состав (разница долей 2,0 п.п.)"
        in suggestions[0].reasons
    )
    assert not any(reason.startswith("похожие") for reason in suggestions[1].reasons)


def test_the_nearer_candidate_ranks_higher_and_the_distance_is_shown_in_km(weak_school, municipality, year):
    place(weak_school, 54.70, 52.80)
    near = strong_school(municipality, year, organisation__short_name="Ближняя СОШ")
    place(near, 54.70, 53.00)  # about 13 km east
    far = strong_school(municipality, year, organisation__short_name="Дальняя СОШ")
    place(far, 55.20, 52.80)  # about 56 km north

    suggestions = match_candidates(school=weak_school)

    assert [s.organisation.display_name for s in suggestions] == ["Ближняя СОШ", "Дальняя СОШ"]
    km = round(haversine_km(54.70, 52.80, 54.70, 53.00))
    assert f"{km} км" in suggestions[0].reasons
    assert 12 <= km <= 14


def test_a_candidate_at_the_cap_goes_last_and_cannot_be_chosen(
    weak_school, municipality, year, job, maths, other_school
):
    PartnershipSettings.objects.create(municipality=municipality, agreement_cap=2)
    busy = strong_school(municipality, year, organisation__short_name="Загруженная гимназия")
    add_results(school=busy, year=year, subject=maths, job=job, marks={2: 0, 4: 30})
    free = strong_school(municipality, year, organisation__short_name="Свободная СОШ")
    for status in (Agreement.Status.SIGNED, Agreement.Status.ACTIVE):
        agreement_with(supported=other_school, partners=[busy], status=status)
    agreement_with(supported=other_school, partners=[free], status=Agreement.Status.ACTIVE)
    agreement_with(supported=other_school, partners=[busy], status=Agreement.Status.COMPLETED)

    suggestions = match_candidates(school=weak_school)

    assert [s.organisation.display_name for s in suggestions] == ["Свободная СОШ", "Загруженная гимназия"]
    assert suggestions[0].available and "1 действующий договор из 2" in suggestions[0].reasons
    assert not suggestions[1].available
    assert "нагрузка исчерпана: 2 действующих договора из 2" in suggestions[1].reasons


def test_organisations_the_department_added_are_candidates_with_their_kind(weak_school, municipality, year):
    from partnerships.models import PartnerCandidate

    university = OrganisationFactory(municipality=municipality, kind="university", short_name="Педуниверситет")
    PartnerCandidate.objects.create(municipality=municipality, organisation=university, strengths="курсы КПК")

    suggestions = match_candidates(school=weak_school)

    assert [s.organisation for s in suggestions] == [university]
    assert "вуз / организация дпо: курсы КПК" in suggestions[0].reasons


def test_a_revoked_high_result_status_or_another_municipality_gives_no_candidate(
    weak_school, municipality, year, foreign_school
):
    from django.utils import timezone

    revoked = strong_school(municipality, year)
    revoked.statuses.update(revoked_at=timezone.now())
    give_status(foreign_school, year, kind="high_results")

    assert match_candidates(school=weak_school) == []


def test_matching_costs_the_same_queries_for_three_or_thirty_candidates(
    weak_school, municipality, year, job, maths, django_assert_max_num_queries
):
    for _ in range(3):
        add_results(school=strong_school(municipality, year), year=year, subject=maths, job=job, marks={3: 10, 4: 10})
    with django_assert_max_num_queries(12):
        assert len(match_candidates(school=weak_school)) == 3
    for _ in range(27):
        add_results(school=strong_school(municipality, year), year=year, subject=maths, job=job, marks={3: 10, 4: 10})
    with django_assert_max_num_queries(12):
        assert len(match_candidates(school=weak_school)) == 30
