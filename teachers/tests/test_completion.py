"""Route steps fill in by themselves from event attendance and course completion.

The methodological centre records attendance and completion only through
events.services.registration_mark_attended and enrolment_complete; those call the
teachers' services, which find the teacher by their account or e-mail (at their school).
"""

import datetime as dt

import pytest
from django.utils import timezone

from events import services as events_services
from events.models import Event
from events.tests.factories import EnrolmentFactory, EventFactory, ProgrammeFactory, RegistrationFactory
from teachers import services
from teachers.models import RouteStep
from teachers.tests.factories import RouteFactory, RouteStepFactory, TeacherFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 2, 12)


@pytest.fixture
def orlova(school, teacher):
    return TeacherFactory(school=school, last_name="Орлова", email="orlova@example.ru", user=teacher)


@pytest.fixture
def route(orlova):
    return RouteFactory(teacher=orlova)


@pytest.fixture
def held_event(municipality):
    starts = timezone.make_aware(dt.datetime(2026, 2, 12, 10, 0))
    return EventFactory(
        municipality=municipality, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), status=Event.Status.HELD
    )


@pytest.fixture
def programme(municipality):
    return ProgrammeFactory(municipality=municipality)


def status_of(step):
    step.refresh_from_db()
    return step.status, step.done_on, step.completed_via


# --- Through the events app's own services ------------------------------------------------------


def test_marking_attendance_at_the_centre_completes_the_teachers_step(route, held_event, school):
    step = RouteStepFactory(route=route, event=held_event)
    registration = RegistrationFactory(event=held_event, email="Orlova@Example.ru", school=school)

    events_services.registration_mark_attended(registration=registration, attended=True)

    assert status_of(step) == (RouteStep.Status.DONE, DAY, RouteStep.Completion.ATTENDANCE)


def test_the_bulk_attendance_page_completes_and_takes_back(route, held_event, teacher):
    step = RouteStepFactory(route=route, event=held_event)
    registration = RegistrationFactory(event=held_event, user=teacher, email="other@example.ru")

    events_services.event_attendance_save(event=held_event, attended_ids={registration.pk})
    done = status_of(step)[0]
    events_services.event_attendance_save(event=held_event, attended_ids=set())

    assert done == RouteStep.Status.DONE
    assert status_of(step)[0] == RouteStep.Status.PLANNED


def test_completing_a_course_at_the_centre_completes_the_kpk_step(route, programme, school):
    step = RouteStepFactory(route=route, kind=RouteStep.Kind.COURSE, programme=programme)
    enrolment = EnrolmentFactory(
        programme=programme, email="orlova@example.ru", school=school, enrolled_on=dt.date(2025, 11, 1)
    )

    events_services.enrolment_complete(enrolment=enrolment, completed_on=DAY, certificate_number="123")

    assert status_of(step) == (RouteStep.Status.DONE, DAY, RouteStep.Completion.COURSE)


def test_a_step_linked_after_the_teacher_attended_is_done_at_once(route, held_event, school):
    registration = RegistrationFactory(event=held_event, email="orlova@example.ru", school=school)
    events_services.registration_mark_attended(registration=registration, attended=True)

    step = services.route_step_add(
        route=route, step=RouteStep(kind=RouteStep.Kind.EVENT, title="Семинар", due_on=DAY, event=held_event)
    )

    assert (step.status, step.done_on, step.completed_via) == ("done", DAY, RouteStep.Completion.ATTENDANCE)


def test_a_step_linked_to_a_course_already_completed_is_done_at_once(route, programme):
    EnrolmentFactory(programme=programme, email="orlova@example.ru", enrolled_on=dt.date(2025, 11, 1), completed_on=DAY)

    step = services.route_step_add(
        route=route, step=RouteStep(kind=RouteStep.Kind.COURSE, title="КПК", due_on=DAY, programme=programme)
    )

    assert step.status == RouteStep.Status.DONE


def test_a_step_linked_to_an_event_somebody_else_attended_stays_planned(route, held_event, school):
    registration = RegistrationFactory(event=held_event, email="colleague@example.ru", school=school)
    events_services.registration_mark_attended(registration=registration, attended=True)

    step = services.route_step_add(
        route=route, step=RouteStep(kind=RouteStep.Kind.EVENT, title="Семинар", due_on=DAY, event=held_event)
    )

    assert step.status == RouteStep.Status.PLANNED


# --- The matching rules -------------------------------------------------------------------------


def test_attendance_leaves_other_events_and_other_teachers_alone(route, school, held_event, municipality):
    other_event_step = RouteStepFactory(route=route, event=EventFactory(municipality=municipality))
    colleague_step = RouteStepFactory(route=RouteFactory(teacher=TeacherFactory(school=school)), event=held_event)

    services.route_steps_complete_from_attendance(
        event_id=held_event.pk, attended=True, email="orlova@example.ru", on=DAY
    )

    assert status_of(other_event_step)[0] == RouteStep.Status.PLANNED
    assert status_of(colleague_step)[0] == RouteStep.Status.PLANNED


def test_an_email_at_another_school_does_not_complete_the_step(route, other_school, held_event):
    step = RouteStepFactory(route=route, event=held_event)

    services.route_steps_complete_from_attendance(
        event_id=held_event.pk, attended=True, email="orlova@example.ru", school_id=other_school.pk, on=DAY
    )

    assert status_of(step)[0] == RouteStep.Status.PLANNED


def test_a_registration_with_neither_account_nor_email_completes_nothing(route, held_event):
    step = RouteStepFactory(route=route, event=held_event)

    assert services.route_steps_complete_from_attendance(event_id=held_event.pk, attended=True, on=DAY) == 0
    assert status_of(step)[0] == RouteStep.Status.PLANNED


def test_marking_attendance_twice_changes_nothing_the_second_time(route, held_event):
    step = RouteStepFactory(route=route, event=held_event)
    mark = dict(event_id=held_event.pk, attended=True, email="orlova@example.ru")  # noqa: C408
    services.route_steps_complete_from_attendance(**mark, on=DAY)

    again = services.route_steps_complete_from_attendance(**mark, on=DAY + dt.timedelta(days=3))

    assert again == 0
    assert status_of(step)[1] == DAY


def test_taking_attendance_back_reopens_only_what_attendance_completed(route, held_event):
    by_attendance = RouteStepFactory(route=route, event=held_event)
    by_hand = RouteStepFactory(
        route=route, event=held_event, status="done", done_on=DAY, completed_via=RouteStep.Completion.MANUAL
    )
    cancelled = RouteStepFactory(route=route, event=held_event, status=RouteStep.Status.CANCELLED)
    services.route_steps_complete_from_attendance(
        event_id=held_event.pk, attended=True, email="orlova@example.ru", on=DAY
    )

    services.route_steps_complete_from_attendance(event_id=held_event.pk, attended=False, email="orlova@example.ru")

    assert status_of(by_attendance) == (RouteStep.Status.PLANNED, None, "")
    assert status_of(by_hand)[0] == RouteStep.Status.DONE
    assert status_of(cancelled)[0] == RouteStep.Status.CANCELLED


def test_course_completion_does_not_touch_event_steps(route, programme, held_event):
    course = RouteStepFactory(route=route, kind=RouteStep.Kind.COURSE, programme=programme)
    event = RouteStepFactory(route=route, event=held_event)

    services.route_steps_complete_from_course(
        programme_id=programme.pk, completed=True, email="orlova@example.ru", on=DAY
    )

    assert status_of(course)[0] == RouteStep.Status.DONE
    assert status_of(event)[0] == RouteStep.Status.PLANNED
