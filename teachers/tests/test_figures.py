"""The figures of issue 8 on crafted data: routes for teachers with deficits, steps done, deficits closed."""

import datetime as dt

import pytest
from django.urls import reverse

from schools.models import School
from teachers import services
from teachers.selectors import teacher_figures
from teachers.tests.factories import (
    CompetenceFactory,
    DiagnosisFactory,
    RouteFactory,
    RouteStepFactory,
    TeacherFactory,
)
from tests.factories import AcademicYearFactory

pytestmark = pytest.mark.django_db


def low(teacher, competence, day=dt.date(2025, 10, 1)):
    DiagnosisFactory(teacher=teacher, competence=competence, score=30, date=day)
    services.deficits_sync(teacher_id=teacher.pk, competence_id=competence.pk)


def good(teacher, competence, day=dt.date(2026, 3, 1)):
    DiagnosisFactory(teacher=teacher, competence=competence, score=90, date=day)
    services.deficits_sync(teacher_id=teacher.pk, competence_id=competence.pk)


@pytest.fixture
def crafted(school, other_school):
    """School: 4 active teachers (2 with open deficits, 1 of them with a route this year), 1 inactive.

    Deficits at the school: 4 (one of the inactive teacher), one closed by a later diagnosis.
    Steps this year: 3 done of 4 counted (a cancelled step is not counted, nor last year's).
    The other school has a teacher with a deficit and no route: not in the school's figures.
    """
    year = AcademicYearFactory(start_year=2025)
    last_year = AcademicYearFactory(start_year=2024)
    a, b = CompetenceFactory(), CompetenceFactory()
    with_route, without_route, closed_only, clean = (TeacherFactory(school=school) for _ in range(4))
    inactive = TeacherFactory(school=school, is_active=False)
    low(with_route, a)
    low(without_route, a)
    low(closed_only, b)
    good(closed_only, b)
    low(inactive, a)
    route = RouteFactory(teacher=with_route, year=year)
    for status in ("done", "done", "planned", "cancelled"):
        RouteStepFactory(route=route, status=status, done_on=dt.date(2026, 1, 1) if status == "done" else None)
    RouteStepFactory(route=RouteFactory(teacher=clean, year=year), status="done", done_on=dt.date(2026, 1, 1))
    RouteStepFactory(route=RouteFactory(teacher=without_route, year=last_year), status="planned")
    low(TeacherFactory(school=other_school), a)
    return year


def test_figures_of_one_school(crafted, school):
    figures = teacher_figures(schools=School.objects.filter(pk=school.pk), year=crafted)

    assert (figures.teachers, figures.with_deficits, figures.with_deficits_and_route) == (4, 2, 1)
    assert figures.route_share == 50
    assert (figures.steps_done, figures.steps_total, figures.steps_share) == (3, 4, 75)
    assert (figures.deficits_closed, figures.deficits_total, figures.closed_share) == (1, 4, 25)


def test_figures_of_the_municipality_add_the_other_school(crafted, school, other_school):
    figures = teacher_figures(schools=School.objects.filter(pk__in=[school.pk, other_school.pk]), year=crafted)

    assert (figures.with_deficits, figures.with_deficits_and_route, figures.route_share) == (3, 1, 33)


def test_figures_with_no_data_show_no_share(school):
    figures = teacher_figures(schools=School.objects.filter(pk=school.pk), year=None)

    assert (figures.route_share, figures.steps_share, figures.closed_share) == (None, None, None)


def test_figures_take_three_queries_whatever_the_size(crafted, school, django_assert_num_queries):
    for _ in range(20):
        low(TeacherFactory(school=school), CompetenceFactory())

    with django_assert_num_queries(3):
        teacher_figures(schools=School.objects.filter(pk=school.pk), year=crafted)


def test_the_school_card_shows_the_figures_to_the_curator_without_names(client, crafted, curator, school):
    client.force_login(curator)

    body = client.get(reverse("schools:detail", args=[school.pk])).content.decode()

    assert "педагогов с дефицитами имеют ИОМ" in body
    assert "50%" in body and "75%" in body
    assert "Учителева" not in body
    assert reverse("teachers:school", args=[school.pk]) not in body


def test_the_department_home_has_the_municipality_figures(client, crafted, department):
    client.force_login(department)

    body = client.get(reverse("core:home")).content.decode()

    assert "Педагоги: дефициты и ИОМ" in body
    assert "1 из 3" in body  # teachers with deficits who have a route, both schools
