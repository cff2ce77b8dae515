"""The risk zone's three pinned cases, on data loaded through the import services.

Expectations are computed by hand in each test's comment; the shipped «Зона риска» preset
(share of «2» in ВПР up ≥ 10 p.p. in a year, or entering the bottom 20% of the
municipality for the first time) and the «ШССУ» preset (ИСБШ in the bottom 20%) are used
as a department would run them.
"""

from __future__ import annotations

import pytest
from django.db import connection

from identification.models import IndicatorValue, StatusKind
from identification.services import status_set
from identification.tests.imports import import_context, import_vpr


def proposed(run) -> list[str]:
    return sorted(run.results.filter(proposed=True).values_list("school__code", flat=True))


def result(run, school):
    return run.results.get(school=school)


# --- 1. «Впервые вошла в нижние 20%» needs a value in the year before -------------------------


def test_first_year_with_data_proposes_nobody_for_entering_the_bottom(
    ten_schools, years, department, run_now, django_capture_on_commit_callbacks
):
    # Only 2025/2026 has data. By «2» shares the two worst (12/30 = 40 %, 9/30 = 30 %) are in
    # the bottom 20 % (worse-than share 0 % and 10 %), but with no 2024 value neither «entered».
    shares = {s.code: (twos, 30) for s, twos in zip(ten_schools, [12, 9, 3, 3, 3, 3, 3, 3, 3, 3], strict=True)}
    import_vpr(department, django_capture_on_commit_callbacks, year="2025/2026", shares=shares)

    run = run_now(StatusKind.RISK_ZONE, years[2025])

    assert proposed(run) == []
    worst = result(run, ten_schools[0])
    assert worst.fired_count == 0
    assert worst.details[1]["text"] == (
        "доля «2» по ВПР 40,0% — в нижних 20% муниципалитета (порог 30,0%), "
        "но за прошлый год данных нет: «впервые» не установить"
    )
    assert worst.details[0]["text"] == "доля «2» по ВПР 40,0% — нет данных за прошлый год"


def test_entering_the_bottom_fires_when_last_year_the_school_was_outside_it(
    ten_schools, years, department, run_now, django_capture_on_commit_callbacks
):
    # 2024: school 0 has 3/30 = 10 % (not in the bottom), schools 1, 2 are the worst two.
    # 2025: school 0 has 12/30 = 40 % (worst; worse-than share 0 % < 20 %): it entered.
    # Its rise is 30 p.p. too, so both criteria fire. Schools 1 and 2 (9/30 = 30 % both years)
    # were in the bottom last year already.
    before = [3, 9, 9, 3, 3, 3, 3, 3, 3, 3]
    now = [12, 9, 9, 3, 3, 3, 3, 3, 3, 3]
    for label, counts in (("2024/2025", before), ("2025/2026", now)):
        shares = {s.code: (twos, 30) for s, twos in zip(ten_schools, counts, strict=True)}
        import_vpr(department, django_capture_on_commit_callbacks, year=label, shares=shares)

    run = run_now(StatusKind.RISK_ZONE, years[2025])

    assert proposed(run) == [ten_schools[0].code]
    assert result(run, ten_schools[1]).details[1]["text"].endswith("но школа была там и год назад (не впервые)")


# --- 2. A rise of exactly 10 p.p. fires «≥ 10 p.p.» ---------------------------------------------


def test_a_rise_of_exactly_ten_points_fires_the_ten_point_criterion(
    ten_schools, years, department, run_now, django_capture_on_commit_callbacks
):
    # School 0: 4 of 30 «2» in 2024 (13,3 %), 7 of 30 in 2025 (23,3 %): a rise of 10 p.p.
    # exactly, 100·7/30 − 100·4/30 = 9.999999999999998 in floating point.
    # Schools 1 and 2 are the worst (40 %) in both years, so school 0 (23,3 %, worse-than
    # share 20 %) is not in the bottom 20 % and only the rise can propose it.
    before = [4, 12, 12, 3, 3, 3, 3, 3, 3, 3]
    now = [7, 12, 12, 3, 3, 3, 3, 3, 3, 3]
    for label, counts in (("2024/2025", before), ("2025/2026", now)):
        shares = {s.code: (twos, 30) for s, twos in zip(ten_schools, counts, strict=True)}
        import_vpr(department, django_capture_on_commit_callbacks, year=label, shares=shares)
    stored = dict(
        IndicatorValue.objects.filter(school=ten_schools[0], indicator="vpr_share_2", subject__isnull=True).values_list(
            "year__start_year", "value"
        )
    )
    assert stored[2025] - stored[2024] < 10  # the float premise of the case

    run = run_now(StatusKind.RISK_ZONE, years[2025])

    assert proposed(run) == [ten_schools[0].code]
    assert result(run, ten_schools[0]).explanation == (
        "Доля «2» по ВПР 23,3% — выросла за год на 10 п.п. (было 13,3%; порог роста 10 п.п.)."
    )


def test_a_rise_just_under_the_threshold_at_the_printed_precision_does_not_fire(
    ten_schools, years, department, run_now, django_capture_on_commit_callbacks
):
    # School 0, 79 participants: 7/79 = 8,86 % → 14/79 = 17,72 %: +8,86 p.p., printed «8,9»,
    # under 10 — not proposed (and not in the bottom 20 %: schools 1, 2 have 40 %).
    before = [7, 12, 12, 3, 3, 3, 3, 3, 3, 3]
    now = [14, 12, 12, 3, 3, 3, 3, 3, 3, 3]
    totals = [79, 30, 30, 30, 30, 30, 30, 30, 30, 30]
    for label, counts in (("2024/2025", before), ("2025/2026", now)):
        shares = {s.code: (twos, n) for s, twos, n in zip(ten_schools, counts, totals, strict=True)}
        import_vpr(department, django_capture_on_commit_callbacks, year=label, shares=shares)

    run = run_now(StatusKind.RISK_ZONE, years[2025])

    assert proposed(run) == []
    assert result(run, ten_schools[0]).details[0]["text"] == (
        "доля «2» по ВПР 17,7% — выросла за год на 8,9 п.п. (было 8,9%; порог роста 10 п.п.)"
    )


# --- 3. Equal ИСБШ values are one rank on every database ----------------------------------------

# Two schools whose weighted sums are equal exactly (3·8,22 + 0,30 = 3·8,21 + 0,33 = 24,96),
# all other factors equal, but not in floating point: SQLite stores 86.61846153846153 and
# 86.61846153846155.
TIED_A = {"low_income_share": "8.22", "ovz_share": "0.30"}
TIED_B = {"low_income_share": "8.21", "ovz_share": "0.33"}


def test_equal_isbsh_values_are_never_ranked_apart(
    ten_schools, years, department, run_now, django_capture_on_commit_callbacks
):
    # Weights 3 (low income), 1 (ОВЗ), 2, 1, 2, 2 (parents without higher education), 1
    # (rural), 1 (small school): Σ = 13. Defaults of context_row: single-parent 18,2 %,
    # preventive 1,4 %, parents with higher education 46 % (54 adverse), 400 pupils (small: 20).
    # Schools 2 and 3: (24,96 + 18,2 + 2·1,4 + 2·54 + 20) / 13 = 173,96 / 13 → ИСБШ 86,62 both.
    # School 0 (60 % low income) is the lowest: (180 + 4,1 + 18,2 + 2,8 + 108 + 20) / 13 → 74,38.
    # The others are higher (5 % low income → 87,36; school 1, rural but favoured → 90,77).
    # Bottom 20 % of ten: worse-than share under 20 %. School 0: 0 %; schools 2 and 3: 10 %
    # each (only school 0 is lower) — both in, three schools in «20 % of ten»: a tie is never
    # split. Ranked by the last float digit, one of them would have 20 % and be left out.
    rows = {school.code: {"low_income_share": "5", "ovz_share": "0.3"} for school in ten_schools}
    rows[ten_schools[0].code] = {"low_income_share": "60"}
    rows[ten_schools[1].code] = {
        "low_income_share": "0", "ovz_share": "0", "single_parent_share": "0", "preventive_register_share": "0",
        "parents_higher_ed_share": "100",
    }  # fmt: skip
    rows[ten_schools[2].code] = TIED_A
    rows[ten_schools[3].code] = TIED_B
    import_context(department, django_capture_on_commit_callbacks, year="2025/2026", rows=rows)
    stored = dict(
        IndicatorValue.objects.filter(indicator="isbsh", school__in=ten_schools[2:4]).values_list("school_id", "value")
    )
    if connection.vendor == "sqlite":
        # The premise: SQLite's floating point puts the two a last digit apart.
        assert stored[ten_schools[2].pk] != stored[ten_schools[3].pk]

    run = run_now(StatusKind.DIFFICULT_CONDITIONS, years[2025])

    assert proposed(run) == sorted(s.code for s in (ten_schools[0], ten_schools[2], ten_schools[3]))
    first, second = result(run, ten_schools[2]), result(run, ten_schools[3])
    # The explanation takes the index apart (identification.isbsh): of the difficulty 173,96 / 13,
    # parents without higher education give 2·54 / 13 = 8,31 points (108 / 173,96 = 62 %), low
    # income 3·8,22 / 13 = 1,90 (24,66 / 173,96 = 14 %), small size 20 / 13 = 1,54 (11 %).
    assert first.explanation == (
        "ИСБШ 86,62 (больше всего снижают: родители без высшего образования −8,31 (62 %), "
        "малоимущие семьи −1,90 (14 %), малочисленная школа −1,54 (11 %)) — в нижних 20% муниципалитета "
        "(порог 86,62)."
    )
    assert first.details[0]["percentile"] == second.details[0]["percentile"] == 10.0
    assert first.details[0]["value"] == second.details[0]["value"]


# --- A school already ШНОР is shown as such, not proposed into the risk zone --------------------


def test_a_school_already_low_results_is_shown_as_such_not_proposed_into_the_risk_zone(
    ten_schools, years, department, run_now, django_capture_on_commit_callbacks
):
    before = [4, 12, 12, 3, 3, 3, 3, 3, 3, 3]
    now = [7, 12, 12, 3, 3, 3, 3, 3, 3, 3]
    for label, counts in (("2024/2025", before), ("2025/2026", now)):
        shares = {s.code: (twos, 30) for s, twos in zip(ten_schools, counts, strict=True)}
        import_vpr(department, django_capture_on_commit_callbacks, year=label, shares=shares)
    status_set(school=ten_schools[0], year=years[2025], kind=StatusKind.LOW_RESULTS, reason="Приказ", user=department)

    run = run_now(StatusKind.RISK_ZONE, years[2025])

    assert proposed(run) == []
    held = result(run, ten_schools[0])
    assert held.held_status == StatusKind.LOW_RESULTS
    assert held.explanation.startswith("Уже ШНОР в 2025/2026 учебном году — повторно не предлагается. ")


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(9.999999999999998, 1, "10.0"), (2.675, 2, "2.68"), (10.049999999999999, 1, "10.1"), (0.05, 1, "0.1")],
)
def test_displayed_precision_is_the_same_in_sql_and_python(db, value, digits, expected):
    from identification.catalogue import at_precision, sql_at_precision

    with connection.cursor() as cursor:
        # A double column's value, as the SQL sees stored indicator values.
        expression = sql_at_precision("CAST(%s AS DOUBLE PRECISION)", digits, connection.vendor)
        cursor.execute(f"SELECT {expression}", [value])
        in_sql = cursor.fetchone()[0]
    assert str(at_precision(value, digits)) == expected
    assert f"{float(in_sql):.{digits}f}" == expected
