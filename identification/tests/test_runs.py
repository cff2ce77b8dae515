from identification.engine import PoolStats
from identification.models import SchoolStatus, StatusKind, TaskStatus
from identification.services import runs_compare
from identification.tests.helpers import value
from monitoring.models import Subject


def proposed_codes(run):
    return sorted(run.results.filter(proposed=True).values_list("school__code", flat=True))


def explanation(run, school):
    return run.results.get(school=school).explanation


# --- Percentiles and ties ------------------------------------------------------------------------


def test_percentile_is_the_share_of_the_pool_strictly_worse():
    stats = PoolStats(sorted([10.0, 20.0, 20.0, 30.0]), higher_is_better=False)  # share of «2»: lower is better

    assert stats.worse_share(30.0) == 0.0
    assert stats.worse_share(20.0) == 25.0
    assert stats.worse_share(10.0) == 75.0


def test_tied_schools_are_all_in_the_bottom_group_or_none_of_them():
    stats = PoolStats(sorted([10.0, 20.0, 20.0, 30.0]), higher_is_better=False)

    assert stats.in_bottom(30.0, 25) and not stats.in_bottom(20.0, 25)
    assert stats.in_bottom(20.0, 50) and not stats.in_bottom(10.0, 50)
    assert stats.bottom_threshold(25) == 30.0
    assert stats.bottom_threshold(50) == 20.0


def test_top_group_of_an_indicator_where_higher_is_better():
    stats = PoolStats(sorted([3.1, 3.5, 3.5, 4.2]), higher_is_better=True)  # mean mark

    assert stats.in_top(4.2, 25) and not stats.in_top(3.5, 25)
    assert stats.in_bottom(3.1, 25)
    assert stats.top_threshold(50) == 3.5


# --- Low results preset -----------------------------------------------------------------------------


def _shares(schools, year, amounts, participants=30):
    for school, amount in zip(schools, amounts, strict=True):
        value(school=school, year=year, amount=amount, participants=participants)


def test_low_results_proposes_the_bottom_ten_percent_two_years_running(ten_schools, years, run_now):
    # 2025: ten_schools[0] is worst (18.4 %), [1] second (15.2 %); in 2024 only [0] was worst.
    _shares(ten_schools, years[2025], [18.4, 15.2, 9, 8, 7, 6, 5, 4, 3, 2])
    _shares(ten_schools, years[2024], [20.0, 1, 9, 8, 7, 6, 5, 4, 3, 2])

    run = run_now("low_results", years[2025])

    assert run.status == TaskStatus.DONE
    assert proposed_codes(run) == [ten_schools[0].code]
    assert explanation(run, ten_schools[0]) == (
        "Доля «2» по ВПР 18,4% — в нижних 10% муниципалитета (порог 18,4%) второй год подряд."
    )


def test_a_school_in_the_bottom_only_this_year_is_not_proposed(ten_schools, years, run_now):
    _shares(ten_schools, years[2025], [30, 9, 9, 8, 7, 6, 5, 4, 3, 2])
    _shares(ten_schools, years[2024], [1, 20, 9, 8, 7, 6, 5, 4, 3, 2])

    run = run_now("low_results", years[2025])

    assert proposed_codes(run) == []
    details = run.results.get(school=ten_schools[0]).details
    assert details[0]["fired"] is False
    assert details[0]["percentile"] == 0.0


def test_a_school_with_too_few_participants_is_left_out_of_the_pool(ten_schools, years, run_now):
    # The worst value belongs to a group of 9: it neither fires nor moves the others' percentiles.
    for year in (years[2024], years[2025]):
        _shares(ten_schools[1:], year, [25, 9, 9, 8, 7, 6, 5, 4, 3])
        value(school=ten_schools[0], year=year, amount=90, participants=9)

    run = run_now("low_results", years[2025])

    assert proposed_codes(run) == [ten_schools[1].code]
    assert "нет данных" in run.results.get(school=ten_schools[0]).details[0]["text"]


def test_low_results_also_fires_on_oge_russian(ten_schools, years, run_now):
    russian = Subject.objects.get(code="01")
    for school, amount in zip(ten_schools, [0, 40, 0, 0, 0, 5, 0, 0, 0, 0], strict=True):
        value(school=school, year=years[2025], indicator="oge_share_2", amount=amount, subject=russian, grade=9)

    run = run_now("low_results", years[2025])

    assert proposed_codes(run) == [ten_schools[1].code]
    assert explanation(run, ten_schools[1]) == (
        "Доля «2» по ОГЭ (русский язык, 9 кл.) 40,0% — в нижних 10% муниципалитета (порог 40,0%)."
    )


# --- Other presets ----------------------------------------------------------------------------------


def test_difficult_conditions_proposes_the_lowest_social_index(ten_schools, years, run_now):
    for school, amount in zip(ten_schools, [40, 45, 80, 81, 82, 83, 84, 85, 86, 87], strict=True):
        value(school=school, year=years[2025], indicator="isbsh", amount=amount, participants=300)

    run = run_now("difficult_conditions", years[2025])

    assert proposed_codes(run) == sorted([ten_schools[0].code, ten_schools[1].code])
    assert explanation(run, ten_schools[1]) == "ИСБШ 45,00 — в нижних 20% муниципалитета (порог 45,00)."


def test_high_results_needs_the_top_group_and_no_objectivity_warnings(ten_schools, years, run_now):
    _shares(ten_schools, years[2025], [1, 2, 9, 9, 9, 9, 9, 9, 9, 9])
    for school, raised, gap in [(ten_schools[0], 10, 1), (ten_schools[1], 30, 1)]:
        value(school=school, year=years[2025], indicator="vpr_raised", amount=raised)
        value(school=school, year=years[2025], indicator="vpr_gap_2", amount=gap)

    run = run_now("high_results", years[2025])

    # [1] is in the top group too, but its raised share (30 %) is over the 15 % threshold.
    assert proposed_codes(run) == [ten_schools[0].code]
    assert explanation(run, ten_schools[0]) == (
        "Доля «2» по ВПР 1,0% — в верхних 20% муниципалитета (порог 2,0%); "
        "ВПР выше отметки по журналу 10,0% — меньше порога 15,0%; "
        "расхождение ВПР и журнала на 2 и более отметки 1,0% — меньше порога 3,0%."
    )
    assert "Выполнено критериев: 2 из 3" in explanation(run, ten_schools[1])


def test_risk_zone_fires_on_a_rise_of_ten_points_or_on_entering_the_bottom_fifth(ten_schools, years, run_now):
    _shares(ten_schools, years[2024], [5, 5, 30, 9, 8, 7, 6, 4, 3, 2])
    _shares(ten_schools, years[2025], [15, 10, 30, 9, 8, 7, 6, 4, 3, 2])

    run = run_now("risk_zone", years[2025])

    # [0]: +10 p.p. and now in the bottom 20 % with [2] (which was there already).
    assert proposed_codes(run) == [ten_schools[0].code]
    assert explanation(run, ten_schools[0]) == (
        "Доля «2» по ВПР 15,0% — выросла за год на 10 п.п. (было 5,0%; порог роста 10 п.п.); "
        "доля «2» по ВПР 15,0% — впервые в нижних 20% муниципалитета (порог 15,0%)."
    )


def test_exit_to_effective_functioning_is_judged_for_supported_schools_only(ten_schools, years, run_now, department):
    russian = Subject.objects.get(code="01")
    supported, unsupported = ten_schools[0], ten_schools[1]
    SchoolStatus.objects.create(school=supported, year=years[2024], kind=StatusKind.LOW_RESULTS)
    for school in (supported, unsupported):
        value(school=school, year=years[2025], indicator="oge_share_2", amount=0, subject=russian, grade=9)
        value(school=school, year=years[2025], indicator="vpr_confirmed", amount=82)
        value(school=school, year=years[2025], indicator="certified_9", amount=100, participants=12)

    run = run_now("effective", years[2025])

    assert proposed_codes(run) == [supported.code]
    assert run.schools_count == 1


def test_a_later_run_shows_who_enters_and_who_leaves_the_list(ten_schools, years, run_now):
    for school, amount in zip(ten_schools, [40, 45, 80, 81, 82, 83, 84, 85, 86, 87], strict=True):
        value(school=school, year=years[2025], indicator="isbsh", amount=amount)
    first = run_now("difficult_conditions", years[2025])
    from identification.models import IndicatorValue

    IndicatorValue.objects.filter(school=ten_schools[1]).update(value=99)
    IndicatorValue.objects.filter(school=ten_schools[2]).update(value=41)

    second = run_now("difficult_conditions", years[2025])

    entered, left = runs_compare(run=second, earlier=first)
    assert [r.school for r in entered] == [ten_schools[2]]
    assert [r.school for r in left] == [ten_schools[1]]
    # The first run keeps its own numbers.
    assert first.results.get(school=ten_schools[1]).proposed


def test_a_run_refuses_a_year_the_version_does_not_apply_to(years, department):
    import pytest

    from identification.services import VERSION_NOT_FOR_YEAR, IdentificationRefused, identification_run_create
    from identification.tests.conftest import preset

    version = preset("low_results")
    version.first_year = 2026
    version.save()

    with pytest.raises(IdentificationRefused) as refused:
        identification_run_create(
            user=department, version=version, year=years[2025], municipality=department.municipality
        )
    assert refused.value.message == VERSION_NOT_FOR_YEAR.format(year=years[2025].name)
