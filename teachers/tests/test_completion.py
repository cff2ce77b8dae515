"""Route steps fill in by themselves from event attendance and course completion.

The events app calls these services from registration_mark_attended and enrolment_complete;
here they are called the way it will, with the registration's account, e-mail and school.
"""

import datetime as dt

import pytest

from teachers import services
from teachers.models import RouteStep
from teachers.tests.factories import RouteFactory, RouteStepFactory, TeacherFactory

pytestmark = pytest.mark.django_db

EVENT, OTHER_EVENT, PROGRAMME = 101, 102, 7
DAY = dt.date(2026, 2, 12)


@pytest.fixture
def orlova(school, teacher):
    return TeacherFactory(school=school, last_name="Орлова", email="orlova@example.ru", user=teacher)


@pytest.fixture
def route(orlova):
    return RouteFactory(teacher=orlova)


def status_of(step):
    step.refresh_from_db()
    return step.status, step.done_on, step.completed_via


def test_attendance_marks_the_linked_step_done(route):
    step = RouteStepFactory(route=route, event_id=EVENT)

    changed = services.route_steps_complete_from_attendance(
        event_id=EVENT, attended=True, email="ORLOVA@example.ru", on=DAY
    )

    assert changed == 1
    assert status_of(step) == (RouteStep.Status.DONE, DAY, RouteStep.Completion.ATTENDANCE)


def test_attendance_is_matched_by_the_teachers_account_too(route, teacher):
    step = RouteStepFactory(route=route, event_id=EVENT)

    services.route_steps_complete_from_attendance(event_id=EVENT, attended=True, user_id=teacher.pk, on=DAY)

    assert status_of(step)[0] == RouteStep.Status.DONE


def test_attendance_leaves_other_events_and_other_teachers_alone(route, school):
    other_event_step = RouteStepFactory(route=route, event_id=OTHER_EVENT)
    colleague_step = RouteStepFactory(route=RouteFactory(teacher=TeacherFactory(school=school)), event_id=EVENT)

    services.route_steps_complete_from_attendance(event_id=EVENT, attended=True, email="orlova@example.ru", on=DAY)

    assert status_of(other_event_step)[0] == RouteStep.Status.PLANNED
    assert status_of(colleague_step)[0] == RouteStep.Status.PLANNED


def test_an_email_at_another_school_does_not_complete_the_step(route, other_school):
    step = RouteStepFactory(route=route, event_id=EVENT)

    services.route_steps_complete_from_attendance(
        event_id=EVENT, attended=True, email="orlova@example.ru", school_id=other_school.pk, on=DAY
    )

    assert status_of(step)[0] == RouteStep.Status.PLANNED


def test_a_registration_with_neither_account_nor_email_completes_nothing(route):
    step = RouteStepFactory(route=route, event_id=EVENT)

    assert services.route_steps_complete_from_attendance(event_id=EVENT, attended=True, on=DAY) == 0
    assert status_of(step)[0] == RouteStep.Status.PLANNED


def test_marking_attendance_twice_changes_nothing_the_second_time(route):
    step = RouteStepFactory(route=route, event_id=EVENT)
    services.route_steps_complete_from_attendance(event_id=EVENT, attended=True, email="orlova@example.ru", on=DAY)

    again = services.route_steps_complete_from_attendance(
        event_id=EVENT, attended=True, email="orlova@example.ru", on=DAY + dt.timedelta(days=3)
    )

    assert again == 0
    assert status_of(step)[1] == DAY


def test_taking_attendance_back_reopens_only_what_attendance_completed(route):
    by_attendance = RouteStepFactory(route=route, event_id=EVENT)
    by_hand = RouteStepFactory(
        route=route, event_id=EVENT, status="done", done_on=DAY, completed_via=RouteStep.Completion.MANUAL
    )
    cancelled = RouteStepFactory(route=route, event_id=EVENT, status=RouteStep.Status.CANCELLED)
    services.route_steps_complete_from_attendance(event_id=EVENT, attended=True, email="orlova@example.ru", on=DAY)

    services.route_steps_complete_from_attendance(event_id=EVENT, attended=False, email="orlova@example.ru")

    assert status_of(by_attendance) == (RouteStep.Status.PLANNED, None, "")
    assert status_of(by_hand)[0] == RouteStep.Status.DONE
    assert status_of(cancelled)[0] == RouteStep.Status.CANCELLED


def test_course_completion_marks_the_linked_kpk_step_done(route):
    course = RouteStepFactory(route=route, kind=RouteStep.Kind.COURSE, programme_id=PROGRAMME)
    event = RouteStepFactory(route=route, event_id=PROGRAMME)  # an event with the same number is another thing

    services.route_steps_complete_from_course(programme_id=PROGRAMME, completed=True, email="orlova@example.ru", on=DAY)

    assert status_of(course) == (RouteStep.Status.DONE, DAY, RouteStep.Completion.COURSE)
    assert status_of(event)[0] == RouteStep.Status.PLANNED
