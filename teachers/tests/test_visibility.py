"""A teacher's name is seen only by the school, the department and the methodological centre.

Issue 8, «done when»: nobody outside the school, the department and the centre sees a
teacher's name. The selector (teachers_for) decides; the pages are checked as well, as is
every page of the app for the roles that must not see names.
"""

import pytest
from django.urls import reverse

from teachers.selectors import mentorships_for, teachers_for
from teachers.tests.factories import MentorshipFactory, RouteFactory, TeacherFactory

pytestmark = pytest.mark.django_db

NAME = "Белозёрова"


@pytest.fixture
def belozerova(school):
    return TeacherFactory(school=school, last_name=NAME, first_name="Вера")


@pytest.mark.parametrize("actor", ["department", "methodologist", "director"])
def test_the_school_the_department_and_the_centre_see_the_name(cast, belozerova, actor):
    assert list(teachers_for(cast[actor])) == [belozerova]


@pytest.mark.parametrize("actor", ["region", "curator", "outsider", "teacher"])
def test_the_region_the_curator_an_outsider_and_a_colleague_do_not(cast, belozerova, actor):
    assert not teachers_for(cast[actor]).exists()


def test_a_teacher_sees_their_own_record_only(cast, school, belozerova):
    own = TeacherFactory(school=school, user=cast["teacher"])

    assert list(teachers_for(cast["teacher"])) == [own]


def test_a_director_of_another_school_does_not_see_the_name(cast, other_school, belozerova):
    from tests.factories import UserFactory

    other_director = UserFactory(username="other_director", role="director", school=other_school)

    assert not teachers_for(other_director).exists()


def test_an_inactive_account_sees_nobody(cast, belozerova):
    cast["department"].is_active = False

    assert not teachers_for(cast["department"]).exists()


@pytest.mark.parametrize("actor", ["region", "curator"])
def test_pages_readable_by_the_region_and_the_curator_carry_no_names(client, cast, school, belozerova, actor):
    client.force_login(cast[actor])
    urls = [reverse("schools:detail", args=[school.pk]), reverse("core:home"), reverse("teachers:competences")]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert NAME not in response.content.decode(), url


@pytest.mark.parametrize("actor", ["region", "curator", "outsider"])
def test_every_teacher_page_is_closed_to_those_outside(client, cast, school, belozerova, actor):
    route = RouteFactory(teacher=belozerova)
    pair = MentorshipFactory(mentor=belozerova)
    client.force_login(cast[actor])
    urls = [
        reverse("teachers:index"),
        reverse("teachers:school", args=[school.pk]),
        reverse("teachers:detail", args=[belozerova.pk]),
        reverse("teachers:route_detail", args=[route.pk]),
        reverse("teachers:mentoring"),
        reverse("teachers:mentorship_detail", args=[pair.pk]),
    ]

    for url in urls:
        response = client.get(url)
        assert NAME not in response.content.decode(), url


def test_a_cross_school_pair_is_seen_by_both_schools_only(cast, school, other_school, foreign_school):
    mentor = TeacherFactory(school=other_school, last_name="Наставникова")
    mentee = TeacherFactory(school=school, user=cast["teacher"])
    pair = MentorshipFactory(mentor=mentor, mentee=mentee)
    TeacherFactory(school=other_school, last_name="Посторонняя")

    assert list(mentorships_for(cast["director"])) == [pair]
    assert list(mentorships_for(cast["teacher"])) == [pair]
    assert not mentorships_for(cast["curator"]).exists()
    assert not mentorships_for(cast["outsider"]).exists()
