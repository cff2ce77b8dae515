"""Pages and forms of the teachers app: routes, self-study marks, mentoring, bounded queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from events.tests.factories import EventFactory, ProgrammeFactory
from teachers.models import Diagnosis, MentoringMeeting, Mentorship, Route, RouteStep, Teacher
from teachers.tests.factories import (
    CompetenceFactory,
    MentorshipFactory,
    RouteFactory,
    RouteStepFactory,
    TeacherFactory,
)
from tests.factories import AcademicYearFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def own(school, teacher):
    return TeacherFactory(school=school, last_name="Орлова", user=teacher)


def test_the_director_adds_a_teacher_to_their_school(client, director, school):
    client.force_login(director)

    response = client.post(
        reverse("teachers:create", args=[school.pk]),
        {"last_name": "Новикова", "first_name": "Анна", "position": "Учитель", "category": "none", "is_active": "on"},
    )

    teacher = Teacher.objects.get(last_name="Новикова")
    assert response.status_code == 302 and response["Location"] == teacher.get_absolute_url()
    assert teacher.school == school


def test_the_director_links_an_account_of_their_school_only(client, director, school, teacher, other_school):
    from tests.factories import UserFactory

    stranger = UserFactory(username="t2", role="teacher", school=other_school)
    client.force_login(director)
    data = {"last_name": "Орлова", "first_name": "Н", "position": "Учитель", "category": "none", "is_active": "on"}

    bad = client.post(reverse("teachers:create", args=[school.pk]), {**data, "user": stranger.pk})
    good = client.post(reverse("teachers:create", args=[school.pk]), {**data, "user": teacher.pk})

    assert bad.status_code == 200 and "user" in bad.context["form"].errors
    assert good.status_code == 302
    assert Teacher.objects.get().user == teacher


def test_a_diagnosis_entered_by_hand_opens_a_deficit(client, methodologist, own):
    competence = CompetenceFactory(threshold=Decimal("60"))
    client.force_login(methodologist)

    client.post(
        reverse("teachers:diagnosis_add", args=[own.pk]),
        {"competence": competence.pk, "score": "40", "date": "2025-10-01", "source": "КИМ ИМЦ"},
    )

    diagnosis = Diagnosis.objects.get(teacher=own)
    assert diagnosis.created_by == methodologist
    assert own.deficits.get().opened_by == diagnosis


def test_a_diagnosis_in_the_future_is_refused(client, director, own):
    client.force_login(director)
    competence = CompetenceFactory()

    response = client.post(
        reverse("teachers:diagnosis_add", args=[own.pk]),
        {"competence": competence.pk, "score": "40", "date": "2099-01-01", "source": "КИМ"},
    )

    assert response.status_code == 200 and "ещё не наступила" in response.content.decode()
    assert not Diagnosis.objects.exists()


def test_the_director_opens_a_route_and_adds_a_step_linked_to_a_programme(client, director, own, year, municipality):
    programme = ProgrammeFactory(municipality=municipality)
    client.force_login(director)

    client.post(reverse("teachers:route_create", args=[own.pk]), {"year": year.pk})
    route = Route.objects.get(teacher=own, year=year)
    client.post(
        reverse("teachers:step_add", args=[route.pk]),
        {"kind": "course", "title": "КПК", "due_on": "2026-03-01", "programme": programme.pk},
    )

    assert list(route.steps.values_list("kind", "programme")) == [("course", programme.pk)]


def test_a_step_cannot_point_at_another_municipalitys_event(client, director, own, year, foreign_municipality):
    route = RouteFactory(teacher=own, year=year)
    foreign = EventFactory(municipality=foreign_municipality)
    client.force_login(director)

    response = client.post(
        reverse("teachers:step_add", args=[route.pk]),
        {"kind": "event", "title": "Семинар", "due_on": "2026-03-01", "event": foreign.pk},
    )

    assert "event" in response.context["form"].errors
    assert not route.steps.exists()


def test_a_step_due_before_it_starts_is_refused(client, director, own, year):
    route = RouteFactory(teacher=own, year=year)
    client.force_login(director)

    response = client.post(
        reverse("teachers:step_add", args=[route.pk]),
        {"kind": "self_study", "title": "Чтение", "starts_on": "2026-03-02", "due_on": "2026-03-01"},
    )

    assert "Срок раньше начала" in response.content.decode()
    assert not route.steps.exists()


def test_the_teacher_marks_their_self_study_step_done(client, teacher, own):
    step = RouteStepFactory(route=RouteFactory(teacher=own), kind=RouteStep.Kind.SELF_STUDY)
    client.force_login(teacher)

    response = client.post(reverse("teachers:step_status", args=[step.pk]), {"status": "done"})

    step.refresh_from_db()
    assert response.status_code == 302
    assert (step.status, step.completed_via) == ("done", RouteStep.Completion.TEACHER)


def test_the_teacher_cannot_mark_a_course_step(client, teacher, own):
    step = RouteStepFactory(route=RouteFactory(teacher=own), kind=RouteStep.Kind.COURSE)
    client.force_login(teacher)

    response = client.post(reverse("teachers:step_status", args=[step.pk]), {"status": "done"})

    step.refresh_from_db()
    assert response.status_code == 404 and step.status == "planned"


def test_the_teacher_cannot_mark_a_colleagues_step(client, teacher, school, own):
    step = RouteStepFactory(route=RouteFactory(teacher=TeacherFactory(school=school)), kind="self_study")
    client.force_login(teacher)

    assert client.post(reverse("teachers:step_status", args=[step.pk]), {"status": "done"}).status_code == 404


def test_the_curator_cannot_change_a_step(client, curator, own):
    step = RouteStepFactory(route=RouteFactory(teacher=own))
    client.force_login(curator)

    assert client.post(reverse("teachers:step_status", args=[step.pk]), {"status": "done"}).status_code == 403


def test_my_route_sends_the_teacher_to_their_route(client, teacher, own, year):
    route = RouteFactory(teacher=own, year=year)
    client.force_login(teacher)

    response = client.get(reverse("teachers:my_route"))

    assert response.status_code == 302 and response["Location"] == route.get_absolute_url()


def test_the_teachers_route_page_offers_marks_only_for_self_study(client, teacher, own):
    route = RouteFactory(teacher=own)
    RouteStepFactory(route=route, kind="self_study")
    RouteStepFactory(route=route, kind="course")
    client.force_login(teacher)

    body = client.get(route.get_absolute_url()).content.decode()

    assert body.count('name="status"') == 1


def test_the_department_pairs_a_mentor_from_another_school(client, department, school, other_school):
    mentor = TeacherFactory(school=other_school)
    mentee = TeacherFactory(school=school, is_young_specialist=True)
    client.force_login(department)

    client.post(
        reverse("teachers:mentorship_create"),
        {
            "mentor": mentor.pk,
            "mentee": mentee.pk,
            "topic": "Первый год в профессии",
            "starts_on": "2025-09-01",
            "ends_on": "2026-05-31",
            "status": "active",
        },
    )

    assert Mentorship.objects.get().is_cross_school


def test_the_director_can_pick_only_teachers_of_their_school(client, director, school, other_school):
    TeacherFactory(school=other_school, last_name="Чужая")
    TeacherFactory(school=school, last_name="Своя")
    client.force_login(director)

    form = client.get(reverse("teachers:mentorship_create")).context["form"]

    assert [t.last_name for t in form.fields["mentor"].queryset] == ["Своя"]


def test_the_mentor_logs_a_meeting_and_the_mentee_cannot(client, school, teacher):
    from tests.factories import UserFactory

    mentor_user = UserFactory(username="mentor", role="teacher", school=school)
    pair = MentorshipFactory(
        mentor=TeacherFactory(school=school, user=mentor_user), mentee=TeacherFactory(school=school, user=teacher)
    )
    url = reverse("teachers:meeting_add", args=[pair.pk])
    data = {"date": "2025-10-05", "topic": "Разбор урока"}

    client.force_login(teacher)
    refused = client.post(url, data)
    client.force_login(mentor_user)
    accepted = client.post(url, data)

    assert (refused.status_code, accepted.status_code) == (403, 302)
    assert list(MentoringMeeting.objects.values_list("topic", flat=True)) == ["Разбор урока"]


def test_an_invalid_pair_is_refused_with_a_message(client, department, school):
    same = TeacherFactory(school=school)
    client.force_login(department)

    response = client.post(
        reverse("teachers:mentorship_create"),
        {"mentor": same.pk, "mentee": same.pk, "topic": "x", "starts_on": "2026-01-01", "ends_on": "2025-01-01"},
    )

    body = response.content.decode()
    assert "разные люди" in body and "Окончание раньше начала" in body
    assert not Mentorship.objects.exists()


def _populate(school, year, n):
    competence = CompetenceFactory()
    for _ in range(n):
        teacher = TeacherFactory(school=school)
        route = RouteFactory(teacher=teacher, year=year)
        RouteStepFactory(route=route)
        from teachers import services

        services.diagnosis_record(
            teacher=teacher, competence=competence, score=Decimal(10), date=dt.date(2025, 10, 1), source="x", user=None
        )


@pytest.mark.parametrize(
    ("url_name", "actor", "kwargs"),
    [
        ("teachers:index", "department", lambda school, own: []),
        ("teachers:school", "director", lambda school, own: [school.pk]),
        ("teachers:detail", "director", lambda school, own: [own.pk]),
        ("teachers:mentoring", "methodologist", lambda school, own: []),
        ("schools:detail", "curator", lambda school, own: [school.pk]),
    ],
)
def test_pages_take_a_bounded_number_of_queries(
    client, cast, school, own, year, url_name, actor, kwargs, django_assert_max_num_queries
):
    client.force_login(cast[actor])
    url = reverse(url_name, args=kwargs(school, own))
    _populate(school, year, 3)
    client.get(url)  # warm the session and the per-process caches
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    _populate(school, year, 30)
    for _ in range(5):
        MentorshipFactory(mentor=TeacherFactory(school=school), mentee=own)

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_second_teacher_with_the_same_name_is_refused_with_a_message(client, director, school):
    TeacherFactory(school=school, last_name="Новикова", first_name="Анна", middle_name="")
    client.force_login(director)

    response = client.post(
        reverse("teachers:create", args=[school.pk]),
        {"last_name": "новикова ", "first_name": "Анна", "position": "Учитель", "category": "none"},
    )

    assert response.status_code == 200
    assert "уже есть" in response.content.decode()
    assert Teacher.objects.count() == 1


def test_select_boxes_offer_a_russian_blank_choice(client, director, own, year):
    route = RouteFactory(teacher=own, year=year)
    client.force_login(director)

    body = client.get(reverse("teachers:step_add", args=[route.pk])).content.decode()

    assert "Select an option" not in body
    assert "— не выбрано —" in body


def _count_queries(client, url, **query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_index_is_paginated_with_the_same_queries_for_3_and_60_schools(client, department, municipality, year):
    from tests.factories import SchoolFactory

    def grow(to: int) -> None:
        for _ in range(to - municipality.schools.count()):
            TeacherFactory(school=SchoolFactory(municipality=municipality))

    url = reverse("teachers:index")
    client.force_login(department)
    grow(3)
    client.get(url)  # warm the session
    small_queries, small = _count_queries(client, url)
    grow(60)
    large_queries, large = _count_queries(client, url)

    rows = lambda body: body.split('id="teacher-schools"')[1].count('<td><a href="/teachers/school/')  # noqa: E731
    assert (rows(small), rows(large)) == (3, 50)
    assert "Школ: 60; показаны 1–50" in large
    assert large_queries == small_queries
    queries, second = _count_queries(client, url, sort="deficits", page=2)
    assert queries == small_queries and rows(second) == 10
    assert 'href="?sort=deficits&amp;page=1"' in second


def test_index_finds_a_school_by_code_and_sorts_by_deficits(client, department, municipality, year):
    from tests.factories import SchoolFactory

    quiet = SchoolFactory(municipality=municipality, code="edu7770001")
    TeacherFactory(school=quiet)
    busy = SchoolFactory(municipality=municipality, code="edu7770002")
    competence = CompetenceFactory()
    from teachers import services

    for _ in range(2):
        services.diagnosis_record(
            teacher=TeacherFactory(school=busy),
            competence=competence,
            score=Decimal(10),
            date=dt.date(2025, 10, 1),
            source="x",
            user=None,
        )
    client.force_login(department)

    _, found = _count_queries(client, reverse("teachers:index"), q="edu7770001")
    _, by_deficits = _count_queries(client, reverse("teachers:index"), sort="deficits")

    assert "edu7770001" in found and "edu7770002" not in found
    assert by_deficits.index("edu7770002") < by_deficits.index("edu7770001")
