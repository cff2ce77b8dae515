"""Objectivity signals that hold up (issue #19, item 6), on files loaded through the import services
(the signals are refreshed by the import's follow-ups, as after a real upload):

* «повысили» needs an exact binomial test against the rest of the municipality;
* «ВПР намного выше ОГЭ» compares one cohort: its ОГЭ in grade 9 with its ВПР in an earlier grade;
* the Рособрнадзор marker: basic tasks done worse than the advanced and high ones.
Expectations computed by hand in the comments.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal

import pytest

from identification.tests.imports import upload
from monitoring import imports as services
from monitoring.models import ImportJob
from monitoring.tests.builders import VprSheet, results_csv, results_csv_row, vpr_f1_xlsx
from risks.models import ObjectivitySignal, SignalKind
from tests.factories import AcademicYearFactory


@pytest.fixture
def years(db):
    return {start: AcademicYearFactory(start_year=start) for start in (2024, 2025)}


def signals(school, kind):
    return list(ObjectivitySignal.objects.filter(school=school, kind=kind, is_active=True))


def vpr(code: str, n: int, *, raised: int = 0, year="2025/2026", grade=4, mark=4, offset=0) -> list:
    """``n`` ВПР participants of a school; the first ``raised`` have the journal one mark lower."""
    return [
        results_csv_row(
            code,
            f"{code[-4:]}{grade}{year[:4]}{offset + i:03d}",
            year=year,
            grade=grade,
            klass=f"{grade}А",
            mark=mark,
            journal=mark - 1 if i < raised else mark,
        )
        for i in range(n)
    ]


def oge(code: str, n: int, *, mark: int, year="2025/2026") -> list:
    return [
        results_csv_row(
            code,
            f"o{code[-4:]}{i:03d}",
            year=year,
            procedure="ОГЭ",
            grade=9,
            klass="9А",
            primary=20,
            max=33,
            mark=mark,
            journal="",
            tasks="",
        )
        for i in range(n)
    ]


def tail(count: int, n: int, p: float) -> float:
    """P(X ≥ count), X ~ Binomial(n, p), written out here independently of the code."""
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(count, n + 1))


# --- «повысили»: a binomial test against the rest of the municipality ----------------------------


def test_three_raised_of_ten_is_not_a_signal_when_chance_explains_it(
    school, other_school, years, department, django_capture_on_commit_callbacks
):
    # School: 3 of 10 raised (30 %); the other school 4 of 40 (10 %). The old rule fired: 30 % ≥ 20 %
    # and 30 − 7/50·100 = 16 p.p. ≥ 15. Against the rest's 10 %: P(X ≥ 3 | 10; 0,1) = 0,0702 > 0,01.
    rows = vpr(school.code, 10, raised=3) + vpr(other_school.code, 40, raised=4)
    upload(department, results_csv(rows), "vpr.csv", django_capture_on_commit_callbacks)

    assert round(tail(3, 10, 0.1), 4) == 0.0702
    assert signals(school, SignalKind.RAISED_SHARE) == []


def test_six_raised_of_twelve_against_five_percent_elsewhere_is_a_signal_with_its_chance(
    school, other_school, years, department, django_capture_on_commit_callbacks
):
    # School: 6 of 12 (50 %); the other school 2 of 40 (5 %); the municipality 8 of 52 (15,38 %).
    # P(X ≥ 6 | 12; 0,05) ≈ 1,1·10⁻⁵ (924 · 0,05⁶ · 0,95⁶ is most of it): far below 0,01.
    rows = vpr(school.code, 12, raised=6) + vpr(other_school.code, 40, raised=2)
    upload(department, results_csv(rows), "vpr.csv", django_capture_on_commit_callbacks)

    [signal] = signals(school, SignalKind.RAISED_SHARE)
    expected = tail(6, 12, 0.05)
    assert 1.0e-5 < expected < 1.2e-5
    assert signal.details["chance"] == pytest.approx(expected, rel=1e-9)
    assert (signal.value, signal.reference) == (Decimal("50.00"), Decimal("15.38"))
    assert (signal.details["rest_raised"], signal.details["rest"]) == (2, 40)
    assert "в остальных школах муниципалитета 2 из 40 (5,0%)" in signal.explanation
    assert f"1 раз из {round(1 / expected):,}".replace(",", "\xa0") in signal.explanation


def test_a_school_alone_in_its_municipality_has_nothing_to_be_tested_against(
    school, years, department, django_capture_on_commit_callbacks
):
    upload(department, results_csv(vpr(school.code, 12, raised=12)), "vpr.csv", django_capture_on_commit_callbacks)

    assert signals(school, SignalKind.RAISED_SHARE) == []


# --- ВПР against ОГЭ: one cohort across years ------------------------------------------------------


def test_vpr_above_oge_compares_the_cohort_not_another_class_of_the_same_year(
    school, other_school, years, department, django_capture_on_commit_callbacks
):
    # ``school``: its 2025/2026 ninth-graders wrote ВПР in grade 8 in 2024/2025 with «5» (mean 5,00)
    # and passed ОГЭ with «3» (3,00): 2,00 apart ≥ 0,8 — a signal. This year's eighth-graders (another
    # cohort) have «3»: the old same-year comparison saw 3,00 against 3,00 and nothing.
    # ``other_school``: the cohort had «3» in grade 8 and «3» at ОГЭ — no signal, although this
    # year's eighth-graders have «5» (the old rule fired: 5,00 against 3,00).
    earlier = vpr(school.code, 12, grade=8, mark=5, year="2024/2025") + vpr(
        other_school.code, 12, grade=8, mark=3, year="2024/2025"
    )
    upload(department, results_csv(earlier), "vpr-2024.csv", django_capture_on_commit_callbacks)
    now = (
        vpr(school.code, 12, grade=8, mark=3)
        + oge(school.code, 10, mark=3)
        + vpr(other_school.code, 12, grade=8, mark=5)
        + oge(other_school.code, 10, mark=3)
    )
    upload(department, results_csv(now), "2025.csv", django_capture_on_commit_callbacks)

    [signal] = signals(school, SignalKind.VPR_ABOVE_OGE)
    assert signal.year == years[2025]
    assert (signal.value, signal.reference) == (Decimal("5.00"), Decimal("3.00"))
    assert (signal.details["vpr_year"], signal.details["vpr_grade"], signal.details["vpr_n"]) == (2024, 8, 12)
    assert "в 2024/2025 учебном году писал ВПР в 8 классе со средней отметкой 5,00 (12 уч.)" in signal.explanation
    assert signals(other_school, SignalKind.VPR_ABOVE_OGE) == []


# --- easy tasks done worse than hard ones ------------------------------------------------------------


def _load_f1(content: bytes, user, capture) -> ImportJob:
    with capture(execute=True):
        job = services.results_import_create(user=user, uploaded_file=io.BytesIO(content), original_name="f1.xlsx")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    return job


def test_basic_tasks_done_worse_than_hard_ones_is_a_signal(
    school, other_school, years, department, django_capture_on_commit_callbacks
):
    # The Ф1 sheet's tasks: 1 (2 б.) and 2 (1 б.) basic «Б»; 3 (1 б.), 9.1 (1 б.) «П»; 4К1 (3 б.) «В».
    # ``school``: ten pupils score 0, 0 on the basic tasks and full marks on the rest:
    # basic 0 of 30 points (0 %), advanced and high 50 of 50 (100 %) — a signal.
    # ``other_school``: 2, 1 | 0, 0, 1 — basic 30 of 30 (100 %), hard 10 of 50 (20 %): as usual.
    odd = [(f"1{i:02d}", "4А", "1", [0, 0, 1, 1, 3], 5, 4, 4) for i in range(10)]
    usual = [(f"2{i:02d}", "4А", "1", [2, 1, 0, 0, 1], 4, 3, 3) for i in range(10)]
    _load_f1(
        vpr_f1_xlsx(VprSheet(schools={school.code: odd, other_school.code: usual})),
        department,
        django_capture_on_commit_callbacks,
    )

    [signal] = signals(school, SignalKind.EASY_BELOW_HARD)
    assert (signal.value, signal.reference, signal.participants, signal.grade) == (
        Decimal("0.00"), Decimal("100.00"), 10, 4,
    )  # fmt: skip
    assert (signal.details["basic_score"], signal.details["basic_max"]) == (0, 30)
    assert (signal.details["hard_score"], signal.details["hard_max"]) == (50, 50)
    assert "базового уровня (2) выполнены на 0,0%, а повышенного и высокого (3) — на 100,0%" in signal.explanation
    assert signals(other_school, SignalKind.EASY_BELOW_HARD) == []
