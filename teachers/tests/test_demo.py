"""The teachers' part of seed_demo: deterministic, idempotent, and the demo teacher is linked."""

import pytest

from schools.demo import DIRECTOR_SCHOOL_CODE, demo_district_seed
from teachers.demo import demo_seed
from teachers.models import Deficit, Diagnosis, Mentorship, Route, RouteStep, Teacher


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


TEACHER_FIELDS = ("school__code", "last_name", "first_name", "middle_name", "position", "experience_years", "category")


def content() -> dict:
    return {
        "teachers": sorted(Teacher.objects.values_list(*TEACHER_FIELDS)),
        "diagnoses": sorted(Diagnosis.objects.values_list("teacher__last_name", "competence__name", "score", "date")),
        "deficits": Deficit.objects.count(),
        "routes": Route.objects.count(),
        "steps": sorted(RouteStep.objects.values_list("route__teacher__last_name", "title", "status")),
        "pairs": Mentorship.objects.count(),
    }


@pytest.mark.django_db
def test_the_demo_links_orlova_and_gives_her_a_route_and_a_partner_school_mentor():
    demo_district_seed()

    line = demo_seed()

    orlova = Teacher.objects.get(user__username="teacher")
    assert (orlova.full_name, orlova.school.code) == ("Орлова Наталья Геннадьевна", DIRECTOR_SCHOOL_CODE)
    route = orlova.routes.get()
    assert route.steps.filter(kind=RouteStep.Kind.SELF_STUDY).exists()
    assert orlova.deficits.filter(closed_by__isnull=True).exists()
    assert Mentorship.objects.get(mentee=orlova).is_cross_school
    assert Deficit.objects.filter(closed_by__isnull=False).exists()
    assert line.startswith("Педагоги:")


@pytest.mark.django_db
def test_a_second_run_creates_nothing_and_a_fresh_run_makes_the_same_demo():
    demo_district_seed()
    demo_seed()
    first = content()

    demo_seed()
    again = content()
    Mentorship.objects.all().delete()
    Teacher.objects.all().delete()
    demo_seed()

    assert again == first
    assert content() == first


@pytest.mark.django_db
def test_after_the_centres_demo_orlovas_event_step_is_linked_and_filled_from_attendance():
    from events.demo import demo_seed as events_demo_seed
    from events.models import Registration

    demo_district_seed()
    events_demo_seed()

    demo_seed()

    step = RouteStep.objects.get(route__teacher__user__username="teacher", kind=RouteStep.Kind.EVENT)
    attended = Registration.objects.filter(event=step.event, user__username="teacher", attended=True).exists()
    assert attended  # the centre's demo marks her at its past events; the step picks the attended one
    assert (step.status, step.completed_via) == (RouteStep.Status.DONE, RouteStep.Completion.ATTENDANCE)
