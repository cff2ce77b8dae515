"""Deficits are derived from diagnostics: below the threshold opens, a later result at or above closes."""

import datetime as dt
from decimal import Decimal

import pytest

from teachers import services
from teachers.models import Deficit, RouteGoal
from teachers.tests.factories import CompetenceFactory, DiagnosisFactory, RouteFactory, TeacherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(school):
    return TeacherFactory(school=school)


@pytest.fixture
def competence():
    return CompetenceFactory(threshold=Decimal("60"))


def record(teacher, competence, score, day, source="ЦНППМ"):
    return services.diagnosis_record(
        teacher=teacher, competence=competence, score=Decimal(score), date=day, source=source, user=None
    )


def test_a_result_below_the_threshold_opens_a_deficit(teacher, competence):
    diagnosis = record(teacher, competence, "45", dt.date(2025, 10, 1))

    deficit = Deficit.objects.get(teacher=teacher)
    assert deficit.competence == competence
    assert deficit.opened_by == diagnosis
    assert deficit.is_open


def test_a_result_at_the_threshold_is_not_a_deficit(teacher, competence):
    record(teacher, competence, "60", dt.date(2025, 10, 1))

    assert not Deficit.objects.exists()


def test_a_later_result_at_or_above_the_threshold_closes_the_deficit(teacher, competence):
    record(teacher, competence, "45", dt.date(2025, 10, 1))
    later = record(teacher, competence, "60", dt.date(2026, 4, 1), source="ИМЦ, итоговая")

    deficit = Deficit.objects.get(teacher=teacher)
    assert deficit.closed_by == later
    assert not deficit.is_open


def test_a_low_result_after_a_closed_deficit_opens_a_new_one(teacher, competence):
    record(teacher, competence, "45", dt.date(2025, 10, 1))
    record(teacher, competence, "80", dt.date(2026, 1, 15))
    reopening = record(teacher, competence, "30", dt.date(2026, 4, 1))

    deficits = list(Deficit.objects.filter(teacher=teacher).order_by("opened_by__date"))
    assert len(deficits) == 2
    assert not deficits[0].is_open
    assert deficits[1].opened_by == reopening and deficits[1].is_open


def test_a_good_result_dated_before_the_low_one_does_not_close_it(teacher, competence):
    record(teacher, competence, "45", dt.date(2025, 10, 1))
    record(teacher, competence, "90", dt.date(2025, 5, 1), source="прошлогодняя")

    assert Deficit.objects.get(teacher=teacher).is_open


def test_a_back_dated_low_result_between_two_good_ones_is_closed_by_the_later(teacher, competence):
    record(teacher, competence, "90", dt.date(2025, 5, 1))
    last = record(teacher, competence, "70", dt.date(2026, 4, 1))
    low = record(teacher, competence, "40", dt.date(2025, 10, 1))

    deficit = Deficit.objects.get(teacher=teacher)
    assert (deficit.opened_by, deficit.closed_by) == (low, last)


def test_changing_the_catalogue_threshold_does_not_rewrite_past_verdicts(teacher, competence):
    record(teacher, competence, "55", dt.date(2025, 10, 1))
    competence.threshold = Decimal("50")
    competence.save()

    services.deficits_sync(teacher_id=teacher.pk, competence_id=competence.pk)

    assert Deficit.objects.get(teacher=teacher).is_open


def test_correcting_a_result_upward_removes_the_deficit_but_keeps_other_ones(teacher, competence):
    other = CompetenceFactory()
    record(teacher, other, "20", dt.date(2025, 10, 1))
    record(teacher, competence, "45", dt.date(2025, 10, 1))

    record(teacher, competence, "75", dt.date(2025, 10, 1))  # same date and source: a correction

    assert list(Deficit.objects.values_list("competence", flat=True)) == [other.pk]


def test_a_route_goal_keeps_its_deficit_when_the_deficit_is_closed(teacher, competence):
    record(teacher, competence, "45", dt.date(2025, 10, 1))
    route = RouteFactory(teacher=teacher)
    goal = services.route_goal_add(route=route, title="Освоить", deficits=Deficit.objects.filter(teacher=teacher))

    record(teacher, competence, "90", dt.date(2026, 4, 1))

    assert [d.is_open for d in RouteGoal.objects.get(pk=goal.pk).deficits.all()] == [False]


def test_a_new_route_starts_with_a_goal_per_open_deficit(teacher, competence):
    record(teacher, competence, "45", dt.date(2025, 10, 1))
    closed = CompetenceFactory(name="Цифровые ресурсы")
    record(teacher, closed, "45", dt.date(2025, 10, 1))
    record(teacher, closed, "95", dt.date(2026, 1, 1))
    year = RouteFactory.build().year
    year.save()

    route = services.route_create(teacher=teacher, year=year, user=None)

    goals = list(route.goals.prefetch_related("deficits__competence"))
    assert [[d.competence for d in g.deficits.all()] for g in goals] == [[competence]]


def test_correcting_the_closing_result_downward_reopens_the_same_deficit(teacher, competence):
    record(teacher, competence, "45", dt.date(2025, 10, 1))
    record(teacher, competence, "80", dt.date(2026, 1, 15))
    first = Deficit.objects.get(teacher=teacher)

    record(teacher, competence, "50", dt.date(2026, 1, 15))  # the same result, corrected

    deficit = Deficit.objects.get(teacher=teacher)
    assert deficit.pk == first.pk and deficit.is_open


def test_one_sync_handles_many_pairs_at_once(school, competence):
    teachers = [TeacherFactory(school=school) for _ in range(3)]
    for n, teacher in enumerate(teachers):
        DiagnosisFactory(teacher=teacher, competence=competence, score=40 + 10 * n, date=dt.date(2025, 10, 1))

    services.deficits_sync_pairs(pairs={(t.pk, competence.pk) for t in teachers})

    assert sorted(Deficit.objects.values_list("teacher_id", flat=True)) == [teachers[0].pk, teachers[1].pk]
